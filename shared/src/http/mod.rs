//! HTTP plumbing shared by every handler: request ids, JSON bodies, typed inputs read field by field (with their
//! schemas), and responses.

pub mod body;
pub mod fields;
pub mod page;
pub mod request_id;
pub mod response;
pub mod superoffice;
pub mod values;

pub use body::json_object;
pub use fields::{read_input, Fields, Input, Json, Need, StrValue};
pub use response::{json, no_content, Response};
