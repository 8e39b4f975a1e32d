//! The demo organization the local server creates in memory mode, so that a newcomer's first request works.

use crate::app::AppState;
use crate::error::ApiError;
use crate::handlers::admin::provision;
use crate::handlers::users::NewPerson;
use crate::http::store_error;
use crate::model::{random_token, AccessMode, BoundedText, Email, Flow, FlowId, Slug, Step, Tier, Timestamp, UserId};
use crate::store::Counter;

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

fn text(s: &str) -> BoundedText {
    BoundedText::parse(s, 200).expect("demo text is valid")
}

fn person(email: &str, name: &str) -> NewPerson {
    NewPerson {
        email: Email::parse(email).expect("demo email is valid"),
        name: text(name),
        nick: None,
        external_id: None,
    }
}

/// Creates the demo organization, a user to assign to, and a five-step, two-hour flow.
pub async fn seed(state: &AppState) -> Result<Demo, ApiError> {
    let store = state.store.as_ref();
    let now = Timestamp::now();
    let demo = provision(store, text("Demo"), Tier::Standard, person("admin@company.com", "Ada Admin"), now).await?;
    let org = demo.organization.id;
    let employee = person("employee@company.com", "Eve Employee").into_user(
        UserId(store.next_id(Counter::User).await.map_err(store_error)?),
        org,
        now,
    );
    store.create_user(&employee).await.map_err(store_error)?;
    let steps = [
        ("welcome", "Welcome", 15),
        ("accounts", "Set up your accounts", 30),
        ("tools", "Meet the tools", 30),
        ("team", "Meet the team", 30),
        ("quiz", "Onboarding quiz", 15),
    ];
    let flow = Flow {
        id: FlowId::generate(),
        org_id: org,
        name: "Customer Onboarding".into(),
        slug: Slug::from_name("Customer Onboarding", "flow"),
        access_mode: AccessMode::Organization,
        join_token: random_token(20),
        disabled: false,
        flow_type: "CHECKLIST".into(),
        steps: steps
            .iter()
            .map(|(id, title, minutes)| Step { id: (*id).into(), title: (*title).into(), estimated_minutes: *minutes })
            .collect(),
        version: 1,
        created_by: demo.owner.id,
        created_at: now,
    };
    store.create_flow(&flow).await.map_err(store_error)?;
    Ok(Demo {
        secret_key: demo.secret_key,
        public_key: demo.public_key,
        flow_id: flow.id,
        user_email: employee.email.to_string(),
    })
}
