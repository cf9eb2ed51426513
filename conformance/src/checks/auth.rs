//! §2: bearer tokens.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::{CheckResult, Failure, Request, ensure, status};
use crate::identity::Role;
use reqwest::Method;
use resource_model::ResourceModel;
use serde_json::{Value, json};
use std::sync::Arc;

/// A request to `path` with these `Authorization` headers must be a 401 with
/// `WWW-Authenticate: Bearer`, a problem, and no contact data.
async fn refused(ctx: &Ctx, method: Method, path: &str, auth: &[&str], what: &str) -> CheckResult {
    let body = (method == Method::POST || method == Method::PATCH)
        .then(|| ("application/json", b"{}".to_vec()));
    let ex = ctx
        .api
        .send(Request {
            method,
            path,
            auth,
            body,
            headers: &[],
        })
        .await?;
    status(&ex, &[401], what)?;
    ensure(
        ex.header("www-authenticate")
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("bearer")),
        &ex,
        format!("{what}: no `WWW-Authenticate: Bearer`"),
    )?;
    super::errors::problem(&ex)?;
    ensure(
        ex.body.get("data").is_none() && ex.body.get(&ctx.n.id).is_none(),
        &ex,
        format!("{what}: the 401 carries contact data"),
    )
}

/// Each case (what, the `Authorization` values to send) must be refused on
/// every operation: list, create, get, update and delete (of an item that
/// exists); the item is left as it was.
async fn everywhere(ctx: &Ctx, cases: &[(String, Vec<String>)]) -> CheckResult {
    let target = ctx.created(Role::A1, json!({})).await?;
    let item = ctx.item(s(&target, &ctx.n.id));
    for (what, auth) in cases {
        let auth: Vec<&str> = auth.iter().map(String::as_str).collect();
        for (method, path) in [
            (Method::GET, ctx.api.path.as_str()),
            (Method::POST, ctx.api.path.as_str()),
            (Method::GET, item.as_str()),
            (Method::PATCH, item.as_str()),
            (Method::DELETE, item.as_str()),
        ] {
            let op = match (&method, path == ctx.api.path) {
                (&Method::GET, true) => "list",
                (&Method::POST, _) => "create",
                (&Method::GET, false) => "get",
                (&Method::PATCH, _) => "update",
                _ => "delete",
            };
            refused(ctx, method.clone(), path, &auth, &format!("{what} ({op})")).await?;
        }
    }
    ctx.unchanged(Role::A1, s(&target, &ctx.n.id), &target)
        .await
}

/// One `Authorization` value (or none) must be refused on every operation.
async fn rejected(ctx: &Ctx, auth: Option<&str>, what: &str) -> CheckResult {
    everywhere(
        ctx,
        &[(
            what.to_owned(),
            auth.into_iter().map(str::to_owned).collect(),
        )],
    )
    .await
}

