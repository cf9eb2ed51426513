//! `schemas/openapi/`: an OpenAPI 3.1 fragment for the resource's five
//! operations, as JSON and as YAML (the same document).

use super::schema::{
    Settings, Shape, enum_defs, field_schema, object_schema, schema_name, size_extensions,
};
use super::{Artifact, preamble, to_json};
use crate::error::Error;
use contact_schema::ResourceModel;
use contact_schema::model::{OPERATIONS, Operation};
use serde_json::{Map, Value, json};

/// The JSON and YAML renderings of the model's OpenAPI document.
pub fn emit(model: &ResourceModel) -> Result<Vec<Artifact>, Error> {
    let doc = document(model);
    let json = to_json("the OpenAPI document", &doc)?;
    let yaml = yaml_serde::to_string(&doc).map_err(|e| Error::Serialise {
        what: "the OpenAPI document as YAML".into(),
        message: e.to_string(),
    })?;
    let base = format!("openapi/{}.openapi", model.plural);
    Ok(vec![
        Artifact::new(format!("{base}.json"), json),
        Artifact::new(
            format!("{base}.yaml"),
            format!("# {}\n{yaml}", preamble(model)),
        ),
    ])
}

const PROBLEM: &str = "application/problem+json";

/// The statuses each operation can answer, after CONTRACT.md §3, §4 and §6:
/// also 408 where a body is read, and 503 everywhere (a storage outage).
pub(crate) fn statuses(op: Operation, model: &ResourceModel) -> Vec<u16> {
    let versioned = model.version_field().is_some();
    let mut s = match op {
        Operation::List => vec![200, 400, 401, 503],
        Operation::Get => vec![200, 401, 404, 503],
        Operation::Create => vec![201, 400, 401, 408, 409, 413, 415, 422, 503],
        Operation::Update => vec![200, 400, 401, 404, 408, 409, 412, 413, 415, 422, 503],
        Operation::Delete => vec![200, 204, 401, 404, 412, 503],
    };
    if !versioned {
        s.retain(|c| *c != 412);
    }
    s
}

pub(crate) fn error_meaning(op: Operation, code: u16, model: &ResourceModel) -> String {
    let unique = model
        .unique
        .iter()
        .map(|u| format!("`{}`", u.field))
        .collect::<Vec<_>>()
        .join(", ");
    match (op, code) {
        (_, 400) if op == Operation::List => {
            "A bad query parameter (limit, cursor, include_deleted or a filter).".into()
        }
        (_, 400) => "An empty body, a body that is not JSON, or not a JSON object.".into(),
        (_, 401) => "A missing, malformed, badly signed or expired bearer token.".into(),
        (_, 404) => format!(
            "No {} with this id that the caller can see (another tenant's, another app's, never existed, or soft-deleted for writes).",
            model.name.to_lowercase()
        ),
        (Operation::Create, 409) => format!("A uniqueness rule is broken ({unique})."),
        (_, 409) => {
            format!("The body `version` does not match, or a uniqueness rule is broken ({unique}).")
        }
        (_, 412) => "`If-Match` matches no current version.".into(),
        (_, 413) => format!("The body is over {} bytes.", model.api.max_body_bytes),
        (_, 415) => "The body is not `application/json` or `application/merge-patch+json`.".into(),
        (_, 422) => "One or more fields are invalid; `errors` names each.".into(),
        (_, 408) => format!(
            "The body did not arrive within {} seconds of the headers.",
            contact_schema::problem::BODY_TIMEOUT_SECS
        ),
        (Operation::List | Operation::Get, 503) => {
            "The storage is unreachable or did not answer in time. `Retry-After` says when to try again.".into()
        }
        (_, 503) => "The storage is unreachable or did not answer in time; nothing was written. `Retry-After` says when to try again.".into(),
        _ => "Error.".into(),
    }
}

