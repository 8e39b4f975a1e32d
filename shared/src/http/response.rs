use http::{HeaderValue, StatusCode};
use lambda_http::Body;
use serde::Serialize;

use crate::error::ApiError;

pub type Response = http::Response<Body>;

/// A JSON response with `status`.
pub fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => raw_json(status, bytes),
        Err(err) => error(&ApiError::internal(err)),
    }
}

pub fn raw_json(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = http::Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}

/// The one rendering of every error.
pub fn error(err: &ApiError) -> Response {
    let mut response = raw_json(err.status(), err.body().to_string().into_bytes());
    for (name, value) in err.headers() {
        response.headers_mut().insert(name, value);
    }
    response
}

/// A 204 with no body.
pub fn no_content() -> Response {
    let mut response = http::Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
