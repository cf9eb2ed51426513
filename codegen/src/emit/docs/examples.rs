//! The docs page's examples: one walk through a resource's API (create, get,
//! list, update, the errors, delete), each request with the response a
//! conformant server gives, predicted from the model.
//!
//! The prediction is the model's write semantics ([`resource_model::write`]:
//! stamps, defaults, computed fields, merge patch, soft delete), the same
//! code the reference server writes with, and the problem words of
//! [`resource_model::problem`]. The docs tests send every request to the
//! reference server in step order and compare its answers with these (ids
//! and times normalised), so an example that lies fails the build.

use resource_model::problem;
use resource_model::rules::Rules;
use resource_model::write::{self, Actor, WriteKind};
use resource_model::{FieldType, Format, Operation, ResourceModel, Stamp};
use serde_json::{Map, Value, json};

/// The token the examples are sent with: its `tenant_id` claim.
pub const TENANT: &str = "tnt_acme";
/// The token's `sub` claim: the person making the requests.
pub const SUBJECT: &str = "usr_grace";
/// The server's times in the examples, one per write, in order.
pub const TIMES: [&str; 3] = [
    "2026-11-30T09:00:00.000000Z",
    "2026-11-30T09:05:00.000000Z",
    "2026-11-30T09:10:00.000000Z",
];
/// What the examples show for the bearer token.
pub const TOKEN: &str = "<token>";

/// One request and the answer to it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The position in the walk: requests are sent in this order (0: not sent).
    pub step: u32,
    /// What the client sends.
    pub request: Request,
    /// What the server answers.
    pub response: Response,
    /// Whether the tests send it (a timeout or an outage cannot be asked for).
    pub sent: bool,
}

/// An HTTP request of an example.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The path and query.
    pub target: String,
    /// Headers in the order shown.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Option<Body>,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// A JSON value, shown in full.
    Json(Value),
    /// Text, shown as it is sent.
    Text(String),
    /// A body too long to show: `first_name` (or the first string field)
    /// padded with `x` to exactly `bytes` bytes, shown shortened with `…`.
    Padded {
        /// The member padded.
        member: String,
        /// The body's length in bytes.
        bytes: usize,
    },
}

/// An HTTP response of an example.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status.
    pub status: u16,
    /// The headers the example shows (others, like `Date`, vary).
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Option<Value>,
}

/// Every example of a resource's page.
#[derive(Debug, Clone)]
pub struct Examples {
    /// The id the walk's item gets.
    pub id: String,
    /// The example of each operation.
    pub operations: Vec<(Operation, Exchange)>,
    /// The example of each problem, by status.
    pub errors: Vec<(u16, Exchange)>,
    /// The create body (also the SDK snippets' input).
    pub create_body: Map<String, Value>,
    /// The update's merge patch.
    pub patch: Map<String, Value>,
    /// The list's query parameters.
    pub list_query: Vec<(String, String)>,
}

impl Examples {
    /// Every exchange, in step order.
    pub fn in_order(&self) -> Vec<&Exchange> {
        let mut all: Vec<&Exchange> = self
            .operations
            .iter()
            .map(|(_, e)| e)
            .chain(self.errors.iter().map(|(_, e)| e))
            .collect();
        all.sort_by_key(|e| e.step);
        all
    }

    /// The example of `op`.
    pub fn of(&self, op: Operation) -> &Exchange {
        &self
            .operations
            .iter()
            .find(|(o, _)| *o == op)
            .expect("every operation has an example")
            .1
    }
}

/// The reason phrase shown after a status.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        s => problem::kind(s).map_or("", |k| k.title),
    }
}

/// An id of this resource in its id form, made of `ulid` (a ULID) or `uuid`.
fn id_like(model: &ResourceModel, ulid: &str, uuid: &str) -> String {
    match model.stamp(Stamp::Id).and_then(|f| f.format.as_ref()) {
        Some(Format::PrefixedUuid { prefix }) => format!("{prefix}-{uuid}"),
        _ => format!("{}_{ulid}", model.id_prefix),
    }
}

