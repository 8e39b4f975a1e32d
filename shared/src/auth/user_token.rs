//! User tokens: an end user verified by the organization's own server.
//!
//! A page's public key is public: anyone holding it may name any `userId`. An organization that needs to know
//! that a request comes from the user it names (so that nobody but the employee completes their assigned
//! training) makes a user-token secret (`POST /v1/settings/user-tokens/rotate-secret`, shown once), and its server
//! mints, for each signed-in user, a token that the page hands to Frigade's SDK in place of the public key:
//!
//! ```text
//! ut_<organization id>_<expires: unix seconds>_<mac: 64 hex>
//! mac = hex(HMAC-SHA256(secret, "<organization id>.<expires>.<userId>"))
//! ```
//!
//! The token stays within the key length limit whatever the `userId` (the `userId` is not in it: the request
//! names it, and the MAC binds the two). It acts as the organization's public key for that one user until it
//! expires, and only on requests that name that `userId`. After a rotation the previous secret's tokens hold for
//! [`PREVIOUS_SECRET_SECONDS`] more (a second rotation ends them at once), as a webhook's previous secret signs.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::model::{random_token, OrgId, Timestamp};

/// How a user token starts.
pub const PREFIX: &str = "ut_";
/// How a user-token secret starts (so that a secret pasted where a key belongs is recognised).
pub const SECRET_PREFIX: &str = "uts_";
/// How long the previous secret's tokens hold after a rotation.
pub const PREVIOUS_SECRET_SECONDS: i64 = 24 * 3600;
/// The longest life a token may have: its expiry at most this far ahead (a token minted for longer is refused).
pub const MAX_LIFETIME_SECONDS: i64 = 30 * 24 * 3600;

/// A token as presented, its form checked: the organization it names, its expiry and its MAC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub org: OrgId,
    pub expires: i64,
    mac: String,
}

/// Why a well-formed token does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The organization has no user-token secret.
    NoSecret,
    /// Its expiry has passed, or lies further ahead than [`MAX_LIFETIME_SECONDS`].
    Expired,
    /// The request names no `userId`.
    NoUser,
    /// The MAC is not the one of this `userId` (another user's token, or a forged one).
    Mismatch,
}

impl Refusal {
    /// What the caller is told (a 401: the token does not authenticate this request).
    pub fn message(self) -> &'static str {
        match self {
            Self::NoSecret => "This organization has no user-token secret; its user tokens are not valid",
            Self::Expired => "This user token has expired (or expires more than 30 days ahead); mint a new one",
            Self::NoUser => "A user token acts only for the userId it was minted for; the request must name it",
            Self::Mismatch => "This user token was not minted for this userId",
        }
    }
}

/// A new secret to sign tokens with.
pub fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}", random_token(32))
}

