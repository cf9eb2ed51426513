//! `schemas/json-schema/`: the resource as returned, and its create and update
//! bodies, as standalone JSON Schema 2020-12 documents.

use super::schema::{Settings, Shape, object_schema};
use super::{Artifact, preamble, stem, to_json};
use crate::error::Error;
use contact_schema::ResourceModel;
use serde_json::{Map, Value};

/// The three JSON Schema documents of a model.
pub fn emit(model: &ResourceModel) -> Result<Vec<Artifact>, Error> {
    let settings = Settings::json_schema();
    [
        (Shape::Response, "schema"),
        (Shape::Create, "create.schema"),
        (Shape::Update, "update.schema"),
    ]
    .into_iter()
    .map(|(shape, suffix)| {
        let file = format!("{}.{suffix}.json", stem(model));
        let mut doc = Map::new();
        if let Some(meta) = &settings.meta_schema {
            doc.insert("$schema".into(), meta.clone().into());
        }
        doc.insert("$id".into(), file.clone().into());
        doc.insert("$comment".into(), preamble(model).into());
        if let Value::Object(body) = object_schema(model, shape).to_value() {
            doc.extend(body);
        }
        Ok(Artifact::new(
            format!("json-schema/{file}"),
            to_json(&file, &doc)?,
        ))
    })
    .collect()
}
