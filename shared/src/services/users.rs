//! The people of an organization: added, read, listed a page at a time, changed, deactivated and brought back.
//!
//! Our routes name a person by our id; Frigade's `userId` is their external id, and a person given one by an
//! admin takes over the progress of the guest Frigade brought in under it (see [`update`]).
//!
//! **Deactivation** (`DELETE /v1/users/{id}`, or `"active": false`): in one transaction the person is marked
//! inactive and every key acting as them is revoked (so they stop at once); then their open assignments are
//! cancelled, each announced by `flow.cancelled`, and they leave the email flows they are moving through. Their
//! history stays. Repeating it finishes what a failure may have left. `"active": true` brings them back, with no
//! key: an admin makes new ones.
//!
//! **Roles**: a key acts with its person's current role, as the key records it; a change of role rewrites the
//! person's keys in the same transaction, so that authenticating reads nothing more. An organization always
//! keeps one active admin: demoting or deactivating the last one is a 409.

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{ApiKey, Email, OrgId, Role, Text, Timestamp, User, UserId};
use crate::services::assignments::{cancel_one, CancelReason};
use crate::services::email_participants::{self, Ports};
use crate::store::{
    AssignmentStore, Conflict, Counter, Directory, EmailFlowStore, KeyStore, ProgressStore, StoreError, UserWrite,
    MAX_KEYS_PER_PERSON,
};
use crate::webhooks::publish::Publisher;

pub const MAX_NAME: usize = 100;
pub const MAX_NICK: usize = 50;
pub const MAX_EXTERNAL_ID: usize = 255;

/// The storage a change of a person touches, and where its events go.
#[derive(Clone, Copy)]
pub struct People<'a> {
    pub directory: &'a dyn Directory,
    pub keys: &'a dyn KeyStore,
    pub progress: &'a dyn ProgressStore,
    pub assignments: &'a dyn AssignmentStore,
    pub email_flows: &'a dyn EmailFlowStore,
    pub events: &'a Publisher<'a>,
}

/// A person as a request describes one.
pub struct NewPerson {
    pub email: Email,
    pub name: Text<MAX_NAME>,
    pub nick: Option<Text<MAX_NICK>>,
    pub external_id: Option<Text<MAX_EXTERNAL_ID>>,
    /// `member` unless given; only an admin may give `admin`, and only admins add people at all.
    pub role: Role,
}

impl NewPerson {
    /// The user this person becomes; without a nick, the first word of the name.
    pub fn into_user(self, id: UserId, org_id: OrgId, now: Timestamp) -> User {
        let nick = match self.nick {
            Some(nick) => nick.into_string(),
            None => self.name.as_str().split_whitespace().next().unwrap_or_default().chars().take(MAX_NICK).collect(),
        };
        User {
            id,
            org_id,
            email: Some(self.email),
            name: self.name.into_string(),
            nick,
            external_id: self.external_id.map(Text::into_string),
            role: self.role,
            disabled: false,
            created_at: now,
            deactivated_at: None,
            revision: 0,
            person_indexed: true,
        }
    }
}

/// The 409 for a person who already exists, or any other storage failure.
fn person_conflict(err: StoreError, email: Option<&Email>) -> ApiError {
    match (err, email) {
        (StoreError::Conflict(Conflict::UserEmail), Some(email)) => {
            ApiError::conflict(format!("A user with email '{email}' already exists in your organization"))
        }
        (StoreError::Conflict(Conflict::UserExternalId), _) => {
            ApiError::conflict("A user with this externalId already exists in your organization")
        }
        (StoreError::Conflict(Conflict::LastAdmin), _) => {
            ApiError::conflict("An organization keeps at least one active admin: make another person an admin first")
        }
        (other, _) => other.into(),
    }
}

/// Adds a person to the caller's organization; emails are unique in any case.
pub async fn create(act: &Act<'_, User>, directory: &dyn Directory, person: NewPerson) -> Result<User, ApiError> {
    let org = act.caller().org().await?;
    // A person who exists is answered before an id is spent on them.
    if directory.find_user_by_email(org, &person.email.key()).await?.is_some() {
        return Err(person_conflict(StoreError::Conflict(Conflict::UserEmail), Some(&person.email)));
    }
    act.permit().await?;
    let id = UserId(directory.next_id(Counter::User).await?);
    let email = person.email.clone();
    let user = person.into_user(id, org, act.now());
    let done = act.completion(&user);
    directory.create_user(&user, done.as_ref()).await.map_err(|e| person_conflict(e, Some(&email)))?;
    Ok(user)
}