fn document(model: &ResourceModel) -> Value {
    let settings = Settings::openapi31();
    let r = |name: &str| settings.reference(name).to_value();
    let resource = schema_name(model, Shape::Response);
    let page = format!("{}Page", model.name);
    let lower = model.name.to_lowercase();

    let mut schemas = Map::new();
    for shape in [Shape::Response, Shape::Create, Shape::Update] {
        let mut schema = object_schema(model, shape).to_value();
        // Size and depth limits as `x-` extensions, legal in OpenAPI.
        for field in &model.fields {
            if let Some(p) = schema["properties"].get_mut(&field.name)
                && let Some(o) = p.as_object_mut()
            {
                o.extend(size_extensions(field));
            }
        }
        schemas.insert(schema_name(model, shape), in_components(schema));
    }
    for (name, def) in enum_defs(model) {
        schemas.insert(name, def);
    }
    schemas.insert(page.clone(), json!({
        "type": "object",
        "description": format!("One page of {}. Only a null `next_cursor` ends a walk; a page may hold fewer items than `limit` before that.", model.plural),
        "required": ["data", "next_cursor"],
        "properties": {
            "data": { "type": "array", "items": r(&resource) },
            "next_cursor": { "type": ["string", "null"], "description": "Opaque; pass it as `cursor` for the next page." }
        }
    }));
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "An RFC 9457 problem details object.",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": { "type": "string" },
                "title": { "type": "string" },
                "status": { "type": "integer", "description": "Equals the HTTP status." },
                "detail": { "type": "string" },
                "instance": { "type": "string" }
            }
        }),
    );
    schemas.insert("ValidationProblem".into(), json!({
        "description": "A 422 problem naming every offending top-level field.",
        "allOf": [ r("Problem"), {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": { "field": { "type": "string" }, "message": { "type": "string" } }
                    }
                }
            }
        }]
    }));

    let mut parameters = Map::new();
    parameters.insert("Id".into(), json!({
        "name": "id", "in": "path", "required": true,
        "description": format!("The {lower} id. Any id the caller cannot see, malformed or not, is a 404."),
        "schema": { "type": "string" }
    }));
    let (page_size, max_page) = (model.api.default_page_size, model.api.max_page_size);
    parameters.insert("Limit".into(), json!({
        "name": "limit", "in": "query",
        "description": format!("Page size: decimal digits, 1 or more; absent means {page_size}, above {max_page} is capped at {max_page}; 0 or anything else is a 400."),
        "schema": { "type": "integer", "minimum": 1, "default": page_size }
    }));
    parameters.insert("Cursor".into(), json!({
        "name": "cursor", "in": "query",
        "description": "The `next_cursor` of the previous page. A malformed or tampered cursor is a 400.",
        "schema": { "type": "string", "minLength": 1 }
    }));
    let mut list_params = vec![r_param("Limit"), r_param("Cursor")];
    for (field, filter) in model.filters() {
        let name = param_name(&field.name);
        // A filter on a formatted field refuses a malformed value (400); any
        // other filter takes any string, so its schema says no more.
        let validated = field.format.is_some() && filter == contact_schema::model::Filter::Exact;
        let schema = if let contact_schema::model::FieldType::Enum { .. } = field.ty {
            in_components(
                json!({ "$ref": format!("#/$defs/{}", contact_schema::json_schema::enum_name(field)) }),
            )
        } else if validated {
            let mut schema = field_schema(model, field, Shape::Response).to_value();
            if let Value::Object(o) = &mut schema {
                o.insert("type".into(), "string".into());
                o.remove("description");
                o.remove("default");
            }
            schema
        } else {
            json!({ "type": "string" })
        };
        let how = match filter {
            contact_schema::model::Filter::Exact => "exact match",
            contact_schema::model::Filter::CaseInsensitive => "exact match, ignoring ASCII case",
        };
        let malformed =
            if validated || matches!(field.ty, contact_schema::model::FieldType::Enum { .. }) {
                "; a malformed value is a 400"
            } else {
                ""
            };
        parameters.insert(name.clone(), json!({
            "name": field.name, "in": "query",
            "description": format!("Only items whose `{}` is this value ({how}). Filters are ANDed{malformed}.", field.name),
            "schema": schema
        }));
        list_params.push(r_param(&name));
    }
    if let Some(sd) = model.soft_delete() {
        parameters.insert("IncludeDeleted".into(), json!({
            "name": "include_deleted", "in": "query",
            "description": format!("`true` to include soft-deleted items (`{}: true`); `true` or `false`, anything else is a 400.", sd.flag.name),
            "schema": { "type": "boolean", "default": false }
        }));
        list_params.push(r_param("IncludeDeleted"));
    }
    if model.version_field().is_some() {
        parameters.insert("IfMatch".into(), json!({
            "name": "If-Match", "in": "header",
            "description": "Strong entity tags (`\"<version>\"`) or `*`; the write applies only if one matches the current version, else 412 and nothing changes. Weak tags never match.",
            "schema": { "type": "string" }
        }));
    }

    let mut headers = Map::new();
    headers.insert(
        "ETag".into(),
        json!({
            "description": "The strong entity tag `\"<version>\"` of the item.",
            "schema": { "type": "string", "pattern": "^\"[1-9][0-9]*\"$" }
        }),
    );
    headers.insert(
        "Location".into(),
        json!({
            "description": format!("The new item's URL, `{}`.", model.item_path()),
            "schema": { "type": "string" }
        }),
    );
    headers.insert(
        "Retry-After".into(),
        json!({
            "description": "Seconds to wait before trying again.",
            "schema": { "type": "integer", "minimum": 0 }
        }),
    );
    headers.insert(
        "WWW-Authenticate".into(),
        json!({
            "description": "`Bearer`, with the reason where the server gives one.",
            "schema": { "type": "string" }
        }),
    );

    let mut responses = Map::new();
    for code in [400u16, 401, 404, 408, 409, 412, 413, 415, 422, 503] {
        let schema = if code == 422 {
            r("ValidationProblem")
        } else {
            r("Problem")
        };
        let mut resp = json!({
            "description": status_title(code),
            "content": { PROBLEM: { "schema": schema } }
        });
        if code == 401 {
            resp["headers"] =
                json!({ "WWW-Authenticate": { "$ref": "#/components/headers/WWW-Authenticate" } });
        }
        if code == 503 {
            resp["headers"] =
                json!({ "Retry-After": { "$ref": "#/components/headers/Retry-After" } });
        }
        responses.insert(format!("Problem{code}"), resp);
    }

    let mut collection = Map::new();
    let mut item = Map::new();
    item.insert("parameters".into(), json!([r_param("Id")]));
    for op in OPERATIONS {
        let mut o = Map::new();
        o.insert("operationId".into(), model.operation_id(op).into());
        o.insert("tags".into(), json!([model.plural]));
        o.insert("summary".into(), summary(op, model).into());
        o.insert("description".into(), op_description(op, model).into());
        let mut params = Vec::new();
        if op == Operation::List {
            params.extend(list_params.iter().cloned());
        }
        if matches!(op, Operation::Update | Operation::Delete) && model.version_field().is_some() {
            params.push(r_param("IfMatch"));
        }
        if !params.is_empty() {
            o.insert("parameters".into(), Value::Array(params));
        }
        match op {
            Operation::Create => {
                o.insert("requestBody".into(), json!({
                    "required": true,
                    "content": { "application/json": { "schema": r(&schema_name(model, Shape::Create)) } }
                }));
            }
            Operation::Update => {
                let body = r(&schema_name(model, Shape::Update));
                o.insert(
                    "requestBody".into(),
                    json!({
                        "required": true,
                        "content": {
                            "application/merge-patch+json": { "schema": body.clone() },
                            "application/json": { "schema": body }
                        }
                    }),
                );
            }
            _ => {}
        }
        let mut rs = Map::new();
        for code in statuses(op, model) {
            let resp = match code {
                200 if op == Operation::List => json!({
                    "description": format!("A page of {}.", model.plural),
                    "content": { "application/json": { "schema": r(&page) } }
                }),
                200 | 201 => {
                    let mut h = Map::new();
                    if model.version_field().is_some() {
                        h.insert(
                            "ETag".into(),
                            json!({ "$ref": "#/components/headers/ETag" }),
                        );
                    }
                    if code == 201 {
                        h.insert(
                            "Location".into(),
                            json!({ "$ref": "#/components/headers/Location" }),
                        );
                    }
                    let what = match op {
                        Operation::Create => "The created item.",
                        Operation::Delete => "The soft-deleted item.",
                        Operation::Update => "The updated item.",
                        _ => "The item (a soft-deleted one too, with its deletion stamps).",
                    };
                    json!({
                        "description": what,
                        "headers": h,
                        "content": { "application/json": { "schema": r(&resource) } }
                    })
                }
                204 => json!({
                    "description": "Soft-deleted; no body.",
                    "headers": { "ETag": { "$ref": "#/components/headers/ETag" } }
                }),
                _ => {
                    let mut resp =
                        json!({ "$ref": format!("#/components/responses/Problem{code}") });
                    let meaning = error_meaning(op, code, model);
                    resp["description"] = meaning.into();
                    resp
                }
            };
            rs.insert(code.to_string(), resp);
        }
        o.insert("responses".into(), Value::Object(rs));
        let target = if op.on_item() {
            &mut item
        } else {
            &mut collection
        };
        target.insert(op.http_method().to_lowercase(), Value::Object(o));
    }

    let mut paths = Map::new();
    paths.insert(model.path.clone(), Value::Object(collection));
    paths.insert(model.item_path(), Value::Object(item));

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{} API", model.name),
            "version": model.schema_version.to_string(),
            "description": format!("{}\n\nSDK namespace: `client.{}`. {}", model.description, model.sdk_namespace, preamble(model)),
            "contact": { "name": "contact-toolkit", "url": "https://contact-toolkit.dev" },
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "servers": [ { "url": "/", "description": "The host that serves this API (the reference server listens on http://127.0.0.1:8080 by default)." } ],
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "security": [ { "bearerAuth": [] } ],
        "tags": [ { "name": model.plural, "description": model.description } ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "An HS256 (or other) JWT with claims `sub`, `tenant_id`, `exp`, and optional `app_id`."
                }
            },
            "schemas": schemas,
            "parameters": parameters,
            "headers": headers,
            "responses": responses,
        }
    })
}

