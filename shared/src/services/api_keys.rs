//! API keys: made (shown once), listed, revoked.

use crate::auth::KeySigner;
use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{ApiKey, KeyId, KeyKind};
use crate::store::KeyStore;

/// A key to make.
pub struct NewKey {
    pub kind: KeyKind,
}

/// A key just made: the plain text, shown this once, and its record.
pub struct IssuedKey {
    pub plain: String,
    pub record: ApiKey,
}

/// Makes a key acting as the caller's user.
pub async fn create(
    act: &Act<'_, IssuedKey>,
    keys: &dyn KeyStore,
    signer: &KeySigner,
    input: NewKey,
) -> Result<IssuedKey, ApiError> {
    let principal = act.permit().await?;
    let caller = principal.key()?;
    let (plain, record) = signer.generate(input.kind, caller.org_id, caller.user_id, caller.tier, act.now());
    let issued = IssuedKey { plain, record };
    let done = act.completion(&issued);
    keys.create_key(&issued.record, done.as_ref()).await?;
    Ok(issued)
}

/// The organization's keys, oldest first.
pub async fn list(caller: &Caller, keys: &dyn KeyStore) -> Result<Vec<ApiKey>, ApiError> {
    Ok(keys.list_keys(caller.org().await?).await?)
}

/// Revokes a key of the caller's organization: from then on it gets 401.
pub async fn revoke(caller: &Caller, keys: &dyn KeyStore, raw_id: &str) -> Result<ApiKey, ApiError> {
    let missing = || ApiError::not_found(format!("API key '{raw_id}' does not exist"));
    let id = KeyId::parse(raw_id).map_err(|_| missing())?;
    let org = caller.org().await?;
    caller.permit().await?;
    keys.revoke_key(org, &id, caller.now()).await?.ok_or_else(missing)
}
