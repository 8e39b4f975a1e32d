//! API keys and the admin token.
//!
//! A key is shown once, at creation; only its SHA-256 hash is stored, and the hash is the key's storage address,
//! so authenticating is one read. Secret keys (`sk_…`) reach every route of their organization; public keys
//! (`pk_…`) only `/v1/public/*`. The admin token is compared in constant time.

use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::model::{random_token, ApiKey, KeyId, KeyKind, OrgId, Tier, Timestamp, UserId};
use crate::store::KeyStore;

/// How many characters of a key are kept to recognise it by (`sk_1a2b3c4d`).
const PREFIX_LEN: usize = 11;
/// Longest bearer token worth hashing; anything longer is not one of ours.
const MAX_TOKEN_LEN: usize = 128;

pub fn hash_key(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// A new key: the plain text, to show once, and the record to store.
pub fn generate_key(kind: KeyKind, org_id: OrgId, user_id: UserId, tier: Tier, now: Timestamp) -> (String, ApiKey) {
    let plain = match kind {
        KeyKind::Secret => format!("sk_{}", random_token(24)),
        KeyKind::Public => format!("pk_{}", random_token(24)),
    };
    let record = ApiKey {
        id: KeyId::generate(),
        org_id,
        user_id,
        kind,
        tier,
        prefix: plain[..PREFIX_LEN].to_owned(),
        hash: hash_key(&plain),
        created_at: now,
        revoked_at: None,
    };
    (plain, record)
}

/// The bearer token of an `Authorization` header, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Finds the live key the request presents. A missing, unknown or revoked key is the seed's 401.
pub async fn authenticate(keys: &dyn KeyStore, headers: &HeaderMap) -> Result<ApiKey, ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized)?;
    if token.len() > MAX_TOKEN_LEN || !(token.starts_with("sk_") || token.starts_with("pk_")) {
        return Err(ApiError::Unauthorized);
    }
    let key = keys
        .find_key_by_hash(&hash_key(token))
        .await
        .map_err(crate::http::store_error)?
        .ok_or(ApiError::Unauthorized)?;
    if key.revoked_at.is_some() {
        return Err(ApiError::Unauthorized);
    }
    Ok(key)
}

/// Checks `Authorization: Bearer <admin token>`. With no admin token configured, the admin routes do not exist.
pub fn check_admin(admin_token: Option<&str>, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(expected) = admin_token else {
        return Err(ApiError::not_found("The requested resource does not exist"));
    };
    let presented = bearer(headers).ok_or(ApiError::Unauthorized)?;
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

    #[test]
    fn generated_keys_are_stored_as_hash_and_prefix_only() {
        let (plain, key) = generate_key(KeyKind::Secret, OrgId(1), UserId(2), Tier::Standard, Timestamp::now());
        assert!(plain.starts_with("sk_") && plain.len() == 51);
        assert_eq!(key.hash, hash_key(&plain));
        assert!(plain.starts_with(&key.prefix));
        assert!(!serde_json::to_string(&key).unwrap().contains(&plain));
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&headers("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&headers("Basic abc")), None);
        assert_eq!(bearer(&headers("Bearer ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn admin_token_checks() {
        assert!(check_admin(Some("t0k"), &headers("Bearer t0k")).is_ok());
        assert!(matches!(check_admin(Some("t0k"), &headers("Bearer t0")), Err(ApiError::Unauthorized)));
        assert!(matches!(check_admin(Some("t0k"), &HeaderMap::new()), Err(ApiError::Unauthorized)));
        assert!(matches!(check_admin(None, &headers("Bearer t0k")), Err(ApiError::NotFound(_))));
    }
}
