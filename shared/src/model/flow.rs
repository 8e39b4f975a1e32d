//! Flows: Flowdock's identity and access, Frigade's content.

use serde::{Deserialize, Serialize};

use super::{CompletionRule, FlowId, OrgId, Slug, Timestamp, User, UserId};

/// Flowdock's access modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// Slugs no flow may take: MomoFlow's paths beside `/v1/flows/{flowId}` (`/v1/flows/assign`, `/v1/flows/report`),
/// where a flow's slug names the flow. A name whose slug this would be gets the next number (`assign-2`).
pub const RESERVED_FLOW_SLUGS: &[&str] = &["assign", "report"];

/// A flow slug a request gives (`flowSlug`): a slug, not a reserved one.
pub fn parse_flow_slug(raw: &str) -> Result<Slug, String> {
    let slug = Slug::parse(raw)?;
    if RESERVED_FLOW_SLUGS.contains(&slug.as_str()) {
        return Err(format!("'{raw}' is reserved (it is the path /v1/flows/{raw}); choose another slug"));
    }
    Ok(slug)
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
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
    /// A step is blocked until the ones before it are completed or skipped.
    #[serde(default)]
    pub sequential: bool,
    /// When the steps complete the flow.
    #[serde(default)]
    pub completion: CompletionRule,
    /// Frigade's content version: bumped by every change of the type, the steps, `sequential` or the rule.
    pub version: u64,
    /// Bumped by every change of the flow (its name, access, state), for optimistic locking: a change is written
    /// only over the revision it read. Not Frigade's `version`, which counts content changes.
    #[serde(default)]
    pub revision: u64,
    pub created_by: UserId,
    pub created_at: Timestamp,
}

/// A user's membership of a flow (Flowdock): kept both ways, in the flow's members and in the user's flows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org_id: OrgId,
    pub flow_id: FlowId,
    pub user_id: UserId,
    /// Whether the user has joined the flow (an organization-mode flow may be listed before it is joined).
    pub joined: bool,
    /// Whether the user keeps the flow open (Flowdock's tabs).
    pub open: bool,
    /// Blocked from this flow: the user has left it and sees it no more; the others see the member as disabled.
    #[serde(default)]
    pub disabled: bool,
    /// The member's external id, as the person index keys it (see [`crate::store::ProgressStore::person_progress`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl Membership {
    /// The creator's membership of a flow just made: joined and open.
    pub fn of_creator(flow: &Flow) -> Self {
        Self::joined(flow, flow.created_by)
    }

    /// A user who has joined the flow, with it open.
    pub fn joined(flow: &Flow, user: UserId) -> Self {
        Self { joined: true, open: true, ..Self::none(flow, user) }
    }

    /// The membership of `person` (whose id it is), keyed in the person index by their external id.
    pub fn of(self, person: &User) -> Self {
        Self { external_id: person.external_id.clone(), ..self }
    }

    /// No membership: how a list shows a flow the user has not joined (not joined, not open).
    pub fn none(flow: &Flow, user: UserId) -> Self {
        Self {
            org_id: flow.org_id,
            flow_id: flow.id.clone(),
            user_id: user,
            joined: false,
            open: false,
            disabled: false,
            external_id: None,
        }
    }
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

/// Content as a create or a change gives it; each part optional (a create takes the defaults for what is
/// missing: `CHECKLIST`, no steps, not sequential, `ALL_STEPS`).
#[derive(Clone, Default)]
pub struct ContentChanges {
    pub flow_type: Option<String>,
    pub steps: Option<Vec<Step>>,
    pub sequential: Option<bool>,
    pub completion: Option<super::CompletionRule>,
}

impl ContentChanges {
    /// Applies the changes to `flow`; whether its content changed (which bumps its `version`).
    pub fn apply(&self, flow: &mut Flow) -> bool {
        let before = (flow.flow_type.clone(), flow.steps.clone(), flow.sequential, flow.completion);
        if let Some(t) = &self.flow_type {
            flow.flow_type = t.clone();
        }
        if let Some(steps) = &self.steps {
            flow.steps = steps.clone();
        }
        if let Some(sequential) = self.sequential {
            flow.sequential = sequential;
        }
        if let Some(rule) = self.completion {
            flow.completion = rule;
        }
        before != (flow.flow_type.clone(), flow.steps.clone(), flow.sequential, flow.completion)
    }
}
