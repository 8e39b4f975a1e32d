//! API keys and the admin token: what can be checked without storage.
//!
//! A key is shown once, at creation; only its SHA-256 hash is stored, and the hash is the key's storage address,
//! so looking a key up is one strongly consistent read. Keys carry their organization and id, signed:
//!
//! ```text
//! sk_<org>_<key id: 16 hex>_<secret: 32 hex>_<mac: 32 hex>
//! ```
//!
//! where the MAC is HMAC-SHA256, under the deployment's key secret (`FLOWS_KEY_SECRET`), of everything before
//! it. The MAC is checked in-process before anything else, so a forged key costs no read and no rate count, and
//! the organization a genuine key names is known before its lookup: the pipeline counts the rate window and the
//! handler reads its data in parallel with that lookup, and throws the reads away when the key turns out revoked
//! (see [`crate::caller`]). The random secret part keeps keys unguessable even if the MAC secret leaked.
//!
//! Keys issued before keys were signed (`sk_` and 48 hex digits) keep working through the lookup alone; they
//! cost a sequential lookup before anything else. Secret keys (`sk_`) reach every route of their organization,
//! public keys (`pk_`) only `/v1/public/*`. The admin token is compared in constant time.

use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub mod user_token;

use crate::error::ApiError;
use crate::model::{random_token, ApiKey, KeyId, KeyKind, OrgId, Role, Tier, Timestamp, UserId};

/// How many characters of a key are kept to recognise it by (`sk_42_1a2b3`).
const PREFIX_LEN: usize = 11;
/// Longest bearer token worth looking at; anything longer is not one of ours.
pub const MAX_TOKEN_LEN: usize = 128;

pub fn hash_key(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Signs and checks keys with the deployment's key secrets: new keys are signed with the first; a key signed with
/// any of them is accepted, so that the secret can be rotated (put the new one first, keep the old one after it
/// until every key signed with it has been replaced).
#[derive(Clone)]
pub struct KeySigner {
    secrets: Vec<Vec<u8>>,
}

impl std::fmt::Debug for KeySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeySigner(<secret>)")
    }
}

/// A key as presented, after the checks that need no storage.
#[derive(Clone, Debug, PartialEq)]
pub enum Presented {
    /// A signed key: its organization and id are known, its MAC verified.
    Signed { kind: KeyKind, org: OrgId, id: KeyId, hash: String },
    /// A key issued before keys were signed: only its lookup can tell whose it is.
    Legacy { kind: KeyKind, hash: String },
    /// A user token (see [`user_token`]): a public credential for one end user, checked against its organization's
    /// secret and the request's `userId`.
    UserToken { claim: user_token::Claim, hash: String },
}

impl Presented {
    pub fn kind(&self) -> KeyKind {
        match self {
            Self::Signed { kind, .. } | Self::Legacy { kind, .. } => *kind,
            Self::UserToken { .. } => KeyKind::Public,
        }
    }

    pub fn hash(&self) -> &str {
        match self {
            Self::Signed { hash, .. } | Self::Legacy { hash, .. } | Self::UserToken { hash, .. } => hash,
        }
    }

    /// The organization the key names, when it is signed.
    pub fn org(&self) -> Option<OrgId> {
        match self {
            Self::Signed { org, .. } => Some(*org),
            Self::UserToken { claim, .. } => Some(claim.org),
            Self::Legacy { .. } => None,
        }
    }
}

fn kind_prefix(kind: KeyKind) -> &'static str {
    match kind {
        KeyKind::Secret => "sk",
        KeyKind::Public => "pk",
    }
}

