use std::fmt;

use serde::{Deserialize, Serialize};

/// `n` random bytes from the operating system, hex-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source is available");
    hex::encode(buf)
}

macro_rules! int_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

int_id!(
    /// An organization's integer id, as Flowdock shows it; allocated from a per-deployment counter.
    OrgId
);
int_id!(
    /// A user's integer id, as Flowdock shows it; allocated from a per-deployment counter.
    UserId
);

macro_rules! token_id {
    ($(#[$doc:meta])* $name:ident, $prefix:expr, $bytes:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, random_token($bytes)))
            }

            /// Parses an id given by a caller. An id of the wrong shape cannot name anything, so callers map
            /// the error to 404.
            pub fn parse(raw: &str) -> Result<Self, String> {
                let rest = raw.strip_prefix($prefix).unwrap_or("");
                if rest.len() == $bytes * 2 && rest.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(format!("is not a valid id"))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

token_id!(
    /// A flow's id: random, 16 hex digits, as Flowdock's new flows have.
    FlowId, "", 8
);
token_id!(
    /// An assignment's id, `asgn_` and 24 hex digits.
    AssignmentId, "asgn_", 12
);
token_id!(
    /// A webhook endpoint's id, `wh_` and 16 hex digits.
    WebhookId, "wh_", 8
);
token_id!(
    /// An API key's public id, `key_` and 16 hex digits (the key itself is never stored).
    KeyId, "key_", 8
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_and_others_do_not() {
        let a = AssignmentId::generate();
        assert_eq!(AssignmentId::parse(a.as_str()).unwrap(), a);
        assert!(AssignmentId::parse("asgn_789xyz").is_err());
        let f = FlowId::generate();
        assert_eq!(f.as_str().len(), 16);
        assert!(FlowId::parse(f.as_str()).is_ok());
        assert!(FlowId::parse("flow_123abc").is_err());
        assert!(FlowId::parse("DEADBEEFDEADBEEF").is_err());
        assert_ne!(FlowId::generate(), FlowId::generate());
    }
}
