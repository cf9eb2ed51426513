//! §3, §6: problem details, media types, sizes, methods and the order of answers.

use super::{Check, Family, Level, Need, s};
use crate::context::Ctx;
use crate::http::{CheckResult, Exchange, Failure, ensure, same, status};
use crate::identity::Role;
use reqwest::Method;
use resource_model::ResourceModel;
use serde_json::{Value, json};
use std::sync::Arc;

/// Every 4xx: problem+json with type, title, status = HTTP status, detail.
pub fn problem(ex: &Exchange) -> CheckResult {
    let ct = ex.header("content-type").unwrap_or("");
    ensure(
        ct.to_ascii_lowercase()
            .starts_with("application/problem+json"),
        ex,
        format!(
            "a {} must be application/problem+json, not {ct:?}",
            ex.status
        ),
    )?;
    for key in ["type", "title", "detail"] {
        ensure(
            ex.body[key].is_string(),
            ex,
            format!("the problem has no string `{key}`"),
        )?;
    }
    same(
        ex,
        "the problem's `status`",
        &json!(ex.status),
        &ex.body["status"],
    )
}

/// A request with a raw body as a1 to `path`.
async fn send(
    ctx: &Ctx,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    headers: &[(&str, &str)],
) -> Result<Exchange, Failure> {
    let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
    let ex = ctx
        .api
        .raw(
            method,
            path,
            Some(&auth),
            Some((content_type, body)),
            headers,
        )
        .await?;
    if ex.status == 201 {
        ctx.register(Role::A1, s(&ex.body, &ctx.n.id));
    }
    Ok(ex)
}

