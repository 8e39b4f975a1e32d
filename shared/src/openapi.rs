//! The OpenAPI 3.1 document, generated from the code, never written by hand: every route of the route table (a
//! test fails on a route without an operation here), its parameters, its request body as the input's reader
//! describes it (the validator's own limits, see [`crate::http::fields`]), every answer with its schema (the views
//! derive theirs from the same structs serde writes, with utoipa), the error answers each route can give, the
//! headers, the security schemes and links from what a route creates to the routes that read it.
//!
//! Why utoipa: its derive reads serde's own attributes (`rename_all`, `flatten`, `skip_serializing_if`), so a
//! view's schema cannot drift from what is serialized; its schema builders are what the input readers describe
//! themselves with; and it writes OpenAPI 3.1 (JSON Schema 2020-12: `type: [string, "null"]`), which is what
//! schemathesis fuzzes against. The document around the schemas is plain JSON built here.
//!
//! Rules no schema can state (bytes, uniqueness of step ids, the range of dates) are written in their operation's
//! description and marked with `x-rules-beyond-schema`: `make fuzz` reads that mark to exempt those operations,
//! and only those, from schemathesis's positive-data check.

mod examples;

use std::collections::BTreeMap;

use http::StatusCode;
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::flowdock::views::FlowView;
use crate::handlers::frigade::views::FlowStatesView;
use crate::handlers::momoflow::views::{AssignResponse, AssignmentView};
use crate::handlers::platform::views::{
    ApiKeyPageView, ApiKeyView, Bootstrapped, DeliveryPageView, IssuedKeyView, PersonPageView, PersonView, ReplayView,
    RotatedView, WebhookPageView, WebhookView, WebhookWithSecretView,
};
use crate::handlers::superoffice::{participants, parts, workflow};
use crate::http::fields::{schema_of, Input};
use crate::http::Response;
use crate::idempotency;
use crate::model::workflow as so;
use crate::model::Role;
use crate::routes::{self, Access, Route};
use crate::services::{api_keys, assignments, flows, organizations, users, webhooks};

