//! `schemas/openapi/`: one OpenAPI 3.1 document for the whole API (every
//! resource's five operations under a tag of its own, sharing the problem,
//! header and cursor components), as JSON and as YAML (the same document).

use super::schema::{
    Settings, Shape, enum_def, field_schema, object_schema, schema_name, size_extensions,
};
use super::{Artifact, api_preamble, to_json};
use crate::Commands;
use crate::error::Error;
use resource_model::{OPERATIONS, Operation, ResourceModel, ValidApi};
use serde_json::{Map, Value, json};

/// The document's path under the output directory, without the extension.
pub const BASE: &str = "openapi/openapi";

/// The JSON and YAML renderings of the API's OpenAPI document.
pub fn emit(api: &ValidApi, cmds: &Commands) -> Result<Vec<Artifact>, Error> {
    let doc = document(api, cmds);
    let json = to_json("the OpenAPI document", &doc)?;
    let yaml = yaml_serde::to_string(&doc).map_err(|e| Error::Serialise {
        what: "the OpenAPI document as YAML".into(),
        message: e.to_string(),
    })?;
    Ok(vec![
        Artifact::new(format!("{BASE}.json"), json),
        Artifact::new(
            format!("{BASE}.yaml"),
            format!("# {}\n{yaml}", api_preamble(api, cmds)),
        ),
    ])
}

const PROBLEM: &str = "application/problem+json";

/// The statuses each operation can answer, after CONTRACT.md §3, §4 and §6:
/// also 408 where a body is read, and 503 everywhere (a storage outage).
pub(crate) fn statuses(op: Operation, model: &ResourceModel) -> Vec<u16> {
    let versioned = model.version_field().is_some();
    let unique = !model.unique.is_empty();
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
    // 409: a uniqueness rule, or (update) the body `version`.
    if !unique && (op == Operation::Create || !versioned) {
        s.retain(|c| *c != 409);
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
        (_, 409) if unique.is_empty() => "The body `version` does not match.".into(),
        (_, 409) => {
            format!("The body `version` does not match, or a uniqueness rule is broken ({unique}).")
        }
        (_, 412) => "`If-Match` matches no current version.".into(),
        (_, 413) => format!("The body is over {} bytes.", model.api.max_body_bytes),
        (_, 415) => "The body is not `application/json` or `application/merge-patch+json`.".into(),
        (_, 422) => "One or more fields are invalid; `errors` names each.".into(),
        (_, 408) => format!(
            "The body did not arrive within {} seconds of the headers.",
            resource_model::problem::BODY_TIMEOUT_SECS
        ),
        (Operation::List | Operation::Get, 503) => {
            "The storage is unreachable or did not answer in time. `Retry-After` says when to try again.".into()
        }
        (_, 503) => "The storage is unreachable or did not answer in time; nothing was written. `Retry-After` says when to try again.".into(),
        _ => "Error.".into(),
    }
}

