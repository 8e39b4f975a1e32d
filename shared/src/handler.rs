//! What a handler is: a function from the request's context and the request to a response. The pipeline
//! ([`crate::dispatch`]) builds the context and calls the handler; [`crate::endpoints`] binds each route to its
//! handler. Both depend on this module, and it on neither.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::http::Response;
use crate::routes::Route;
use crate::state::AppState;

/// What a handler is given besides the request.
#[derive(Clone)]
pub struct Ctx {
    pub state: Arc<AppState>,
    pub request_id: String,
    /// Who the request acts for, and the gate its writes pass.
    pub caller: Arc<Caller>,
}

impl Ctx {
    /// The request's [`Act`] for a service that writes, with the handler's rendering of its result.
    pub fn act<'a, T>(&'a self, answer: &'a (dyn Fn(&T) -> Response + Sync)) -> Act<'a, T> {
        Act::new(&self.caller, answer)
    }
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<Response, ApiError>> + Send>>;
pub type Handler = fn(Ctx, lambda_http::Request) -> HandlerFuture;

/// A route and the handler that serves it.
pub struct Endpoint {
    pub route: &'static Route,
    pub handler: Handler,
}
