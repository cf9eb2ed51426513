//! §3, §6: problem details, media types, sizes, methods and the order of answers.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::{CheckResult, Exchange, ensure};
use crate::identity::Role;
use contact_schema::ResourceModel;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;

/// Every 4xx: problem+json with type, title, status = HTTP status, detail.
pub fn problem(ex: &Exchange) -> CheckResult {
    let ct = ex.header("content-type").unwrap_or("");
    ensure(
        ct.starts_with("application/problem+json"),
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
    ensure(
        ex.body["status"] == ex.status,
        ex,
        "the problem's `status` is not the HTTP status",
    )
}

async fn post(
    ctx: &Ctx,
    content_type: &str,
    body: Vec<u8>,
) -> Result<Exchange, crate::http::Failure> {
    let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
    ctx.api
        .raw(
            Method::POST,
            &ctx.api.path,
            Some(&auth),
            Some((content_type, body)),
            &[],
        )
        .await
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let max_body = m.api.max_body_bytes as usize;
    vec![
        Check::new(
            Family::Errors,
            "problem_details",
            Level::Must,
            "4xx answers are RFC 9457 problem+json with type, title, status and detail; a 422 lists `errors`",
            |ctx: Arc<Ctx>| async move {
                let ex = ctx.get(Role::A1, &ctx.n.never_id()).await?;
                ensure(ex.status == 404, &ex, "expected 404")?;
                problem(&ex)?;
                let ex = ctx.create(Role::A1, &json!({"colour": "red"})).await?;
                ensure(ex.status == 422, &ex, "expected 422")?;
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
            "a body without a JSON media type is a 415; charset parameters are allowed",
            |ctx: Arc<Ctx>| async move {
                for ct in ["", "text/plain", "application/x-www-form-urlencoded"] {
                    let ex = post(&ctx, ct, b"{}".to_vec()).await?;
                    ensure(
                        ex.status == 415,
                        &ex,
                        format!("content-type {ct:?} must be a 415"),
                    )?;
                    problem(&ex)?;
                }
                let body = serde_json::to_vec(&json!({ctx.n.account_field(): ctx.account}))
                    .unwrap_or_default();
                let ex = post(&ctx, "application/json; charset=utf-8", body).await?;
                if ex.status == 201 {
                    ctx.register(Role::A1, s(&ex.body, &ctx.n.id));
                }
                ensure(
                    ex.status == 201,
                    &ex,
                    "application/json; charset=utf-8 must be accepted",
                )
            },
        ),
        Check::new(
            Family::Errors,
            "bad_json_400",
            Level::Must,
            "an empty body, invalid JSON or a non-object is a 400",
            |ctx: Arc<Ctx>| async move {
                for body in [&b""[..], b"{", b"[]", b"\"text\"", b"{\"a\": NaN}"] {
                    let ex = post(&ctx, "application/json", body.to_vec()).await?;
                    ensure(
                        ex.status == 400,
                        &ex,
                        format!("body {:?} must be a 400", String::from_utf8_lossy(body)),
                    )?;
                    problem(&ex)?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Errors,
            "too_large_413",
            Level::Must,
            format!("a body over {max_body} bytes is a 413, before the media type is looked at"),
            move |ctx: Arc<Ctx>| async move {
                let ex = post(&ctx, "text/plain", vec![b' '; max_body + 1]).await?;
                ensure(ex.status == 413, &ex, "expected 413")?;
                problem(&ex)
            },
        ),
        Check::new(
            Family::Errors,
            "methods_405",
            Level::Must,
            "other methods are a 405 with Allow; HEAD answers as GET without a body",
            |ctx: Arc<Ctx>| async move {
                let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
                let ex = ctx
                    .api
                    .raw(Method::PUT, &ctx.api.path, Some(&auth), None, &[])
                    .await?;
                ensure(
                    ex.status == 405 && ex.header("allow").is_some(),
                    &ex,
                    "PUT on the collection must be a 405 with Allow",
                )?;
                problem(&ex)?;
                let c = ctx.created(Role::A1, json!({})).await?;
                let item = ctx.item(s(&c, &ctx.n.id));
                let ex = ctx
                    .api
                    .raw(Method::POST, &item, Some(&auth), None, &[])
                    .await?;
                ensure(
                    ex.status == 405 && ex.header("allow").is_some(),
                    &ex,
                    "POST on an item must be a 405 with Allow",
                )?;
                let ex = ctx
                    .api
                    .raw(Method::HEAD, &item, Some(&auth), None, &[])
                    .await?;
                ensure(
                    ex.status == 200 && ex.text.is_empty() && ex.header("etag") == Some("\"1\""),
                    &ex,
                    "HEAD must answer as GET, without a body",
                )
            },
        ),
        Check::new(
            Family::Errors,
            "order_of_answers",
            Level::Must,
            "401 comes before 404/405; 413 before 415; a bad body's 422 before an unknown item's 404",
            |ctx: Arc<Ctx>| async move {
                let ex = ctx
                    .api
                    .raw(
                        Method::PUT,
                        &format!("{}-not-a-route", ctx.api.path),
                        None,
                        None,
                        &[],
                    )
                    .await?;
                ensure(
                    ex.status == 401,
                    &ex,
                    "without a token, any route must be a 401 first",
                )?;
                let auth = format!("Bearer {}", ctx.ids.get(Role::A1).token);
                let ex = ctx
                    .api
                    .raw(
                        Method::GET,
                        &format!("{}-nope", ctx.api.path),
                        Some(&auth),
                        None,
                        &[],
                    )
                    .await?;
                ensure(ex.status == 404, &ex, "an unknown route must be a 404")?;
                let ex = ctx
                    .patch(Role::A1, &ctx.n.never_id(), &json!({"colour": "red"}), &[])
                    .await?;
                ensure(
                    ex.status == 422,
                    &ex,
                    "the body's 422 must come before the item's 404",
                )?;
                let ex = ctx
                    .patch(
                        Role::A1,
                        &ctx.n.never_id(),
                        &json!({}),
                        &[("if-match", "\"1\"")],
                    )
                    .await?;
                ensure(
                    ex.status == 404,
                    &ex,
                    "the item's 404 must come before the 412",
                )
            },
        ),
        Check::new(
            Family::Errors,
            "unknown_id_404",
            Level::Must,
            "any id the caller cannot see, malformed or not, is a 404",
            |ctx: Arc<Ctx>| async move {
                for id in [&ctx.n.never_id(), "not-an-id", "%ZZ", "0"] {
                    let ex = ctx.get(Role::A1, id).await?;
                    ensure(ex.status == 404, &ex, format!("id {id:?} must be a 404"))?;
                    problem(&ex)?;
                }
                Ok(())
            },
        ),
    ]
}