fn r_param(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// A component name for a field's filter parameter: `account_id` → `AccountIdFilter`.
fn param_name(field: &str) -> String {
    let camel: String = field
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect();
    format!("{camel}Filter")
}

fn summary(op: Operation, model: &ResourceModel) -> String {
    let one = model.name.to_lowercase();
    match op {
        Operation::List => format!("List {} (created_at, then id, ascending)", model.plural),
        Operation::Get => format!("Get a {one}"),
        Operation::Create => format!("Create a {one}"),
        Operation::Update => format!("Update a {one} (JSON Merge Patch)"),
        Operation::Delete => format!("Soft-delete a {one}"),
    }
}

/// Moves a builder schema into `components`: `#/$defs/X` becomes `#/components/schemas/X`.
fn in_components(mut v: Value) -> Value {
    match &mut v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if k == "$ref"
                    && let Some(r) = x.as_str()
                    && let Some(name) = r.strip_prefix("#/$defs/")
                {
                    *x = format!("#/components/schemas/{name}").into();
                } else {
                    *x = in_components(x.take());
                }
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                *x = in_components(x.take());
            }
        }
        _ => {}
    }
    v
}

/// What an operation does, beyond its summary.
fn op_description(op: Operation, model: &ResourceModel) -> String {
    let one = model.name.to_lowercase();
    match op {
        Operation::List => format!(
            "A page of the {} the caller can see, oldest first; soft-deleted ones only with `include_deleted=true`. Follow `next_cursor` until it is null.",
            model.plural
        ),
        Operation::Get => format!(
            "The {one}, also when soft-deleted (then with its deletion stamps), with its `ETag`."
        ),
        Operation::Create => format!(
            "Stores a new {one} from the client fields of the body; the server stamps the rest and answers with the stored {one}, its `Location` and `ETag`."
        ),
        Operation::Update => format!(
            "Applies the body as a JSON Merge Patch (RFC 7396) to a live {one}: absent members stay, null clears, objects merge, arrays are replaced. Every success is a write (`version` + 1). Preconditions: `If-Match`, then the body `version`."
        ),
        Operation::Delete => format!(
            "Marks the {one} deleted (it stays readable with `is_deleted: true`); answers with it, or 204. A second delete is a 404."
        ),
    }
}

fn status_title(code: u16) -> &'static str {
    match code {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        503 => "Service Unavailable",
        _ => "Error",
    }
}
