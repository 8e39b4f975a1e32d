//! CORS for the routes browsers call: a preflight without a key, and the real answer's headers as the
//! organization's allowed origins decide (any origin by default).

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    a_preflight_allows_the_sdks_headers_and_the_paths_methods,
    a_real_cross_origin_answer_names_any_origin_by_default,
    configured_origins_decide_who_may_read_the_answers,
    bad_cors_settings_are_400s,
);

const SDK_HEADERS: &str = "authorization,content-type,x-frigade-sdk-version,x-frigade-sdk-platform";

async fn a_preflight_allows_the_sdks_headers_and_the_paths_methods(backend: Backend) {
    // GIVEN a server
    let server = TestServer::start(backend).await;

    // WHEN a browser sends the preflight of the SDK's POST, without a key, and one for a path no route has
    let headers = [
        ("origin", "https://app.example.com"),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", SDK_HEADERS),
    ];
    let preflight = server.send("OPTIONS", "/v1/public/flowStates", None, None, &headers).await;
    let unknown = server.send("OPTIONS", "/v1/public/nothing", None, None, &headers).await;

    // THEN it is a 204 allowing the path's methods and, by name, the SDK's headers; the unknown path is a 404
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(preflight.header("access-control-allow-methods"), Some("GET, POST"));
    let allowed = preflight.header("access-control-allow-headers").unwrap_or_default();
    for header in SDK_HEADERS.split(',') {
        assert!(allowed.split(", ").any(|h| h == header), "{header} in {allowed}");
    }
    assert!(preflight.header("access-control-allow-credentials").is_none());
    assert!(preflight.header("access-control-max-age").is_some());
    assert_eq!(unknown.status, 404);
}

async fn a_real_cross_origin_answer_names_any_origin_by_default(backend: Backend) {
    // GIVEN an organization that set no origins
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a page calls a public route, then with a bad key, and a secret route
    let origin = [("origin", "https://app.example.com")];
    let body = json!({"userId": "u-1"});
    let real = server.send("POST", "/v1/public/flowStates", Some(&org.public), Some(&body), &origin).await;
    let unauthorized = server.send("POST", "/v1/public/flowStates", Some("nonsense"), Some(&body), &origin).await;
    let secret_route = server.send("GET", "/v1/users", Some(&org.secret), None, &origin).await;

    // THEN the public answers allow any origin (the 401 too, so the page can read why) and expose the request id;
    // the secret route carries no CORS header at all
    assert_eq!(real.status, 200, "{:?}", real.body);
    assert_eq!(real.header("access-control-allow-origin"), Some("*"));
    assert!(real.header("access-control-expose-headers").unwrap_or_default().contains("x-request-id"));
    assert_eq!(unauthorized.status, 401);
    assert_eq!(unauthorized.header("access-control-allow-origin"), Some("*"));
    assert!(secret_route.header("access-control-allow-origin").is_none());
}

async fn configured_origins_decide_who_may_read_the_answers(backend: Backend) {
    // GIVEN an organization that allows one origin
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let set = json!({"allowedOrigins": ["https://app.example.com", "https://app.example.com"]});
    let changed = server.send("PUT", "/v1/settings/cors", Some(&org.secret), Some(&set), &[]).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body, json!({"allowedOrigins": ["https://app.example.com"]}));
    assert_eq!(server.get("/v1/settings/cors", &org.secret).await.body, changed.body);

    // WHEN pages of that origin and of another call a public route
    let body = json!({"userId": "u-1"});
    let listed = server
        .send("POST", "/v1/public/flowStates", Some(&org.public), Some(&body), &[("origin", "https://app.example.com")])
        .await;
    let other = server
        .send("POST", "/v1/public/flowStates", Some(&org.public), Some(&body), &[("origin", "https://evil.example")])
        .await;

    // THEN the listed origin is named (with Vary: Origin), the other gets no allowance (the browser keeps the answer)
    assert_eq!(listed.header("access-control-allow-origin"), Some("https://app.example.com"));
    assert!(listed.header("vary").unwrap_or_default().contains("origin"));
    assert_eq!(other.status, 200);
    assert!(other.header("access-control-allow-origin").is_none());
    // AND an empty list allows any origin again; a member may not change it
    let reset =
        server.send("PUT", "/v1/settings/cors", Some(&org.secret), Some(&json!({"allowedOrigins": []})), &[]).await;
    assert_eq!(reset.body, json!({"allowedOrigins": []}));
    let again = server
        .send("POST", "/v1/public/flowStates", Some(&org.public), Some(&body), &[("origin", "https://evil.example")])
        .await;
    assert_eq!(again.header("access-control-allow-origin"), Some("*"));
}

async fn bad_cors_settings_are_400s(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let too_many: Vec<String> = (0..21).map(|i| format!("https://a{i}.example")).collect();
    for body in [
        json!({}),
        json!({"allowedOrigins": "https://a.example"}),
        json!({"allowedOrigins": ["https://a.example/path"]}),
        json!({"allowedOrigins": ["*"]}),
        json!({"allowedOrigins": [1]}),
        json!({"allowedOrigins": too_many}),
    ] {
        let reply = server.send("PUT", "/v1/settings/cors", Some(&org.secret), Some(&body), &[]).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
    }
    assert_eq!(server.get("/v1/settings/cors", &org.secret).await.body, json!({"allowedOrigins": []}));
}
