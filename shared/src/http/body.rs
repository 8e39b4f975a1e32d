//! JSON request bodies: content type, size, syntax, then field by field, so that one 400 names every bad field.

use serde_json::{Map, Value};

use crate::error::{ApiError, Problems};

/// Largest request body accepted (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The request's body as a JSON object, after the checks every JSON endpoint makes.
pub fn json_object(request: &lambda_http::Request) -> Result<Map<String, Value>, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    let is_json = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::InvalidJson("Request body must be a JSON object".into()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::InvalidJson("Request body must be a JSON object".into())),
        Err(err) => Err(ApiError::InvalidJson(format!(
            "Request body is not valid JSON (line {}, column {})",
            err.line(),
            err.column()
        ))),
    }
}

/// Reads fields of a JSON object, collecting every problem instead of stopping at the first.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    pub problems: Problems,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map, prefix: String::new(), problems: Problems::new() }
    }

    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    /// The field, with `null` taken as absent.
    fn value(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        let name = self.name(field);
        self.problems.add(&name, problem);
    }

    /// A string field, parsed by `parse`; a missing required field, a wrong type or a failed parse is recorded.
    pub fn string<T>(
        &mut self,
        field: &str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match self.value(field) {
            None => {
                if required {
                    self.add(field, "is required");
                }
                None
            }
            Some(Value::String(s)) => match parse(s) {
                Ok(v) => Some(v),
                Err(problem) => {
                    self.add(field, problem);
                    None
                }
            },
            Some(_) => {
                self.add(field, "must be a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        match self.value(field) {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.add(field, "must be a boolean");
                None
            }
        }
    }

    pub fn integer(&mut self, field: &str, required: bool, range: std::ops::RangeInclusive<u64>) -> Option<u64> {
        match self.value(field) {
            None => {
                if required {
                    self.add(field, "is required");
                }
                None
            }
            Some(Value::Number(n)) => match n.as_u64().filter(|n| range.contains(n)) {
                Some(n) => Some(n),
                None => {
                    self.add(field, format!("must be a whole number from {} to {}", range.start(), range.end()));
                    None
                }
            },
            Some(_) => {
                self.add(field, "must be a number");
                None
            }
        }
    }

    /// A nested object, read with the same rules; its problems are named `field.inner`.
    pub fn object<T>(&mut self, field: &str, required: bool, read: impl FnOnce(&mut Fields<'a>) -> T) -> Option<T> {
        match self.value(field) {
            None => {
                if required {
                    self.add(field, "is required");
                }
                None
            }
            Some(Value::Object(inner)) => {
                let mut nested = Fields {
                    map: inner,
                    prefix: format!("{}{field}.", self.prefix),
                    problems: std::mem::take(&mut self.problems),
                };
                let out = read(&mut nested);
                self.problems = nested.problems;
                Some(out)
            }
            Some(_) => {
                self.add(field, "must be an object");
                None
            }
        }
    }

    /// An array of objects, each read with the same rules; problems are named `field[i].inner`.
    pub fn array<T>(
        &mut self,
        field: &str,
        max_len: usize,
        mut read: impl FnMut(&mut Fields<'a>) -> Option<T>,
    ) -> Option<Vec<T>> {
        match self.value(field) {
            None => None,
            Some(Value::Array(items)) if items.len() > max_len => {
                self.add(field, format!("must have at most {max_len} items"));
                None
            }
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let Value::Object(inner) = item else {
                        self.add(&format!("{field}[{i}]"), "must be an object");
                        continue;
                    };
                    let mut nested = Fields {
                        map: inner,
                        prefix: format!("{}{field}[{i}].", self.prefix),
                        problems: std::mem::take(&mut self.problems),
                    };
                    let value = read(&mut nested);
                    self.problems = nested.problems;
                    out.extend(value);
                }
                Some(out)
            }
            Some(_) => {
                self.add(field, "must be an array");
                None
            }
        }
    }

    /// `Ok(())` when every field read well, else the validation error naming each bad one.
    pub fn finish(self) -> Result<(), ApiError> {
        self.problems.finish()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(content_type: Option<&str>, body: &str) -> lambda_http::Request {
        let mut b = http::Request::builder().method("POST").uri("/x");
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        b.body(lambda_http::Body::from(body.to_owned())).unwrap()
    }

    #[test]
    fn body_checks_come_in_order() {
        assert!(matches!(json_object(&request(None, "{}")), Err(ApiError::UnsupportedMediaType)));
        assert!(matches!(json_object(&request(Some("text/plain"), "{}")), Err(ApiError::UnsupportedMediaType)));
        assert!(matches!(json_object(&request(Some("application/json"), "{")), Err(ApiError::InvalidJson(_))));
        assert!(matches!(json_object(&request(Some("application/json"), "[1]")), Err(ApiError::InvalidJson(_))));
        assert!(matches!(json_object(&request(Some("application/json"), "")), Err(ApiError::InvalidJson(_))));
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        assert!(matches!(json_object(&request(Some("application/json"), &big)), Err(ApiError::PayloadTooLarge { .. })));
        assert!(json_object(&request(Some("application/json; charset=utf-8"), "{\"a\":1}")).is_ok());
    }

    #[test]
    fn fields_collect_every_problem_with_nested_names() {
        let body = json!({"a": 1, "n": {"x": true}, "list": [{"id": 5}, 3]});
        let map = body.as_object().unwrap();
        let mut f = Fields::new(map);
        assert!(f.string("a", true, |s| Ok::<_, String>(s.to_owned())).is_none());
        assert!(f.string("missing", true, |s| Ok::<_, String>(s.to_owned())).is_none());
        f.object("n", true, |n| n.string("x", true, |s| Ok::<_, String>(s.to_owned())));
        f.array("list", 10, |item| item.string("id", true, |s| Ok::<_, String>(s.to_owned())));
        let Err(ApiError::Validation(errors)) = f.finish() else { panic!("expected validation") };
        let names: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(names, ["a", "list[0].id", "list[1]", "missing", "n.x"]);
    }
}