fn mac(secret: &str, org: OrgId, expires: i64, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{org}.{expires}.{user_id}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The token for `user_id` of `org` until `expires` (what the organization's server does; the tests mint so too).
pub fn mint(secret: &str, org: OrgId, user_id: &str, expires: i64) -> String {
    format!("{PREFIX}{org}_{expires}_{}", mac(secret, org, expires, user_id))
}

/// Reads a token's form (`None`: not a user token, or a malformed one).
pub fn read(token: &str) -> Option<Claim> {
    let rest = token.strip_prefix(PREFIX)?;
    let mut parts = rest.split('_');
    let (org, expires, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_decimal(org) || !is_decimal(expires) {
        return None;
    }
    if mac.len() != 64 || !mac.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    Some(Claim { org: OrgId(org.parse().ok()?), expires: expires.parse().ok()?, mac: mac.to_owned() })
}

fn is_decimal(text: &str) -> bool {
    !text.is_empty() && text.len() <= 19 && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit())
}

impl Claim {
    /// Whether the token holds for a request naming `user_id` at `now`, under one of the organization's `secrets`
    /// (the current one, and the previous one for a day after a rotation).
    pub fn check(&self, secrets: &[&str], user_id: Option<&str>, now: Timestamp) -> Result<(), Refusal> {
        if secrets.is_empty() {
            return Err(Refusal::NoSecret);
        }
        if self.expires <= now.unix() || self.expires > now.unix() + MAX_LIFETIME_SECONDS {
            return Err(Refusal::Expired);
        }
        let user_id = user_id.filter(|u| !u.is_empty()).ok_or(Refusal::NoUser)?;
        let holds = |secret: &&str| {
            let expected = mac(secret, self.org, self.expires, user_id);
            bool::from(expected.as_bytes().ct_eq(self.mac.as_bytes()))
        };
        if secrets.iter().any(holds) {
            Ok(())
        } else {
            Err(Refusal::Mismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse_iso8601("2026-12-07T10:00:00Z").unwrap()
    }

    #[test]
    fn a_minted_token_holds_for_its_user_only_until_it_expires() {
        let secret = new_secret();
        let expires = now().unix() + 3600;
        let token = mint(&secret, OrgId(42), "emp-7", expires);
        assert!(token.len() <= crate::auth::MAX_TOKEN_LEN, "{token}");
        let claim = read(&token).expect("its own form");
        assert_eq!((claim.org, claim.expires), (OrgId(42), expires));

        assert_eq!(claim.check(&[&secret], Some("emp-7"), now()), Ok(()));
        assert_eq!(claim.check(&[&secret], Some("emp-8"), now()), Err(Refusal::Mismatch));
        assert_eq!(claim.check(&[&new_secret()], Some("emp-7"), now()), Err(Refusal::Mismatch));
        assert_eq!(claim.check(&[&new_secret(), &secret], Some("emp-7"), now()), Ok(()));
        assert_eq!(claim.check(&[], Some("emp-7"), now()), Err(Refusal::NoSecret));
        assert_eq!(claim.check(&[&secret], None, now()), Err(Refusal::NoUser));
        let later = now().plus_seconds(3600);
        assert_eq!(claim.check(&[&secret], Some("emp-7"), later), Err(Refusal::Expired));
    }

    #[test]
    fn a_token_of_too_long_a_life_or_of_another_form_is_refused() {
        let secret = new_secret();
        let far = mint(&secret, OrgId(42), "u", now().unix() + MAX_LIFETIME_SECONDS + 1);
        assert_eq!(read(&far).unwrap().check(&[&secret], Some("u"), now()), Err(Refusal::Expired));

        let good = mint(&secret, OrgId(42), "u", now().unix() + 60);
        for bad in [
            good.replacen("ut_42", "ut_042", 1),
            good.replacen("ut_42", "ut_x", 1),
            format!("{good}_1"),
            good[..good.len() - 1].to_owned(),
            good.to_uppercase(),
            "ut_".into(),
        ] {
            assert_eq!(read(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_previous_secret_verifies_for_a_day_after_a_rotation() {
        let rotated = crate::model::UserTokenSecret {
            secret: "uts_new".into(),
            created_at: now(),
            previous: Some("uts_old".into()),
        };
        assert_eq!(rotated.verifying(now(), PREVIOUS_SECRET_SECONDS), vec!["uts_new", "uts_old"]);
        let a_day_on = now().plus_seconds(PREVIOUS_SECRET_SECONDS);
        assert_eq!(rotated.verifying(a_day_on, PREVIOUS_SECRET_SECONDS), vec!["uts_new"]);
    }

    #[test]
    fn the_mac_is_the_documented_one() {
        // The README's recipe, computed apart (Python's hmac): HMAC-SHA256("uts_test", "42.1796637600.emp-7").
        let token = mint("uts_test", OrgId(42), "emp-7", 1_796_637_600);
        assert_eq!(token, "ut_42_1796637600_be15e13a09e12a74182afd9157e12c1f724c3350ba6aa60335c6c7de7f140e9c");
    }
}
