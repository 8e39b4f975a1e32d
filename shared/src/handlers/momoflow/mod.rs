//! MomoFlow's flow assignment (seed 000): `POST /v1/flows/assign` answers the seed's body; `GET
//! /v1/assignments/{assignmentId}` reads one back. camelCase fields, RFC 3339 times, the seed's error bodies.

pub mod assignments;
pub mod views;
