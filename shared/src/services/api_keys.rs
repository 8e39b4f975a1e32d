//! API keys: made (shown once), listed, revoked. A key acts as one user of its organization, with that user's role
//! as it was when the key was made: by default the caller's own user; an admin may make a key for another user
//! (`userId`). Members see and revoke only their own keys; admins all of the organization's.

use crate::auth::KeySigner;
use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{ApiKey, KeyId, KeyKind, Role, UserId};
use crate::store::{Directory, KeyStore};

/// A key to make.
pub struct NewKey {
    pub kind: KeyKind,
    /// The user the key acts as; the caller's own when left out.
    pub user: Option<UserId>,
}

/// A key just made: the plain text, shown this once, and its record.
pub struct IssuedKey {
    pub plain: String,
    pub record: ApiKey,
}

/// Makes a key acting as the caller's user, or, for an admin, as the user `input.user` names.
pub async fn create(
    act: &Act<'_, IssuedKey>,
    keys: &dyn KeyStore,
    directory: &dyn Directory,
    signer: &KeySigner,
    input: NewKey,
) -> Result<IssuedKey, ApiError> {
    let principal = act.permit().await?;
    let caller = principal.key()?;
    let holder = match input.user {
        None => (caller.user_id, caller.role),
        Some(user) if user == caller.user_id => (caller.user_id, caller.role),
        Some(_) if caller.role != Role::Admin => {
            return Err(ApiError::Forbidden("Only an organization admin may make a key for another user".into()))
        }
        Some(user) => {
            let found = directory.get_user(caller.org_id, user).await?;
            let found = found
                .filter(|u| !u.disabled)
                .ok_or_else(|| ApiError::field("userId", format!("no user {user} in your organization")))?;
            (found.id, found.role)
        }
    };
    let (plain, record) = signer.generate(input.kind, caller.org_id, holder, caller.tier, act.now());
    let issued = IssuedKey { plain, record };
    let done = act.completion(&issued);
    keys.create_key(&issued.record, done.as_ref()).await?;
    Ok(issued)
}

/// The organization's keys, oldest first: for a member, only the member's own.
pub async fn list(caller: &Caller, keys: &dyn KeyStore) -> Result<Vec<ApiKey>, ApiError> {
    let (all, principal) = tokio::try_join!(async { Ok(keys.list_keys(caller.org().await?).await?) }, caller.permit())?;
    let me = principal.key()?;
    Ok(all.into_iter().filter(|k| me.role == Role::Admin || k.user_id == me.user_id).collect())
}

/// Revokes a key of the caller's organization: from then on it gets 401.
pub async fn revoke(caller: &Caller, keys: &dyn KeyStore, raw_id: &str) -> Result<ApiKey, ApiError> {
    let missing = || ApiError::not_found(format!("API key '{raw_id}' does not exist"));
    let id = KeyId::parse(raw_id).map_err(|_| missing())?;
    let org = caller.org().await?;
    let principal = caller.permit().await?;
    let me = principal.key()?;
    if me.role != Role::Admin {
        // A member may revoke only their own keys; anyone else's is answered as missing.
        let own = keys.list_keys(org).await?.into_iter().any(|k| k.id == id && k.user_id == me.user_id);
        if !own {
            return Err(missing());
        }
    }
    keys.revoke_key(org, &id, caller.now()).await?.ok_or_else(missing)
}
