//! `schemas/json-schema/`: the resource as returned, and its create and update
//! bodies, as standalone JSON Schema 2020-12 documents.

use super::schema::{Shape, document};
use super::{Artifact, preamble, stem, to_json};
use crate::Commands;
use crate::error::Error;
use resource_model::ResourceModel;

/// The three JSON Schema documents of a model.
pub fn emit(model: &ResourceModel, cmds: &Commands) -> Result<Vec<Artifact>, Error> {
    [
        (Shape::Response, "schema"),
        (Shape::Create, "create.schema"),
        (Shape::Update, "update.schema"),
    ]
    .into_iter()
    .map(|(shape, suffix)| {
        let file = format!("{}.{suffix}.json", stem(model));
        let doc = document(model, shape, &file, Some(&preamble(model, cmds)));
        Ok(Artifact::new(
            format!("json-schema/{file}"),
            to_json(&file, &doc)?,
        ))
    })
    .collect()
}
