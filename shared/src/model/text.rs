use serde::{Deserialize, Serialize};

/// The one rule every text field of the API follows (Frigade's free-form `data` and session properties aside, which
/// are JSON, not text): no C0 or C1 control characters (a multi-line field takes tab, line feed and carriage
/// return), none of the characters that override the text's direction (U+202A–U+202E, U+2066–U+2069: they make
/// `abc\u{202e}gpj.exe` read as `abcexe.jpg`), and, for a value that must say something, at least one visible
/// character (not only spaces and invisible marks such as U+200B). The joiners and direction marks that scripts
/// need (ZWJ, ZWNJ, LRM, RLM) stay.
pub mod rule {
    /// Characters that override the direction of the text around them.
    pub fn is_direction_override(c: char) -> bool {
        matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }

    /// A control character a field of this kind refuses.
    pub fn is_refused_control(c: char, multi_line: bool) -> bool {
        c.is_control() && !(multi_line && matches!(c, '\t' | '\n' | '\r'))
    }

    /// Unicode's default-ignorable code points (DerivedCoreProperties.txt): characters that render as nothing.
    pub fn is_invisible(c: char) -> bool {
        matches!(c,
            '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
            | '\u{180b}'..='\u{180f}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}')
    }

    /// A character that shows: not white space, not a control, not invisible.
    pub fn is_visible(c: char) -> bool {
        !c.is_whitespace() && !c.is_control() && !is_invisible(c)
    }

    /// The characters `raw` may not hold, as the problem a person reads.
    pub fn check_chars(raw: &str, multi_line: bool) -> Result<(), String> {
        if raw.chars().any(|c| is_refused_control(c, multi_line)) {
            return Err(if multi_line {
                "must not contain control characters (tab and line breaks aside)".into()
            } else {
                "must not contain control characters, tabs or line breaks".into()
            });
        }
        if raw.chars().any(is_direction_override) {
            return Err("must not contain characters that override the text's direction (U+202A-U+202E, \
                        U+2066-U+2069)"
                .into());
        }
        Ok(())
    }

    /// The rule whole: the characters, and at least one visible one.
    pub fn check(raw: &str, multi_line: bool) -> Result<(), String> {
        check_chars(raw, multi_line)?;
        if !raw.chars().any(is_visible) {
            return Err("must contain a visible character".into());
        }
        Ok(())
    }

    /// The refused characters as a regular-expression class body (JSON Schema `pattern`, ECMA-262 and Python
    /// alike), for the documents that state the rule.
    pub fn refused_class(multi_line: bool) -> &'static str {
        if multi_line {
            "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069"
        } else {
            "\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069"
        }
    }

    /// The invisible characters (beside white space) as a class body. The supplementary planes' are written as the
    /// characters themselves, which both ECMA-262 (with its `u` flag) and Python read.
    pub fn invisible_class() -> String {
        let bmp = "\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u2060-\\u206f\
                   \\u3164\\ufe00-\\ufe0f\\ufeff\\ufff0-\\ufff8\\uffa0";
        format!("{bmp}\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}")
    }

    /// The JSON Schema pattern of the rule: no refused character, and one visible one.
    pub fn pattern(multi_line: bool) -> String {
        let refused = refused_class(multi_line);
        format!("^[^{refused}]*[^\\s{refused}{}][^{refused}]*$", invisible_class())
    }

    /// The pattern of a value that may also be blank (no visible character needed).
    pub fn blank_pattern(multi_line: bool) -> String {
        format!("^[^{}]*$", refused_class(multi_line))
    }
}

/// Text with a documented maximum length in characters (`MAX`), trimmed, following [`rule`]: one line unless
/// `MULTI_LINE`. Every free-text field the API accepts is one of these, with its limit in its type, so that the
/// validator and the OpenAPI document read the same number, and whatever is stored fits one DynamoDB item on
/// either backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize, const MULTI_LINE: bool = false>(String);

/// Text of several lines (notes, subtitles): tab and line breaks allowed.
pub type MultiLine<const MAX: usize> = Text<MAX, true>;

impl<const MAX: usize, const MULTI_LINE: bool> Text<MAX, MULTI_LINE> {
    pub fn parse(raw: &str) -> Result<Self, String> {
        // The characters are checked as sent: a one-line value takes no tab or line break, not even at its ends.
        rule::check_chars(raw, MULTI_LINE)?;
        let value = raw.trim();
        if value.is_empty() {
            return Err("must not be empty".into());
        }
        if value.chars().count() > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        rule::check(value, MULTI_LINE)?;
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize, const MULTI_LINE: bool> TryFrom<String> for Text<MAX, MULTI_LINE> {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl<const MAX: usize, const MULTI_LINE: bool> From<Text<MAX, MULTI_LINE>> for String {
    fn from(value: Text<MAX, MULTI_LINE>) -> Self {
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
    fn one_rule_refuses_controls_direction_overrides_and_invisible_names() {
        // GIVEN names an attacker and a careless import sent
        for bad in [
            "\u{200b}\u{200b}",
            "\u{feff}",
            "abc\u{202e}gpj.exe",
            "a\u{2066}b",
            "a\u{85}b",
            "a\tb",
            "a\nb",
            "\u{e0041}",
        ] {
            // THEN each is refused as a one-line name, with a sentence a person can act on
            let problem = Text::<100>::parse(bad).unwrap_err();
            assert!(problem.starts_with("must "), "{bad:?}: {problem}");
        }
        // AND multi-line text takes tabs and line breaks, never the rest
        assert_eq!(MultiLine::<100>::parse("line 1\n\tline 2").unwrap().as_str(), "line 1\n\tline 2");
        assert!(MultiLine::<100>::parse("a\u{0}b").is_err());
        assert!(MultiLine::<100>::parse("a\u{202d}b").is_err());
        // AND a one-line value's ends are checked as sent, as its pattern says
        assert!(Text::<100>::parse("\tname").is_err());
        assert_eq!(Text::<100>::parse(" name ").unwrap().as_str(), "name");
        // AND the joiners and marks that scripts need stay, as do scripts without ASCII
        for good in ["👩\u{200d}💻", "می\u{200c}خواهم", "\u{200e}abc", "名前", "ＡＢＣ", ".."] {
            assert_eq!(Text::<100>::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn the_documented_pattern_is_the_rule() {
        let pattern = rule::pattern(false);
        assert!(pattern.contains("\\u202a-\\u202e") && pattern.contains("\\u200b-\\u200f"), "{pattern}");
        assert!(rule::blank_pattern(true).contains("\\u000e-\\u001f"));
        assert!(!rule::blank_pattern(true).contains("\\u0000-\\u001f"));
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
