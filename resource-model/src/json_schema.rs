//! The one schema builder: the model's fields as JSON Schema 2020-12 values.
//! It lives beside the model so that every consumer (codegen's JSON Schema
//! and OpenAPI emitters, the conformance runner's response validation) uses
//! the same one, and a runner built without codegen still has it.
//!
//! JSON Schema files and the OpenAPI 3.1 document are two [`Settings`] over
//! this builder, not two renderings of the fields (as schemars' generator
//! settings are for its derive).

use crate::ResourceModel;
use crate::model::{Computed, Field, FieldType, Filter, Reference, Writer};
use schemars::Schema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// Which body a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The resource as the server returns it: every field, server ones read-only.
    Response,
    /// A create body: client fields only, each optional and nullable.
    Create,
    /// An update body (JSON Merge Patch): client fields, each optional and
    /// nullable (null clears), plus the expected version as a precondition.
    Update,
}

impl Shape {
    /// The suffix of the schema's name (`Contact`, `ContactCreate`, `ContactUpdate`).
    pub fn suffix(self) -> &'static str {
        match self {
            Shape::Response => "",
            Shape::Create => "Create",
            Shape::Update => "Update",
        }
    }
}

/// Where a document's schemas live and which meta-schema it names.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The `$schema` URI, for standalone documents.
    pub meta_schema: Option<String>,
    /// The JSON pointer under which named schemas live (`/$defs`, `/components/schemas`).
    pub definitions_path: String,
}

impl Settings {
    /// Standalone JSON Schema 2020-12 documents.
    pub fn json_schema() -> Self {
        let s = SchemaSettings::draft2020_12();
        Settings {
            meta_schema: s.meta_schema.map(|m| m.into_owned()),
            definitions_path: s.definitions_path.into_owned(),
        }
    }

    /// Schemas inside an OpenAPI 3.1 document, whose dialect is 2020-12.
    pub fn openapi31() -> Self {
        Settings {
            meta_schema: None,
            definitions_path: "/components/schemas".to_owned(),
        }
    }

    /// A `$ref` to the named schema.
    pub fn reference(&self, name: &str) -> Schema {
        Schema::from(
            json!({ "$ref": format!("#{}/{name}", self.definitions_path) })
                .as_object()
                .cloned()
                .unwrap_or_default(),
        )
    }
}

/// The name of a shape's schema, e.g. `ContactCreate`.
pub fn schema_name(model: &ResourceModel, shape: Shape) -> String {
    format!("{}{}", model.name, shape.suffix())
}

/// The object schema of one shape of the resource.
pub fn object_schema(model: &ResourceModel, shape: Shape) -> Schema {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in &model.fields {
        let included = match shape {
            Shape::Response => true,
            Shape::Create => field.is_client(),
            Shape::Update => field.is_client() || Some(field) == model.version_field(),
        };
        if !included {
            continue;
        }
        properties.insert(
            field.name.clone(),
            field_schema(model, field, shape).to_value(),
        );
        // A response always carries the ★ fields; a create must set the required ones.
        if (shape == Shape::Response && field.always_present)
            || (shape == Shape::Create && field.is_required())
        {
            required.push(Value::from(field.name.clone()));
        }
    }
    let (title, description) = match shape {
        Shape::Response => (model.name.clone(), model.description.clone()),
        Shape::Create => (
            format!("{} create body", model.name),
            format!(
                "The body of `POST {}`: client fields only, each optional{}; null means unset. \
                 The server ignores server-owned fields rather than rejecting them, but a \
                 client has no reason to send them, so this schema leaves them out.",
                model.path,
                if model.client_fields().any(Field::is_required) {
                    " unless required (never null)"
                } else {
                    ""
                }
            ),
        ),
        Shape::Update => (
            format!("{} update body", model.name),
            format!(
                "The body of `PATCH {}`, a JSON Merge Patch (RFC 7396): an absent member is \
                 unchanged, null clears a field{}, objects merge recursively, arrays are replaced.",
                model.item_path(),
                if model.client_fields().any(Field::is_required) {
                    " (a required one cannot be cleared)"
                } else {
                    ""
                }
            ),
        ),
    };
    let mut obj = Map::new();
    obj.insert("title".into(), title.into());
    obj.insert("description".into(), description.into());
    obj.insert("type".into(), "object".into());
    obj.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        obj.insert("required".into(), Value::Array(required));
    }
    if shape != Shape::Response {
        // Unknown members are a 422; a response may carry extra fields.
        obj.insert("additionalProperties".into(), false.into());
    }
    Schema::from(obj)
}

