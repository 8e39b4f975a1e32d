//! `POST /admin/organizations`: bootstraps an organization with its owner and first keys.

use http::StatusCode;
use lambda_http::Request;
use serde_json::json;

use crate::auth::generate_key;
use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, json_object, store_error, Fields, Response};
use crate::model::{BoundedText, KeyKind, OrgId, Organization, Slug, Tier, Timestamp, User, UserId};
use crate::store::{Conflict, Counter, Store, StoreError};

use super::users::{read_person, NewPerson};
use super::views;

pub const MAX_ORG_NAME: usize = 100;

#[tracing::instrument(skip_all)]
pub async fn create_organization(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let name = fields.string("name", true, |s| BoundedText::parse(s, MAX_ORG_NAME));
    let tier = fields.string("tier", false, Tier::parse).unwrap_or(Tier::Standard);
    let owner = fields.object("owner", true, read_person).flatten();
    fields.finish()?;
    let (Some(name), Some(owner)) = (name, owner) else {
        return Err(ApiError::internal("validated organization missing"));
    };

    let provisioned = provision(ctx.state.store.as_ref(), name, tier, owner, ctx.now).await?;
    let org = &provisioned.organization;
    tracing::info!(org = %org.id, "organization created");
    Ok(json(
        StatusCode::CREATED,
        &json!({
            "organization": views::organization(&ctx.state.config, org),
            "owner": views::user(&provisioned.owner),
            "secretKey": provisioned.secret_key,
            "publicKey": provisioned.public_key,
        }),
    ))
}

/// A new organization, its owner, and the plain text of its first two keys (shown this once).
pub struct Provisioned {
    pub organization: Organization,
    pub owner: User,
    pub secret_key: String,
    pub public_key: String,
}

/// Creates an organization with its owner, a secret key and a public key, all or nothing.
pub async fn provision(
    store: &dyn Store,
    name: BoundedText,
    tier: Tier,
    owner: NewPerson,
    now: Timestamp,
) -> Result<Provisioned, ApiError> {
    let org_id = OrgId(store.next_id(Counter::Organization).await.map_err(store_error)?);
    let user_id = UserId(store.next_id(Counter::User).await.map_err(store_error)?);
    let organization = Organization {
        id: org_id,
        slug: Slug::from_name(name.as_str(), "organization"),
        name: name.into_string(),
        tier,
        user_count: 1,
        created_at: now,
    };
    let owner = owner.into_user(user_id, org_id, now);
    let (secret_key, secret_record) = generate_key(KeyKind::Secret, org_id, user_id, tier, now);
    let (public_key, public_record) = generate_key(KeyKind::Public, org_id, user_id, tier, now);
    store.create_organization(&organization, &owner, &[secret_record, public_record]).await.map_err(
        |err| match err {
            StoreError::Conflict(Conflict::OrganizationSlug) => {
                ApiError::conflict(format!("An organization named '{}' already exists", organization.slug.as_str()))
            }
            other => store_error(other),
        },
    )?;
    Ok(Provisioned { organization, owner, secret_key, public_key })
}