fn document(api: &ValidApi, cmds: &Commands) -> Value {
    let settings = Settings::openapi31();
    let r = |name: &str| settings.reference(name).to_value();
    let mut c = Components::default();
    c.schemas.insert(
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
    c.schemas.insert("ValidationProblem".into(), json!({
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
    c.parameters.insert("Cursor".into(), json!({
        "name": "cursor", "in": "query",
        "description": "The `next_cursor` of the previous page; empty (`cursor=`) is the first page. A malformed or tampered cursor is a 400.",
        "schema": { "type": "string" }
    }));
    if api.resources().iter().any(|m| m.version_field().is_some()) {
        c.parameters.insert("IfMatch".into(), json!({
            "name": "If-Match", "in": "header",
            "description": "Strong entity tags (`\"<version>\"`) or `*`; the write applies only if one matches the current version, else 412 and nothing changes. Weak tags never match.",
            "schema": { "type": "string" }
        }));
    }
    c.headers.insert(
        "ETag".into(),
        json!({
            "description": "The strong entity tag `\"<version>\"` of the item.",
            "schema": { "type": "string", "pattern": "^\"[1-9][0-9]*\"$" }
        }),
    );
    c.headers.insert(
        "Location".into(),
        json!({
            "description": "The created item's URL: its collection's path, `/`, and its id.",
            "schema": { "type": "string" }
        }),
    );
    c.headers.insert(
        "Retry-After".into(),
        json!({
            "description": "Seconds to wait before trying again.",
            "schema": { "type": "integer", "minimum": 0 }
        }),
    );
    c.headers.insert(
        "WWW-Authenticate".into(),
        json!({
            "description": "`Bearer`, with the reason where the server gives one.",
            "schema": { "type": "string" }
        }),
    );
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
        c.responses.insert(format!("Problem{code}"), resp);
    }
    // Enums once for the API (validation lets two resources share one only
    // when its values are the same).
    for (name, field) in api.enums() {
        if let Some(def) = enum_def(field) {
            c.schemas.insert(name, def);
        }
    }
    let mut paths = Map::new();
    let mut tags = Vec::new();
    for model in api.resources() {
        let (collection, item) = resource(model, &mut c);
        paths.insert(model.path.clone(), Value::Object(collection));
        paths.insert(model.item_path(), Value::Object(item));
        tags.push(json!({ "name": model.plural, "description": model.description }));
    }
    let namespaces = api
        .resources()
        .iter()
        .map(|m| format!("`client.{}`", m.sdk_namespace))
        .collect::<Vec<_>>()
        .join(", ");
    let versions: Vec<u32> = api.resources().iter().map(|m| m.schema_version).collect();
    let version = if versions.iter().all(|v| *v == versions[0]) {
        versions[0].to_string()
    } else {
        api.resources()
            .iter()
            .map(|m| format!("{} {}", m.name, m.schema_version))
            .collect::<Vec<_>>()
            .join(", ")
    };
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": api.title(),
            "version": version,
            "description": format!("{}\n\nSDK namespaces: {namespaces}. {}", api.description(), api_preamble(api, cmds)),
            "contact": { "name": "contact-toolkit", "url": "https://contact-toolkit.dev" },
            "license": { "name": "MIT OR Apache-2.0", "identifier": "MIT OR Apache-2.0" },
        },
        "servers": [ { "url": "/", "description": "The host that serves this API (the reference server listens on http://127.0.0.1:8080 by default)." } ],
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "security": [ { "bearerAuth": [] } ],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "An HS256 (or other) JWT with claims `sub`, `tenant_id`, `exp`, and optional `app_id`."
                }
            },
            "schemas": c.schemas,
            "parameters": c.parameters,
            "headers": c.headers,
            "responses": c.responses,
        }
    })
}

/// The components of a document, filled by the API and each resource.
#[derive(Default)]
struct Components {
    schemas: Map<String, Value>,
    parameters: Map<String, Value>,
    headers: Map<String, Value>,
    responses: Map<String, Value>,
}

