//! Properties of the parsers every input goes through: no input makes one panic, and a value that renders parses
//! back to itself.

use flows_shared::http::{json_object, read_input, Input};
use flows_shared::model::{AssignmentId, DeliveryId, Email, FlowId, KeyId, Slug, Text, Timestamp, WebhookId};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn emails_never_panic_and_round_trip(raw in "\\PC{0,300}") {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
            prop_assert!(email.as_str().len() <= Email::MAX_LEN);
        }
    }

    #[test]
    fn plausible_emails_round_trip(local in "[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
        let raw = format!("{local}@{domain}");
        let email = Email::parse(&raw).unwrap();
        prop_assert_eq!(email.key(), raw.to_ascii_lowercase());
    }

    #[test]
    fn timestamps_never_panic_and_round_trip(raw in "\\PC{0,80}") {
        if let Ok(at) = Timestamp::parse_iso8601(&raw) {
            prop_assert_eq!(Timestamp::parse_iso8601(&at.to_rfc3339()).unwrap(), at);
        }
    }

    #[test]
    fn rfc3339_times_of_any_offset_parse_within_the_range_or_are_refused(
        year in 0i32..=9999, month in 1u8..=12, day in 1u8..=28, hour in 0u8..=23, minute in 0u8..=59,
        second in 0u8..=59, offset_hours in -23i8..=23, offset_minutes in 0u8..=59, date_only in any::<bool>(),
    ) {
        let raw = if date_only {
            format!("{year:04}-{month:02}-{day:02}")
        } else {
            let sign = if offset_hours < 0 { '-' } else { '+' };
            format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{sign}{:02}:{offset_minutes:02}",
                offset_hours.unsigned_abs()
            )
        };
        match Timestamp::parse_iso8601(&raw) {
            Ok(at) => {
                let rendered = at.to_rfc3339();
                prop_assert_eq!(Timestamp::parse_iso8601(&rendered).unwrap(), at);
                let year: i32 = rendered[..4].parse().unwrap();
                prop_assert!((1970..=9999).contains(&year), "{}", rendered);
            }
            Err(problem) => prop_assert!(!problem.is_empty()),
        }
    }

    #[test]
    fn slugs_never_panic_and_names_always_make_valid_slugs(raw in "\\PC{0,200}") {
        if let Ok(slug) = Slug::parse(&raw) {
            prop_assert_eq!(Slug::parse(slug.as_str()).unwrap(), slug);
        }
        let derived = Slug::from_name(&raw, "flow");
        prop_assert!(Slug::parse(derived.as_str()).is_ok(), "{:?}", derived);
    }

    #[test]
    fn texts_never_panic_and_round_trip(raw in "\\PC{0,300}") {
        if let Ok(text) = Text::<100>::parse(&raw) {
            prop_assert!(text.as_str().chars().count() <= 100);
            prop_assert_eq!(Text::<100>::parse(text.as_str()).unwrap(), text);
        }
    }

    #[test]
    fn ids_never_panic_and_round_trip(raw in "\\PC{0,40}") {
        if let Ok(id) = AssignmentId::parse(&raw) { prop_assert_eq!(AssignmentId::parse(id.as_str()).unwrap(), id); }
        if let Ok(id) = FlowId::parse(&raw) { prop_assert_eq!(FlowId::parse(id.as_str()).unwrap(), id); }
        if let Ok(id) = WebhookId::parse(&raw) { prop_assert_eq!(WebhookId::parse(id.as_str()).unwrap(), id); }
        if let Ok(id) = KeyId::parse(&raw) { prop_assert_eq!(KeyId::parse(id.as_str()).unwrap(), id); }
        if let Ok(id) = DeliveryId::parse(&raw) { prop_assert_eq!(DeliveryId::parse(id.as_str()).unwrap(), id); }
    }

    #[test]
    fn generated_ids_always_parse(_n in 0u8..10) {
        let a = AssignmentId::generate();
        prop_assert_eq!(AssignmentId::parse(a.as_str()).unwrap(), a);
        let d = DeliveryId::new(1_795_521_600_000);
        prop_assert_eq!(DeliveryId::parse(d.as_str()).unwrap(), d);
    }

    #[test]
    fn json_bodies_never_panic(body in "\\PC{0,400}", content_type in prop::sample::select(vec!["application/json", "text/plain", "application/problem+json", ""])) {
        let mut request = http::Request::builder().method("POST").uri("/x");
        if !content_type.is_empty() {
            request = request.header("content-type", content_type);
        }
        let request = request.body(lambda_http::Body::from(body)).unwrap();
        if let Ok(map) = json_object(&request) {
            let _ = read_input::<Probe>(&map);
        }
    }

    #[test]
    fn json_values_of_any_shape_read_without_panic(value in json_value()) {
        if let serde_json::Value::Object(map) = value {
            let _ = read_input::<Probe>(&map);
        }
    }
}

/// An input with a field of every kind the readers know.
#[allow(dead_code)]
struct Probe {
    name: Option<Text<10>>,
    email: Option<Email>,
    when: Option<Timestamp>,
    count: Option<u64>,
    flag: Option<bool>,
    items: Vec<ProbeItem>,
}

#[allow(dead_code)]
struct ProbeItem {
    id: Text<5>,
}

impl Input for ProbeItem {
    fn read(f: &mut flows_shared::http::Fields<'_>) -> Option<Self> {
        let id = f.string("id", flows_shared::http::Need::Required);
        Some(Self { id: id? })
    }
}

impl Input for Probe {
    fn read(f: &mut flows_shared::http::Fields<'_>) -> Option<Self> {
        use flows_shared::http::Need::Optional;
        let name = f.string("name", Optional);
        let email = f.string("email", Optional);
        let when = f.string("when", Optional);
        let count = f.integer("count", Optional, 0..=100);
        let flag = f.boolean("flag", Optional);
        let items = f.array("items", Optional, 3, ProbeItem::read).unwrap_or_default();
        Some(Self { name, email, when, count, flag, items })
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(serde_json::Value::Number)),
        any::<i64>().prop_map(|n| serde_json::Value::Number(n.into())),
        "\\PC{0,20}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec!["name", "email", "when", "count", "flag", "items", "id", "other"]),
                inner,
                0..6
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}