/// An id of this resource that no example creates.
fn unknown_id(model: &ResourceModel) -> String {
    id_like(
        model,
        "01KBB7Q3ZJ5V0X8M2N4P6R8T0W",
        "019ad3f1-7c2e-7b4a-9d3e-5f6a7b8c9d0e",
    )
}

/// The id the walk's item gets.
fn walk_id(model: &ResourceModel) -> String {
    id_like(
        model,
        "01KBB5Y1VHZ8QK2J7D4M6N9P3R",
        "019ad3e0-4b1a-7c2d-8e3f-1a2b3c4d5e6f",
    )
}

/// Who sends the examples.
const ACTOR: Actor<'static> = Actor {
    sub: SUBJECT,
    tenant_id: TENANT,
    app_id: None,
};

/// The item as the walk leaves it, written by the model's write semantics.
#[derive(Debug, Clone)]
struct Item {
    record: write::Item,
}

impl Item {
    /// The item a create with `body` makes at `at`.
    fn create(model: &ResourceModel, id: &str, body: &Map<String, Value>, at: &str) -> Self {
        let body = normalised(model, body);
        let mut record = write::blank(model);
        // The examples are valid bodies: a merged object cannot break its limits.
        let _ = write::apply(model, &mut record, &body);
        write::stamp(model, &mut record, &ACTOR, at, WriteKind::Create);
        if let Some(f) = model.stamp(Stamp::Id) {
            record.insert(f.name.clone(), Value::from(id));
        }
        write::fill_in(model, &mut record, &body, &write::Item::new(), at);
        Item { record }
    }

    /// Applies an update's merge patch at `at`.
    fn update(&mut self, model: &ResourceModel, patch: &Map<String, Value>, at: &str) {
        let patch = normalised(model, patch);
        let before = self.record.clone();
        let _ = write::apply(model, &mut self.record, &patch);
        write::stamp(model, &mut self.record, &ACTOR, at, WriteKind::Update);
        write::fill_in(model, &mut self.record, &patch, &before, at);
    }

    /// Soft-deletes the item at `at`.
    fn delete(&mut self, model: &ResourceModel, at: &str) {
        write::stamp(model, &mut self.record, &ACTOR, at, WriteKind::Delete);
    }

    /// The current version, 0 for a resource without one.
    fn version(&self, model: &ResourceModel) -> i64 {
        model
            .version_field()
            .and_then(|f| self.record.get(&f.name))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }

    /// The item as a response shows it.
    fn render(&self, model: &ResourceModel) -> Value {
        serde_json::to_value(write::render(model, &self.record)).unwrap_or(Value::Null)
    }
}

/// A body's client values as the server stores them (date-times in UTC, whole numbers as integers).
fn normalised(model: &ResourceModel, body: &Map<String, Value>) -> Map<String, Value> {
    let Ok(rules) = Rules::new(model) else {
        return body.clone();
    };
    body.iter()
        .map(|(k, v)| {
            let v = model
                .field(k)
                .and_then(|f| rules.check(model, f, v).ok())
                .unwrap_or_else(|| v.clone());
            (k.clone(), v)
        })
        .collect()
}

fn header(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_owned(), value.into())
}

fn auth() -> (String, String) {
    header("Authorization", format!("Bearer {TOKEN}"))
}

fn problem_body(status: u16, detail: String, errors: Option<Value>) -> Value {
    let kind = problem::kind(status).expect("a known problem");
    let mut body = json!({
        "type": kind.type_uri(),
        "title": kind.title,
        "status": status,
        "detail": detail,
    });
    if let Some(errors) = errors {
        body["errors"] = errors;
    }
    body
}

fn problem_response(status: u16, detail: String, errors: Option<Value>) -> Response {
    let mut headers = vec![header("Content-Type", "application/problem+json")];
    match status {
        401 => headers.push(header("WWW-Authenticate", "Bearer")),
        405 => headers.push(header("Allow", problem::ITEM_METHODS)),
        503 => headers.push(header("Retry-After", problem::RETRY_AFTER.to_string())),
        _ => {}
    }
    Response {
        status,
        headers,
        body: Some(problem_body(status, detail, errors)),
    }
}

