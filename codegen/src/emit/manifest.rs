//! `schemas/<name>.manifest.json`: the model itself, for tools that do not compile Rust.

use super::{Artifact, stem, to_json};
use crate::error::Error;
use contact_schema::ResourceModel;

/// The manifest artifact: the model serialised as JSON, readable back as a `ResourceModel`.
pub fn emit(model: &ResourceModel) -> Result<Artifact, Error> {
    Ok(Artifact::new(
        format!("{}.manifest.json", stem(model)),
        to_json("the manifest", model)?,
    ))
}
