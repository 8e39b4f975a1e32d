//! SuperOffice's workflow agent (seed 002): `POST /v1/Agents/Workflow/<Method>`, also under `/api` (its client puts
//! `/api` in every path); PascalCase answers with enums by name, as its client reads them.

pub mod participants;
pub mod parts;
mod read;
pub mod workflow;