fn item_response(model: &ResourceModel, status: u16, item: &Item, id: &str) -> Response {
    let mut headers = vec![header("Content-Type", "application/json")];
    if model.version_field().is_some() {
        headers.push(header("ETag", format!("\"{}\"", item.version(model))));
    }
    if status == 201 {
        headers.push(header("Location", format!("{}/{id}", model.path)));
    }
    Response {
        status,
        headers,
        body: Some(item.render(model)),
    }
}

/// A value that breaks `format`, for the 422 example.
fn bad_value(format: &Format) -> &'static str {
    match format {
        Format::Email => "ada(at)example.com",
        Format::E164 => "020 7123 4567",
        Format::HttpUrl => "ftp://example.com/ada",
        Format::Hostname => "not a host",
        Format::PrefixedUlid { .. } | Format::PrefixedUuid { .. } => "not-an-id",
    }
}

/// The examples of `model`'s page.
pub fn examples(model: &ResourceModel) -> Examples {
    let id = walk_id(model);
    let item_path = format!("{}/{id}", model.path);
    let json_body = vec![auth(), header("Content-Type", "application/json")];
    let versioned = model.version_field().is_some();
    let mut step = 0;
    let mut next = || {
        step += 1;
        step
    };

    // Create: every client field that has an example.
    let create_body: Map<String, Value> = model
        .client_fields()
        .filter_map(|f| Some((f.name.clone(), f.example.clone()?)))
        .collect();
    let mut item = Item::create(model, &id, &create_body, TIMES[0]);
    let create = Exchange {
        step: next(),
        request: Request {
            method: "POST",
            target: model.path.clone(),
            headers: json_body.clone(),
            body: Some(Body::Json(Value::Object(create_body.clone()))),
        },
        response: item_response(model, 201, &item, &id),
        sent: true,
    };
    let get = Exchange {
        step: next(),
        request: Request {
            method: "GET",
            target: item_path.clone(),
            headers: vec![auth()],
            body: None,
        },
        response: item_response(model, 200, &item, &id),
        sent: true,
    };

    // List: the first filter the create set, and a small page.
    let mut list_query: Vec<(String, String)> = model
        .filters()
        .filter_map(|(f, _)| {
            let v = create_body.get(&f.name)?.as_str()?;
            Some((f.name.clone(), v.to_owned()))
        })
        .take(1)
        .collect();
    list_query.push(("limit".into(), "10".into()));
    let query: Vec<String> = list_query
        .iter()
        .map(|(k, v)| format!("{k}={}", query_escape(v)))
        .collect();
    let list = Exchange {
        step: next(),
        request: Request {
            method: "GET",
            target: format!("{}?{}", model.path, query.join("&")),
            headers: vec![auth()],
            body: None,
        },
        response: Response {
            status: 200,
            headers: vec![header("Content-Type", "application/json")],
            body: Some(json!({ "data": [item.render(model)], "next_cursor": null })),
        },
        sent: true,
    };

    // Update: turn the first example boolean around and clear the last
    // formatted example string; conditional on the version when versioned.
    let mut patch = Map::new();
    if let Some(f) = model
        .client_fields()
        .find(|f| f.ty == FieldType::Boolean && f.example.is_some())
    {
        let flipped = !f.example.as_ref().and_then(Value::as_bool).unwrap_or(false);
        patch.insert(f.name.clone(), Value::from(flipped));
    }
    if let Some(f) = model
        .client_fields()
        .filter(|f| f.format.is_some() && f.example.is_some() && f.filter.is_none())
        .last()
    {
        patch.insert(f.name.clone(), Value::Null);
    }
    let stale = item.version(model);
    item.update(model, &patch, TIMES[1]);
    let mut update_headers = vec![
        auth(),
        header("Content-Type", "application/merge-patch+json"),
    ];
    if versioned {
        update_headers.push(header("If-Match", format!("\"{stale}\"")));
    }
    let update = Exchange {
        step: next(),
        request: Request {
            method: "PATCH",
            target: item_path.clone(),
            headers: update_headers,
            body: Some(Body::Json(Value::Object(patch.clone()))),
        },
        response: item_response(model, 200, &item, &id),
        sent: true,
    };

    // The errors, while the item is live.
    let mut errors: Vec<(u16, Exchange)> = Vec::new();
    errors.push((
        400,
        Exchange {
            step: next(),
            request: Request {
                method: "GET",
                target: format!("{}?limit=0", model.path),
                headers: vec![auth()],
                body: None,
            },
            response: problem_response(400, problem::LIMIT_AT_LEAST_ONE.into(), None),
            sent: true,
        },
    ));
    errors.push((
        401,
        Exchange {
            step: next(),
            request: Request {
                method: "GET",
                target: model.path.clone(),
                headers: vec![],
                body: None,
            },
            response: problem_response(401, problem::MISSING_AUTHORIZATION.into(), None),
            sent: true,
        },
    ));
    errors.push((
        404,
        Exchange {
            step: next(),
            request: Request {
                method: "GET",
                target: format!("{}/{}", model.path, unknown_id(model)),
                headers: vec![auth()],
                body: None,
            },
            response: problem_response(404, problem::not_found(model), None),
            sent: true,
        },
    ));
    errors.push((
        405,
        Exchange {
            step: next(),
            request: Request {
                method: "PUT",
                target: item_path.clone(),
                headers: json_body.clone(),
                body: Some(Body::Json(json!({}))),
            },
            response: problem_response(
                405,
                problem::method_not_allowed(problem::ITEM_METHODS),
                None,
            ),
            sent: true,
        },
    ));
    errors.push((
        408,
        Exchange {
            step: 0,
            request: Request {
                method: "POST",
                target: model.path.clone(),
                headers: vec![
                    auth(),
                    header("Content-Type", "application/json"),
                    header("Content-Length", "2"),
                ],
                body: None,
            },
            response: problem_response(
                408,
                problem::body_timeout(problem::BODY_TIMEOUT_SECS),
                None,
            ),
            sent: false,
        },
    ));
    if let Some(u) = model.unique.first()
        && let Some(v) = create_body.get(&u.field).and_then(Value::as_str)
    {
        // The required fields too: a 422 for them would come before the 409.
        let mut body: Map<String, Value> = model
            .client_fields()
            .filter(|f| f.is_required())
            .filter_map(|f| Some((f.name.clone(), create_body.get(&f.name)?.clone())))
            .collect();
        for w in &u.within {
            if let Some(v) = create_body.get(w) {
                body.insert(w.clone(), v.clone());
            }
        }
        let v = if u.case_insensitive {
            v.to_uppercase()
        } else {
            v.to_owned()
        };
        body.insert(u.field.clone(), Value::from(v));
        errors.push((
            409,
            Exchange {
                step: next(),
                request: Request {
                    method: "POST",
                    target: model.path.clone(),
                    headers: json_body.clone(),
                    body: Some(Body::Json(Value::Object(body))),
                },
                response: problem_response(409, problem::unique(model, Some(&u.field)), None),
                sent: true,
            },
        ));
    }
    if versioned {
        errors.push((
            412,
            Exchange {
                step: next(),
                request: Request {
                    method: "PATCH",
                    target: item_path.clone(),
                    headers: vec![
                        auth(),
                        header("Content-Type", "application/merge-patch+json"),
                        header("If-Match", format!("\"{stale}\"")),
                    ],
                    body: Some(Body::Json(json!({}))),
                },
                response: problem_response(412, problem::PRECONDITION_FAILED.into(), None),
                sent: true,
            },
        ));
    }
    let padded = model
        .client_fields()
        .find(|f| f.ty == FieldType::String && f.format.is_none())
        .map_or_else(|| "name".to_owned(), |f| f.name.clone());
    let max = model.api.max_body_bytes;
    errors.push((
        413,
        Exchange {
            step: next(),
            request: Request {
                method: "POST",
                target: model.path.clone(),
                headers: vec![
                    auth(),
                    header("Content-Type", "application/json"),
                    header("Content-Length", (max as usize + 1).to_string()),
                ],
                body: Some(Body::Padded {
                    member: padded,
                    bytes: max as usize + 1,
                }),
            },
            response: problem_response(413, problem::too_large(max), None),
            sent: true,
        },
    ));
    errors.push((
        415,
        Exchange {
            step: next(),
            request: Request {
                method: "POST",
                target: model.path.clone(),
                headers: vec![auth(), header("Content-Type", "text/plain")],
                body: Some(Body::Text("first_name=Ada".into())),
            },
            response: problem_response(415, problem::UNSUPPORTED_MEDIA_TYPE.into(), None),
            sent: true,
        },
    ));
    // 422: a malformed value and an unknown member, both named.
    let mut invalid = Map::new();
    let mut named: Vec<(String, String)> = Vec::new();
    if let Some(f) = model
        .client_fields()
        .find(|f| f.format.is_some() && f.example.is_some())
        .or_else(|| model.client_fields().find(|f| f.format.is_some()))
    {
        let format = f.format.as_ref().expect("found by its format");
        invalid.insert(f.name.clone(), Value::from(bad_value(format)));
        named.push((f.name.clone(), problem::format_message(format)));
    }
    let mut unknown = "nickname".to_owned();
    while model.field(&unknown).is_some() {
        unknown.push('_');
    }
    invalid.insert(unknown.clone(), Value::from("Ada"));
    named.push((unknown, problem::UNKNOWN_FIELD.into()));
    // The server names the required fields a create leaves out after the body's own.
    for f in model.client_fields().filter(|f| f.is_required()) {
        named.push((f.name.clone(), problem::required(false).into()));
    }
    let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
    errors.push((
        422,
        Exchange {
            step: next(),
            request: Request {
                method: "POST",
                target: model.path.clone(),
                headers: json_body.clone(),
                body: Some(Body::Json(Value::Object(invalid))),
            },
            response: problem_response(
                422,
                problem::invalid(&names),
                Some(Value::Array(
                    named
                        .iter()
                        .map(|(field, message)| json!({"field": field, "message": message}))
                        .collect(),
                )),
            ),
            sent: true,
        },
    ));
    errors.push((
        503,
        Exchange {
            step: 0,
            request: Request {
                method: "GET",
                target: item_path.clone(),
                headers: vec![auth()],
                body: None,
            },
            response: problem_response(503, problem::unavailable(), None),
            sent: false,
        },
    ));

    // Delete last: soft, conditional on the current version when versioned.
    let current = item.version(model);
    let mut delete_headers = vec![auth()];
    if versioned {
        delete_headers.push(header("If-Match", format!("\"{current}\"")));
    }
    let deleted = if model.soft_delete().is_some() {
        item.delete(model, TIMES[2]);
        item_response(model, 200, &item, &id)
    } else {
        Response {
            status: 204,
            headers: vec![],
            body: None,
        }
    };
    let delete = Exchange {
        step: next(),
        request: Request {
            method: "DELETE",
            target: item_path,
            headers: delete_headers,
            body: None,
        },
        response: deleted,
        sent: true,
    };

    Examples {
        id,
        operations: vec![
            (Operation::Create, create),
            (Operation::Get, get),
            (Operation::List, list),
            (Operation::Update, update),
            (Operation::Delete, delete),
        ],
        errors,
        create_body,
        patch,
        list_query,
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn query_escape(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request as HTTP/1.1 text.
pub fn request_text(r: &Request) -> String {
    let mut s = format!("{} {} HTTP/1.1\n", r.method, r.target);
    for (k, v) in &r.headers {
        s.push_str(&format!("{k}: {v}\n"));
    }
    match &r.body {
        None => {}
        Some(Body::Json(v)) => {
            s.push('\n');
            s.push_str(&serde_json::to_string_pretty(v).expect("JSON"));
            s.push('\n');
        }
        Some(Body::Text(t)) => {
            s.push('\n');
            s.push_str(t);
            s.push('\n');
        }
        Some(Body::Padded { member, .. }) => {
            s.push_str(&format!("\n{{\"{member}\": \"xxxxxxxx…\"}}\n"));
        }
    }
    s
}

/// The response as HTTP/1.1 text.
pub fn response_text(r: &Response) -> String {
    let mut s = format!("HTTP/1.1 {} {}\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        s.push_str(&format!("{k}: {v}\n"));
    }
    if let Some(b) = &r.body {
        s.push('\n');
        s.push_str(&serde_json::to_string_pretty(b).expect("JSON"));
        s.push('\n');
    }
    s
}