/// The person our id `raw` names in the caller's organization (a Frigade `userId` never does).
pub async fn get(caller: &Caller, directory: &dyn Directory, raw: &str) -> Result<User, ApiError> {
    let missing = || ApiError::not_found(format!("User {raw} does not exist"));
    let id = raw.parse::<u64>().map(UserId).map_err(|_| missing())?;
    let org = caller.org().await?;
    let (found, _) = tokio::try_join!(async { Ok(directory.get_user(org, id).await?) }, caller.permit())?;
    found.ok_or_else(missing)
}

/// Which people a list reads.
pub struct PeopleQuery {
    /// Only the person with this external id (Frigade's `userId`).
    pub external_id: Option<String>,
    /// The last person of the page before.
    pub after: Option<UserId>,
    pub limit: usize,
}

/// A page of the organization's people by id, and the last one when more follow.
pub async fn list(
    caller: &Caller,
    directory: &dyn Directory,
    query: PeopleQuery,
) -> Result<(Vec<User>, Option<UserId>), ApiError> {
    let org = caller.org().await?;
    if let Some(external) = &query.external_id {
        let (found, _) =
            tokio::try_join!(async { Ok(directory.find_user_by_external_id(org, external).await?) }, caller.permit())?;
        return Ok((found.into_iter().collect(), None));
    }
    let (page, _) =
        tokio::try_join!(async { Ok(directory.users_page(org, query.after, query.limit).await?) }, caller.permit())?;
    let next = page.more.then(|| page.items.last().map(|u| u.id)).flatten();
    Ok((page.items, next))
}

/// What `PATCH /v1/users/{id}` may change; each optional.
#[derive(Default)]
pub struct UserChanges {
    /// An email for the person, unique in the organization in any case: how a person Frigade brought in (who has
    /// none) becomes one MomoFlow can assign by email.
    pub email: Option<Email>,
    pub name: Option<Text<MAX_NAME>>,
    pub nick: Option<Text<MAX_NICK>>,
    pub role: Option<Role>,
    /// `false` deactivates the person (as `DELETE` does), `true` brings them back.
    pub active: Option<bool>,
    /// Frigade's `userId` for the person, set once; a guest Frigade brought in under it is absorbed.
    pub external_id: Option<Text<MAX_EXTERNAL_ID>>,
}

/// How many times a change is redone when the person changed between its read and its write.
const UPDATE_ATTEMPTS: usize = 5;

/// The guest Frigade brought in under `external`, whom `user` may absorb: one with no email (a person with an
/// email is someone else, never merged into another).
async fn absorbable(directory: &dyn Directory, user: &User, external: &str) -> Result<Option<User>, ApiError> {
    match directory.find_user_by_external_id(user.org_id, external).await? {
        None => Ok(None),
        Some(other) if other.id == user.id => Ok(None),
        Some(other) if other.email.is_none() && other.role == Role::Member => Ok(Some(other)),
        Some(other) => Err(ApiError::conflict(format!(
            "User {} already has the externalId '{external}'; it names one person only",
            other.id
        ))),
    }
}