/// One resource's schemas and parameters (named after it where their words
/// depend on it) into `c`, and its collection and item path items.
fn resource(model: &ResourceModel, c: &mut Components) -> (Map<String, Value>, Map<String, Value>) {
    let settings = Settings::openapi31();
    let r = |name: &str| settings.reference(name).to_value();
    let resource = schema_name(model, Shape::Response);
    let page = format!("{}Page", model.name);
    let lower = model.name.to_lowercase();
    let own = |what: &str| format!("{}{what}", model.name);
    // The docs page's walk: the examples tools show are ones the server accepts.
    let walk = super::docs::examples::examples(model);
    let example = |op: Operation| walk.of(op).response.body.clone();
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
        c.schemas
            .insert(schema_name(model, shape), in_components(schema));
    }
    c.schemas.insert(page.clone(), json!({
        "type": "object",
        "description": format!("One page of {}. Only a null `next_cursor` ends a walk; a page may hold fewer items than `limit` before that.", model.plural),
        "required": ["data", "next_cursor"],
        "properties": {
            "data": { "type": "array", "items": r(&resource) },
            "next_cursor": { "type": ["string", "null"], "description": "Opaque; pass it as `cursor` for the next page." }
        }
    }));
    c.parameters.insert(own("Id"), json!({
        "name": "id", "in": "path", "required": true,
        "description": format!("The {lower} id. Any id the caller cannot see, malformed or not, is a 404."),
        "schema": { "type": "string" },
        "example": walk.id
    }));
    let (page_size, max_page) = (model.api.default_page_size, model.api.max_page_size);
    c.parameters.insert(own("Limit"), json!({
        "name": "limit", "in": "query",
        "description": format!("Page size: decimal digits, 1 or more; absent means {page_size}, above {max_page} is capped at {max_page}; 0 or anything else is a 400."),
        "schema": { "type": "integer", "minimum": 1, "default": page_size }
    }));
    let mut list_params = vec![r_param(&own("Limit")), r_param("Cursor")];
    for (field, filter) in model.filters() {
        let name = own(&param_name(&field.name));
        // A filter on a formatted field refuses a malformed value (400); any
        // other filter takes any string, so its schema says no more.
        let validated = field.format.is_some() && filter == resource_model::Filter::Exact;
        let schema = if let resource_model::FieldType::Enum { .. } = field.ty {
            in_components(
                json!({ "$ref": format!("#/$defs/{}", resource_model::json_schema::enum_name(field)) }),
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
            resource_model::Filter::Exact => "exact match",
            resource_model::Filter::CaseInsensitive => "exact match, ignoring ASCII case",
        };
        let malformed = if validated || matches!(field.ty, resource_model::FieldType::Enum { .. }) {
            "; a malformed value is a 400"
        } else {
            ""
        };
        c.parameters.insert(name.clone(), json!({
            "name": field.name, "in": "query",
            "description": format!("Only items whose `{}` is this value ({how}). Filters are ANDed{malformed}.", field.name),
            "schema": schema
        }));
        list_params.push(r_param(&name));
    }
    if let Some(sd) = model.soft_delete() {
        c.parameters.insert(own("IncludeDeleted"), json!({
            "name": "include_deleted", "in": "query",
            "description": format!("`true` to include soft-deleted items (`{}: true`); `true` or `false`, anything else is a 400.", sd.flag.name),
            "schema": { "type": "boolean", "default": false }
        }));
        list_params.push(r_param(&own("IncludeDeleted")));
    }
    let mut collection = Map::new();
    let mut item = Map::new();
    item.insert("parameters".into(), json!([r_param(&own("Id"))]));
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
            // Both JSON media types on every body (CONTRACT.md §6: anything
            // else is a 415); merge-patch first where it is the meaning.
            Operation::Create => {
                let body = json!({
                    "schema": r(&schema_name(model, Shape::Create)),
                    "example": walk.create_body
                });
                o.insert(
                    "requestBody".into(),
                    json!({
                        "required": true,
                        "content": {
                            "application/json": body.clone(),
                            "application/merge-patch+json": body
                        }
                    }),
                );
            }
            Operation::Update => {
                let body = json!({
                    "schema": r(&schema_name(model, Shape::Update)),
                    "example": walk.patch
                });
                o.insert(
                    "requestBody".into(),
                    json!({
                        "required": true,
                        "content": {
                            "application/merge-patch+json": body.clone(),
                            "application/json": body
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
                    "content": { "application/json": with_example(r(&page), example(op)) }
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
                        "content": { "application/json": with_example(r(&resource), example(op)) }
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
        if matches!(op, Operation::List | Operation::Get) {
            target.insert("head".into(), head(&o, op, model));
        }
        target.insert(op.http_method().to_lowercase(), Value::Object(o));
    }

    (collection, item)
}

/// A media type object: the schema, and the walk's example when there is one.
fn with_example(schema: Value, example: Option<Value>) -> Value {
    match example {
        Some(e) => json!({ "schema": schema, "example": e }),
        None => json!({ "schema": schema }),
    }
}

/// The `HEAD` twin of a `GET` (CONTRACT.md §3): the same parameters,
/// statuses and headers, no body; `Content-Length`, when sent, is the length
/// of the body `GET` would send.
fn head(get: &Map<String, Value>, op: Operation, model: &ResourceModel) -> Value {
    let mut o = get.clone();
    o.insert(
        "operationId".into(),
        format!("{}.head", model.operation_id(op)).into(),
    );
    let what = if op == Operation::List { "list" } else { "get" };
    o.insert(
        "summary".into(),
        format!("The {what}'s status and headers, without the body").into(),
    );
    o.insert(
        "description".into(),
        format!("Answers as the {what} `GET` would, without a body (RFC 9110 §9.3.2): the same status and headers, and a `Content-Length`, when sent, equal to the length of the body `GET` would send.").into(),
    );
    if let Some(Value::Object(rs)) = o.get_mut("responses") {
        for r in rs.values_mut() {
            if let Value::Object(m) = r {
                // A problem's shared response has a body: a HEAD's has none.
                if m.contains_key("$ref") {
                    *r =
                        json!({ "description": m.get("description").cloned().unwrap_or_default() });
                } else {
                    m.remove("content");
                }
            }
        }
    }
    Value::Object(o)
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
