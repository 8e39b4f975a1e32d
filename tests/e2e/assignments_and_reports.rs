//! MomoFlow's assignment list (filters, cursor pages), cancellation, and flow reports checked against figures
//! computed by hand.

use flows_shared::model::{
    Assignment, AssignmentId, AssignmentStatus, Email, FlowId, FlowState, OrgId, StepProgress, Timestamp, UserId,
};
use flows_shared::store::ports::*;
use flows_shared::store::ProgressWrite;
use flows_testkit::{Backend, Org, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    assignments_are_listed_in_pages_with_filters,
    bad_list_parameters_are_400s,
    a_cancelled_assignment_is_closed_for_good,
    reports_figures_match_hand_computed_ones,
    bad_report_requests_are_4xx,
);

async fn people(server: &TestServer, org: &Org, emails: &[&str]) {
    for (i, email) in emails.iter().enumerate() {
        let person = json!({"email": email, "name": format!("Person {i}"), "externalId": format!("crm-{i}")});
        assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    }
}

async fn assign(server: &TestServer, org: &Org, flow: &str, email: &str, due: Option<&str>) -> String {
    let mut body = json!({"flowId": flow, "userEmail": email});
    if let Some(due) = due {
        body["dueDate"] = json!(due);
    }
    let reply = server.post("/v1/flows/assign", &org.secret, body).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["assignmentId"].as_str().unwrap().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|a| a["assignmentId"].as_str().unwrap().to_owned()).collect()
}

async fn assignments_are_listed_in_pages_with_filters(backend: Backend) {
    // GIVEN three assignments of one flow, one of them to ann, and a member's key for ann
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    people(&server, &org, &["ann@company.com", "bob@company.com"]).await;
    let mut made = Vec::new();
    for email in ["employee@company.com", "ann@company.com", "bob@company.com"] {
        made.push(assign(&server, &org, &flow, email, None).await);
    }

    // WHEN the list is read two at a time
    let first = server.get("/v1/assignments?limit=2", &org.secret).await;
    let cursor = first.body["nextCursor"].as_str().expect("a next page").to_owned();
    let second = server.get(&format!("/v1/assignments?limit=2&cursor={cursor}"), &org.secret).await;

    // THEN all three come, each once, and the last page has no next
    assert_eq!(first.status, 200, "{:?}", first.body);
    let mut seen = [ids(&first.body), ids(&second.body)].concat();
    assert_eq!(second.body["nextCursor"], Value::Null);
    seen.sort();
    made.sort();
    assert_eq!(seen, made);
    // AND the filters select
    let ann = server.get("/v1/assignments?userEmail=ANN@company.com", &org.secret).await;
    assert_eq!(ann.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(ann.body["items"][0]["userEmail"], "ann@company.com");
    let by_flow = server.get(&format!("/v1/assignments?flowId={flow}&status=assigned"), &org.secret).await;
    assert_eq!(by_flow.body["items"].as_array().unwrap().len(), 3);
    let started = server.get("/v1/assignments?status=started", &org.secret).await;
    assert_eq!(started.body["items"], json!([]));
    let nobody = server.get("/v1/assignments?userEmail=nobody@company.com", &org.secret).await;
    assert_eq!((nobody.status.as_u16(), nobody.body["items"].clone()), (200, json!([])));
    // AND a member's key reads only its own user's
    let users = server.get("/v1/users", &org.secret).await.body;
    let ann_id =
        users["items"].as_array().unwrap().iter().find(|u| u["email"] == "ann@company.com").unwrap()["id"].clone();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": ann_id})).await;
    let ann_key = key.body["key"].as_str().unwrap();
    let own = server.get("/v1/assignments", ann_key).await;
    assert_eq!(own.body["items"].as_array().unwrap().len(), 1, "{:?}", own.body);
    let others = server.get("/v1/assignments?userEmail=bob@company.com", ann_key).await;
    assert_eq!(others.body["items"], json!([]));
}

async fn bad_list_parameters_are_400s(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("cursor=bm9wZQ", "cursor"),
        ("cursor=%25%25", "cursor"),
        ("status=done", "status"),
        ("userEmail=not-an-email", "userEmail"),
    ] {
        let reply = server.get(&format!("/v1/assignments?{query}"), &org.secret).await;
        assert_eq!(reply.status, 400, "{query}: {:?}", reply.body);
        assert!(reply.body["errors"][field].is_array(), "{query}: {:?}", reply.body);
    }
}