/// The collection (create) and a fresh item (update), for checks that hold for both.
async fn targets(ctx: &Ctx) -> Result<[(Method, String); 2], Failure> {
    let c = ctx.created(Role::A1, json!({})).await?;
    Ok([
        (Method::POST, ctx.api.path.clone()),
        (Method::PATCH, ctx.item(s(&c, &ctx.n.id))),
    ])
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let max_body = m.api.max_body_bytes as usize;
    let mut out = vec![
        Check::new(
            Family::Errors,
            "problem_details",
            Level::Must,
            "a 404 and a 422 are RFC 9457 problem+json with type, title, status (the HTTP status) and detail; a 422 lists `errors` with field and message",
            |ctx: Arc<Ctx>| async move {
                let ex = ctx.get(Role::A1, &ctx.n.never_id()).await?;
                status(&ex, &[404], "a get of an id that never existed")?;
                problem(&ex)?;
                let ex = ctx.create(Role::A1, &json!({"colour": "red"})).await?;
                status(&ex, &[422], "a create with an unknown field")?;
                problem(&ex)?;
                ensure(
                    ex.body["errors"][0]["field"].is_string()
                        && ex.body["errors"][0]["message"].is_string(),
                    &ex,
                    "a 422's `errors` lacks field and message",
                )
            },
        ),
        Check::new(
            Family::Errors,
            "media_type_415",
            Level::Must,
            "a create or update body without a JSON media type (none, text/plain, a form) is a 415 problem; application/json with a charset is accepted",
            |ctx: Arc<Ctx>| async move {
                for (method, path) in targets(&ctx).await? {
                    for ct in ["", "text/plain", "application/x-www-form-urlencoded"] {
                        let ex = send(&ctx, method.clone(), &path, ct, b"{}".to_vec(), &[]).await?;
                        status(&ex, &[415], format!("{method} with content-type {ct:?}"))?;
                        problem(&ex)?;
                    }
                }
                let mut body = ctx.n.with_required(&json!({}));
                if let Some(account) = &ctx.n.account {
                    body[account.name.as_str()] = json!(ctx.account);
                }
                let body = serde_json::to_vec(&body).unwrap_or_default();
                let ex = send(
                    &ctx,
                    Method::POST,
                    &ctx.api.path,
                    "application/json; charset=utf-8",
                    body,
                    &[],
                )
                .await?;
                status(&ex, &[201], "a create as application/json; charset=utf-8")
            },
        ),
        Check::new(
            Family::Errors,
            "merge_patch_media_type",
            Level::Must,
            "an update sent as application/merge-patch+json (also with a charset) applies",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let item = ctx.item(s(&c, &ctx.n.id));
                for ct in [
                    "application/merge-patch+json",
                    "application/merge-patch+json; charset=utf-8",
                ] {
                    let body = serde_json::to_vec(&json!({ctx.n.text(0): ct})).unwrap_or_default();
                    let ex = send(&ctx, Method::PATCH, &item, ct, body, &[]).await?;
                    status(&ex, &[200], format!("an update as {ct}"))?;
                    same(
                        &ex,
                        format!("`{}` after the update", ctx.n.text(0)),
                        &json!(ct),
                        &ex.body[ctx.n.text(0)],
                    )?;
                }
                Ok(())
            },
        )
        .needs(m, &[Need::PlainText]),
        Check::new(
            Family::Errors,
            "bad_json_400",
            Level::Must,
            "a create or update whose body is empty, not JSON (or NaN), or not an object is a 400 problem",
            |ctx: Arc<Ctx>| async move {
                for (method, path) in targets(&ctx).await? {
                    for body in [&b""[..], b"{", b"[]", b"\"text\"", b"{\"a\": NaN}", b"null"] {
                        let ex = send(
                            &ctx,
                            method.clone(),
                            &path,
                            "application/json",
                            body.to_vec(),
                            &[],
                        )
                        .await?;
                        status(
                            &ex,
                            &[400],
                            format!("{method} with body {:?}", String::from_utf8_lossy(body)),
                        )?;
                        problem(&ex)?;
                    }
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "repeated_member_400",
            Level::Must,
            "a create or update body with a repeated member name, at the top or nested in an object, is a 400",
            |ctx: Arc<Ctx>| async move {
                let Some(text) = ctx.model.client_fields().next().map(|f| f.name.clone()) else {
                    return Err(Failure::new("the resource has no client field"));
                };
                let object = ctx
                    .model
                    .client_fields()
                    .find(|f| f.ty == resource_model::FieldType::JsonObject)
                    .map(|f| f.name.clone());
                let mut bodies = vec![format!(r#"{{"{text}":"a","{text}":"b"}}"#)];
                if let Some(o) = object {
                    bodies.push(format!(r#"{{"{o}":{{"k":{{"x":1,"x":2}}}}}}"#));
                }
                for (method, path) in targets(&ctx).await? {
                    for body in &bodies {
                        let ex = send(
                            &ctx,
                            method.clone(),
                            &path,
                            "application/json",
                            body.clone().into_bytes(),
                            &[],
                        )
                        .await?;
                        status(&ex, &[400], format!("{method} with body {body}"))?;
                        problem(&ex)?;
                    }
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "too_large_413",
            Level::Must,
            format!(
                "a create or update body over {max_body} bytes is a 413 problem, before its media type is looked at"
            ),
            move |ctx: Arc<Ctx>| async move {
                for (method, path) in targets(&ctx).await? {
                    let ex = send(
                        &ctx,
                        method.clone(),
                        &path,
                        "text/plain",
                        vec![b' '; max_body + 1],
                        &[],
                    )
                    .await?;
                    status(
                        &ex,
                        &[413],
                        format!("{method} of {} bytes as text/plain", max_body + 1),
                    )?;
                    problem(&ex)?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "methods_405",
            Level::Must,
            "PUT or DELETE on the collection and POST or PUT on an item are a 405 problem with an Allow header",
            |ctx: Arc<Ctx>| async move {
                let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
                let c = ctx.created(Role::A1, json!({})).await?;
                let item = ctx.item(s(&c, &ctx.n.id));
                for (method, path) in [
                    (Method::PUT, ctx.api.path.clone()),
                    (Method::DELETE, ctx.api.path.clone()),
                    (Method::POST, item.clone()),
                    (Method::PUT, item),
                ] {
                    let ex = ctx
                        .api
                        .raw(method.clone(), &path, Some(&auth), None, &[])
                        .await?;
                    status(&ex, &[405], format!("{method} {path}"))?;
                    ensure(
                        ex.header("allow").is_some(),
                        &ex,
                        format!("the 405 for {method} has no Allow header"),
                    )?;
                    problem(&ex)?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "head_like_get",
            Level::Must,
            "HEAD on an item and on the list answers as GET without a body: same status, ETag, and a Content-Length, if sent, equal to GET's body length",
            |ctx: Arc<Ctx>| async move {
                let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
                let c = ctx.created(Role::A1, json!({})).await?;
                let list = format!(
                    "{}?{}",
                    ctx.api.path,
                    crate::http::query(&[
                        (ctx.n.account_field(), ctx.account.as_str()),
                        ("limit", "2")
                    ])
                );
                for path in [ctx.item(s(&c, &ctx.n.id)), list] {
                    let get = ctx
                        .api
                        .raw(Method::GET, &path, Some(&auth), None, &[])
                        .await?;
                    let head = ctx
                        .api
                        .raw(Method::HEAD, &path, Some(&auth), None, &[])
                        .await?;
                    same(
                        &head,
                        format!("HEAD {path}'s status"),
                        get.status,
                        head.status,
                    )?;
                    ensure(head.text.is_empty(), &head, "HEAD answered with a body")?;
                    same(
                        &head,
                        "HEAD's ETag",
                        get.header("etag"),
                        head.header("etag"),
                    )?;
                    if let Some(len) = head.header("content-length") {
                        same(
                            &head,
                            "HEAD's Content-Length (GET's body length)",
                            get.text.len().to_string(),
                            len.to_owned(),
                        )?;
                    }
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "order_auth_first",
            Level::Must,
            "without a token, an unknown route or a wrong method is a 401 first; with one, an unknown route is a 404",
            |ctx: Arc<Ctx>| async move {
                for (method, path) in [
                    (Method::PUT, format!("{}-not-a-route", ctx.api.path)),
                    (Method::PUT, ctx.api.path.clone()),
                ] {
                    let ex = ctx.api.raw(method.clone(), &path, None, None, &[]).await?;
                    status(&ex, &[401], format!("{method} {path} without a token"))?;
                }
                let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
                let path = format!("{}-nope", ctx.api.path);
                let ex = ctx
                    .api
                    .raw(Method::GET, &path, Some(&auth), None, &[])
                    .await?;
                status(&ex, &[404], format!("GET {path}"))
            },
        ),
        Check::new(
            Family::Errors,
            "order_body_before_item",
            Level::Must,
            "an update of an id that never existed answers the body's 415, 400 or 422 before the item's 404",
            |ctx: Arc<Ctx>| async move {
                let item = ctx.item(&ctx.n.never_id());
                for (ct, body, want) in [
                    ("text/plain", "{", 415),
                    ("application/json", "{", 400),
                    ("application/json", r#"{"colour":"red"}"#, 422),
                ] {
                    let ex = send(
                        &ctx,
                        Method::PATCH,
                        &item,
                        ct,
                        body.as_bytes().to_vec(),
                        &[],
                    )
                    .await?;
                    status(
                        &ex,
                        &[want],
                        format!("an update of an unknown id as {ct} with {body}"),
                    )?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "order_item_before_precondition",
            Level::Must,
            "an update or delete of an id that never existed with a stale If-Match is a 404, not a 412",
            |ctx: Arc<Ctx>| async move {
                let id = ctx.n.never_id();
                let ex = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "\"1\"")])
                    .await?;
                status(&ex, &[404], "an update of an unknown id with If-Match")?;
                let ex = ctx.delete(Role::A1, &id, &[("if-match", "\"1\"")]).await?;
                status(&ex, &[404], "a delete of an unknown id with If-Match")
            },
        ),
        Check::new(
            Family::Errors,
            "unknown_id_404",
            Level::Must,
            "a get, update or delete of any id the caller cannot see, malformed or not (also U+0000, a bad escape), is a 404 problem",
            |ctx: Arc<Ctx>| async move {
                for id in [
                    ctx.n.never_id().as_str(),
                    "not-an-id",
                    "%ZZ",
                    "0",
                    "%00",
                    "per_%00",
                ] {
                    let ex = ctx.get(Role::A1, id).await?;
                    status(&ex, &[404], format!("a get of id {id:?}"))?;
                    problem(&ex)?;
                    let ex = ctx.patch(Role::A1, id, &json!({}), &[]).await?;
                    status(&ex, &[404], format!("an update of id {id:?}"))?;
                    let ex = ctx.delete(Role::A1, id, &[]).await?;
                    status(&ex, &[404], format!("a delete of id {id:?}"))?;
                }
                Ok(())
            },
        ),
    ];
    let rule = super::uniqueness::Rule::of(m);
    let unique = rule.as_ref().map_or_else(
        || "a unique field".to_owned(),
        |r| format!("`{}`", r.name()),
    );
    out.push(
        Check::new(
            Family::Errors,
            "order_version_reference_unique",
            Level::Must,
            format!("a stale body version (409) comes before a bad reference (422), which comes before a duplicate {unique} (409)"),
            move |ctx: Arc<Ctx>| {
                let rule = rule.clone();
                async move {
                    let (Some(rule), Some(reference)) = (
                        rule,
                        ctx.model.client_fields().find(|f| f.references.is_some()).map(|f| f.name.clone()),
                    ) else {
                        return Err(Failure::new("the model lost what the check needs"));
                    };
                    let g = super::uniqueness::group(&ctx, &rule);
                    let taken = rule.value();
                    let holder = super::uniqueness::create_in(&ctx, Role::A1, &rule, &g, &taken).await?;
                    status(&holder, &[201], "the holder of the value")?;
                    let c = ctx.create(Role::A1, &Value::Object(g.clone())).await?;
                    status(&c, &[201], "the item written to")?;
                    let c = c.body;
                    let id = s(&c, &ctx.n.id).to_owned();
                    let v = ctx.n.version.as_str();
                    let f = rule.name();
                    let ex = ctx
                        .patch(Role::A1, &id, &json!({v: 7, reference.as_str(): id, f: taken}), &[])
                        .await?;
                    status(&ex, &[409], format!("a stale version, a self-reference and a taken `{f}`"))?;
                    let ex = ctx
                        .patch(Role::A1, &id, &json!({reference.as_str(): id, f: taken}), &[])
                        .await?;
                    status(&ex, &[422], format!("a self-reference and a taken `{f}`"))?;
                    let mut body = g.clone();
                    body.insert(reference.clone(), json!(ctx.n.never_id()));
                    body.insert(f.to_owned(), taken.clone());
                    let ex = ctx.create(Role::A1, &Value::Object(body)).await?;
                    status(&ex, &[422], format!("a create with an unknown reference and a taken `{f}`"))?;
                    ctx.unchanged(Role::A1, &id, &c).await
                }
            },
        )
        .needs(m, &[Need::Reference, Need::Uniqueness, Need::Stamp(resource_model::Stamp::Version)]),
    );
    out
}
