//! The demo organization the local server creates in memory mode, so that a newcomer's first request works. It is
//! made through the services, as a client would make it: the bootstrap as the system, the rest with the
//! organization's own secret key, through the same gate a request passes.

use crate::app::BoxError;
use crate::caller::{Act, Caller, Credential};
use crate::http::Response;
use crate::model::{AccessMode, Email, FlowId, Role, Step, Text, Tier, Timestamp};
use crate::routes;
use crate::services::content::ContentChanges;
use crate::services::flows::{self, NewFlow};
use crate::services::organizations::{self, NewOrganization};
use crate::services::users::{self, NewPerson};
use crate::state::AppState;

pub struct Demo {
    pub secret_key: String,
    pub public_key: String,
    pub flow_id: FlowId,
    pub user_email: String,
}

impl Demo {
    /// What the local server prints: the keys and a curl that assigns the demo flow to the demo user.
    pub fn instructions(&self, base: &str) -> String {
        format!(
            "demo organization 'demo' created\n  secret key: {secret}\n  public key: {public}\n\ntry:\n\
curl -X POST {base}/v1/flows/assign \\\n  -H \"Authorization: Bearer {secret}\" \\\n  -H \"Content-Type: application/json\" \\\n  -H \"X-Request-ID: req_unique_id\" \\\n  -d '{{\"flowId\": \"{flow}\", \"userEmail\": \"{email}\", \"dueDate\": \"2030-11-25T23:59:59Z\", \"priority\": \"high\", \"notes\": \"Please complete this onboarding flow before the team meeting\"}}'\n",
            secret = self.secret_key,
            public = self.public_key,
            flow = self.flow_id,
            email = self.user_email,
        )
    }
}

fn person(email: &str, name: &str) -> Result<NewPerson, String> {
    Ok(NewPerson {
        email: Email::parse(email)?,
        name: Text::parse(name)?,
        nick: None,
        external_id: None,
        role: Role::Member,
    })
}

/// No answer is kept for the demo's writes (they carry no `Idempotency-Key`).
fn unanswered<T>(_: &T) -> Response {
    crate::http::no_content()
}

/// Creates the demo organization, a user to assign to, and a five-step, two-hour flow.
pub async fn seed(state: &AppState) -> Result<Demo, BoxError> {
    let store = &state.store;
    let now = Timestamp::now();
    let limits = state.config.limits();
    let system = Caller::system(state.store.clone(), limits, now);
    let demo = organizations::provision(
        &Act::new(&system, &unanswered),
        store,
        &state.signer,
        NewOrganization {
            name: Text::parse("Demo")?,
            tier: Tier::Standard,
            owner: person("admin@company.com", "Ada Admin")?,
        },
    )
    .await?;
    // The owner's own key, as a client would use it.
    let owner = |route| {
        Ok::<_, BoxError>(Caller::new(
            route,
            Credential::Key(state.signer.read(&demo.secret_key)?),
            state.store.clone(),
            limits,
            now,
            None,
            None,
        ))
    };
    let as_owner = owner(&routes::USERS_CREATE)?;
    let employee =
        users::create(&Act::new(&as_owner, &unanswered), store, person("employee@company.com", "Eve Employee")?)
            .await?;
    let steps = [
        ("welcome", "Welcome", 15),
        ("accounts", "Set up your accounts", 30),
        ("tools", "Meet the tools", 30),
        ("team", "Meet the team", 30),
        ("quiz", "Onboarding quiz", 15),
    ];
    let as_owner = owner(&routes::FLOWS_CREATE)?;
    let created = flows::create(
        &Act::new(&as_owner, &unanswered),
        store,
        store,
        demo.organization.slug.as_str(),
        NewFlow {
            name: Text::parse("Customer Onboarding")?,
            access_mode: Some(AccessMode::Organization),
            slug: None,
            content: ContentChanges {
                steps: Some(
                    steps
                        .iter()
                        .map(|(id, title, minutes)| Step {
                            id: (*id).into(),
                            title: (*title).into(),
                            subtitle: None,
                            estimated_minutes: *minutes,
                        })
                        .collect(),
                ),
                ..Default::default()
            },
        },
    )
    .await?;
    Ok(Demo {
        secret_key: demo.secret_key,
        public_key: demo.public_key,
        flow_id: created.flow.id,
        user_email: employee.email.as_ref().map(ToString::to_string).unwrap_or_default(),
    })
}
