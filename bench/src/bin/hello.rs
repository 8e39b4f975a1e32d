//! The baseline: a hello-world `lambda_http` function, built with the same profile as ours in the same run.

use std::convert::Infallible;

use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_request: Request| async {
        let mut response = Response::new(Body::from("{\"hello\":\"world\"}"));
        response.headers_mut().insert("content-type", "application/json".parse().expect("a header value"));
        Ok::<_, Infallible>(response)
    }))
    .await
}