async fn a_cancelled_assignment_is_closed_for_good(backend: Backend) {
    // GIVEN a due assignment to a person Frigade knows as crm-0, and the flow open to the organization
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let open = json!({"access_mode": "organization"});
    assert_eq!(server.send("PUT", &format!("/v1/flows/{flow}"), Some(&org.secret), Some(&open), &[]).await.status, 200);
    people(&server, &org, &["ann@company.com"]).await;
    let id = assign(&server, &org, &flow, "ann@company.com", Some("2099-01-01")).await;

    // WHEN it is cancelled, twice
    let path = format!("/v1/assignments/{id}");
    let cancelled = server.send("DELETE", &path, Some(&org.secret), None, &[]).await;
    let again = server.send("DELETE", &path, Some(&org.secret), None, &[]).await;

    // THEN it is cancelled, the same both times
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert!(cancelled.body["cancelledAt"].is_string());
    assert_eq!(again.status, 200);
    assert_eq!(again.body, cancelled.body);
    // AND later progress changes nothing about it
    let done = json!({"userId": "crm-0", "flowSlug": flow, "actionType": "COMPLETED_FLOW"});
    assert_eq!(server.post("/v1/public/flowStates", &org.public, done).await.status, 200);
    assert_eq!(server.get(&path, &org.secret).await.body["status"], "cancelled");
    // AND the flow may be assigned to the person again; a completed assignment cannot be cancelled
    let next = assign(&server, &org, &flow, "ann@company.com", None).await;
    let complete = json!({"userId": "crm-0", "flowSlug": flow, "actionType": "NOT_STARTED_FLOW"});
    server.post("/v1/public/flowStates", &org.public, complete).await;
    let complete = json!({"userId": "crm-0", "flowSlug": flow, "actionType": "COMPLETED_FLOW"});
    server.post("/v1/public/flowStates", &org.public, complete).await;
    assert_eq!(server.get(&format!("/v1/assignments/{next}"), &org.secret).await.body["status"], "completed");
    let refused = server.send("DELETE", &format!("/v1/assignments/{next}"), Some(&org.secret), None, &[]).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    let missing =
        server.send("DELETE", "/v1/assignments/asgn_000000000000000000000000", Some(&org.secret), None, &[]).await;
    assert_eq!(missing.status, 404);
}

/// An assignment of `flow` made at `day` (2030-01-<day>) to user `user`, in `status`, completed `took` seconds
/// after it was made.
fn historic(org: OrgId, flow: &FlowId, user: u64, day: u32, status: AssignmentStatus, took: Option<i64>) -> Assignment {
    let at = Timestamp::parse_iso8601(&format!("2030-01-{day:02}T00:00:00Z")).unwrap();
    Assignment {
        id: AssignmentId::generate(),
        org_id: org,
        flow_id: flow.clone(),
        user_id: UserId(user),
        user_email: Email::parse(&format!("u{user}@company.com")).unwrap(),
        user_external_id: None,
        due_date: Some(at.plus_seconds(86_400)),
        priority: None,
        notes: None,
        status,
        assigned_at: at,
        assigned_by: UserId(1),
        started_at: took.map(|_| at),
        completed_at: took.map(|s| at.plus_seconds(s)),
        late: false,
        cancelled_at: (status == AssignmentStatus::Cancelled).then_some(at),
    }
}

