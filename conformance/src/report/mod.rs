//! Reports: each reads the same results; none of them runs anything.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
