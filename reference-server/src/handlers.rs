//! The five operations of CONTRACT.md §3, each answering in the order of §6:
//! 401; 404/405 for the route; 413; 415; 400; 422 for the body's fields; 404
//! for the item; 412; 409 for the body version; 422 for references; 409 for uniqueness.

use crate::AppState;
use crate::auth::Caller;
use crate::cursor::Position;
use crate::fault::fault;
use crate::json;
use crate::problem::{FieldError, Problem};
use crate::store::{ListQuery, Record, Scope, StoreError};
use crate::time;
use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use resource_model::rules::{BodyKind, Valid};
use resource_model::write::{self, Actor, WriteKind};
use resource_model::{Computed, Filter, Reference, Stamp};
use serde_json::{Map, Value};

/// How long a client may take to send its body once its headers are in.
pub const BODY_TIMEOUT: std::time::Duration =
    std::time::Duration::from_secs(resource_model::problem::BODY_TIMEOUT_SECS);
/// How often an unconditional write retries when another write got there first.
const MAX_RETRIES: usize = 1000;

type Result<T> = std::result::Result<T, Problem>;

fn scope(caller: &Caller) -> Scope {
    Scope {
        tenant_id: caller.tenant_id.clone(),
        app_id: caller.app_id.clone(),
    }
}

/// The answer to a storage failure: 409 for a uniqueness rule, 422 for a
/// constraint (naming its field), 503 when the storage is unreachable, 500
/// otherwise. Internal text goes to the log, never into a response.
fn store_error(state: &AppState, e: StoreError) -> Problem {
    match e {
        StoreError::Unique { field } => Problem::conflict(unique_detail(state, field.as_deref())),
        StoreError::Constraint { field, message } => {
            eprintln!("reference-server: a constraint refused a validated write: {message}");
            Problem::invalid(vec![FieldError {
                field: field.unwrap_or_else(|| "body".into()),
                message: "is refused by the storage's rules".into(),
            }])
        }
        StoreError::Unavailable(why) => {
            eprintln!("reference-server: storage unavailable: {why}");
            Problem::unavailable()
        }
        other => {
            eprintln!("reference-server: storage failure: {other}");
            Problem::internal()
        }
    }
}

/// The 409 detail for a broken uniqueness rule on `field`, from the model.
fn unique_detail(state: &AppState, field: Option<&str>) -> String {
    resource_model::problem::unique(&state.model, field)
}

/// Reads the body: 413 over the limit, 400 when it cannot be read (broken
/// framing) or does not arrive in time, 415 without a JSON media type, 400
/// when empty, not JSON (repeated member names included), or not an object.
async fn read_object(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<Map<String, Value>> {
    let max = state.model.api.max_body_bytes as usize;
    let bytes: Bytes =
        match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, max)).await {
            Ok(Ok(b)) => b,
            Ok(Err(e)) if is_length_limit(&e) => {
                return Err(Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    resource_model::problem::too_large(max as u32),
                ));
            }
            Ok(Err(_)) => {
                return Err(Problem::bad_request(
                    "The body could not be read: its framing is malformed.",
                ));
            }
            Err(_) => {
                return Err(Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    resource_model::problem::body_timeout(BODY_TIMEOUT.as_secs()),
                ));
            }
        };
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if !matches!(
        media.as_deref(),
        Some("application/json" | "application/merge-patch+json")
    ) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            resource_model::problem::UNSUPPORTED_MEDIA_TYPE,
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::bad_request("The body is empty."));
    }
    match json::parse(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Problem::bad_request("The body must be a JSON object.")),
        Err(e) => Err(Problem::bad_request(format!(
            "The body is not I-JSON: {e}."
        ))),
    }
}

/// Whether reading a body failed on the size limit (and not on framing).
fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

fn validate(state: &AppState, body: &Map<String, Value>, kind: BodyKind) -> Result<Valid> {
    state
        .model
        .rules()
        .validate_body(
            &state.model,
            body,
            kind,
            fault!(state, UnknownFieldsAccepted),
        )
        .map_err(|mut errors| {
            if fault!(state, ValidationNamesOneField) {
                errors.truncate(1);
            }
            Problem::invalid(errors)
        })
}

