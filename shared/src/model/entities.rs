//! The entities of the one domain model the four APIs share (see the design brief).

use serde::{Deserialize, Serialize};

use super::{AssignmentId, Email, FlowId, KeyId, OrgId, Slug, Timestamp, UserId};

/// An organization's tier, which sets its rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrgId,
    pub name: String,
    pub slug: Slug,
    pub tier: Tier,
    pub user_count: u64,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub email: Email,
    pub name: String,
    pub nick: String,
    /// The caller's own id for this person (Frigade's `userId`), unique per organization when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub disabled: bool,
    pub created_at: Timestamp,
}

/// Secret keys are for servers and reach every route of their organization; public keys are for browsers and
/// reach only `/v1/public/*` (Frigade's rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub user_id: UserId,
    pub kind: KeyKind,
    /// The organization's tier, copied here so that authenticating and rate limiting need no other read.
    pub tier: Tier,
    pub prefix: String,
    pub hash: String,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// Flowdock's access modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessMode {
    Invitation,
    Link,
    Organization,
}

impl AccessMode {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "invitation" => Ok(Self::Invitation),
            "link" => Ok(Self::Link),
            "organization" => Ok(Self::Organization),
            _ => Err("must be one of invitation, link, organization".into()),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Link => "link",
            Self::Organization => "organization",
        }
    }
}

/// Frigade's flow types.
pub const FLOW_TYPES: &[&str] = &[
    "ANNOUNCEMENT",
    "BANNER",
    "CARD",
    "CHECKLIST",
    "CUSTOM",
    "EMBEDDED_TIP",
    "FORM",
    "NPS_SURVEY",
    "SURVEY",
    "SUPPORT",
    "TOUR",
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    pub title: String,
    pub estimated_minutes: u32,
}

/// A flow: Flowdock's identity and access, Frigade's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub id: FlowId,
    pub org_id: OrgId,
    pub name: String,
    pub slug: Slug,
    pub access_mode: AccessMode,
    /// The random part of the join URL.
    pub join_token: String,
    pub disabled: bool,
    pub flow_type: String,
    pub steps: Vec<Step>,
    pub version: u64,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

impl Flow {
    /// MomoFlow's `moduleCount`.
    pub fn module_count(&self) -> usize {
        self.steps.len()
    }

    /// The steps' minutes added up, for MomoFlow's `estimatedDuration`.
    pub fn estimated_minutes(&self) -> u64 {
        self.steps.iter().map(|s| u64::from(s.estimated_minutes)).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "low" => Ok(Self::Low),
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            _ => Err("must be one of low, medium, high".into()),
        }
    }
}

/// assigned → started → completed, or → overdue when the due date passes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentStatus {
    Assigned,
    Started,
    Completed,
    Overdue,
}

impl AssignmentStatus {
    /// Open assignments block another assignment of the same flow to the same person.
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Completed)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub org_id: OrgId,
    pub flow_id: FlowId,
    pub user_id: UserId,
    pub user_email: Email,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub status: AssignmentStatus,
    pub assigned_at: Timestamp,
    pub assigned_by: UserId,
}
