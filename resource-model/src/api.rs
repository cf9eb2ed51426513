//! An API: a set of resources served side by side (CONTRACT.md §8), as
//! plain, serialisable data. `schemas/api.manifest.json` holds one, so tools
//! that do not compile Rust (the conformance runner, the reference server)
//! read the whole API from it. Validate it ([`crate::ValidApi::new`]) before use.

use crate::model::{Resource, ResourceModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a field is declared: (wire name, file, line), so a tool can point a
/// finding at its source (`codegen diff --format github`).
pub type FieldSource = (String, String, u32);

/// A set of resources that share tokens, tenants, apps and one tree of
/// artifacts: one OpenAPI document, one SDK per language, one migration
/// sequence per dialect, one manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiModel {
    /// The API's short name, lowercase and hyphenated, e.g. `crm`: the SDK
    /// packages are `crm-sdk` (TypeScript, Rust) and `crm_sdk` (Python).
    pub name: String,
    /// The API's title, e.g. `CRM API`.
    pub title: String,
    /// What the API is for, for people.
    pub description: String,
    /// The resources, in declaration order (the order of the docs index,
    /// the OpenAPI tags and a first release's migrations).
    pub resources: Vec<ResourceModel>,
    /// Where each resource's fields are declared, by resource name, when the
    /// API was built from Rust types; not part of the manifest.
    #[serde(skip)]
    pub sources: BTreeMap<String, Vec<FieldSource>>,
}

impl ApiModel {
    /// An API named `name` (e.g. `crm`) titled `title`, with no resource yet.
    pub fn new(name: &str, title: &str, description: &str) -> Self {
        ApiModel {
            name: name.to_owned(),
            title: title.to_owned(),
            description: description.to_owned(),
            resources: Vec::new(),
            sources: BTreeMap::new(),
        }
    }

    /// Adds the resource defined by the Rust type `R` (`#[derive(Resource)]`).
    pub fn resource<R: Resource>(mut self) -> Self {
        let model = R::model();
        self.sources.insert(
            model.name.clone(),
            R::field_sources()
                .into_iter()
                .map(|(f, file, line)| (f.to_owned(), file.to_owned(), line))
                .collect(),
        );
        self.resources.push(model);
        self
    }

    /// Adds a resource model (read from a manifest, say).
    pub fn with_model(mut self, model: ResourceModel) -> Self {
        self.resources.push(model);
        self
    }

    /// Reads a manifest: an API's (`api.manifest.json`), or a single
    /// resource's, which becomes an API of that one resource named after it.
    pub fn from_manifest(text: &str) -> Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if value.get("resources").is_some() {
            serde_json::from_value(value).map_err(|e| format!("not an API manifest: {e}"))
        } else {
            let model: ResourceModel = serde_json::from_value(value)
                .map_err(|e| format!("neither an API nor a resource manifest: {e}"))?;
            Ok(ApiModel::new(
                &model.plural.replace('_', "-"),
                &format!("{} API", model.name),
                &model.description,
            )
            .with_model(model))
        }
    }
}