/// What the document says of one route beyond the route table.
pub struct Operation {
    summary: &'static str,
    description: Option<&'static str>,
    body: Option<Value>,
    query: Vec<Value>,
    answers: Vec<(u16, &'static str, Option<Value>)>,
    errors: Vec<(u16, &'static str)>,
    links: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    beyond_schema: Vec<(&'static str, u16)>,
    /// Registers the schemas the answers refer to: an answer's type brings its schema, so no reference dangles.
    schemas: Vec<fn(&mut Components)>,
    /// The body's own reader, which the body's example must pass (see [`example_problems`]).
    reader: Option<Reader>,
}

/// A body's reader, as an example is held to it.
type Reader = fn(&Value) -> Result<(), ApiError>;

/// Reads `example` as the handler reads `T`'s body.
fn read_as<T: Input>(example: &Value) -> Result<(), ApiError> {
    match example.as_object() {
        Some(members) => crate::http::fields::read_input::<T>(members).map(drop),
        None => Err(ApiError::BadRequest("the example is not a JSON object".into())),
    }
}

/// Reads `example` as SuperOffice's methods read their carrier `T`.
fn read_carrier_as<T: serde::de::DeserializeOwned>(example: &Value) -> Result<(), ApiError> {
    crate::http::superoffice::from_value::<T>(example.clone()).map(drop)
}

/// Schemas the operations refer to, by name.
type Components = BTreeMap<String, Value>;

fn to_value(schema: RefOr<Schema>) -> Value {
    serde_json::to_value(schema).unwrap_or(Value::Null)
}

impl Operation {
    fn new(summary: &'static str) -> Self {
        Self {
            summary,
            description: None,
            body: None,
            query: Vec::new(),
            answers: Vec::new(),
            errors: Vec::new(),
            links: Vec::new(),
            beyond_schema: Vec::new(),
            schemas: Vec::new(),
            reader: None,
        }
    }

    fn describe(mut self, description: &'static str) -> Self {
        self.description = Some(description);
        self
    }

    /// The JSON body, as `T`'s reader describes it.
    fn body<T: Input>(mut self) -> Self {
        self.body = Some(schema_of::<T>());
        self.reader = Some(read_as::<T>);
        self
    }

    /// A JSON body of `T`'s schema (a component): SuperOffice's carriers, read in any case.
    fn carrier<T: ToSchema + serde::de::DeserializeOwned>(mut self) -> Self {
        self.schemas.push(component::<T>);
        self.reader = Some(read_carrier_as::<T>);
        self.body = Some(json!({ "$ref": format!("#/components/schemas/{}", T::name()) }));
        self
    }

    fn required_query(mut self, name: &'static str, schema: Value, description: &'static str) -> Self {
        self.query.push(json!({
            "name": name, "in": "query", "required": true, "description": description, "schema": schema,
        }));
        self
    }

    fn query(mut self, name: &'static str, schema: Value, description: &'static str) -> Self {
        self.query.push(json!({
            "name": name, "in": "query", "required": false, "description": description, "schema": schema,
        }));
        self
    }

    /// A successful answer with `T`'s schema (a component).
    fn answer<T: ToSchema>(mut self, status: u16, description: &'static str) -> Self {
        self.schemas.push(component::<T>);
        self.answers.push((
            status,
            description,
            Some(json!({ "$ref": format!("#/components/schemas/{}", T::name()) })),
        ));
        self
    }

    /// The `limit` and `cursor` query parameters of a paged list of our own.
    fn paged(mut self) -> Self {
        for (name, schema, description) in crate::http::page::query_parameters() {
            self = self.query(name, schema, description);
        }
        self.beyond_schema("the cursor must be one this API gave")
    }

    /// A successful answer that is a list of `T`.
    fn list<T: ToSchema>(mut self, status: u16, description: &'static str) -> Self {
        self.schemas.push(component::<T>);
        let items = json!({ "$ref": format!("#/components/schemas/{}", T::name()) });
        self.answers.push((status, description, Some(json!({ "type": "array", "items": items }))));
        self
    }

    fn empty(mut self, status: u16, description: &'static str) -> Self {
        self.answers.push((status, description, None));
        self
    }

    /// An error answer particular to this route (the ones every route of its kind gives are added by
    /// [`document`]).
    fn error(mut self, status: u16, description: &'static str) -> Self {
        self.errors.push((status, description));
        self
    }

    /// A link from the answer to `operation`, whose `parameter` is the answer's member at `pointer`.
    fn link(
        mut self,
        name: &'static str,
        operation: &'static str,
        parameter: &'static str,
        pointer: &'static str,
    ) -> Self {
        self.links.push((name, operation, parameter, pointer));
        self
    }

    /// A rule of this operation that no schema states, and the status that data breaking it gets.
    fn beyond_schema(mut self, rule: &'static str) -> Self {
        self.beyond_schema.push((rule, 400));
        self
    }

    /// A rule that data the schema allows may still break, answered with `status`.
    fn beyond_schema_with(mut self, rule: &'static str, status: u16) -> Self {
        self.beyond_schema.push((rule, status));
        self
    }
}

/// Registers `T`'s schema and the schemas it refers to.
fn component<T: ToSchema>(components: &mut Components) {
    let mut nested = Vec::new();
    T::schemas(&mut nested);
    for (name, schema) in nested {
        register(components, name, to_value(schema));
    }
    register(components, T::name().into_owned(), to_value(T::schema()));
}

/// Adds a schema by name; two different schemas under one name would make one answer lie, so tests fail on it.
fn register(components: &mut Components, name: String, schema: Value) {
    if let Some(before) = components.insert(name.clone(), schema.clone()) {
        debug_assert_eq!(before, schema, "two different schemas are named {name}");
    }
}

/// The schema of a Frigade `userId` (or `groupId`) in a query: a text of at most 255 characters.
fn end_user_schema() -> Value {
    use crate::http::fields::StrValue;
    let mut schema =
        serde_json::to_value(<crate::model::Text<{ users::MAX_EXTERNAL_ID }> as StrValue>::schema().build())
            .unwrap_or_else(|_| json!({}));
    schema["type"] = json!("string");
    schema
}

const DATE_RANGE: &str = "Dates are between 1970-01-01 and 9999-12-31 in UTC.";

/// Every route's operation.
pub fn operations() -> Vec<(&'static Route, Operation)> {
    vec![
        (
            &routes::ADMIN_CREATE_ORGANIZATION,
            Operation::new("Bootstrap an organization with its owner, a secret key and a public key")
                .describe(
                    "The keys are shown this once. An answer replayed for an Idempotency-Key has null in place of \
                     the keys: they are never stored.",
                )
                .body::<organizations::NewOrganization>()
                .answer::<Bootstrapped>(201, "The organization, its owner and its first keys")
                .error(409, "An organization of this name (its slug) exists"),
        ),
        (
            &routes::USERS_CREATE,
            Operation::new("Add a person to the organization (an admin's key)")
                .describe("`role` is `member` unless given; only admins add people, so only admins make admins.")
                .body::<users::NewPerson>()
                .answer::<PersonView>(201, "The person: Flowdock's user object with their role and whether they are active")
                .error(409, "A user with this email (in any case) or externalId exists"),
        ),
        (
            &routes::USERS_LIST,
            Operation::new("A page of the organization's people, by id")
                .describe("`externalId` finds the one person with that external id (Frigade's `userId`): our routes name people by our id only.")
                .paged()
                .query("externalId", end_user_schema(), "Only the person with this external id (Frigade's `userId`)")
                .answer::<PersonPageView>(200, "The page"),
        ),
        (
            &routes::USERS_GET,
            Operation::new("One person, by our id")
                .answer::<PersonView>(200, "The person")
                .error(404, "No such user in the organization"),
        ),
        (
            &routes::USERS_UPDATE,
            Operation::new("Change a person: email, name, nick, role, active, externalId (an admin's key)")
                .describe("How a person Frigade brought in (known by `externalId`, without an email) gets one, so that MomoFlow can assign them flows. Emails are unique in the organization in any case. `role` takes effect on the person's keys at once; `active: false` deactivates (as DELETE does), `active: true` brings the person back, without keys. `externalId` is set once: when a guest Frigade brought in has it, their progress and profile move to this person and the guest is removed. An organization keeps at least one active admin.")
                .beyond_schema("externalId is set once and names one person; the organization keeps an active admin")
                .body::<users::UserChanges>()
                .answer::<PersonView>(200, "The person as changed")
                .error(404, "No such user in the organization")
                .error(409, "Another user has this email or externalId, the change would leave no active admin, the person has over 25 keys, or the user kept changing"),
        ),
        (
            &routes::USERS_DEACTIVATE,
            Operation::new("Deactivate a person (an admin's key): their keys stop, their open assignments are cancelled")
                .describe("Their keys are revoked for good, their open assignments cancelled (`flow.cancelled`, reason `person_deactivated`), they leave running email flows; assigning them is a 409 and Frigade progress for them a 403. Their history stays. A repeat answers the same. `PATCH` with `active: true` brings them back, with new keys to make.")
                .answer::<PersonView>(200, "The person, deactivated")
                .error(404, "No such user in the organization")
                .error(409, "The person is the organization's last active admin, or has over 25 keys"),
        ),
        (
            &routes::USERS_EVENTS,
            Operation::new("What Frigade's sessions told of a user: properties, groups, events (an admin's key)")
                .describe("`id` is our id for the person (`GET /v1/users?externalId=` finds it from Frigade's `userId`). Events are newest first; the newest 100 are kept, and at most 50 groups.")
                .answer::<crate::handlers::platform::users::ProfileView>(200, "The user's profile")
                .error(404, "No such user in the organization"),
        ),
        (
            &routes::API_KEYS_CREATE,
            Operation::new("Make an API key acting as the caller's user, or (an admin) as another user")
                .describe(
                    "A key acts as one user of the organization, with that user's role: the caller's own, or the \
                     user `userId` names (an admin only; a member asking for another user's key gets 403). The key \
                     is shown this once; an answer replayed for an Idempotency-Key has null in its place.",
                )
                .beyond_schema("userId must name a user of the organization")
                .body::<api_keys::NewKey>()
                .answer::<IssuedKeyView>(201, "The key's record and the key itself")
                .link("RevokeKey", "api-keys-revoke", "keyId", "$response.body#/id"),
        ),
        (
            &routes::API_KEYS_LIST,
            Operation::new("A page of the organization's API keys, by id (a member's key: only the member's own)")
                .paged()
                .answer::<ApiKeyPageView>(200, "The keys, never the keys themselves"),
        ),
        (
            &routes::API_KEYS_REVOKE,
            Operation::new("Revoke an API key: it answers 401 from then on")
                .answer::<ApiKeyView>(200, "The revoked key")
                .error(404, "No such key in the organization"),
        ),
        (
            &routes::ORGANIZATIONS_GET,
            Operation::new("An organization (Flowdock's organization object), for a key of that organization")
                .describe("The address of an organization's `url`. Another organization's slug is answered 404, like one that does not exist.")
                .answer::<crate::handlers::flowdock::views::OrganizationView>(200, "The organization")
                .error(404, "No such organization"),
        ),
        (
            &routes::FLOWS_LIST,
            Operation::new("The flows the user the key acts as is a member of (Flowdock)")
                .describe(
                    "Joined flows only (an organization-mode flow not joined yet is in `GET /flows/all`), not \
                     disabled ones, nor those the user is blocked from; by id.",
                )
                .query(
                    "users",
                    json!({ "type": "string", "enum": ["1", "0", "true", "false"] }),
                    "Whether each flow lists its users",
                )
                .list::<FlowView>(200, "The flows"),
        ),
        (
            &routes::FLOWS_LIST_ALL,
            Operation::new("The user's flows and the organization-mode flows they may join (Flowdock)")
                .describe("The flows of `GET /flows`, and the organization's organization-mode flows the user has not joined (`joined` and `open` false, with `join_url`); by id.")
                .query(
                    "users",
                    json!({ "type": "string", "enum": ["1", "0", "true", "false"] }),
                    "Whether each flow lists its users",
                )
                .list::<FlowView>(200, "The flows"),
        ),
        (
            &routes::FLOWS_FIND,
            Operation::new("A flow by its id (Flowdock), with its users")
                .describe("A flow the user may not see (another organization's, an invitation-only flow they are not in, a disabled one; admins see all of their organization's) is answered 404, like one that does not exist.")
                .required_query("id", json!({ "type": "string" }), "The flow's id")
                .answer::<FlowView>(200, "The flow")
                .error(404, "No such flow the user may see"),
        ),
        (
            &routes::FLOWS_GET,
            Operation::new("A flow by its organization's and its own parameterized names (Flowdock), with its users")
                .describe("A flow the user may not see (another organization's, an invitation-only flow they are not in, a disabled one; admins see all of their organization's) is answered 404, like one that does not exist.")
                .answer::<FlowView>(200, "The flow")
                .error(404, "No such flow the user may see"),
        ),
        (
            &routes::FLOWS_UPDATE,
            Operation::new("Change a flow (Flowdock): its name, whether it is open for the user, disabled, access mode")
                .describe("Renaming keeps the id and `parameterized_name`. `open: true` joins the user when the access mode lets them (organization mode; admins any). Only organization admins and the flow's creator may change `disabled` and `access_mode` (403 otherwise); a disabled flow leaves every list and nobody may join it. A flow the user may not see is a 404.")
                .body::<flows::FlowChanges>()
                .answer::<FlowView>(200, "The flow as changed, with its users")
                .error(403, "The user may not make this change (the message says why)")
                .error(404, "No such flow the user may see")
                .error(409, "The flow kept changing while this change was made"),
        ),
        (
            &routes::FLOWS_USERS_LIST,
            Operation::new("A flow's users (Flowdock), a user blocked from it shown `disabled`")
                .list::<crate::handlers::flowdock::views::UserView>(200, "The users")
                .error(404, "No such flow the user may see"),
        ),
        (
            &routes::FLOWS_USERS_ADD,
            Operation::new("Add a user of the organization to a flow (Flowdock)")
                .describe("Only the flow's members (and admins) add members; adding a user blocked from the flow takes an admin or the flow's creator. 201 when added, 200 when the user was a member already.")
                .beyond_schema("id must name a user of the organization")
                .body::<crate::handlers::flowdock::flows::NewMember>()
                .answer::<crate::handlers::flowdock::views::UserView>(201, "The user, now a member")
                .answer::<crate::handlers::flowdock::views::UserView>(200, "The user, a member already")
                .error(403, "The caller may not add members (the message says why)")
                .error(404, "No such flow the user may see"),
        ),
        (
            &routes::FLOWS_USERS_UPDATE,
            Operation::new("Block a user from a flow, or let them back (Flowdock): `{\"disabled\": true}`")
                .describe("An organization admin's or the flow's creator's change. A blocked user leaves the flow (a 404 to them) and is listed `disabled` to the others; blocking a user who is not a member keeps them from joining.")
                .body::<crate::handlers::flowdock::flows::MemberChange>()
                .answer::<crate::handlers::flowdock::views::UserView>(200, "The user")
                .error(403, "The caller may not block members")
                .error(404, "No such flow the user may see, or no such user"),
        ),
        (
            &routes::FLOWS_JOIN_URL_GET,
            Operation::new("A flow's join URL (Flowdock): only in the link and organization modes")
                .answer::<crate::handlers::flowdock::views::JoinUrlView>(200, "The join URL")
                .error(404, "No such flow the user may see, or it has no join URL"),
        ),
        (
            &routes::FLOWS_JOIN_URL_RENEW,
            Operation::new("A new join URL for a flow (Flowdock); the old one stops working")
                .describe("An organization admin's or the flow's creator's change; an invitation-only flow has none (409).")
                .answer::<crate::handlers::flowdock::views::JoinUrlView>(201, "The new join URL")
                .error(403, "The caller may not change the join URL")
                .error(404, "No such flow the user may see")
                .error(409, "The flow is invitation-only"),
        ),
        (
            &routes::INVITATIONS_ACCEPT,
            Operation::new("Join a flow by its join URL's invitation (`<token>-<parameterized_name>`)")
                .describe("For users of the flow's organization. A wrong or revoked invitation, a flow without a join URL or a disabled one is a 404; a user blocked from the flow gets 403.")
                .answer::<FlowView>(200, "The flow, joined, with its users")
                .error(403, "The user is blocked from this flow")
                .error(404, "No flow has this invitation"),
        ),
        (
            &routes::FLOWS_JOIN_URL_DELETE,
            Operation::new("Delete a flow's join URL (Flowdock): it stops working, and the flow has none until a new one is made")
                .empty(204, "Deleted")
                .error(403, "The caller may not change the join URL")
                .error(404, "No such flow the user may see, or it has no join URL"),
        ),
        (
            &routes::FLOWS_CREATE,
            Operation::new("Create a flow (Flowdock), with its content (Frigade's type and ordered steps)")
                .describe("Step ids are unique within a flow.")
                .beyond_schema("step ids are unique within a flow")
                .body::<flows::NewFlow>()
                .answer::<FlowView>(201, "The flow, with its creator as its only member")
                .error(404, "No such organization (another organization's slug is answered the same)")
                .error(409, "A flow of this name (its slug) exists in the organization"),
        ),
        (
            &routes::FLOWS_ASSIGN,
            Operation::new("Assign a flow to a person (MomoFlow)")
                .describe(DATE_RANGE)
                .beyond_schema(DATE_RANGE)
                .body::<assignments::NewAssignment>()
                .answer::<AssignResponse>(200, "Flow assigned successfully")
                .error(404, "No such flow, or no such person in the organization")
                .error(409, "The flow is already assigned to the person (open), or the flow is disabled")
                .link("GetAssignment", "assignments-get", "assignmentId", "$response.body#/assignmentId"),
        ),
        (
            &routes::ASSIGNMENTS_GET,
            Operation::new("One assignment")
                .answer::<AssignmentView>(200, "The assignment")
                .error(404, "No such assignment in the organization"),
        ),
        (
            &routes::ASSIGNMENTS_LIST,
            Operation::new("A page of the organization's assignments, newest first (MomoFlow)")
                .describe("Filters: `userEmail` (a person; one the organization does not have selects nothing), `flowId`, `status`. A member's key reads only its own user's assignments. `nextCursor` is the `cursor` of the next page, null on the last.")
                .query("userEmail", json!({ "type": "string", "format": "email", "maxLength": 254 }), "Only this person's")
                .query("flowId", json!({ "type": "string" }), "Only this flow's")
                .query("status", json!({ "type": "string", "enum": ["assigned", "started", "completed", "overdue", "cancelled"] }), "Only those in this status")
                .paged()
                .answer::<crate::handlers::momoflow::views::AssignmentPageView>(200, "The page"),
        ),
        (
            &routes::ASSIGNMENTS_CANCEL,
            Operation::new("Cancel an assignment (MomoFlow; an admin's key)")
                .describe("It leaves the due index and reports, the flow may be assigned to the person again, and later progress changes nothing. Cancelling a cancelled assignment answers it again.")
                .answer::<AssignmentView>(200, "The cancelled assignment")
                .error(404, "No such assignment in the organization")
                .error(409, "The assignment is completed"),
        ),
        (
            &routes::FLOWS_REPORT,
            Operation::new("A flow's report (MomoFlow; an admin's key): its assignments' figures")
                .describe("The flow's assignments made between `startDate` and `endDate` (inclusive; a bare date is the end of that day in UTC), in `status` (`pending` assigned, `in_progress` started, `completed`, `overdue`); cancelled ones never count. `averageCompletionTime` is in seconds (null when none is completed), `completionRate` from 0 to 1. `detailed` lists the assignments, oldest first, with each person's completed steps.")
                .beyond_schema("endDate must not be before startDate; the dates are between 1970-01-01 and 9999-12-31 in UTC")
                .body::<crate::services::reports::ReportRequest>()
                .answer::<crate::handlers::momoflow::views::ReportView>(200, "The report")
                .error(404, "No such flow in the organization"),
        ),
        (
            &routes::FLOW_CONTENT_GET,
            Operation::new("A flow's content (Frigade): type, ordered steps, sequential, completion rule, version")
                .describe("`flowId` is the flow's slug (`flowSlug`, looked up first) or its id. A flow the user the key acts as may not see is a 404.")
                .answer::<crate::handlers::frigade::views::FrigadeFlow>(200, "The flow with its content")
                .error(404, "No such flow the user may see")
                .error(405, "The path is MomoFlow's /v1/flows/assign or /v1/flows/report, which take only POST"),
        ),
        (
            &routes::FLOW_CONTENT_UPDATE,
            Operation::new("Change a flow (Frigade): name, slug, disabled, access mode, and its content")
                .describe("An organization admin's or the flow's creator's change. A content change (`flowType`, `steps`, `sequential`, `completionRule`) bumps `version`; users' progress keeps the steps that still exist (by id), new steps start not started. A `flowSlug` another flow has is a 409; step ids are unique within a flow.")
                .beyond_schema("step ids are unique within a flow; the flowSlug must be free in the organization")
                .body::<crate::services::content::FlowEdit>()
                .answer::<crate::handlers::frigade::views::FrigadeFlow>(200, "The flow as changed")
                .error(403, "The caller may not change this flow")
                .error(404, "No such flow the user may see")
                .error(409, "The slug is taken, or the flow kept changing while this change was made")
                .error(405, "The path is MomoFlow's /v1/flows/assign or /v1/flows/report, which take only POST"),
        ),
        (
            &routes::PUBLIC_FLOWS_LIST,
            Operation::new("The organization's flows with their content (Frigade; public or secret key)")
                .describe("With `userId`, the flows that user sees (disabled ones included: they are the ineligible ones); without, the flows every user of the organization sees. An invitation-only flow the user is neither a member of nor assigned to is never listed.")
                .query("userId", end_user_schema(), "The user (their external id)")
                .answer::<crate::handlers::frigade::views::FrigadeFlowList>(200, "The flows"),
        ),
        (
            &routes::PUBLIC_FLOW_STATES_GET,
            Operation::new("A user's flow states (Frigade), changing nothing")
                .describe("The answer of `POST /v1/public/flowStates` without an action. A `userId` the organization does not know is answered as a user who has done nothing (and is not created). `flowResponses` only for a secret key.")
                .required_query("userId", end_user_schema(), "The user (their external id)")
                .query("groupId", end_user_schema(), "The user's group (accepted, not used)")
                .answer::<FlowStatesView>(200, "The flows the user may take with their state, and those they may not"),
        ),
        (
            &routes::PUBLIC_FLOW_STATES_UPDATE,
            Operation::new("Record a user's action in a flow, or refresh (Frigade)")
                .describe("Without `actionType` (and `flowSlug`), a refresh: the answer without a change. With one, the action's effect is documented in the README (each action type, the completion rules, blocked steps); `flowSlug` is the flow's slug or id. A `userId` the organization does not know becomes a user. The first start of a flow moves the user's open assignment of it to started (`flow.started`); completion to completed (`flow.completed`), each announced once. `createdAt` and `context` are accepted; the server's clock is the one kept. `flowResponses` only for a secret key.")
                .beyond_schema("actionType and flowSlug go together; stepId must be a step of the flow and is required by step actions; data takes at most 4096 bytes as JSON")
                .body::<crate::services::progress::StateRequest>()
                .answer::<FlowStatesView>(200, "The user's flows with their state, after the action")
                .error(404, "No such flow the user may see")
                .error(409, "The flow is disabled, the step is blocked, or the state kept changing"),
        ),
        (
            &routes::PUBLIC_SESSIONS,
            Operation::new("Tell what a browser knows of its user (Frigade's identify, group and track; public or secret key)")
                .describe("User properties merge into the user's profile (a null removes one; at most 100), never into their email or name; a `groupId` records the group with its properties; events are kept with their time (the newest 100). A `userId` the organization does not know becomes a user. Read back with `GET /v1/users/{id}/events`.")
                .beyond_schema("groupProperties and groupEvents need a groupId; properties take at most 4096 bytes as JSON (an event's 2048); at most 100 property names")
                .body::<crate::services::sessions::SessionRequest>()
                .empty(202, "Recorded"),
        ),
        (
            &routes::PUBLIC_PREFLIGHT,
            Operation::new("CORS preflight of a public route (browsers send it; no key)")
                .describe("Answers, for any origin and without credentials, the route's methods and the headers Frigade's SDK sends (`Authorization` by name). The organization's allowed origins (`/v1/settings/cors`) then decide the real response's `Access-Control-Allow-Origin`.")
                .empty(204, "What the browser may send")
                .error(404, "No public route has this path"),
        ),
        (
            &routes::CORS_GET,
            Operation::new("The origins whose pages may read the public routes' answers (an admin's key)")
                .answer::<crate::handlers::platform::settings::CorsView>(200, "The setting; an empty list allows any origin"),
        ),
        (
            &routes::CORS_UPDATE,
            Operation::new("Set the origins whose pages may read the public routes' answers (an admin's key)")
                .describe("Origins are scheme, host and port (`https://app.example.com`), at most 20; an empty list allows any origin (the default). Credentials are never allowed.")
                .beyond_schema("each origin is scheme, host and optional port, nothing after")
                .body::<crate::handlers::platform::settings::CorsChange>()
                .answer::<crate::handlers::platform::settings::CorsView>(200, "The setting as changed"),
        ),
        (
            &routes::USER_TOKENS_GET,
            Operation::new("Which public requests need a user token (an admin's key)")
                .describe("A user token is minted by your server for one signed-in user and used by the page in place of the public key (Frigade's SDK takes it as its API key unchanged): `ut_<organizationId>_<expires>_<mac>`, where `expires` is in Unix seconds (at most 30 days ahead) and `mac` the hex HMAC-SHA256, under the secret, of `<organizationId>.<expires>.<userId>`. It acts only on requests naming that `userId`, until it expires.")
                .answer::<crate::handlers::platform::settings::UserTokensView>(200, "The setting"),
        ),
        (
            &routes::USER_TOKENS_UPDATE,
            Operation::new("Set which public requests need a user token (an admin's key)")
                .describe("`assignedProgress`: progress on a flow assigned to the user needs a user token minted for them (so that nobody holding the page's public key completes someone's training); `always`: every public request needs one; `never` (the default). A plain public key is then a 403 where a token is needed; secret keys are never refused.")
                .body::<crate::handlers::platform::settings::UserTokensChange>()
                .answer::<crate::handlers::platform::settings::UserTokensView>(200, "The setting as changed")
                .error(409, "There is no user-token secret yet (rotate-secret makes one)"),
        ),
        (
            &routes::USER_TOKENS_ROTATE_SECRET,
            Operation::new("Make a new user-token signing secret, shown once (an admin's key)")
                .describe("Tokens minted with the previous secret hold for 24 hours more (rotate twice to end them at once). The secret is shown this once; an answer replayed for an Idempotency-Key has null in its place.")
                .answer::<crate::handlers::platform::settings::UserTokensWithSecretView>(200, "The setting, with its new secret"),
        ),
        (
            &routes::USER_FLOW_STATES_RESET,
            Operation::new("Forget a user's progress in a flow, history included (Frigade; an admin's key)")
                .describe("`flowSlug` is the flow's slug or id, `userId` the user's external id. Their assignment keeps what it became.")
                .empty(204, "Forgotten (or there was nothing to forget)")
                .error(404, "No such flow, or no such user"),
        ),
        (
            &routes::WEBHOOKS_CREATE,
            Operation::new("Create a webhook endpoint")
                .describe(
                    "The URL must be https and resolve only to public addresses (checked when saved and at every \
                     delivery). An organization has at most 20 endpoints. The signing secret is shown this once; an \
                     answer replayed for an Idempotency-Key has null in its place.",
                )
                .beyond_schema("the URL must resolve to public addresses; at most 20 endpoints")
                .body::<webhooks::NewWebhook>()
                .answer::<WebhookWithSecretView>(201, "The endpoint, with its signing secret")
                .error(409, "The organization has 20 endpoints")
                .link("GetWebhook", "webhooks-get", "webhookId", "$response.body#/id")
                .link("UpdateWebhook", "webhooks-update", "webhookId", "$response.body#/id")
                .link("DeleteWebhook", "webhooks-delete", "webhookId", "$response.body#/id")
                .link("RotateSecret", "webhooks-rotate-secret", "webhookId", "$response.body#/id")
                .link("Deliveries", "webhooks-deliveries", "webhookId", "$response.body#/id"),
        ),
        (
            &routes::WEBHOOKS_LIST,
            Operation::new("A page of the organization's webhook endpoints, oldest first")
                .paged()
                .answer::<WebhookPageView>(200, "The endpoints, without secrets"),
        ),
        (
            &routes::WEBHOOKS_GET,
            Operation::new("One webhook endpoint")
                .answer::<WebhookView>(200, "The endpoint")
                .error(404, "No such endpoint"),
        ),
        (
            &routes::WEBHOOKS_UPDATE,
            Operation::new("Change a webhook endpoint's URL, events or state")
                .beyond_schema("the URL must resolve to public addresses")
                .describe("Re-enabling an endpoint clears why it was disabled.")
                .body::<webhooks::WebhookChanges>()
                .answer::<WebhookView>(200, "The endpoint as changed")
                .error(404, "No such endpoint"),
        ),
        (
            &routes::WEBHOOKS_DELETE,
            Operation::new("Delete a webhook endpoint").empty(204, "Deleted").error(404, "No such endpoint"),
        ),
        (
            &routes::WEBHOOKS_ROTATE_SECRET,
            Operation::new("A new signing secret; the previous one keeps signing for 24 hours")
                .describe("An answer replayed for an Idempotency-Key has null in place of the secret.")
                .answer::<RotatedView>(200, "The endpoint with its new secret")
                .error(404, "No such endpoint"),
        ),
        (
            &routes::WEBHOOKS_DELIVERIES,
            Operation::new("A page of an endpoint's delivery attempts, newest first")
                .paged()
                .answer::<DeliveryPageView>(200, "A page of attempts")
                .error(404, "No such endpoint"),
        ),
        (
            &routes::WEBHOOKS_REPLAY,
            Operation::new("Send a delivery's event to its endpoint again, with the same webhook-id")
                .answer::<ReplayView>(202, "Queued")
                .error(404, "No such endpoint or delivery"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_EMAIL_FLOW,
            Operation::new("SuperOffice: the default email flow, to edit and pass to SaveEmailFlow")
                .describe("Seed 002's default object, field for field. The body is ignored (SuperOffice's client sends `null`).")
                .answer::<so::EmailFlow>(200, "The default email flow"),
        ),
        (
            &routes::WORKFLOW_SAVE_EMAIL_FLOW,
            Operation::new("SuperOffice: save an email flow whole, with its steps, triggers and goals")
                .describe(SO_SAVE)
                .carrier::<so::EmailFlow>()
                .answer::<so::EmailFlow>(200, "The flow as saved, with its ids, ranks and dates")
                .beyond_schema(SO_FLOW_RULES)
                .error(404, "EmailFlowId names no flow of the organization"),
        ),
        (
            &routes::WORKFLOW_GET_EMAIL_FLOW,
            Operation::new("SuperOffice: an email flow")
                .required_query("emailFlowId", so_id(), "The flow (the name in any case)")
                .answer::<so::EmailFlow>(200, "The flow"),
        ),
        (
            &routes::WORKFLOW_DELETE_EMAIL_FLOW,
            Operation::new("SuperOffice: delete an email flow with everything in it")
                .required_query("EmailFlowId", so_id(), "The flow (the name in any case)")
                .empty(204, "Deleted"),
        ),
        (
            &routes::WORKFLOW_COPY_EMAIL_FLOW,
            Operation::new("SuperOffice: copy an email flow (stopped, with new ids inside)")
                .carrier::<workflow::CopyEmailFlowRequest>()
                .answer::<u64>(200, "The new flow's id")
                .beyond_schema(SO_FLOW_RULES),
        ),
        (
            &routes::WORKFLOW_SET_STATUS_ON_WORKFLOW,
            Operation::new("SuperOffice: start, pause or stop an email flow")
                .describe("Running moves participants through the steps on the schedule; Paused holds everyone where they are; Stopped ends new entries. Answers the status's name.")
                .carrier::<workflow::SetStatusRequest>()
                .answer::<so::WorkflowStatus>(200, "The flow's status now")
                .beyond_schema("Status is Stopped, Paused or Running (not None)"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_TRIGGER,
            Operation::new("SuperOffice: the default trigger (seed 002's)").answer::<so::WorkflowTrigger>(200, "The default trigger"),
        ),
        (
            &routes::WORKFLOW_SAVE_WORKFLOW_TRIGGER,
            Operation::new("SuperOffice: save a trigger into the flow its WorkflowId names")
                .describe(SO_SAVE_PART)
                .carrier::<so::WorkflowTrigger>()
                .answer::<so::WorkflowTrigger>(200, "The trigger as saved")
                .beyond_schema(SO_FLOW_RULES),
        ),
        (
            &routes::WORKFLOW_GET_WORKFLOW_TRIGGER,
            Operation::new("SuperOffice: a trigger")
                .required_query("workflowTriggerId", so_id(), "The trigger (the name in any case)")
                .answer::<so::WorkflowTrigger>(200, "The trigger"),
        ),
        (
            &routes::WORKFLOW_DELETE_WORKFLOW_TRIGGER,
            Operation::new("SuperOffice: delete a trigger")
                .required_query("WorkflowTriggerId", so_id(), "The trigger (the name in any case)")
                .empty(204, "Deleted"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_GOAL,
            Operation::new("SuperOffice: the default goal").answer::<so::WorkflowGoal>(200, "The default goal"),
        ),
        (
            &routes::WORKFLOW_SAVE_WORKFLOW_GOAL,
            Operation::new("SuperOffice: save a goal into the flow its WorkflowId names")
                .describe(SO_SAVE_PART)
                .carrier::<so::WorkflowGoal>()
                .answer::<so::WorkflowGoal>(200, "The goal as saved")
                .beyond_schema(SO_FLOW_RULES),
        ),
        (
            &routes::WORKFLOW_GET_WORKFLOW_GOAL,
            Operation::new("SuperOffice: a goal")
                .required_query("workflowGoalId", so_id(), "The goal (the name in any case)")
                .answer::<so::WorkflowGoal>(200, "The goal"),
        ),
        (
            &routes::WORKFLOW_DELETE_WORKFLOW_GOAL,
            Operation::new("SuperOffice: delete a goal")
                .required_query("WorkflowGoalId", so_id(), "The goal (the name in any case)")
                .empty(204, "Deleted"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_WAIT_FOR_ACTION,
            Operation::new("SuperOffice: the default wait-for-action").answer::<so::WorkflowWaitForAction>(200, "The default"),
        ),
        (
            &routes::WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION,
            Operation::new("SuperOffice: save an action into the WaitForAction step its WorkflowStepId names")
                .carrier::<so::WorkflowWaitForAction>()
                .answer::<so::WorkflowWaitForAction>(200, "The action as saved")
                .beyond_schema("WorkflowStepId names a WaitForAction step; restrictions' encoded values are well formed"),
        ),
        (
            &routes::WORKFLOW_GET_WORKFLOW_WAIT_FOR_ACTION,
            Operation::new("SuperOffice: a wait-for-action")
                .required_query("workflowWaitForActionId", so_id(), "The action (the name in any case)")
                .answer::<so::WorkflowWaitForAction>(200, "The action"),
        ),
        (
            &routes::WORKFLOW_DELETE_WORKFLOW_WAIT_FOR_ACTION,
            Operation::new("SuperOffice: delete a wait-for-action")
                .required_query("WorkflowWaitForActionId", so_id(), "The action (the name in any case)")
                .empty(204, "Deleted"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE,
            Operation::new("SuperOffice: the default step of a type")
                .describe("Only the type's members (see the step schema's description); WaitForTime's is seed 002's.")
                .carrier::<parts::StepTypeRequest>()
                .answer::<so::WorkflowStep>(200, "The default step"),
        ),
        (
            &routes::WORKFLOW_GET_WORKFLOW_STEP,
            Operation::new("SuperOffice: a step, anywhere in its flow")
                .carrier::<parts::StepIdRequest>()
                .answer::<so::WorkflowStep>(200, "The step"),
        ),
        (
            &routes::WORKFLOW_ADD_AFTER_WORKFLOW_STEP,
            Operation::new("SuperOffice: add a step right after another, in the same list")
                .carrier::<parts::AddAfterRequest>()
                .answer::<so::WorkflowStep>(200, "The step as added, with its id")
                .beyond_schema("SubStep is required; the flow's bounds and encoded values hold"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_OPTION_FROM_TYPE,
            Operation::new("SuperOffice: the default split option of a type")
                .carrier::<parts::OptionTypeRequest>()
                .answer::<so::StepOption>(200, "The default option"),
        ),
        (
            &routes::WORKFLOW_GET_WORKFLOW_STEP_OPTION,
            Operation::new("SuperOffice: a split option")
                .carrier::<parts::OptionIdRequest>()
                .answer::<so::StepOption>(200, "The option"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_FILTER,
            Operation::new("SuperOffice: the default filter").answer::<so::WorkflowFilter>(200, "The default filter"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT,
            Operation::new("SuperOffice: the default event").answer::<so::WorkflowEvent>(200, "The default event"),
        ),
        (
            &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT_RESULT,
            Operation::new("SuperOffice: the default event result").answer::<so::WorkflowEvent>(200, "The default event result"),
        ),
        (
            &routes::WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW,
            Operation::new("SuperOffice: enrol persons in an email flow")
                .describe("One boolean per person, in order: false for a person the organization does not have, one already moving through the flow, one who ever was when the flow starts only once, or when the flow is Stopped or past its EnrollmentEnd. A participant starts at once (or at WorkflowStart); Paused flows hold them.")
                .carrier::<participants::TryAddPersonsRequest>()
                .list::<bool>(200, "Whether each person was enrolled")
                .beyond_schema("person ids are whole numbers up to 2^53-1"),
        ),
        (
            &routes::WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW,
            Operation::new("SuperOffice: take participants out of an email flow, by instance id")
                .carrier::<participants::RemoveParticipantsRequest>()
                .empty(204, "Removed (instances of other flows, unknown or already done, are left as they are)")
                .beyond_schema("instance ids are whole numbers up to 2^53-1"),
        ),
        (
            &routes::WORKFLOW_SEND_EVENT,
            Operation::new("SuperOffice: an event about a person, or Run")
                .describe("Attributes names the person (`personId=12`). The event fires the triggers of its type (enrolling the person), meets the goals of its type (JumpToFinish ends the run) and the WaitForAction steps waiting for it (LinkClicked, FormSubmitted). `Run` runs the organization's due steps. Restrictions are kept, not evaluated. Answers the event with what it did in Attributes.")
                .carrier::<participants::SendEventRequest>()
                .answer::<so::WorkflowEvent>(200, "What the event did")
                .error(404, "Attributes names a person the organization does not have")
                .beyond_schema("EventType is not None; Attributes names the person (personId=12) unless the event is Run"),
        ),
        (
            &routes::WORKFLOW_RUN,
            Operation::new("SuperOffice: run the organization's due email flow steps now")
                .describe("What the schedule does every minute, for this organization now. Answers the run's time.")
                .answer::<String>(200, "The run's time (ISO 8601)"),
        ),
        (
            &routes::EMAIL_FLOW_PARTICIPANTS,
            Operation::new("An email flow's participants")
                .describe("Every enrolment, by person, with its instance id (what RemoveParticipantsFromEmailFlow takes and the emailflow.step events carry), status, current step, when it is due and the steps it went through.")
                .paged()
                .answer::<participants::ParticipantPageView>(200, "A page of the participants"),
        ),
        (
            &routes::WORKFLOW_UNSUPPORTED,
            Operation::new("SuperOffice: a method of the agent this system does not offer")
                .describe("CreateEmailFlowContent, ConnectEmailFlowContent, CopyEmailFlowContent, UpdateFormSubmissions and GetWorkflowFencingInfo answer 501 (email content and forms stay with the receiver of the emailflow.step webhooks); any other name is a 404.")
                .error(404, "The agent has no such method")
                .error(501, "A method SuperOffice has that this system does not offer")
                .beyond_schema_with("the method is one SuperOffice has that this system does not offer", 501),
        ),
        (&routes::OPENAPI, Operation::new("This document").answer_document()),
    ]
}

impl Operation {
    fn answer_document(mut self) -> Self {
        self.answers.push((200, "The OpenAPI 3.1 document", Some(json!({ "type": "object" }))));
        self
    }
}

/// SaveEmailFlow's description.
const SO_SAVE: &str = "EmailFlowId 0 creates the flow under the organization's next id; another id replaces that flow's content. \
Steps, triggers and goals are saved inside it, each getting this flow's id, an id of its own (kept when the flow had it) and a Rank from array order. \
Members match in any case, the last of two spellings winning; members SuperOffice computes are ignored.";

/// SaveWorkflowTrigger's and SaveWorkflowGoal's description.
const SO_SAVE_PART: &str =
    "WorkflowId names the flow; an id the flow has replaces that one, 0 (or another) adds a new one.";

/// What a saved email flow must keep beyond its schema.
const SO_FLOW_RULES: &str = "encoded values ([I:n], [F:x], [DT:MM/dd/yyyy HH:mm:ss], [D:MM/dd/yyyy], [A:…]) are well formed; \
SelectedDays names days; at most 50 steps in all, nested 3 deep, 10 options a split, 20 triggers, 20 goals, 10 restriction groups of 20 restrictions; 200 KB as JSON";

/// The largest id a JavaScript client (SuperOffice's) holds exactly.
const MAX_SAFE_ID: u64 = (1 << 53) - 1;

/// An id of SuperOffice's.
fn so_id() -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": MAX_SAFE_ID })
}

/// The schemas of every view the operations answer with, as their answers registered them.
fn components(operations: &[(&'static Route, Operation)]) -> Components {
    let mut c = Components::new();
    for (_, op) in operations {
        for register in &op.schemas {
            register(&mut c);
        }
    }
    c.insert("Error".into(), error_schema());
    c
}

/// Every error code the API answers with.
pub const ERROR_CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "conflict",
    "payload_too_large",
    "unsupported_media_type",
    "invalid_json",
    "validation_error",
    "bad_request",
    "idempotency_key_reused",
    "rate_limit_exceeded",
    "service_unavailable",
    "not_implemented",
    "request_timeout",
    "internal_error",
];

fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "Every error: a code and a sentence; `errors` names every bad field of a validation error, \
                        `retry_after` the seconds to wait after a 429.",
        "required": ["error", "message"],
        "properties": {
            "error": { "type": "string", "enum": ERROR_CODES },
            "message": { "type": "string" },
            "errors": {
                "type": "object",
                "additionalProperties": { "type": "array", "items": { "type": "string" } }
            },
            "retry_after": { "type": "integer", "minimum": 1 }
        }
    })
}

fn header(description: &str, schema: Value) -> Value {
    json!({ "description": description, "schema": schema })
}

/// The headers of an answer: the request id always; the rate limit's on successes of routes that count.
fn answer_headers(route: &Route, success: bool, status: u16) -> Value {
    let mut headers = Map::new();
    headers.insert("X-Request-ID".into(), json!({ "$ref": "#/components/headers/X-Request-ID" }));
    if success && route.access != Access::Open {
        headers.insert("RateLimit-Policy".into(), json!({ "$ref": "#/components/headers/RateLimit-Policy" }));
        headers.insert("RateLimit".into(), json!({ "$ref": "#/components/headers/RateLimit" }));
    }
    if success && route.is_flowdock() {
        headers.insert("Flowdock-User".into(), json!({ "$ref": "#/components/headers/Flowdock-User" }));
    }
    if success && route.method == http::Method::POST {
        headers.insert("Idempotent-Replayed".into(), json!({ "$ref": "#/components/headers/Idempotent-Replayed" }));
    }
    if status == 429 {
        headers.insert("Retry-After".into(), json!({ "$ref": "#/components/headers/Retry-After" }));
    }
    Value::Object(headers)
}

fn error_answer(route: &Route, status: u16, description: &str) -> Value {
    json!({
        "description": description,
        "headers": answer_headers(route, false, status),
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

/// The error answers a route gives by its kind, besides its own.
fn common_errors(route: &Route, op: &Operation) -> Vec<(u16, &'static str)> {
    let mut errors = Vec::new();
    match route.access {
        Access::Secret | Access::Public => {
            errors.push((401, "Invalid or missing API key (also a revoked one)"));
            if route.access == Access::Public {
                errors.push((401, "A user token that does not hold: expired, not minted for the request's userId, or of a rotated secret (the message says which)"));
                errors.push((403, "A plain public key where the organization wants a user token (every public request, or progress on a flow assigned to the user); progress or sessions for a deactivated person"));
            }
            if route.access == Access::Secret && route.role == Role::Admin {
                errors.push((403, "A public key, or the key of a member (not an admin), on a route for admins' keys"));
            } else if route.access == Access::Secret {
                errors.push((403, "A public key on a route that needs a secret key"));
            }
            errors.push((429, "Too many requests in this minute; `Retry-After` says how long to wait"));
        }
        Access::Admin => {
            errors.push((401, "Invalid or missing admin token"));
            errors.push((404, "The admin routes are off (no admin token configured)"));
            errors.push((429, "Too many requests in this minute; `Retry-After` says how long to wait"));
        }
        Access::Open => {}
    }
    let mut bad_request = Vec::new();
    if op.body.is_some() {
        bad_request.push("the body is not JSON, or a field is bad (`errors` names each)");
        errors.push((413, "The body is over 1 MiB"));
        errors.push((415, "The body is not `application/json`"));
    }
    if !op.query.is_empty() {
        bad_request.push("a query parameter is bad");
    }
    if route.method == http::Method::POST && route.access != Access::Open {
        bad_request.push("the Idempotency-Key is malformed");
        errors.push((409, "A request with this Idempotency-Key is still in flight"));
        errors.push((422, "This Idempotency-Key was used with another request"));
    }
    if !bad_request.is_empty() {
        errors.push((400, "Bad request"));
    }
    if route.object.is_some() {
        errors.push((404, "No such object in the organization (another organization's is answered the same)"));
    }
    if route.access != Access::Open {
        errors.push((503, "Storage is busy; retry shortly"));
    }
    errors
}

fn path_parameters(route: &Route) -> Vec<Value> {
    route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        // A greedy parameter is not one: the route is listed under each concrete path it serves.
        .filter(|name| !name.ends_with('+'))
        .map(|name| {
            let schema = match name {
                "organization" => json!({ "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 100 }),
                // MomoFlow's paths beside `/v1/flows/{flowId}` are not flows.
                "flowId" => {
                    json!({ "type": "string", "maxLength": 64, "not": { "enum": crate::model::RESERVED_FLOW_SLUGS } })
                }
                _ => json!({ "type": "string", "maxLength": 64 }),
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect()
}

/// The groups of operations, by the API (or part of this system) each belongs to, in the document's order.
pub const TAGS: &[(&str, &str)] = &[
    ("MomoFlow", "MomoFlow's flow assignment: assign a flow to a person, follow and report on the assignments"),
    ("Flowdock", "Flowdock's organizations and flows: lists, members, access modes, join URLs"),
    ("Frigade", "Frigade's flow states: a person's progress through a flow's steps, from browsers with a public key"),
    (
        "SuperOffice",
        "SuperOffice's workflow agent: email flows with their steps, triggers and goals, and their participants",
    ),
    ("People and keys", "The organization's people, their roles, and the API keys that act as them"),
    ("Webhooks", "Endpoints that receive the events, signed per Standard Webhooks, and their deliveries"),
    ("Settings", "The organization's settings"),
    ("Admin", "The deployment's bootstrap routes (the admin token)"),
    ("Document", "This document"),
];

/// The tag (see [`TAGS`]) of a route's operation, from its path.
pub fn tag_of(route: &Route) -> &'static str {
    let path = route.path;
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    if under("/admin") {
        "Admin"
    } else if under("/v1/Agents") || under("/v1/emailflows") {
        "SuperOffice"
    } else if under("/flows") || under("/invitations") || under("/organizations") {
        "Flowdock"
    } else if under("/v1/flows/assign") || under("/v1/flows/report") || under("/v1/assignments") {
        "MomoFlow"
    } else if under("/v1/public") || under("/v1/userFlowStates") || under("/v1/flows") {
        "Frigade"
    } else if under("/v1/users") || under("/v1/api-keys") {
        "People and keys"
    } else if under("/v1/webhooks") {
        "Webhooks"
    } else if under("/v1/settings") {
        "Settings"
    } else {
        "Document"
    }
}

/// The operation's id: its function's name, and for a route served under several paths (the preflights) the
/// path's own last segments too, so that every operation of the document has an id of its own.
fn operation_id(route: &Route, path: &str, paths: usize) -> String {
    if paths <= 1 {
        return route.function.to_owned();
    }
    let prefix = route.path.rsplit_once('{').map_or("", |(head, _)| head);
    let rest = path.strip_prefix(prefix).unwrap_or(path);
    let words: Vec<&str> =
        rest.split('/').filter(|w| !w.is_empty()).map(|w| w.trim_matches(|c| c == '{' || c == '}')).collect();
    format!("{}-{}", route.function, words.join("-"))
}

fn operation_json(route: &Route, op: &Operation, operation_id: String) -> Value {
    let mut parameters = path_parameters(route);
    parameters.extend(op.query.iter().cloned());
    parameters.push(json!({ "$ref": "#/components/parameters/X-Request-ID" }));
    if route.method == http::Method::POST && route.access != Access::Open {
        parameters.push(json!({ "$ref": "#/components/parameters/Idempotency-Key" }));
    }
    let mut responses = Map::new();
    for (status, description, schema) in &op.answers {
        let mut answer = json!({ "description": description, "headers": answer_headers(route, true, *status) });
        if let Some(schema) = schema {
            answer["content"] = json!({ "application/json": { "schema": schema } });
        }
        if !op.links.is_empty() {
            let links: Map<String, Value> = op
                .links
                .iter()
                .map(|(name, operation, parameter, pointer)| {
                    ((*name).to_owned(), json!({ "operationId": operation, "parameters": { *parameter: pointer } }))
                })
                .collect();
            answer["links"] = Value::Object(links);
        }
        responses.insert(status.to_string(), answer);
    }
    let mut errors: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for (status, description) in common_errors(route, op).into_iter().chain(op.errors.iter().copied()) {
        errors.entry(status).or_default().push(description);
    }
    for (status, descriptions) in errors {
        responses.insert(status.to_string(), error_answer(route, status, &descriptions.join("; ")));
    }
    let mut operation = json!({
        "operationId": operation_id,
        "tags": [tag_of(route)],
        "summary": op.summary,
        "parameters": parameters,
        "responses": responses,
    });
    if let Some(description) = op.description {
        operation["description"] = json!(description);
    }
    if let Some(body) = &op.body {
        let mut media = json!({ "schema": body });
        if let Some(example) = examples::request(route) {
            media["example"] = example;
        }
        operation["requestBody"] = json!({ "required": true, "content": { "application/json": media } });
    }
    operation["security"] = match route.access {
        Access::Secret => json!([{ "secretKey": [] }, { "keyAsBasicUser": [] }]),
        Access::Public => json!([{ "secretKey": [] }, { "publicKey": [] }, { "keyAsBasicUser": [] }]),
        Access::Admin => json!([{ "adminToken": [] }, { "keyAsBasicUser": [] }]),
        Access::Open => json!([]),
    };
    let mut rules: Vec<Value> =
        op.beyond_schema.iter().map(|(rule, status)| json!({ "rule": rule, "status": status })).collect();
    if route.method == http::Method::POST && route.access != Access::Open {
        rules.push(json!({ "rule": "an Idempotency-Key sent before with another request", "status": 422 }));
    }
    if !rules.is_empty() {
        operation["x-rules-beyond-schema"] = json!(rules);
    }
    operation
}

/// What is wrong with the operations' request examples: an operation with a body and no example, an example of an
/// operation without a body, or an example its operation's own reader refuses (the reader's answer). Empty when
/// every example is a request the server takes.
pub fn example_problems() -> Vec<String> {
    let mut problems = Vec::new();
    for (route, op) in operations() {
        match (examples::request(route), op.reader) {
            (Some(example), Some(reader)) => {
                if let Err(err) = reader(&example) {
                    problems.push(format!("{}: its example is refused: {}", route.function, err.body()));
                }
            }
            (None, Some(_)) => problems.push(format!("{}: takes a body and has no example", route.function)),
            (Some(_), None) => problems.push(format!("{}: has an example and takes no body", route.function)),
            (None, None) => {}
        }
    }
    problems
}

/// The document.
pub fn document() -> Value {
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let operations = operations();
    for (route, op) in &operations {
        let method = route.method.as_str().to_ascii_lowercase();
        let served = route.doc_paths();
        let count = served.len();
        for path in served {
            let id = operation_id(route, &path, count);
            let item = paths.entry(path).or_default();
            item.insert(method.clone(), operation_json(route, op, id));
            // An alias is the same path under a prefix: described once, with a server per prefix (and so fuzzed
            // once).
            if let Some(alias) = route.aliases.first() {
                let prefix = alias.strip_suffix(route.path).unwrap_or_default();
                let servers = json!([
                    { "url": "/", "description": "as the vendor's documents write the path" },
                    { "url": prefix, "description": "as the vendor's client writes it" },
                ]);
                item.insert("servers".into(), servers);
            }
        }
    }
    let limits = crate::config::Config::for_tests().limits();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Flows",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "One backend for MomoFlow's flow assignment, Flowdock's flows, SuperOffice's workflow agent and \
                 Frigade's flow states. Every answer carries X-Request-ID; every error is `{{\"error\", \"message\"}}` \
                 (see the Error schema). POSTs take an Idempotency-Key (kept 24 hours per organization, route and API \
                 key; only successful answers are kept, without secrets). Requests per minute: {} (standard), {} \
                 (enterprise), {} per admin token; the RateLimit headers say what is left. An unknown route is a \
                 404; a known path with another method a 405 with Allow.",
                limits.standard, limits.enterprise, limits.admin
            ),
        },
        "servers": [{ "url": "/", "description": "This deployment: the document's own address, without its path" }],
        "tags": TAGS.iter().map(|(name, description)| json!({ "name": name, "description": description })).collect::<Vec<_>>(),
        "paths": paths,
        "components": {
            "schemas": components(&operations),
            "securitySchemes": {
                "secretKey": { "type": "http", "scheme": "bearer", "description": "A secret API key (`sk_…`): every route of its organization" },
                "publicKey": { "type": "http", "scheme": "bearer", "description": "A public API key (`pk_…`), or a user token (`ut_…`, minted by the organization's server for one user: see `/v1/settings/user-tokens`): only `/v1/public/*`" },
                "adminToken": { "type": "http", "scheme": "bearer", "description": "The deployment's admin token: `/admin/*`" },
                "keyAsBasicUser": { "type": "http", "scheme": "basic", "description": "Any of the above as HTTP Basic's user name, with any password (as Flowdock's client sends it: `<key>:undefined`)" }
            },
            "parameters": {
                "X-Request-ID": {
                    "name": "X-Request-ID", "in": "header", "required": false,
                    "description": "Echoed in the answer's X-Request-ID when it is 1 to 128 visible ASCII characters; \
                                    otherwise, or when absent, the answer carries a fresh `req_…`",
                    "schema": { "type": "string" }
                },
                "Idempotency-Key": {
                    "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": "The same key and request within 24 hours answer the first answer again (`Idempotent-Replayed: true`)",
                    "schema": { "type": "string", "minLength": 1, "maxLength": idempotency::MAX_KEY_LEN, "pattern": "^[!-~]+$" }
                }
            },
            "headers": {
                "X-Request-ID": header("The caller's request id, or a fresh one", json!({ "type": "string" })),
                "Idempotent-Replayed": header("`true` on an answer given again for an Idempotency-Key", json!({ "type": "string", "enum": ["true"] })),
                "Retry-After": header("Seconds until the rate window ends", json!({ "type": "integer", "minimum": 1 })),
                "RateLimit-Policy": header("The window's quota: `\"minute\";q=<requests>;w=60`", json!({ "type": "string" })),
                "RateLimit": header("What is left of the window: `\"minute\";r=<remaining>;t=<seconds>`", json!({ "type": "string" })),
                "Allow": header("On a 405: the methods the path takes", json!({ "type": "string" })),
                "Flowdock-User": header("Flowdock's routes: the id of the user the key acts as", json!({ "type": "string", "pattern": "^[0-9]+$" }))
            }
        }
    })
}

/// The committed document (`openapi.json`, which a test holds equal to [`document`]), embedded at build time:
/// the function that serves it links none of the code that builds it.
const COMMITTED: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json"));

/// `GET /openapi.json`: the committed document.
pub async fn serve(_ctx: Ctx, _request: lambda_http::Request) -> Result<Response, ApiError> {
    Ok(crate::http::response::raw_json(StatusCode::OK, COMMITTED.to_vec()))
}
