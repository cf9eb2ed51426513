//! §4: ETags, If-Match and the body version.

use super::{Check, Family, Level, Need, s, time};
use crate::context::Ctx;
use crate::http::{ensure, same, status};
use crate::identity::Role;
use resource_model::{ResourceModel, Stamp};
use serde_json::json;
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let checks = vec![
        Check::new(
            Family::Versioning,
            "etag_is_version",
            Level::Must,
            "create, update and get carry the strong ETag \"<version>\" of the contact they return",
            |ctx: Arc<Ctx>| async move {
                let ex = ctx
                    .create(Role::A1, &json!({ctx.n.account_field(): ctx.account}))
                    .await?;
                status(&ex, &[201], "the create")?;
                same(&ex, "the create's ETag", Some("\"1\""), ex.header("etag"))?;
                let id = s(&ex.body, &ctx.n.id).to_owned();
                let up = ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                status(&up, &[200], "the update")?;
                same(&up, "the update's ETag", Some("\"2\""), up.header("etag"))?;
                let get = ctx.get(Role::A1, &id).await?;
                same(&get, "the get's ETag", Some("\"2\""), get.header("etag"))?;
                same(&get, "the version", &json!(2), &get.body[&ctx.n.version])
            },
        ),
        Check::new(
            Family::Versioning,
            "stale_if_match_is_412",
            Level::Must,
            "an update or delete whose If-Match matches no current version answers 412 and changes nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let up = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "\"9\"")])
                    .await?;
                status(&up, &[412], "an update with a stale If-Match")?;
                let del = ctx.delete(Role::A1, &id, &[("if-match", "\"9\"")]).await?;
                status(&del, &[412], "a delete with a stale If-Match")?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        ),
        Check::new(
            Family::Versioning,
            "if_match_forms",
            Level::Must,
            "on update, If-Match `*` and a list containing the current tag match; weak (W/\"1\"), unquoted and unparseable tags never match",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                for weak in ["W/\"1\"", "1", "garbage"] {
                    let ex = ctx
                        .patch(Role::A1, &id, &json!({}), &[("if-match", weak)])
                        .await?;
                    status(&ex, &[412], format!("If-Match {weak}"))?;
                }
                let ex = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "\"7\", \"1\"")])
                    .await?;
                status(
                    &ex,
                    &[200],
                    "If-Match \"7\", \"1\" (a list with the current tag)",
                )?;
                let ex = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "*")])
                    .await?;
                status(&ex, &[200], "If-Match *")
            },
        ),
        Check::new(
            Family::Versioning,
            "matching_if_match_on_delete",
            Level::Must,
            "a delete whose If-Match is the current tag applies: the contact reads back deleted",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let ex = ctx.delete(Role::A1, &id, &[("if-match", "\"1\"")]).await?;
                status(
                    &ex,
                    &[200, 204],
                    "a delete with If-Match \"1\" on version 1",
                )?;
                let back = ctx.get(Role::A1, &id).await?;
                status(&back, &[200], "reading the deleted contact back")?;
                if let Some(flag) = ctx.model.soft_delete().map(|sd| sd.flag.name.clone()) {
                    same(
                        &back,
                        format!("`{flag}` after the delete"),
                        &json!(true),
                        &back.body[&flag],
                    )?;
                }
                same(
                    &back,
                    "the version after the delete",
                    &json!(2),
                    &back.body[&ctx.n.version],
                )
            },
        ),
        Check::new(
            Family::Versioning,
            "deleted_404_before_412",
            Level::Must,
            "on a soft-deleted contact, an update or delete with a stale If-Match answers 404, not 412",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let del = ctx.delete(Role::A1, &id, &[]).await?;
                status(&del, &[200, 204], "the delete")?;
                let up = ctx
                    .patch(Role::A1, &id, &json!({}), &[("if-match", "\"9\"")])
                    .await?;
                status(
                    &up,
                    &[404],
                    "an update of a soft-deleted contact with a stale If-Match",
                )?;
                let again = ctx.delete(Role::A1, &id, &[("if-match", "\"9\"")]).await?;
                status(
                    &again,
                    &[404],
                    "a delete of a soft-deleted contact with a stale If-Match",
                )
            },
        ),
        Check::new(
            Family::Versioning,
            "body_version_mismatch_is_409",
            Level::Must,
            "an update whose body version is not current answers 409 and changes nothing; a current one applies",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let v = ctx.n.version.as_str();
                let ex = ctx.patch(Role::A1, &id, &json!({v: 5}), &[]).await?;
                status(&ex, &[409], "an update with body version 5 on version 1")?;
                ctx.unchanged(Role::A1, &id, &c).await?;
                let ex = ctx.patch(Role::A1, &id, &json!({v: 1}), &[]).await?;
                status(&ex, &[200], "an update with the current body version")?;
                same(&ex, "the version", &json!(2), &ex.body[v])
            },
        ),
        Check::new(
            Family::Versioning,
            "body_version_type_422",
            Level::Must,
            "a body version that is not an integer is a 422 naming it, and changes nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let v = ctx.n.version.as_str();
                let ex = ctx.patch(Role::A1, &id, &json!({ v: "1" }), &[]).await?;
                status(&ex, &[422], "an update with body version \"1\" (a string)")?;
                same(
                    &ex,
                    "the fields named",
                    vec![v.to_owned()],
                    super::validation::named(&ex),
                )?;
                ctx.unchanged(Role::A1, &id, &c).await
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
                status(&ex, &[412], "a stale If-Match and a stale body version")
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
                status(&ex, &[200], "an empty update")?;
                same(&ex, "the version", &json!(2), &ex.body[&ctx.n.version])?;
                ensure(
                    time(&ex.body, &ctx.n.updated_at) > time(&c, &ctx.n.updated_at),
                    &ex,
                    format!("an empty update did not move `{}`", ctx.n.updated_at),
                )
            },
        ),
    ];
    checks
        .into_iter()
        .map(|c| c.needs(m, &[Need::Stamp(Stamp::Version)]))
        .collect()
}
