//! Parsing and checking of the derive input, kept apart from emission.

pub mod ast;
pub mod attr;
pub mod check;
pub mod ctxt;
pub mod symbol;
