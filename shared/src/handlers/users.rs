//! `POST /v1/users`, `GET /v1/users`: the organization's people.

use http::StatusCode;
use lambda_http::Request;

use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, json_object, store_error, Fields, Response};
use crate::model::{BoundedText, Email, OrgId, Timestamp, User, UserId};
use crate::store::{Conflict, Counter, Directory, StoreError};

use super::views;

pub const MAX_NAME: usize = 100;
pub const MAX_NICK: usize = 50;
pub const MAX_EXTERNAL_ID: usize = 255;

/// A person as a request describes one (`email`, `name`, optional `nick` and `externalId`).
pub struct NewPerson {
    pub email: Email,
    pub name: BoundedText,
    pub nick: Option<BoundedText>,
    pub external_id: Option<BoundedText>,
}

/// Reads a person's fields; problems are recorded in `fields`.
pub fn read_person(fields: &mut Fields<'_>) -> Option<NewPerson> {
    let email = fields.string("email", true, Email::parse);
    let name = fields.string("name", true, |s| BoundedText::parse(s, MAX_NAME));
    let nick = fields.string("nick", false, |s| BoundedText::parse(s, MAX_NICK));
    let external_id = fields.string("externalId", false, |s| BoundedText::parse(s, MAX_EXTERNAL_ID));
    Some(NewPerson { email: email?, name: name?, nick, external_id })
}

impl NewPerson {
    pub fn into_user(self, id: UserId, org_id: OrgId, now: Timestamp) -> User {
        let nick = match self.nick {
            Some(nick) => nick.into_string(),
            None => self.name.as_str().split_whitespace().next().unwrap_or_default().chars().take(MAX_NICK).collect(),
        };
        User {
            id,
            org_id,
            email: self.email,
            name: self.name.into_string(),
            nick,
            external_id: self.external_id.map(BoundedText::into_string),
            disabled: false,
            created_at: now,
        }
    }
}

/// The 409 for a person who already exists, or any other storage failure.
pub fn person_conflict(err: StoreError, email: &Email) -> ApiError {
    match err {
        StoreError::Conflict(Conflict::UserEmail) => {
            ApiError::conflict(format!("A user with email '{email}' already exists in your organization"))
        }
        StoreError::Conflict(Conflict::UserExternalId) => {
            ApiError::conflict("A user with this externalId already exists in your organization")
        }
        other => store_error(other),
    }
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let org = ctx.org()?;
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let person = read_person(&mut fields);
    fields.finish()?;
    let person = person.ok_or_else(|| ApiError::internal("validated person missing"))?;
    let store = ctx.state.store.as_ref();
    if store.find_user_by_email(org, &person.email.key()).await.map_err(store_error)?.is_some() {
        return Err(person_conflict(StoreError::Conflict(Conflict::UserEmail), &person.email));
    }
    let id = UserId(store.next_id(Counter::User).await.map_err(store_error)?);
    let email = person.email.clone();
    let user = person.into_user(id, org, ctx.now);
    store.create_user(&user).await.map_err(|e| person_conflict(e, &email))?;
    Ok(json(StatusCode::CREATED, &views::user(&user)))
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let users = Directory::list_users(ctx.state.store.as_ref(), ctx.org()?).await.map_err(store_error)?;
    Ok(json(StatusCode::OK, &users.iter().map(views::user).collect::<Vec<_>>()))
}
