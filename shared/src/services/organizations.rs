//! Organizations: the bootstrap (an organization with its owner and first keys).

use crate::auth::{user_token, KeySigner};
use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{
    random_token, KeyKind, OrgId, Organization, Role, Slug, Text, Tier, User, UserId, UserTokenPolicy, UserTokenSecret,
};
use crate::store::{Conflict, Counter, Directory, Setting, StoreError};

use super::users::NewPerson;

pub const MAX_ORG_NAME: usize = 100;

/// An organization as the bootstrap describes it.
pub struct NewOrganization {
    pub name: Text<MAX_ORG_NAME>,
    pub tier: Tier,
    pub owner: NewPerson,
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
    act: &Act<'_, Provisioned>,
    directory: &dyn Directory,
    signer: &KeySigner,
    input: NewOrganization,
) -> Result<Provisioned, ApiError> {
    act.permit().await?;
    let now = act.now();
    let (org_id, user_id) =
        tokio::try_join!(directory.next_id(Counter::Organization), directory.next_id(Counter::User))?;
    let (org_id, user_id) = (OrgId(org_id), UserId(user_id));
    let base = Slug::from_name(input.name.as_str(), FALLBACK_SLUG);
    let input_has_ascii_alphanumeric = input.name.as_str().chars().any(|c| c.is_ascii_alphanumeric());
    let organization = Organization::new(org_id, input.name.into_string(), base.clone(), input.tier, now);
    // The owner is the organization's first admin; the bootstrap keys act as the owner.
    let owner = NewPerson { role: Role::Admin, ..input.owner }.into_user(user_id, org_id, now);
    let holder = (user_id, Role::Admin);
    let (secret_key, secret_record) = signer.generate(KeyKind::Secret, org_id, holder, input.tier, now);
    let (public_key, public_record) = signer.generate(KeyKind::Public, org_id, holder, input.tier, now);
    let mut provisioned = Provisioned { organization, owner, secret_key, public_key };
    // A name is its organization's alone, in any case (a taken one is a 409); a reserved word gets the next number,
    // and so do names with no ASCII letter or digit ("名前", "😀"), which all make the same fallback slug.
    let reserved = RESERVED_SLUGS.contains(&base.as_str());
    let numbered = reserved || !input_has_ascii_alphanumeric;
    for attempt in 1..=SLUG_ATTEMPTS {
        provisioned.organization.slug = match attempt {
            1 if !reserved => base.clone(),
            n if n < SLUG_ATTEMPTS => base.with_suffix(&(n + u32::from(reserved)).to_string()),
            _ => base.with_suffix(&random_token(3)),
        };
        let done = act.completion(&provisioned);
        let created = directory
            .create_organization(
                &provisioned.organization,
                &provisioned.owner,
                &[secret_record.clone(), public_record.clone()],
                done.as_ref(),
            )
            .await;
        match created {
            Ok(()) => break,
            Err(StoreError::Conflict(Conflict::OrganizationSlug)) if numbered && attempt < SLUG_ATTEMPTS => continue,
            Err(StoreError::Conflict(Conflict::OrganizationSlug)) => {
                return Err(ApiError::conflict(format!(
                    "An organization named '{}' already exists",
                    provisioned.organization.slug.as_str()
                )))
            }
            Err(other) => return Err(other.into()),
        }
    }
    tracing::info!(org = %provisioned.organization.id, "organization created");
    Ok(provisioned)
}

/// Slugs no organization may take: Flowdock's fixed paths beside `/flows/{organization}` (`GET /flows/all`,
/// `GET /flows/find`).
pub const RESERVED_SLUGS: &[&str] = &["all", "find"];

/// The slug of a name with no ASCII letter or digit; such organizations are numbered (`organization-2`).
const FALLBACK_SLUG: &str = "organization";
/// How many slugs a numbered name tries: its own, then numbered ones, then one with a random suffix.
const SLUG_ATTEMPTS: u32 = 10;

/// The origins whose pages may read the public routes' answers (empty: any origin).
pub async fn allowed_origins(caller: &Caller, directory: &dyn Directory) -> Result<Vec<String>, ApiError> {
    Ok(organization(caller, directory).await?.allowed_origins)
}

/// Sets the origins whose pages may read the public routes' answers (an admin's change); repeated ones count once.
pub async fn set_allowed_origins(
    caller: &Caller,
    directory: &dyn Directory,
    origins: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    let org = caller.org().await?;
    caller.permit().await?;
    let mut unique: Vec<String> = Vec::with_capacity(origins.len());
    for origin in origins {
        if !unique.contains(&origin) {
            unique.push(origin);
        }
    }
    Ok(change(directory, org, Setting::AllowedOrigins(unique)).await?.allowed_origins)
}

async fn change(directory: &dyn Directory, org: OrgId, setting: Setting) -> Result<Organization, ApiError> {
    let changed = directory.change_setting(org, &setting).await?;
    changed.ok_or_else(|| ApiError::internal("the key's organization is missing"))
}

/// The organization (its user-token setting among the rest).
pub async fn organization(caller: &Caller, directory: &dyn Directory) -> Result<Organization, ApiError> {
    let org = caller.org().await?;
    let (found, _) = tokio::try_join!(async { Ok(directory.get_organization(org).await?) }, caller.permit())?;
    found.ok_or_else(|| ApiError::internal("the key's organization is missing"))
}

/// Sets which public requests need a user token; any but `never` needs a secret to mint them with first (a 409).
pub async fn set_user_tokens(
    caller: &Caller,
    directory: &dyn Directory,
    policy: UserTokenPolicy,
) -> Result<Organization, ApiError> {
    let found = organization(caller, directory).await?;
    if policy != UserTokenPolicy::Never && found.user_token_secret.is_none() {
        return Err(ApiError::conflict(
            "Make a user-token secret first (POST /v1/settings/user-tokens/rotate-secret): without one, no request \
             could carry a user token",
        ));
    }
    change(directory, found.id, Setting::UserTokens(policy)).await
}

/// Makes a new user-token secret (the previous one's tokens hold for a day more; a second rotation ends them); the
/// organization with it, to show once.
pub async fn rotate_user_token_secret(caller: &Caller, directory: &dyn Directory) -> Result<Organization, ApiError> {
    let found = organization(caller, directory).await?;
    let org = found.id;
    let secret = UserTokenSecret {
        secret: user_token::new_secret(),
        created_at: caller.now(),
        previous: found.user_token_secret.map(|s| s.secret),
    };
    let changed = change(directory, org, Setting::UserTokenSecret(secret)).await?;
    tracing::info!(org = %org, "a new user-token secret");
    Ok(changed)
}