fn is_lower_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl KeySigner {
    pub fn new(secret: &[u8]) -> Self {
        Self { secrets: vec![secret.to_vec()] }
    }

    /// A signer with `secrets`, the first signing (as `FLOWS_KEY_SECRET` lists them, comma-separated).
    pub fn with_secrets(secrets: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self { secrets: secrets.into_iter().collect() }
    }

    fn mac(secret: &[u8], signed_part: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(signed_part.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// A new key: the plain text, to show once, and the record to store.
    pub fn generate(
        &self,
        kind: KeyKind,
        org_id: OrgId,
        (user_id, role): (UserId, Role),
        tier: Tier,
        now: Timestamp,
    ) -> (String, ApiKey) {
        let id = KeyId::generate();
        let id_hex = id.as_str().trim_start_matches("key_");
        let signed_part = format!("{}_{org_id}_{id_hex}_{}", kind_prefix(kind), random_token(16));
        let plain = format!("{signed_part}_{}", Self::mac(&self.secrets[0], &signed_part));
        let record = ApiKey {
            id,
            org_id,
            user_id,
            role,
            kind,
            tier,
            prefix: plain[..PREFIX_LEN].to_owned(),
            last4: Some(plain[plain.len() - 4..].to_owned()),
            name: None,
            hash: hash_key(&plain),
            created_at: now,
            revoked_at: None,
        };
        (plain, record)
    }

    /// Reads a presented token: a signed key whose MAC holds, a key of the earlier form, or a user token in its
    /// form (checked in the gate, which reads its organization's secret); anything else is the seed's 401.
    pub fn read(&self, token: &str) -> Result<Presented, ApiError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(ApiError::Unauthorized);
        }
        if let Some(claim) = user_token::read(token) {
            return Ok(Presented::UserToken { claim, hash: hash_key(token) });
        }
        let kind = match token.get(..3) {
            Some("sk_") => KeyKind::Secret,
            Some("pk_") => KeyKind::Public,
            _ => return Err(ApiError::Unauthorized),
        };
        let rest = &token[3..];
        if is_lower_hex(rest, 48) {
            return Ok(Presented::Legacy { kind, hash: hash_key(token) });
        }
        let parts: Vec<&str> = rest.split('_').collect();
        let [org, id, secret, mac] = parts.as_slice() else { return Err(ApiError::Unauthorized) };
        let org = org
            .parse::<u64>()
            .ok()
            .filter(|_| !org.starts_with('0') && org.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(ApiError::Unauthorized)?;
        if !is_lower_hex(id, 16) || !is_lower_hex(secret, 32) || !is_lower_hex(mac, 32) {
            return Err(ApiError::Unauthorized);
        }
        let signed_part = &token[..token.len() - mac.len() - 1];
        let genuine = self
            .secrets
            .iter()
            .any(|secret| bool::from(Self::mac(secret, signed_part).as_bytes().ct_eq(mac.as_bytes())));
        if !genuine {
            return Err(ApiError::Unauthorized);
        }
        let id = KeyId::parse(&format!("key_{id}")).map_err(|_| ApiError::Unauthorized)?;
        Ok(Presented::Signed { kind, org: OrgId(org), id, hash: hash_key(token) })
    }
}

/// The key (or admin token) an `Authorization` header presents: `Bearer <key>`, or HTTP Basic with the key as the
/// user name and any password (Flowdock's client sends `base64("<key>:undefined")`).
pub fn presented(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(token.to_owned());
    }
    if !scheme.eq_ignore_ascii_case("basic") || token.len() > 4 * MAX_TOKEN_LEN {
        return None;
    }
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD.decode(token).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let user = decoded.split_once(':').map_or(decoded.as_str(), |(user, _password)| user);
    (!user.is_empty()).then(|| user.to_owned())
}