/// Changes a person of the caller's organization (an admin's change): see the module's docs.
pub async fn update(caller: &Caller, people: People<'_>, raw_id: &str, changes: UserChanges) -> Result<User, ApiError> {
    let missing = || ApiError::not_found(format!("User {raw_id} does not exist"));
    let id = raw_id.parse::<u64>().map(UserId).map_err(|_| missing())?;
    let org = caller.org().await?;
    let now = caller.now();
    for _ in 0..UPDATE_ATTEMPTS {
        let (read, keys, _) = tokio::try_join!(
            async { Ok(people.directory.get_user(org, id).await?) },
            async { Ok(people.keys.user_keys(org, id).await?) },
            caller.permit()
        )?;
        let read = read.ok_or_else(missing)?;
        let mut user = read.clone();
        if let Some(email) = &changes.email {
            user.email = Some(email.clone());
        }
        if let Some(name) = &changes.name {
            user.name = name.as_str().to_owned();
        }
        if let Some(nick) = &changes.nick {
            user.nick = nick.as_str().to_owned();
        }
        if let Some(role) = changes.role {
            user.role = role;
        }
        match changes.active {
            Some(true) => {
                user.disabled = false;
                user.deactivated_at = None;
            }
            Some(false) if read.is_active() => {
                user.disabled = true;
                user.deactivated_at = Some(now);
            }
            _ => {}
        }
        let mut absorbs = None;
        if let Some(external) = &changes.external_id {
            match &read.external_id {
                Some(held) if held == external.as_str() => {}
                Some(held) => {
                    return Err(ApiError::field("externalId", format!("is set once: this person's is '{held}'")))
                }
                None => {
                    absorbs = absorbable(people.directory, &read, external.as_str()).await?;
                    user.external_id = Some(external.as_str().to_owned());
                    // Until what they have is keyed by it (below, once this is written).
                    user.person_indexed = false;
                }
            }
        }
        if user == read {
            // Deactivated before: asked again, it finishes what a failure may have left.
            if !read.is_active() && changes.active == Some(false) {
                leave_everything(people, &read, now).await?;
            }
            return Ok(read);
        }
        let rewritten: Vec<ApiKey> = if user.role != read.role || user.disabled != read.disabled {
            if keys.len() > MAX_KEYS_PER_PERSON {
                return Err(ApiError::conflict(format!(
                    "This person has {} keys; revoke some (at most {MAX_KEYS_PER_PERSON}) before this change",
                    keys.len()
                )));
            }
            let deactivating = user.disabled && !read.disabled;
            keys.into_iter()
                .map(|k| ApiKey {
                    role: user.role,
                    revoked_at: if deactivating { Some(now) } else { k.revoked_at },
                    ..k
                })
                .collect()
        } else {
            Vec::new()
        };
        user.revision = read.revision + 1;
        if let Some(guest) = &absorbs {
            // The guest's progress first, so that nothing is lost if the write below fails (a repeat copies again).
            people.progress.copy_progress(org, guest.id, user.id, user.external_id.as_deref()).await?;
        }
        let write = UserWrite { user: &user, read: &read, keys: &rewritten, absorbs: absorbs.as_ref() };
        match people.directory.write_user(&write).await {
            Ok(()) => {}
            Err(StoreError::Conflict(Conflict::Revision)) => continue,
            Err(err) => return Err(person_conflict(err, changes.email.as_ref())),
        }
        if let Some(guest) = &absorbs {
            tracing::info!(user = %user.id, guest = %guest.id, "a person took over a guest's progress");
            if let Err(err) = people.progress.forget_progress(org, guest.id).await {
                tracing::warn!(error = %err, guest = %guest.id, "an absorbed guest's progress was not forgotten");
            }
        }
        if !user.person_indexed {
            // A failure leaves the person read by their user id until Frigade's next request keys them.
            match people.progress.index_person(&user).await {
                Ok(()) => user.person_indexed = true,
                Err(err) => {
                    tracing::warn!(error = %err, user = %user.id, "a person was not keyed by their external id")
                }
            }
        }
        if !user.is_active() {
            leave_everything(people, &user, now).await?;
        }
        return Ok(user);
    }
    Err(ApiError::conflict("The user kept changing while this change was made; try again"))
}

/// A deactivated person's open assignments are cancelled (`flow.cancelled`, reason `person_deactivated`) and they
/// leave the email flows they are moving through.
async fn leave_everything(people: People<'_>, user: &User, now: Timestamp) -> Result<(), ApiError> {
    let progress = people.progress.user_progress(user.org_id, user.id).await?;
    for open in progress.assignments.into_iter().filter(|a| a.status.is_open()) {
        cancel_one(people.assignments, people.events, open, CancelReason::PersonDeactivated, now).await?;
    }
    let ports = Ports { directory: people.directory, flows: people.email_flows, events: people.events };
    email_participants::leave_all(ports, user.org_id, user.id, now).await?;
    Ok(())
}