/// The schema of one field in one shape.
pub fn field_schema(model: &ResourceModel, field: &Field, shape: Shape) -> Schema {
    let mut s = Map::new();
    // Request bodies take null for "unset", except for a required field,
    // which may never be null (CONTRACT.md §8).
    let nullable = !field.is_required() && (field.nullable || shape != Shape::Response);
    if shape == Shape::Update && Some(field) == model.version_field() {
        // Any integer: one that is not the current version (0 included) is a
        // 409 by the contract, not a 422, so the schema allows it.
        s.insert("type".into(), "integer".into());
        s.insert(
            "description".into(),
            "The version the client expects the item to have; any other value (a mismatch) makes the update a 409 and changes nothing.".into(),
        );
        return Schema::from(s);
    }
    let base = match &field.ty {
        FieldType::String | FieldType::DateTime | FieldType::Date | FieldType::Enum { .. } => {
            "string"
        }
        FieldType::Boolean => "boolean",
        FieldType::Integer => "integer",
        FieldType::JsonObject => "object",
        FieldType::StringArray => "array",
    };
    s.insert(
        "type".into(),
        if nullable {
            json!([base, "null"])
        } else {
            json!(base)
        },
    );
    let mut description = describe(field);
    if shape != Shape::Response
        && let Some(d) = field.default()
    {
        description.push_str(&format!(" When absent or null, the server stores {d}."));
    }
    s.insert("description".into(), description.into());
    if let FieldType::Enum { .. } = &field.ty {
        // One named schema per enum, referenced from every shape, and null
        // beside it rather than inside it: code generators then make one enum
        // type and an optional of it, not a copy per shape with a `None` member.
        let r = json!({ "$ref": format!("#/$defs/{}", enum_name(field)) });
        s.remove("type");
        if nullable {
            s.insert("anyOf".into(), json!([r, { "type": "null" }]));
        } else {
            s.extend(r.as_object().cloned().unwrap_or_default());
        }
    }
    if field.ty == FieldType::DateTime {
        s.insert("format".into(), "date-time".into());
    }
    if field.ty == FieldType::Date {
        // RFC 3339 `full-date`: the keyword's own meaning, a real calendar day.
        s.insert("format".into(), "date".into());
    }
    if let Some(format) = &field.format {
        // The pattern states the rule exactly. No `format` beside it: the
        // contract's email and URL rules differ from `format: email`/`uri` at
        // the edges (a 64+ character local part, a scheme other than http(s)),
        // and validators and code generators assert `format` (Ajv with
        // ajv-formats, pydantic's EmailStr and AnyUrl), so a stored, returned
        // value could fail them.
        s.insert("pattern".into(), format.pattern().into());
    }
    // A reference has the form of the id it names.
    if let Some(Reference::SameResource { .. }) = &field.references
        && let Some(id_format) = model
            .stamp(crate::model::Stamp::Id)
            .and_then(|f| f.format.as_ref())
    {
        s.insert("pattern".into(), id_format.pattern().into());
    }
    let l = &field.limits;
    if let Some(n) = l.min_length {
        s.insert("minLength".into(), n.into());
    }
    if let Some(n) = model.max_length(field) {
        s.insert("maxLength".into(), n.into());
    }
    if let Some(n) = l.minimum {
        s.insert("minimum".into(), n.into());
    }
    if let Some(n) = l.maximum {
        s.insert("maximum".into(), n.into());
    }
    if field.ty == FieldType::StringArray {
        let mut items = Map::new();
        items.insert("type".into(), "string".into());
        if let Some(n) = l.item_min_length {
            items.insert("minLength".into(), n.into());
        }
        if let Some(n) = l.item_max_length {
            items.insert("maxLength".into(), n.into());
        }
        s.insert("items".into(), Value::Object(items));
    }
    if let Some(n) = l.max_items {
        s.insert("maxItems".into(), n.into());
    }
    // JSON Schema has no keyword for serialised size or depth: the
    // description states them, the manifest carries them as data, and the
    // OpenAPI document adds them as `x-maxBytes`/`x-maxDepth` extensions
    // ([`size_extensions`]); a standalone schema carries no unknown keyword,
    // so strict validators (Ajv's strict mode) compile it.
    // A default describes what the server stores, so it belongs to the
    // response; in a request schema code generators (openapi-typescript) would
    // make the member required.
    if shape == Shape::Response
        && let Some(d) = field.default()
    {
        s.insert("default".into(), d.clone());
    }
    if shape == Shape::Response && !field.is_client() {
        s.insert("readOnly".into(), true.into());
    }
    Schema::from(s)
}

