//! §4: ETags, If-Match and the body version.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::ensure;
use crate::identity::Role;
use contact_schema::ResourceModel;
use serde_json::json;
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    if m.version_field().is_none() {
        return Vec::new();
    }
    vec![
        Check::new(
            Family::Versioning,
            "etag_is_version",
            Level::Must,
            "get, create and update carry the strong ETag \"<version>\"",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                let ex = ctx.get(Role::A1, &id).await?;
                ensure(
                    ex.header("etag") == Some("\"2\"") && ex.body[&ctx.n.version] == 2,
                    &ex,
                    "the ETag is not \"2\" for version 2",
                )
            },
        ),
        Check::new(
            Family::Versioning,
            "stale_if_match_is_412",
            Level::Must,
            "an update or delete whose If-Match matches no current version answers 412 and changes nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({ctx.n.text(0): "v1"})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let up = ctx
                    .patch(
                        Role::A1,
                        &id,
                        &json!({ctx.n.text(0): "no"}),
                        &[("if-match", "\"9\"")],
                    )
                    .await?;
                ensure(up.status == 412, &up, "expected 412 for a stale If-Match")?;
                let del = ctx.delete(Role::A1, &id, &[("if-match", "\"9\"")]).await?;
                ensure(
                    del.status == 412,
                    &del,
                    "expected 412 for a stale If-Match on delete",
                )?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        ),
        Check::new(
            Family::Versioning,
            "if_match_forms",
            Level::Must,
            "If-Match `*` and a list containing the current tag match; weak and unparseable tags never match",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                for weak in ["W/\"1\"", "1", "garbage"] {
                    let ex = ctx
                        .patch(Role::A1, &id, &json!({}), &[("if-match", weak)])
                        .await?;
                    ensure(
                        ex.status == 412,
                        &ex,
                        format!("If-Match {weak} must never match"),
                    )?;
                }
                let ex = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "\"7\", \"1\"")])
                    .await?;
                ensure(
                    ex.status == 200,
                    &ex,
                    "a list with the current tag must match",
                )?;
                let ex = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "*")])
                    .await?;
                ensure(ex.status == 200, &ex, "`*` must match")
            },
        ),
        Check::new(
            Family::Versioning,
            "body_version_mismatch_is_409",
            Level::Must,
            "an update whose body version is not current answers 409 and changes nothing; a current one applies",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({ctx.n.text(0): "v1"})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let ex = ctx
                    .patch(
                        Role::A1,
                        &id,
                        &json!({ctx.n.text(0): "no", ctx.n.version.as_str(): 5}),
                        &[],
                    )
                    .await?;
                ensure(
                    ex.status == 409,
                    &ex,
                    "expected 409 for a stale body version",
                )?;
                ctx.unchanged(Role::A1, &id, &c).await?;
                let ex = ctx
                    .patch(
                        Role::A1,
                        &id,
                        &json!({ctx.n.text(0): "yes", ctx.n.version.as_str(): 1}),
                        &[],
                    )
                    .await?;
                ensure(
                    ex.status == 200 && ex.body[&ctx.n.version] == 2,
                    &ex,
                    "a current body version must apply",
                )
            },
        ),
        Check::new(
            Family::Versioning,
            "if_match_before_body_version",
            Level::Must,
            "If-Match is checked before the body version (412, not 409)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let ex = ctx
                    .patch(
                        Role::A1,
                        s(&c, &ctx.n.id),
                        &json!({ctx.n.version.as_str(): 5}),
                        &[("if-match", "\"5\"")],
                    )
                    .await?;
                ensure(ex.status == 412, &ex, "expected 412: If-Match comes first")
            },
        ),
        Check::new(
            Family::Versioning,
            "every_update_is_a_write",
            Level::Must,
            "an empty update still raises the version and moves the update time",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let ex = ctx
                    .patch(Role::A1, s(&c, &ctx.n.id), &json!({}), &[])
                    .await?;
                ensure(
                    ex.status == 200 && ex.body[&ctx.n.version] == 2,
                    &ex,
                    "an empty update did not raise the version",
                )?;
                ensure(
                    super::time(&ex.body, &ctx.n.updated_at) > super::time(&c, &ctx.n.updated_at),
                    &ex,
                    "an empty update did not move updated_at",
                )
            },
        ),
    ]
}
