//! The people of an organization.

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{Email, OrgId, Role, Text, Timestamp, User, UserId};
use crate::store::{Conflict, Counter, Directory, StoreError};

pub const MAX_NAME: usize = 100;
pub const MAX_NICK: usize = 50;
pub const MAX_EXTERNAL_ID: usize = 255;

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
        }
    }
}

/// The 409 for a person who already exists, or any other storage failure.
fn person_conflict(err: StoreError, email: &Email) -> ApiError {
    match err {
        StoreError::Conflict(Conflict::UserEmail) => {
            ApiError::conflict(format!("A user with email '{email}' already exists in your organization"))
        }
        StoreError::Conflict(Conflict::UserExternalId) => {
            ApiError::conflict("A user with this externalId already exists in your organization")
        }
        other => other.into(),
    }
}

/// Adds a person to the caller's organization; emails are unique in any case.
pub async fn create(act: &Act<'_, User>, directory: &dyn Directory, person: NewPerson) -> Result<User, ApiError> {
    let org = act.caller().org().await?;
    // A person who exists is answered before an id is spent on them.
    if directory.find_user_by_email(org, &person.email.key()).await?.is_some() {
        return Err(person_conflict(StoreError::Conflict(Conflict::UserEmail), &person.email));
    }
    act.permit().await?;
    let id = UserId(directory.next_id(Counter::User).await?);
    let email = person.email.clone();
    let user = person.into_user(id, org, act.now());
    let done = act.completion(&user);
    directory.create_user(&user, done.as_ref()).await.map_err(|e| person_conflict(e, &email))?;
    Ok(user)
}

/// The organization's people, by id.
pub async fn list(caller: &Caller, directory: &dyn Directory) -> Result<Vec<User>, ApiError> {
    Ok(directory.list_users(caller.org().await?).await?)
}

/// What `PATCH /v1/users/{id}` may change; each optional.
#[derive(Default)]
pub struct UserChanges {
    /// An email for the person, unique in the organization in any case: how a person Frigade brought in (who has
    /// none) becomes one MomoFlow can assign by email.
    pub email: Option<Email>,
    pub name: Option<Text<MAX_NAME>>,
    pub nick: Option<Text<MAX_NICK>>,
}

/// How many times a change is redone when the user changed between its read and its write.
const UPDATE_ATTEMPTS: usize = 5;

/// Changes a person of the caller's organization (an admin's change).
pub async fn update(
    caller: &Caller,
    directory: &dyn Directory,
    raw_id: &str,
    changes: UserChanges,
) -> Result<User, ApiError> {
    let missing = || ApiError::not_found(format!("User {raw_id} does not exist"));
    let id = raw_id.parse::<u64>().map(UserId).map_err(|_| missing())?;
    let org = caller.org().await?;
    for _ in 0..UPDATE_ATTEMPTS {
        let (read, _) = tokio::try_join!(async { Ok(directory.get_user(org, id).await?) }, caller.permit())?;
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
        if user == read {
            return Ok(read);
        }
        match directory.update_user(&user, &read).await {
            Ok(()) => return Ok(user),
            Err(StoreError::Conflict(Conflict::Revision)) => continue,
            Err(err) => {
                return Err(match &changes.email {
                    Some(email) => person_conflict(err, email),
                    None => err.into(),
                })
            }
        }
    }
    Err(ApiError::conflict("The user kept changing while this change was made; try again"))
}
