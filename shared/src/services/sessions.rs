//! Frigade's sessions (`POST /v1/public/sessions`: the SDK's `identify`, `group` and `track`): what a browser tells
//! of its user is kept as the user's profile (see [`crate::model::Profile`]): user properties merged (a `null`
//! removes one), the groups the user was seen in with their properties, and the newest events with their time.
//! They never change the user's email or name. A `userId` the organization does not know becomes a user, as with
//! flow states. The profile is read with a secret key at `GET /v1/users/{id}/events`.

use crate::caller::Caller;
use crate::error::ApiError;
use crate::model::{Profile, Session, SessionRefused, Text, User, UserId, MAX_KEPT_BYTES};
use crate::services::progress::{end_user, refuse_deactivated, ProgressStores};
use crate::services::users::MAX_EXTERNAL_ID;
use crate::store::{Conflict, StoreError};

/// How many times a session is redone when another write of the profile came first.
const ATTEMPTS: usize = 8;

/// A session as the SDK sends it.
pub struct SessionRequest {
    pub user_id: Text<MAX_EXTERNAL_ID>,
    pub session: Session,
}

/// Records a session.
pub async fn record<S: ProgressStores + ?Sized>(
    caller: &Caller,
    store: &S,
    request: SessionRequest,
) -> Result<(), ApiError> {
    let org = caller.org().await?;
    let refused = |problem: SessionRefused| match problem {
        SessionRefused::Bound(problem) => ApiError::field("userProperties", problem),
        SessionRefused::TooLarge => ApiError::TooLarge(format!(
            "A user's properties and groups take at most {} KB; remove some (a null removes a property)",
            MAX_KEPT_BYTES / 1024
        )),
    };
    let user = match end_user(caller, store, org, request.user_id.as_str(), false).await? {
        Some(user) => refuse_deactivated(user, request.user_id.as_str())?,
        None => {
            // Refused on an empty profile before the user is made: a refused session makes nobody.
            Profile::new(org, UserId(0)).record(&request.session, caller.now()).map_err(refused)?;
            end_user(caller, store, org, request.user_id.as_str(), true)
                .await?
                .ok_or_else(|| ApiError::internal("a user made a moment ago is missing"))?
        }
    };
    caller.permit().await?;
    for _ in 0..ATTEMPTS {
        let read = store.get_profile(org, user.id).await?;
        let expected = read.as_ref().map_or(0, |p| p.revision);
        let mut profile = read.unwrap_or_else(|| Profile::new(org, user.id));
        profile.record(&request.session, caller.now()).map_err(refused)?;
        profile.revision = expected + 1;
        match store.write_profile(&profile, expected).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict(Conflict::Revision)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::conflict("The user's profile kept changing while this session was recorded; try again"))
}

/// A user's profile (`GET /v1/users/{id}/events`): `raw` is their external id (Frigade's `userId`) or their id.
pub async fn profile<S: ProgressStores + ?Sized>(
    caller: &Caller,
    store: &S,
    raw: &str,
) -> Result<(User, Profile), ApiError> {
    let missing = || ApiError::not_found(format!("User {raw} does not exist"));
    // Our routes name people by our id only: a Frigade `userId` that looks like one never stands for it.
    let id = raw.parse::<u64>().map(UserId).map_err(|_| missing())?;
    let org = caller.org().await?;
    let (found, _) = tokio::try_join!(async { Ok(store.get_user(org, id).await?) }, caller.permit())?;
    let user = found.ok_or_else(missing)?;
    let profile = store.get_profile(org, user.id).await?.unwrap_or_else(|| Profile::new(org, user.id));
    Ok((user, profile))
}
