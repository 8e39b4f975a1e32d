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
    /// How many of its people are active admins (at least one always is); kept in the writes that change it.
    /// Organizations made before it was kept have none until their first change of an admin counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_count: Option<u64>,
    /// The secret the organization's servers sign user tokens with (see `crate::auth::user_token`); none until an
    /// admin makes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_token_secret: Option<UserTokenSecret>,
    /// Which public requests must carry a user token rather than the public key.
    #[serde(default)]
    pub user_tokens: UserTokenPolicy,
}

impl Organization {
    /// A new organization, its owner its one admin.
    pub fn new(id: OrgId, name: String, slug: Slug, tier: Tier, now: Timestamp) -> Self {
        Self {
            id,
            name,
            slug,
            tier,
            user_count: 1,
            created_at: now,
            allowed_origins: Vec::new(),
            admin_count: Some(1),
            user_token_secret: None,
            user_tokens: UserTokenPolicy::Never,
        }
    }
}

/// The secret an organization's servers sign user tokens with, when it was made, and the one it replaced (whose
/// tokens hold for a day more: see `crate::auth::user_token`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct UserTokenSecret {
    pub secret: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

impl UserTokenSecret {
    /// The secrets tokens may be signed with at `now`: this one, and the previous one for
    /// `previous_for_seconds` after this one was made.
    pub fn verifying(&self, now: Timestamp, previous_for_seconds: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let Some(previous) = &self.previous {
            if now.unix() < self.created_at.unix() + previous_for_seconds {
                secrets.push(previous);
            }
        }
        secrets
    }
}

impl std::fmt::Debug for UserTokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserTokenSecret(<secret>, {})", self.created_at)
    }
}

/// When a public request must carry a user token (a token the organization's server minted for one end user)
/// rather than the page's public key: never (the default), for progress on a flow assigned to the user (so that
/// nobody holding the page's key can complete someone's training), or for every public request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum UserTokenPolicy {
    #[default]
    Never,
    AssignedProgress,
    Always,
}

impl UserTokenPolicy {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "never" => Ok(Self::Never),
            "assignedProgress" => Ok(Self::AssignedProgress),
            "always" => Ok(Self::Always),
            _ => Err("must be one of never, assignedProgress, always".into()),
        }
    }
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
    /// Deactivated: their keys are revoked, they cannot be assigned or join flows, their history stays.
    pub disabled: bool,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deactivated_at: Option<Timestamp>,
    /// Bumped by every change, which is written over the revision it read (0: users made before it was kept).
    #[serde(default)]
    pub revision: u64,
    /// Whether everything of the person's that Frigade reads is keyed by their external id (the person index, see
    /// [`crate::store::ProgressStore::person_progress`]): true from the start for people made since that index,
    /// false from the moment an external id is given until [`crate::store::ProgressStore::index_person`] has
    /// keyed what they had. Without it Frigade reads the person by their user id.
    #[serde(default)]
    pub person_indexed: bool,
}

impl User {
    pub fn is_active(&self) -> bool {
        !self.disabled
    }

    /// An active admin, who counts toward the admins an organization must keep.
    pub fn is_active_admin(&self) -> bool {
        self.is_active() && self.role == Role::Admin
    }
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
    /// The user the key acts as, and that user's role, kept up to date by every change of the user's role.
    pub user_id: UserId,
    #[serde(default = "Role::of_keys_before_roles")]
    pub role: Role,
    pub kind: KeyKind,
    /// The organization's tier, copied here so that authenticating and rate limiting need no other read.
    pub tier: Tier,
    pub prefix: String,
    /// The key's last four characters, to recognise it by; none for keys made before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last4: Option<String>,
    /// What its maker called it ("CI deploys").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub hash: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}
