//! The one error type. Every failure a caller can see is an [`ApiError`], and every [`ApiError`] renders the
//! same way: `{"error": "<code>", "message": "<sentence>"}`, plus `errors` for validation failures and
//! `retry_after` for rate limits. Internal failures are logged with their cause and answered with a generic
//! sentence, so nothing about the implementation leaks into a response.

use std::collections::BTreeMap;

use http::{HeaderValue, StatusCode};
use serde_json::{json, Value};

/// Field name → the problems found with it, rendered as `"errors": {"field": ["..."]}`.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Invalid or missing API key")]
    Unauthorized,
    /// A user token of the right form that does not authenticate this request (a 401 saying why).
    #[error("{0}")]
    TokenRefused(&'static str),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("Method {method} is not allowed on this resource")]
    MethodNotAllowed { method: String, allow: Vec<String> },
    #[error("{message}")]
    Conflict { message: String, details: Option<Value> },
    #[error("Request body must not exceed {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// What a request would store is too large, though its body is not (a 413 saying what).
    #[error("{0}")]
    TooLarge(String),
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// The local server's answer to a body that did not arrive in time (API Gateway answers its own).
    #[error("The request body did not arrive within {seconds} seconds")]
    RequestTimeout { seconds: u64 },
    #[error("{0}")]
    InvalidJson(String),
    #[error("Request validation failed")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("This Idempotency-Key was already used with a different request")]
    IdempotencyMismatch,
    #[error("Too many requests. Please try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    #[error("The service is busy. Please try again shortly")]
    Unavailable,
    /// A method a client library has that this system does not offer.
    #[error("{0}")]
    NotImplemented(String),
    #[error("An internal error occurred")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound(message.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into(), details: None }
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// A validation error on one field.
    pub fn field(field: &str, problem: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![problem.into()]);
        Self::Validation(errors)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized | Self::TokenRefused(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } | Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::InvalidJson(_) | Self::Validation(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::IdempotencyMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthorized | Self::TokenRefused(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Conflict { .. } => "conflict",
            Self::PayloadTooLarge { .. } | Self::TooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RequestTimeout { .. } => "request_timeout",
            Self::InvalidJson(_) => "invalid_json",
            Self::Validation(_) => "validation_error",
            Self::BadRequest(_) => "bad_request",
            Self::IdempotencyMismatch => "idempotency_key_reused",
            Self::RateLimited { .. } => "rate_limit_exceeded",
            Self::Unavailable => "service_unavailable",
            Self::NotImplemented(_) => "not_implemented",
            Self::Internal(_) => "internal_error",
        }
    }

    /// The JSON body of this error.
    pub fn body(&self) -> Value {
        let mut body = json!({ "error": self.code(), "message": self.to_string() });
        match self {
            Self::Validation(errors) => body["errors"] = json!(errors),
            Self::RateLimited { retry_after } => body["retry_after"] = json!(retry_after),
            Self::Conflict { details: Some(details), .. } => {
                if let (Some(body), Some(details)) = (body.as_object_mut(), details.as_object()) {
                    body.extend(details.clone());
                }
            }
            _ => {}
        }
        body
    }

    /// Headers this error adds to its response (`Allow`, `Retry-After`).
    pub fn headers(&self) -> Vec<(http::header::HeaderName, HeaderValue)> {
        match self {
            Self::MethodNotAllowed { allow, .. } => {
                HeaderValue::from_str(&allow.join(", ")).map(|v| vec![(http::header::ALLOW, v)]).unwrap_or_default()
            }
            Self::RateLimited { retry_after } => vec![(http::header::RETRY_AFTER, HeaderValue::from(*retry_after))],
            _ => Vec::new(),
        }
    }
}

/// The most problems a validation error names for one field.
pub const MAX_PROBLEMS_PER_FIELD: usize = 5;
/// The most fields a validation error names.
pub const MAX_FIELDS: usize = 100;

/// Collects validation problems field by field, so that one response names every bad field at once.
#[derive(Debug, Default)]
pub struct Problems(FieldErrors);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem; at most [`MAX_PROBLEMS_PER_FIELD`] per field and [`MAX_FIELDS`] fields are kept, so that
    /// a huge bad input cannot make a huge answer.
    pub fn add(&mut self, field: &str, problem: impl Into<String>) {
        if self.0.len() >= MAX_FIELDS && !self.0.contains_key(field) {
            return;
        }
        let problems = self.0.entry(field.to_owned()).or_default();
        if problems.len() < MAX_PROBLEMS_PER_FIELD {
            problems.push(problem.into());
        }
    }

    /// Records the error of a parse, if any, and returns the value if there was one.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.add(field, problem);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was found, else the validation error naming every field.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_renders_the_seed_body() {
        let body = ApiError::Unauthorized.body();
        assert_eq!(body, json!({"error": "unauthorized", "message": "Invalid or missing API key"}));
        assert_eq!(ApiError::Unauthorized.status(), 401);
    }

    #[test]
    fn rate_limit_renders_retry_after_in_body_and_header() {
        let err = ApiError::RateLimited { retry_after: 60 };
        assert_eq!(
            err.body(),
            json!({"error": "rate_limit_exceeded", "message": "Too many requests. Please try again in 60 seconds", "retry_after": 60})
        );
        assert_eq!(err.headers()[0].1, "60");
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::internal("dynamodb exploded at table xyz");
        let text = err.body().to_string();
        assert!(!text.contains("dynamodb"), "{text}");
        assert_eq!(err.status(), 500);
    }

    #[test]
    fn problems_name_every_field() {
        let mut p = Problems::new();
        p.add("userEmail", "is not a valid email address");
        p.add("priority", "must be one of low, medium, high");
        let Err(err) = p.finish() else { panic!("expected an error") };
        assert_eq!(err.body()["errors"]["priority"][0], "must be one of low, medium, high");
        assert_eq!(err.body()["errors"]["userEmail"][0], "is not a valid email address");
    }
}
