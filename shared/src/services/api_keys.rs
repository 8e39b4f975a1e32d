//! API keys: made (shown once), listed, revoked. A key acts as one user of its organization, with that user's
//! current role (a change of the role rewrites the user's keys): by default the caller's own user; an admin may make
//! a key for another user (`userId`). Members see and revoke only their own keys; admins all of the organization's.
//! A person holds at most [`MAX_KEYS_PER_PERSON`] keys that are not revoked.

use crate::auth::KeySigner;
use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{ApiKey, KeyId, KeyKind, Role, Text, UserId};
use crate::store::{Conflict, Directory, KeyStore, StoreError, MAX_KEYS_PER_PERSON};

pub const MAX_KEY_NAME: usize = 100;

/// A key to make.
pub struct NewKey {
    pub kind: KeyKind,
    /// The user the key acts as; the caller's own when left out.
    pub user: Option<UserId>,
    /// What to call it in lists.
    pub name: Option<Text<MAX_KEY_NAME>>,
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
    let (plain, mut record) = signer.generate(input.kind, caller.org_id, holder, caller.tier, act.now());
    record.name = input.name.map(Text::into_string);
    let issued = IssuedKey { plain, record };
    let done = act.completion(&issued);
    keys.create_key(&issued.record, done.as_ref()).await.map_err(|err| match err {
        StoreError::Conflict(Conflict::Limit) => ApiError::conflict(format!(
            "User {} has {MAX_KEYS_PER_PERSON} keys already; revoke one to make another",
            holder.0
        )),
        other => other.into(),
    })?;
    Ok(issued)
}

/// A page of the organization's keys by id, after the key `after`, and the last one when more follow: for a member,
/// only the member's own.
pub async fn list(
    caller: &Caller,
    keys: &dyn KeyStore,
    after: Option<KeyId>,
    limit: usize,
) -> Result<(Vec<ApiKey>, Option<KeyId>), ApiError> {
    let org = caller.org().await?;
    let principal = caller.permit().await?;
    let me = principal.key()?;
    let only = (me.role != Role::Admin).then_some(me.user_id);
    let page = keys.keys_page(org, only, after.as_ref(), limit).await?;
    let next = page.more.then(|| page.items.last().map(|k| k.id.clone())).flatten();
    Ok((page.items, next))
}

/// Revokes a key of the caller's organization: from then on it gets 401.
pub async fn revoke(caller: &Caller, keys: &dyn KeyStore, raw_id: &str) -> Result<ApiKey, ApiError> {
    let missing = || ApiError::not_found(format!("API key '{raw_id}' does not exist"));
    let id = KeyId::parse(raw_id).map_err(|_| missing())?;
    let org = caller.org().await?;
    let (found, principal) = tokio::try_join!(async { Ok(keys.get_key(org, &id).await?) }, caller.permit())?;
    let me = principal.key()?;
    // A member may revoke only their own keys; anyone else's is answered as missing.
    if !found.is_some_and(|k| me.role == Role::Admin || k.user_id == me.user_id) {
        return Err(missing());
    }
    keys.revoke_key(org, &id, caller.now()).await?.ok_or_else(missing)
}