/// The name of an enum field's shared schema: `source_type` → `SourceType`.
pub fn enum_name(field: &Field) -> String {
    field
        .name
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// The shared schema of an enum field (`None` for any other field).
pub fn enum_def(field: &Field) -> Option<Value> {
    match &field.ty {
        FieldType::Enum { values } => Some(json!({
            "type": "string",
            "enum": values,
            "description": format!("The values of `{}`.", field.name),
        })),
        _ => None,
    }
}

/// The shared schemas of the model's enums, by name (`$defs` in a standalone
/// document, `components/schemas` in OpenAPI).
pub fn enum_defs(model: &ResourceModel) -> Map<String, Value> {
    model
        .fields
        .iter()
        .filter_map(|f| Some((enum_name(f), enum_def(f)?)))
        .collect()
}

/// The `x-maxBytes` and `x-maxDepth` extensions of a field, for documents
/// (OpenAPI) where `x-` keywords are legal.
pub fn size_extensions(field: &Field) -> Map<String, Value> {
    let mut out = Map::new();
    if let Some(n) = field.limits.max_bytes {
        out.insert("x-maxBytes".into(), n.into());
    }
    if let Some(n) = field.limits.max_depth {
        out.insert("x-maxDepth".into(), n.into());
    }
    out
}

/// A field's description with the rules that are not keywords, in words.
pub fn describe(field: &Field) -> String {
    let mut text = field.description.clone();
    let mut add = |sentence: String| {
        if !text.ends_with('.') && !text.ends_with('?') && !text.ends_with(')') {
            text.push('.');
        }
        text.push(' ');
        text.push_str(&sentence);
    };
    match &field.writer {
        Writer::Server { stamp } => add(format!("Server-owned: {}", stamp.rule())),
        Writer::Client { computed, .. } => match computed {
            Some(Computed::JoinWhenBlank { from, separator }) => add(format!(
                "When blank after a write, the server sets it to the trimmed non-empty {} joined by {:?}, or null when all are empty.",
                from.iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(" and "),
                separator
            )),
            Some(Computed::StampWhenTrue { flag }) => add(format!(
                "When a write turns `{flag}` true and does not set this field, the server stamps that write's time."
            )),
            None => {}
        },
    }
    if let Some(Reference::SameResource { same }) = &field.references {
        let shared = if same.is_empty() {
            String::new()
        } else {
            format!(
                " with the same {} after the write",
                same.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            )
        };
        add(format!(
            "The id of another visible, not soft-deleted item of this resource{shared}; checked when a write sets it."
        ));
    }
    if let Some(n) = field.limits.max_bytes {
        add(format!("At most {n} bytes serialised compactly."));
    }
    if let Some(n) = field.limits.max_depth {
        add(format!("Nested at most {n} deep."));
    }
    if let Some(filter) = field.filter {
        add(match filter {
            Filter::Exact => "Filterable in lists (exact).".to_owned(),
            Filter::CaseInsensitive => "Filterable in lists (case-insensitive).".to_owned(),
        });
    }
    text
}

/// A standalone JSON Schema 2020-12 document of `shape`: `$schema`, `$id`,
/// an optional `$comment`, then the object schema.
pub fn document(
    model: &ResourceModel,
    shape: Shape,
    id: &str,
    comment: Option<&str>,
) -> Map<String, Value> {
    let settings = Settings::json_schema();
    let mut doc = Map::new();
    if let Some(meta) = &settings.meta_schema {
        doc.insert("$schema".into(), meta.clone().into());
    }
    doc.insert("$id".into(), id.into());
    if let Some(c) = comment {
        doc.insert("$comment".into(), c.into());
    }
    if let Value::Object(body) = object_schema(model, shape).to_value() {
        doc.extend(body);
    }
    let defs = enum_defs(model);
    if !defs.is_empty() {
        doc.insert("$defs".into(), Value::Object(defs));
    }
    doc
}
