//! Organizations, their people and their API keys.

use serde::{Deserialize, Serialize};

use super::{Email, KeyId, OrgId, Slug, Timestamp, UserId};

/// An organization's tier, which sets its rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Standard,
    Enterprise,
}

impl Tier {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "standard" => Ok(Self::Standard),
            "enterprise" => Ok(Self::Enterprise),
            _ => Err("must be one of standard, enterprise".into()),
        }
    }
}

/// What a user may do in their organization. Admins may do everything there; members use the Flowdock and
/// Frigade routes and read their own assignments, and the routes that need more answer them 403. Only admins
/// make admins; an organization's owner is one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    #[default]
    Member,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "admin" => Ok(Self::Admin),
            "member" => Ok(Self::Member),
            _ => Err("must be one of admin, member".into()),
        }
    }

    /// Keys issued before roles existed all acted as their organization's owner.
    fn of_keys_before_roles() -> Self {
        Self::Admin
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub slug: Slug,
    pub tier: Tier,
    pub user_count: u64,
    pub created_at: Timestamp,
    /// The origins whose pages may read the public routes' answers (CORS); empty: any origin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_origins: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    /// None for a person Frigade's `userId` brought in, until a secret-key route gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    pub name: String,
    pub nick: String,
    /// The caller's own id for this person (Frigade's `userId`), unique per organization when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default)]
    pub role: Role,
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// Secret keys are for servers and reach every route of their organization; public keys are for browsers and
/// reach only `/v1/public/*` (Frigade's rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Secret,
    Public,
}

impl KeyKind {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "secret" => Ok(Self::Secret),
            "public" => Ok(Self::Public),
            _ => Err("must be one of secret, public".into()),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Secret => "secret",
            Self::Public => "public",
        }
    }
}

/// An API key as stored: its SHA-256 hash and a short prefix to recognise it by, never the key itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: KeyId,
    pub org_id: OrgId,
    /// The user the key acts as, and that user's role when the key was made.
    pub user_id: UserId,
    #[serde(default = "Role::of_keys_before_roles")]
    pub role: Role,
    pub kind: KeyKind,
    /// The organization's tier, copied here so that authenticating and rate limiting need no other read.
    pub tier: Tier,
    pub prefix: String,
    pub hash: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}
