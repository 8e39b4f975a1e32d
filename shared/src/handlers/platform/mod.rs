//! The project's own management API, in MomoFlow's conventions (camelCase, RFC 3339 times): the bootstrap of an
//! organization (`/admin/organizations`, admin token), its people (`/v1/users`, shown as Flowdock users), its API
//! keys (`/v1/api-keys`), the origins browsers may call its public routes from (`/v1/settings/cors`), and its
//! webhook endpoints with their delivery log (`/v1/webhooks`).

pub mod admin;
pub mod api_keys;
pub mod settings;
pub mod users;
pub mod views;
pub mod webhooks;
