use serde::{Deserialize, Serialize};

/// Text with a documented maximum length in characters (`MAX`), trimmed, non-empty, without control characters
/// other than tab and line breaks. Every free-text field the API accepts is one of these, with its limit in its
/// type, so that the validator and the OpenAPI document read the same number, and whatever is stored fits one
/// DynamoDB item on either backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.chars().count() > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
            return Err("must not contain control characters".into());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> TryFrom<String> for Text<MAX> {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(value: Text<MAX>) -> Self {
        value.0
    }
}

/// A URL-safe name (`parameterized_name`): lower-case ASCII letters, digits and single dashes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 100;

    /// Derives a slug from a human name: "My Flow!" → "my-flow". Letters outside ASCII are dropped; a name
    /// with nothing left becomes "flow".
    pub fn from_name(name: &str, fallback: &str) -> Self {
        let mut out = String::with_capacity(name.len());
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        out.truncate(Self::MAX_LEN);
        while out.ends_with('-') {
            out.pop();
        }
        if out.is_empty() {
            out = fallback.to_owned();
        }
        Self(out)
    }

    /// Parses a slug as given in a path: it must already be in slug form.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("is not a valid parameterized name".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The same slug with `-<suffix>` at its end, shortened first if the whole would pass [`Self::MAX_LEN`]:
    /// "my-flow" → "my-flow-2", for a name whose slug is taken.
    pub fn with_suffix(&self, suffix: &str) -> Self {
        let keep = Self::MAX_LEN.saturating_sub(suffix.len() + 1);
        let mut base = self.0.clone();
        base.truncate(keep);
        while base.ends_with('-') {
            base.pop();
        }
        Self(format!("{base}-{suffix}"))
    }
}

/// A flow's slug as Frigade's `flowSlug` uses it: the same characters as a [`Slug`] plus `_`.
pub type FlowSlug = Slug;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suffixed_slug_stays_a_slug_within_its_length() {
        assert_eq!(Slug::from_name("My flow", "flow").with_suffix("2").as_str(), "my-flow-2");
        let long = Slug::from_name(&format!("{} x", "a".repeat(99)), "flow");
        let suffixed = long.with_suffix("12");
        assert_eq!(suffixed.as_str().len(), Slug::MAX_LEN);
        assert!(suffixed.as_str().ends_with("a-12"));
        assert_eq!(Slug::parse(suffixed.as_str()), Ok(suffixed));
    }

    #[test]
    fn text_counts_characters_and_trims() {
        assert_eq!(Text::<2>::parse("  hi  ").unwrap().as_str(), "hi");
        assert!(Text::<3>::parse("ééé").is_ok());
        assert!(Text::<3>::parse("abcd").is_err());
        assert!(Text::<3>::parse("   ").is_err());
        assert!(Text::<3>::parse("a\u{0}b").is_err());
    }

    #[test]
    fn slugs_follow_flowdock_parameterized_names() {
        assert_eq!(Slug::from_name("My flow", "flow").as_str(), "my-flow");
        assert_eq!(Slug::from_name("  Customer   Onboarding!! ", "flow").as_str(), "customer-onboarding");
        assert_eq!(Slug::from_name("日本", "flow").as_str(), "flow");
        assert!(Slug::parse("my-flow").is_ok());
        assert!(Slug::parse("My-Flow").is_err());
        assert!(Slug::parse("-x").is_err());
    }
}