async fn reports_figures_match_hand_computed_ones(backend: Backend) {
    // GIVEN a flow's history: completed in 100 s and in 300 s, one started, one overdue, one cancelled; the first
    // person has completed two steps
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let flow_id = FlowId::parse(&flow).unwrap();
    let history = [
        historic(org.id, &flow_id, 101, 1, AssignmentStatus::Completed, Some(100)),
        historic(org.id, &flow_id, 102, 2, AssignmentStatus::Completed, Some(300)),
        historic(org.id, &flow_id, 103, 3, AssignmentStatus::Started, None),
        historic(org.id, &flow_id, 104, 4, AssignmentStatus::Overdue, None),
        historic(org.id, &flow_id, 105, 5, AssignmentStatus::Cancelled, None),
    ];
    server.state.store.import_assignments(&history).await.unwrap();
    let flow_read = server.state.store.get_flow(org.id, &flow_id).await.unwrap().unwrap();
    let done = |id: &str| StepProgress { id: id.into(), started: true, completed: true, ..Default::default() };
    let state = FlowState {
        steps: vec![done("welcome"), done("tools")],
        revision: 1,
        ..FlowState::new(&flow_read, UserId(101))
    };
    let write = ProgressWrite { external_id: None, state: &state, expected: 0, assignment: None, events: &[] };
    server.state.store.write_progress(&write).await.unwrap();
    let report = |body: Value| {
        let server = &server;
        let key = org.secret.clone();
        async move { server.post("/v1/flows/report", &key, body).await }
    };

    // WHEN the whole flow is reported, a date range, a status, and the details
    let whole = report(json!({"flowId": flow})).await;
    let range = report(json!({"flowId": flow, "startDate": "2030-01-02T00:00:00Z", "endDate": "2030-01-03"})).await;
    let overdue = report(json!({"flowId": flow, "status": "overdue"})).await;
    let detailed = report(json!({"flowId": flow, "detailed": true})).await;

    // THEN the figures are the hand-computed ones: 4 counted (the cancelled one never), 2 completed, 200 s, 0.5
    assert_eq!(whole.status, 200, "{:?}", whole.body);
    assert_eq!(
        whole.body["metrics"],
        json!({"totalAssignments": 4, "completedAssignments": 2, "averageCompletionTime": 200, "completionRate": 0.5})
    );
    assert!(whole.body.get("assignments").is_none());
    // AND the 2nd and 3rd alone: 2, 1 completed in 300 s, 0.5
    assert_eq!(
        range.body["metrics"],
        json!({"totalAssignments": 2, "completedAssignments": 1, "averageCompletionTime": 300, "completionRate": 0.5})
    );
    // AND the overdue one alone: nothing completed
    assert_eq!(
        overdue.body["metrics"],
        json!({"totalAssignments": 1, "completedAssignments": 0, "averageCompletionTime": null, "completionRate": 0.0})
    );
    // AND the details, oldest first, in MomoFlow's words, with the steps completed
    let lines = detailed.body["assignments"].as_array().unwrap();
    let statuses: Vec<&str> = lines.iter().map(|l| l["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["completed", "completed", "in_progress", "overdue"]);
    assert_eq!(lines[0]["assigneeEmail"], "u101@company.com");
    assert_eq!(lines[0]["completedModules"], 2);
    assert_eq!(lines[1]["completedModules"], 0);
    assert_eq!(lines[0]["completedAt"], "2030-01-01T00:01:40Z");
    assert_eq!(lines[0]["assignedAt"], "2030-01-01T00:00:00Z");
    assert_eq!(lines[0]["dueDate"], "2030-01-02T00:00:00Z");
    assert_eq!(lines[2]["completedAt"], Value::Null);
}

async fn bad_report_requests_are_4xx(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    for (body, status, field) in [
        (json!({}), 400, Some("flowId")),
        (json!({"flowId": flow, "status": "late"}), 400, Some("status")),
        (json!({"flowId": flow, "startDate": "yesterday"}), 400, Some("startDate")),
        (json!({"flowId": flow, "startDate": "2030-01-02", "endDate": "2030-01-01"}), 400, Some("endDate")),
        (json!({"flowId": flow, "detailed": "yes"}), 400, Some("detailed")),
        (json!({"flowId": "0000000000000000"}), 404, None),
        (json!({"flowId": "not a flow"}), 404, None),
    ] {
        let reply = server.post("/v1/flows/report", &org.secret, body.clone()).await;
        assert_eq!(reply.status.as_u16(), status, "{body}: {:?}", reply.body);
        if let Some(field) = field {
            assert!(reply.body["errors"][field].is_array(), "{body}: {:?}", reply.body);
        }
    }
}
