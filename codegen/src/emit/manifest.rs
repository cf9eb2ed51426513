//! `schemas/api.manifest.json`: the whole API's model, for tools that do not
//! compile Rust (the conformance runner and the reference server read it).

use super::{Artifact, to_json};
use crate::error::Error;
use resource_model::ValidApi;

/// The manifest's path under the output directory.
pub const PATH: &str = "api.manifest.json";

/// The manifest artifact: the API serialised as JSON, readable back as an
/// `ApiModel` (then validated again by whoever reads it).
pub fn emit(api: &ValidApi) -> Result<Artifact, Error> {
    Ok(Artifact::new(PATH, to_json("the manifest", api)?))
}