/// A JWT segment: URL-safe base64 without padding.
fn b64(v: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A token with `claims` signed with the run's secret, or a skip without it.
fn crafted(ctx: &Ctx, claims: &Value) -> Result<String, Failure> {
    ctx.ids
        .mint_raw(claims)
        .ok_or_else(|| Failure::skip("needs --jwt-secret to mint crafted tokens"))
}

/// Each (what, claims) token must be refused on every operation.
async fn all_refused(ctx: &Ctx, cases: Vec<(&str, Value)>) -> CheckResult {
    let mut all = Vec::new();
    for (what, claims) in cases {
        let token = crafted(ctx, &claims)?;
        all.push((what.to_owned(), vec![format!("Bearer {token}")]));
    }
    everywhere(ctx, &all).await
}

fn exp() -> i64 {
    chrono::Utc::now().timestamp() + 600
}

pub fn checks(_m: &ResourceModel) -> Vec<Check> {
    vec![
        Check::new(
            Family::Auth,
            "missing_or_malformed",
            Level::Must,
            "no token, another scheme, an empty or malformed token is a 401 problem with WWW-Authenticate: Bearer and no data, on list, create, get, update and delete",
            |ctx: Arc<Ctx>| async move {
                let case = |what: &str, auth: &[&str]| {
                    (
                        what.to_owned(),
                        auth.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
                    )
                };
                everywhere(
                    &ctx,
                    &[
                        case("no Authorization header", &[]),
                        case("Basic scheme", &["Basic dXNlcjpwYXNz"]),
                        case("Bearer without a token", &["Bearer"]),
                        case("malformed token", &["Bearer not.a.jwt"]),
                    ],
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "every_route_needs_a_token",
            Level::Must,
            "create, get, update and delete without a token are each a 401, like the list",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let item = ctx.item(s(&c, &ctx.n.id));
                for (method, path) in [
                    (Method::POST, ctx.api.path.clone()),
                    (Method::GET, item.clone()),
                    (Method::PATCH, item.clone()),
                    (Method::DELETE, item.clone()),
                    (Method::GET, ctx.item(&ctx.n.never_id())),
                ] {
                    refused(
                        &ctx,
                        method.clone(),
                        &path,
                        &[],
                        &format!("{method} {path} without a token"),
                    )
                    .await?;
                }
                ctx.unchanged(Role::A1, s(&c, &ctx.n.id), &c).await
            },
        ),
        Check::new(
            Family::Auth,
            "bad_signature",
            Level::Must,
            "a token signed with another key is a 401 on every operation",
            |ctx: Arc<Ctx>| async move {
                let c = &ctx.ids.get(Role::A1).claims;
                let other = format!("not-the-secret-{}", ulid::Ulid::generate());
                let key = jsonwebtoken::EncodingKey::from_secret(other.as_bytes())
                    .map_err(|e| Failure::new(e.to_string()))?;
                let token = jsonwebtoken::encode(
                    &jsonwebtoken::Header::default(),
                    &json!({"sub": c.sub, "tenant_id": c.tenant_id, "exp": exp()}),
                    &key,
                )
                .map_err(|e| Failure::new(e.to_string()))?;
                rejected(
                    &ctx,
                    Some(&format!("Bearer {token}")),
                    "signed with another key",
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "alg_none",
            Level::Must,
            "an unsigned token (alg: none) is a 401 on every operation",
            |ctx: Arc<Ctx>| async move {
                let c = &ctx.ids.get(Role::A1).claims;
                let token = format!(
                    "{}.{}.",
                    b64(&json!({"alg": "none", "typ": "JWT"})),
                    b64(&json!({"sub": c.sub, "tenant_id": c.tenant_id, "exp": exp()}))
                );
                rejected(&ctx, Some(&format!("Bearer {token}")), "alg none").await
            },
        ),
        Check::new(
            Family::Auth,
            "expired",
            Level::Must,
            "a token that expired 5 minutes ago is a 401 on every operation (needs --jwt-secret)",
            |ctx: Arc<Ctx>| async move {
                let token = ctx
                    .ids
                    .expired(Role::A1, 300)
                    .ok_or_else(|| Failure::skip("needs --jwt-secret to mint an expired token"))?;
                rejected(
                    &ctx,
                    Some(&format!("Bearer {token}")),
                    "expired 5 minutes ago",
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "not_yet_valid",
            Level::Must,
            "a token whose nbf is 5 minutes ahead is a 401 on every operation (needs --jwt-secret)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.ids.get(Role::A1).claims.clone();
                let nbf = chrono::Utc::now().timestamp() + 300;
                all_refused(
                    &ctx,
                    vec![(
                        "nbf 5 minutes ahead",
                        json!({"sub": c.sub, "tenant_id": c.tenant_id, "exp": exp(), "nbf": nbf}),
                    )],
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "claims_required",
            Level::Must,
            "a token without exp, without sub or tenant_id, or with either empty, is a 401 on every operation (needs --jwt-secret)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.ids.get(Role::A1).claims.clone();
                all_refused(
                    &ctx,
                    vec![
                        ("no exp", json!({"sub": c.sub, "tenant_id": c.tenant_id})),
                        ("no sub", json!({"tenant_id": c.tenant_id, "exp": exp()})),
                        (
                            "empty sub",
                            json!({"sub": "", "tenant_id": c.tenant_id, "exp": exp()}),
                        ),
                        ("no tenant_id", json!({"sub": c.sub, "exp": exp()})),
                        (
                            "empty tenant_id",
                            json!({"sub": c.sub, "tenant_id": "", "exp": exp()}),
                        ),
                    ],
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "claim_limits",
            Level::Must,
            "a claim over 255 characters, holding U+0000, null or of another type (sub, tenant_id, app_id, exp), or an empty app_id, is a 401 on every operation (needs --jwt-secret)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.ids.get(Role::A1).claims.clone();
                let (sub, tenant) = (c.sub.as_str(), c.tenant_id.as_str());
                all_refused(&ctx, vec![
                    ("a sub of 256 characters", json!({"sub": "s".repeat(256), "tenant_id": tenant, "exp": exp()})),
                    ("a tenant_id of 256 characters", json!({"sub": sub, "tenant_id": "t".repeat(256), "exp": exp()})),
                    ("U+0000 in tenant_id", json!({"sub": sub, "tenant_id": format!("{tenant}\u{0}x"), "exp": exp()})),
                    ("U+0000 in sub", json!({"sub": format!("{sub}\u{0}"), "tenant_id": tenant, "exp": exp()})),
                    ("a numeric sub", json!({"sub": 42, "tenant_id": tenant, "exp": exp()})),
                    ("a null tenant_id", json!({"sub": sub, "tenant_id": null, "exp": exp()})),
                    ("a null app_id", json!({"sub": sub, "tenant_id": tenant, "app_id": null, "exp": exp()})),
                    ("a numeric app_id", json!({"sub": sub, "tenant_id": tenant, "app_id": 7, "exp": exp()})),
                    ("an empty app_id", json!({"sub": sub, "tenant_id": tenant, "app_id": "", "exp": exp()})),
                    ("an app_id of 256 characters", json!({"sub": sub, "tenant_id": tenant, "app_id": "a".repeat(256), "exp": exp()})),
                    ("a string exp", json!({"sub": sub, "tenant_id": tenant, "exp": exp().to_string()})),
                ]).await
            },
        ),
        Check::new(
            Family::Auth,
            "one_authorization_header",
            Level::Must,
            "a request with two Authorization headers, even two valid ones, is a 401 on every operation",
            |ctx: Arc<Ctx>| async move {
                let a = format!("Bearer {}", ctx.ids.get(Role::A1).token);
                let b = format!("Bearer {}", ctx.ids.get(Role::B).token);
                everywhere(
                    &ctx,
                    &[
                        ("two tokens".to_owned(), vec![a.clone(), b]),
                        ("the same token twice".to_owned(), vec![a.clone(), a]),
                    ],
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "scheme_case_insensitive",
            Level::Must,
            "the Bearer scheme name is case-insensitive",
            |ctx: Arc<Ctx>| async move {
                let auth = format!("bEaReR {}", ctx.ids.get(Role::A1).token);
                let path = format!("{}?limit=1", ctx.api.path);
                let ex = ctx
                    .api
                    .raw(Method::GET, &path, Some(&auth), None, &[])
                    .await?;
                status(&ex, &[200], "a list with `bEaReR`")
            },
        ),
    ]
}
