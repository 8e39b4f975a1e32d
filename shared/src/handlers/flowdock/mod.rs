//! Flowdock's flows (seed 001): `/flows/*`, snake_case, organizations and users as Flowdock shows them. A flow
//! also carries Frigade's content (`flowType`, ordered `steps`, `version`), so that it has something to assign.

pub mod flows;
pub mod organizations;
pub mod views;