/// The response body: null fields left out unless always present.
fn render<'a>(state: &'a AppState, record: &'a Record) -> write::Rendered<'a> {
    write::render(&state.model, record)
}

fn version_of(state: &AppState, record: &Record) -> i64 {
    state
        .model
        .version_field()
        .and_then(|f| record.get(&f.name))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn is_deleted(state: &AppState, record: &Record) -> bool {
    state
        .model
        .soft_delete()
        .and_then(|sd| record.get(&sd.flag.name))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn with_item(state: &AppState, status: StatusCode, record: &Record) -> Response {
    let mut res = (status, axum::Json(render(state, record))).into_response();
    if state.model.version_field().is_some() {
        let etag = format!("\"{}\"", version_of(state, record));
        res.headers_mut()
            .insert(header::ETAG, HeaderValue::from_str(&etag).expect("digits"));
    }
    res
}

/// The caller as the model's write semantics see it.
fn actor(caller: &Caller) -> Actor<'_> {
    Actor {
        sub: &caller.sub,
        tenant_id: &caller.tenant_id,
        app_id: caller.app_id.as_deref(),
    }
}

/// Applies the model's stamps for a write by `caller` at `now`.
fn stamp_write(state: &AppState, record: &mut Record, caller: &Caller, now: &str, kind: WriteKind) {
    let version = version_of(state, record);
    write::stamp(&state.model, record, &actor(caller), now, kind);
    if kind != WriteKind::Create
        && fault!(state, VersionNotIncremented)
        && let Some(f) = state.model.version_field()
    {
        record.insert(f.name.clone(), Value::from(version));
    }
}

/// Defaults for client fields that are null, then the computed rules.
fn fill_in(
    state: &AppState,
    record: &mut Record,
    body: &Map<String, Value>,
    before: &Record,
    now: &str,
) {
    let kept: Vec<(String, Value)> = if fault!(state, DisplayNameNotComputed) {
        state
            .model
            .client_fields()
            .filter(|f| matches!(f.computed(), Some(Computed::JoinWhenBlank { .. })))
            .map(|f| {
                (
                    f.name.clone(),
                    record.get(&f.name).cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    write::fill_in(&state.model, record, body, before, now);
    for (name, v) in kept {
        record.insert(name, v);
    }
}

/// The item with `id` visible in `scope`, soft-deleted or not. An id that
/// cannot name an item (wrong format, U+0000) is looked up nowhere: 404.
async fn lookup(state: &AppState, scope: &Scope, id: &str) -> Result<Option<Record>> {
    let id_field = state.model.id_field();
    if state
        .model
        .rules()
        .check(&state.model, id_field, &Value::from(id))
        .is_err()
    {
        return Ok(None);
    }
    state
        .store
        .get(scope, id)
        .await
        .map_err(|e| store_error(state, e))
}

/// 422 when a reference set by the body names no visible, live, other item,
/// or one that does not share the rule's `same` fields with `after`, the
/// item as the write would leave it.
async fn check_references(
    state: &AppState,
    caller: &Caller,
    body: &Map<String, Value>,
    after: &Record,
    own_id: Option<&str>,
) -> Result<()> {
    let mut errors = Vec::new();
    for f in state.model.client_fields() {
        let Some(Reference::SameResource { same }) = &f.references else {
            continue;
        };
        let Some(target) = body.get(&f.name).and_then(Value::as_str) else {
            continue;
        };
        let ok = if Some(target) == own_id {
            false
        } else {
            match lookup(state, &scope(caller), target).await? {
                Some(r) => {
                    !is_deleted(state, &r)
                        && same.iter().all(|s| {
                            r.get(s).unwrap_or(&Value::Null) == after.get(s).unwrap_or(&Value::Null)
                        })
                }
                None => false,
            }
        };
        if !ok {
            let shared = if same.is_empty() {
                String::new()
            } else {
                format!(
                    " with the same {}",
                    same.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            errors.push(FieldError {
                field: f.name.clone(),
                message: format!(
                    "must be the id of another {} you can see that is not deleted{shared}",
                    state.model.name.to_lowercase()
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::invalid(errors))
    }
}

/// `POST {path}`.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match create_inner(&state, &caller, &headers, body).await {
        Ok(r) => r,
        Err(p) => state.problem(p),
    }
}

async fn create_inner(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response> {
    let body = read_object(state, headers, body).await?;
    let valid = validate(state, &body, BodyKind::Create)?;
    let mut now_t = time::now_after(None);
    if fault!(state, CursorSkipsTies) {
        now_t = chrono::DateTime::from_timestamp(now_t.timestamp(), 0).unwrap_or(now_t);
    }
    let now = time::canonical(now_t);
    let mut record = write::blank(&state.model);
    write::apply(&state.model, &mut record, &valid.fields).map_err(Problem::invalid)?;
    let tenant_field = state.model.stamp(Stamp::Tenant).map(|f| f.name.as_str());
    if fault!(state, TenantFromBody)
        && let Some(t) = tenant_field
            .and_then(|f| body.get(f))
            .and_then(Value::as_str)
    {
        let c = Caller {
            tenant_id: t.to_owned(),
            ..caller.clone()
        };
        stamp_write(state, &mut record, &c, &now, WriteKind::Create);
    } else {
        stamp_write(state, &mut record, caller, &now, WriteKind::Create);
    }
    let id_field = state.model.id_field();
    record.insert(
        id_field.name.clone(),
        Value::from(write::new_id(&state.model, now_t)),
    );
    fill_in(state, &mut record, &valid.fields, &Map::new(), &now);
    check_references(state, caller, &valid.fields, &record, None).await?;
    state.store.insert(&record).await.map_err(|e| match e {
        StoreError::Unique { field: Some(field) } if fault!(state, DuplicateEmail422) => {
            Problem::invalid(vec![FieldError {
                field,
                message: "taken".into(),
            }])
        }
        e => store_error(state, e),
    })?;
    let mut res = with_item(state, StatusCode::CREATED, &record);
    let id = record[&id_field.name].as_str().unwrap_or_default();
    let location = format!("{}/{id}", state.model.path);
    res.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).expect("ascii id"),
    );
    Ok(res)
}

/// `GET {path}/{id}` (and HEAD).
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: std::result::Result<Path<String>, PathRejection>,
) -> Response {
    let id = item_id(id);
    #[allow(unused_mut)]
    let mut s = scope(&caller);
    #[cfg(feature = "faults")]
    if fault!(state, CrossTenantRead)
        && let Some(t) = state.store.tenant_of(&id).await
    {
        s.tenant_id = t;
        s.app_id = None;
    }
    match lookup(&state, &s, &id).await {
        Ok(Some(r)) => with_item(&state, StatusCode::OK, &r),
        Ok(None) => state.problem(Problem::not_found(&state.model)),
        Err(p) => state.problem(p),
    }
}

/// The `{id}` of an item path; one that does not even decode names no item
/// (an empty id), so it answers 404 in its turn, like any unknown id.
fn item_id(id: std::result::Result<Path<String>, PathRejection>) -> String {
    id.map(|Path(p)| p).unwrap_or_default()
}

/// Strong comparison of `If-Match` against the current version: `None`
/// without the header, else whether any listed tag (or `*`) matches.
fn if_match(headers: &HeaderMap, version: i64) -> Option<bool> {
    headers.get(header::IF_MATCH)?;
    let values: Vec<&str> = headers
        .get_all(header::IF_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let current = format!("\"{version}\"");
    let matched = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    Some(matched)
}

/// `PATCH {path}/{id}`: a JSON Merge Patch.
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: std::result::Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let id = item_id(id);
    match update_inner(&state, &caller, &id, &headers, body).await {
        Ok(r) => r,
        Err(p) => state.problem(p),
    }
}

async fn update_inner(
    state: &AppState,
    caller: &Caller,
    id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response> {
    let body = read_object(state, headers, body).await?;
    let valid = validate(state, &body, BodyKind::Update)?;
    write_item(
        state,
        caller,
        id,
        headers,
        Op::Update,
        |current, version, now| {
            let valid = &valid;
            async move {
                if let Some(expected) = valid.expected_version
                    && expected != version
                {
                    return Err(Problem::conflict(format!(
                        "The {} is at version {version}, not {expected}.",
                        state.model.name.to_lowercase()
                    )));
                }
                let mut record = current.clone();
                write::apply(&state.model, &mut record, &valid.fields).map_err(Problem::invalid)?;
                stamp_write(state, &mut record, caller, &now, WriteKind::Update);
                fill_in(state, &mut record, &valid.fields, &current, &now);
                check_references(state, caller, &valid.fields, &record, Some(id)).await?;
                Ok(record)
            }
        },
    )
    .await
}

/// Which write [`write_item`] performs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Update,
    Delete,
}

/// The optimistic write shared by update and delete: read the item (404 when
/// invisible or soft-deleted), check `If-Match` (412), let `change` build the
/// new record at a time strictly after the last write, and store it only if
/// the version is still the one read; if another write got there first, start
/// over, so unconditional writes never lose a change and conditional ones
/// see the new version.
async fn write_item<F, Fut>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    headers: &HeaderMap,
    op: Op,
    change: F,
) -> Result<Response>
where
    F: Fn(Record, i64, String) -> Fut,
    Fut: std::future::Future<Output = Result<Record>>,
{
    #[allow(unused_mut)]
    let mut s = scope(caller);
    #[cfg(feature = "faults")]
    if fault!(state, CrossTenantWrite)
        && let Some(t) = state.store.tenant_of(id).await
    {
        s.tenant_id = t;
        s.app_id = None;
    }
    for _ in 0..MAX_RETRIES {
        let not_found = || Problem::not_found(&state.model);
        let current = lookup(state, &s, id).await?.ok_or_else(not_found)?;
        if is_deleted(state, &current) && !(op == Op::Update && fault!(state, UpdateDeleted)) {
            return Err(not_found());
        }
        let version = version_of(state, &current);
        if if_match(headers, version) == Some(false) && !fault!(state, IgnoreIfMatch) {
            return Err(Problem::precondition_failed());
        }
        let prev = state
            .model
            .stamp(Stamp::UpdatedAt)
            .and_then(|f| current.get(&f.name))
            .and_then(Value::as_str);
        let now = time::canonical(time::now_after(prev));
        let record = change(current, version, now).await?;
        if state
            .store
            .update(&s, &record, version)
            .await
            .map_err(|e| store_error(state, e))?
        {
            return Ok(with_item(state, StatusCode::OK, &record));
        }
    }
    Err(Problem::conflict("Too many concurrent writes; try again."))
}

/// `DELETE {path}/{id}`: a soft delete.
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: std::result::Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let id = item_id(id);
    match delete_inner(&state, &caller, &id, &headers).await {
        Ok(r) => r,
        Err(p) => state.problem(p),
    }
}

async fn delete_inner(
    state: &AppState,
    caller: &Caller,
    id: &str,
    headers: &HeaderMap,
) -> Result<Response> {
    write_item(
        state,
        caller,
        id,
        headers,
        Op::Delete,
        |mut record, _, now| async move {
            stamp_write(state, &mut record, caller, &now, WriteKind::Delete);
            Ok(record)
        },
    )
    .await
}

/// `GET {path}` (and HEAD): one page.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Response {
    match list_inner(&state, &caller, query.as_deref().unwrap_or("")).await {
        Ok(r) => r,
        Err(p) => state.problem(p),
    }
}

async fn list_inner(state: &AppState, caller: &Caller, raw: &str) -> Result<Response> {
    let api = state.model.api;
    let mut q = ListQuery {
        limit: api.default_page_size,
        ..ListQuery::default()
    };
    let mut cursor = None;
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(raw)?;
    // The list's own parameters never hold U+0000; unknown ones are ignored whatever they hold.
    let own = ["limit", "cursor", "include_deleted"]
        .into_iter()
        .chain(state.model.filters().map(|(f, _)| f.name.as_str()));
    for name in own {
        if pairs.iter().any(|(k, v)| k == name && v.contains('\0')) {
            return Err(Problem::bad_request(format!(
                "`{name}` must not contain U+0000 (NUL)."
            )));
        }
    }
    let get = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(limit) = get("limit") {
        if limit.is_empty() || !limit.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::bad_request("`limit` must be decimal digits."));
        }
        let n: u64 = limit.parse().unwrap_or(u64::MAX);
        if n == 0 {
            return Err(Problem::bad_request(
                resource_model::problem::LIMIT_AT_LEAST_ONE,
            ));
        }
        q.limit = n.min(u64::from(api.max_page_size)) as u32;
    }
    if state.model.soft_delete().is_some()
        && let Some(v) = get("include_deleted")
    {
        q.include_deleted = match v {
            "true" => true,
            "false" => false,
            _ => {
                return Err(Problem::bad_request(
                    "`include_deleted` must be true or false.",
                ));
            }
        };
    }
    if fault!(state, ListShowsDeleted) {
        q.include_deleted = true;
    }
    for (field, how) in state.model.filters() {
        if let Some(v) = get(&field.name) {
            if how == Filter::Exact
                && field.format.is_some()
                && state
                    .model
                    .rules()
                    .check(&state.model, field, &Value::from(v))
                    .is_err()
            {
                return Err(Problem::bad_request(format!(
                    "`{}` is malformed.",
                    field.name
                )));
            }
            q.filters.push((field.name.clone(), v.to_owned(), how));
        }
    }
    // CONTRACT.md revision 3: an empty `cursor=` is the first page (AIP-158).
    if let Some(c) = get("cursor").filter(|c| !c.is_empty()) {
        let pos = state
            .cursors
            .decode(c)
            .ok_or_else(|| Problem::bad_request("`cursor` is malformed or was tampered with."))?;
        cursor = Some(pos);
    }
    q.after = cursor.map(|p| (p.created_at, p.id));
    #[cfg(feature = "faults")]
    {
        q.skip_ties = fault!(state, CursorSkipsTies);
    }
    let mut rows = state
        .store
        .list(&scope(caller), &q)
        .await
        .map_err(|e| store_error(state, e))?;
    let more = rows.len() > q.limit as usize;
    rows.truncate(q.limit as usize);
    let next = match (more, rows.last()) {
        (true, Some(last)) => {
            let field = |s| {
                state
                    .model
                    .stamp(s)
                    .and_then(|f| last.get(&f.name))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            Value::from(state.cursors.encode(&Position {
                created_at: field(Stamp::CreatedAt),
                id: field(Stamp::Id),
            }))
        }
        _ => Value::Null,
    };
    /// One page of a list, as sent.
    #[derive(serde::Serialize)]
    struct Page<'a> {
        data: Vec<write::Rendered<'a>>,
        next_cursor: Value,
    }
    let page = Page {
        data: rows.iter().map(|r| render(state, r)).collect(),
        next_cursor: next,
    };
    Ok((StatusCode::OK, axum::Json(page)).into_response())
}

/// The query pairs, decoded as `application/x-www-form-urlencoded`.
fn serde_urlencoded_pairs(raw: &str) -> Result<Vec<(String, String)>> {
    Ok(form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

/// Any path outside every resource: 404.
pub async fn not_found(shared: crate::Shared) -> Response {
    shared.problem(Problem::new(StatusCode::NOT_FOUND, "No such resource."))
}

/// A method the collection does not allow: 405.
pub async fn collection_method_not_allowed(State(state): State<AppState>) -> Response {
    state.problem(Problem::method_not_allowed(
        resource_model::problem::COLLECTION_METHODS,
    ))
}

/// A method an item does not allow: 405.
pub async fn item_method_not_allowed(State(state): State<AppState>) -> Response {
    state.problem(Problem::method_not_allowed(
        resource_model::problem::ITEM_METHODS,
    ))
}