/// Checks the admin token (`Authorization: Bearer <token>`, or Basic with it as the user name). With no admin
/// token configured, the admin routes do not exist.
pub fn check_admin(admin_token: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = admin_token else {
        return Err(ApiError::not_found("The requested resource does not exist"));
    };
    let presented = presented(headers).ok_or(ApiError::Unauthorized)?;
    // Comparing digests keeps the comparison's time independent of both the content and the length.
    let same = Sha256::digest(presented.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes()));
    if bool::from(same) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, auth.parse().unwrap());
        h
    }

    fn signer() -> KeySigner {
        KeySigner::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn generated_keys_carry_their_organization_and_are_stored_as_hash_and_prefix_only() {
        let (plain, key) =
            signer().generate(KeyKind::Secret, OrgId(42), (UserId(2), Role::Admin), Tier::Standard, Timestamp::now());
        assert!(plain.starts_with("sk_42_"), "{plain}");
        assert!(plain.len() <= MAX_TOKEN_LEN);
        assert_eq!(key.hash, hash_key(&plain));
        assert!(plain.starts_with(&key.prefix));
        assert!(!serde_json::to_string(&key).unwrap().contains(&plain));
        let presented = signer().read(&plain).unwrap();
        assert_eq!(presented, Presented::Signed { kind: KeyKind::Secret, org: OrgId(42), id: key.id, hash: key.hash });
    }

    #[test]
    fn a_key_whose_mac_does_not_hold_is_refused_without_a_lookup() {
        let (plain, _) =
            signer().generate(KeyKind::Public, OrgId(7), (UserId(1), Role::Admin), Tier::Standard, Timestamp::now());
        // Another organization's number in an otherwise genuine key.
        let forged = plain.replacen("pk_7_", "pk_8_", 1);
        assert!(matches!(signer().read(&forged), Err(ApiError::Unauthorized)));
        // Signed under another deployment's secret.
        let other = KeySigner::new(b"another-deployment-secret-0123456789");
        assert!(matches!(other.read(&plain), Err(ApiError::Unauthorized)));
        for bad in [
            "",
            "sk_",
            "sk_1_2_3_4",
            "xk_0123",
            &"sk_1".repeat(40),
            "sk_01_0000000000000000_00000000000000000000000000000000_00000000000000000000000000000000",
        ] {
            assert!(signer().read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_signed_with_a_previous_secret_still_read_after_a_rotation() {
        let (old_key, _) =
            signer().generate(KeyKind::Secret, OrgId(3), (UserId(1), Role::Admin), Tier::Standard, Timestamp::now());
        let rotated = KeySigner::with_secrets([
            b"the-new-secret-of-at-least-32-characters".to_vec(),
            signer().secrets[0].clone(),
        ]);
        assert!(rotated.read(&old_key).is_ok());
        let (new_key, _) =
            rotated.generate(KeyKind::Secret, OrgId(3), (UserId(1), Role::Admin), Tier::Standard, Timestamp::now());
        assert!(signer().read(&new_key).is_err(), "new keys are signed with the new secret");
    }

    #[test]
    fn keys_of_the_earlier_form_are_read_for_lookup() {
        let legacy = format!("sk_{}", "ab".repeat(24));
        assert_eq!(
            signer().read(&legacy).unwrap(),
            Presented::Legacy { kind: KeyKind::Secret, hash: hash_key(&legacy) }
        );
    }

    #[test]
    fn a_key_is_presented_as_bearer_or_as_the_basic_user_name() {
        use base64::Engine as _;
        let basic = |raw: &str| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw));
        assert_eq!(presented(&headers("Bearer abc")).as_deref(), Some("abc"));
        assert_eq!(presented(&headers("bearer  abc ")).as_deref(), Some("abc"));
        assert_eq!(presented(&headers(&basic("abc:undefined"))).as_deref(), Some("abc"));
        assert_eq!(presented(&headers(&basic("abc:"))).as_deref(), Some("abc"));
        assert_eq!(presented(&headers(&basic("abc"))).as_deref(), Some("abc"));
        assert_eq!(presented(&headers(&basic("abc:pass:word"))).as_deref(), Some("abc"));
        assert_eq!(presented(&headers(&basic(":password"))), None);
        assert_eq!(presented(&headers("Basic not*base64")), None);
        assert_eq!(presented(&headers("Digest abc")), None);
        assert_eq!(presented(&headers("Bearer ")), None);
        assert_eq!(presented(&HeaderMap::new()), None);
    }

    #[test]
    fn admin_token_checks() {
        assert!(check_admin(Some("t0k"), &headers("Bearer t0k")).is_ok());
        assert!(matches!(check_admin(Some("t0k"), &headers("Bearer t0")), Err(ApiError::Unauthorized)));
        assert!(matches!(check_admin(Some("t0k"), &HeaderMap::new()), Err(ApiError::Unauthorized)));
        assert!(matches!(check_admin(None, &headers("Bearer t0k")), Err(ApiError::NotFound(_))));
    }
}
