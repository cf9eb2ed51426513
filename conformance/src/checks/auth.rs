//! §2: bearer tokens.

use super::{Check, Family, Level};
use crate::context::Ctx;
use crate::http::{CheckResult, Failure, ensure};
use crate::identity::Role;
use contact_schema::ResourceModel;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;

async fn rejected(ctx: &Ctx, auth: Option<&str>, what: &str) -> CheckResult {
    let ex = ctx
        .api
        .raw(Method::GET, &ctx.api.path, auth, None, &[])
        .await?;
    ensure(ex.status == 401, &ex, format!("{what}: expected 401"))?;
    ensure(
        ex.header("www-authenticate")
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("bearer")),
        &ex,
        format!("{what}: no `WWW-Authenticate: Bearer`"),
    )?;
    super::errors::problem(&ex)?;
    ensure(
        ex.body.get("data").is_none(),
        &ex,
        format!("{what}: the 401 carries contact data"),
    )
}

/// A JWT segment: URL-safe base64 without padding.
fn b64(v: &serde_json::Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

pub fn checks(_m: &ResourceModel) -> Vec<Check> {
    vec![
        Check::new(
            Family::Auth,
            "missing_or_malformed",
            Level::Must,
            "no token, another scheme, or a malformed token is a 401 with WWW-Authenticate: Bearer and no data",
            |ctx: Arc<Ctx>| async move {
                rejected(&ctx, None, "no Authorization header").await?;
                rejected(&ctx, Some("Basic dXNlcjpwYXNz"), "Basic scheme").await?;
                rejected(&ctx, Some("Bearer not.a.jwt"), "malformed token").await
            },
        ),
        Check::new(
            Family::Auth,
            "bad_signature",
            Level::Must,
            "a token with a tampered signature is a 401",
            |ctx: Arc<Ctx>| async move {
                let t = &ctx.ids.get(Role::A1).token;
                let (head, sig) = t
                    .rsplit_once('.')
                    .ok_or_else(|| Failure::new("the a1 token is not a JWT"))?;
                let flipped: String = sig.chars().rev().collect();
                rejected(
                    &ctx,
                    Some(&format!("Bearer {head}.{flipped}")),
                    "tampered signature",
                )
                .await
            },
        ),
        Check::new(
            Family::Auth,
            "alg_none",
            Level::Must,
            "an unsigned token (alg: none) is a 401",
            |ctx: Arc<Ctx>| async move {
                let c = &ctx.ids.get(Role::A1).claims;
                let token = format!(
                    "{}.{}.",
                    b64(&json!({"alg": "none", "typ": "JWT"})),
                    b64(
                        &json!({"sub": c.sub, "tenant_id": c.tenant_id, "exp": chrono::Utc::now().timestamp() + 600})
                    )
                );
                rejected(&ctx, Some(&format!("Bearer {token}")), "alg none").await
            },
        ),
        Check::new(
            Family::Auth,
            "expired",
            Level::Must,
            "a token that expired 5 minutes ago is a 401 (needs --jwt-secret)",
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
            "claims_required",
            Level::Must,
            "a token without exp, or with an empty sub or tenant_id, is a 401 (needs --jwt-secret)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.ids.get(Role::A1).claims.clone();
                let exp = chrono::Utc::now().timestamp() + 600;
                for (what, claims) in [
                    ("no exp", json!({"sub": c.sub, "tenant_id": c.tenant_id})),
                    (
                        "empty sub",
                        json!({"sub": "", "tenant_id": c.tenant_id, "exp": exp}),
                    ),
                    ("no tenant_id", json!({"sub": c.sub, "exp": exp})),
                ] {
                    let token = ctx.ids.mint_raw(&claims).ok_or_else(|| {
                        Failure::skip("needs --jwt-secret to mint crafted tokens")
                    })?;
                    rejected(&ctx, Some(&format!("Bearer {token}")), what).await?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Auth,
            "scheme_case_insensitive",
            Level::Must,
            "the Bearer scheme name is case-insensitive",
            |ctx: Arc<Ctx>| async move {
                let auth = format!("bEaReR {}", ctx.ids.get(Role::A1).token);
                let ex = ctx
                    .api
                    .raw(
                        Method::GET,
                        &format!("{}?limit=1", ctx.api.path),
                        Some(&auth),
                        None,
                        &[],
                    )
                    .await?;
                ensure(ex.status == 200, &ex, "`bEaReR` must be accepted")
            },
        ),
    ]
}
