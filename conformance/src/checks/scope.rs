//! §2: tenant isolation and app scope.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::ensure;
use crate::identity::Role;
use contact_schema::ResourceModel;
use serde_json::json;
use std::sync::Arc;

pub fn checks(_m: &ResourceModel) -> Vec<Check> {
    vec![
        Check::new(
            Family::Tenant,
            "get_is_404",
            Level::Must,
            "another tenant's contact answers 404, the same as an id that never existed",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let theirs = ctx.get(Role::B, s(&c, &ctx.n.id)).await?;
                let never = ctx.get(Role::B, &ctx.n.never_id()).await?;
                ensure(
                    theirs.status == 404,
                    &theirs,
                    "expected 404 for another tenant's contact",
                )?;
                ensure(
                    never.status == 404,
                    &never,
                    "expected 404 for an id that never existed",
                )?;
                let strip = |v: &serde_json::Value| {
                    let mut v = v.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("instance");
                    }
                    v
                };
                ensure(
                    strip(&theirs.body) == strip(&never.body),
                    &theirs,
                    "the 404 differs from a never-existing id's, so it reveals existence",
                )
            },
        ),
        Check::new(
            Family::Tenant,
            "writes_are_404",
            Level::Must,
            "another tenant's update and delete answer 404 and change nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx
                    .created(Role::A1, json!({ctx.n.text(0): "mine"}))
                    .await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let up = ctx
                    .patch(Role::B, &id, &json!({ctx.n.text(0): "theirs"}), &[])
                    .await?;
                ensure(
                    up.status == 404,
                    &up,
                    "expected 404 for another tenant's update",
                )?;
                let del = ctx.delete(Role::B, &id, &[]).await?;
                ensure(
                    del.status == 404,
                    &del,
                    "expected 404 for another tenant's delete",
                )?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        ),
        Check::new(
            Family::Tenant,
            "lists_are_isolated",
            Level::Must,
            "lists, filters and replayed cursors never show another tenant's contacts",
            |ctx: Arc<Ctx>| async move {
                let acc = ctx.fresh_account();
                let c = ctx
                    .created(
                        Role::A1,
                        json!({ctx.n.account_field(): acc, ctx.n.email_field(): crate::context::fresh_email()}),
                    )
                    .await?;
                ctx.created(Role::A1, json!({ctx.n.account_field(): acc}))
                    .await?;
                let ex = ctx.list(Role::B, &format!("account_id={acc}")).await?;
                ensure(
                    ex.status == 200 && ex.body["data"] == json!([]),
                    &ex,
                    "another tenant's contacts are listed",
                )?;
                let ex = ctx
                    .list(
                        Role::B,
                        &format!("{}={}", ctx.n.email_field(), s(&c, ctx.n.email_field())),
                    )
                    .await?;
                ensure(
                    ex.body["data"] == json!([]),
                    &ex,
                    "the email filter shows another tenant's contact",
                )?;
                let first = ctx
                    .list(Role::A1, &format!("account_id={acc}&limit=1"))
                    .await?;
                if let Some(cursor) = first.body["next_cursor"].as_str() {
                    let ex = ctx
                        .list(
                            Role::B,
                            &format!("account_id={acc}&limit=1&cursor={cursor}"),
                        )
                        .await?;
                    ensure(
                        ex.body["data"].as_array().is_none_or(Vec::is_empty),
                        &ex,
                        "a replayed cursor reveals another tenant's contacts",
                    )?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::AppScope,
            "other_app_is_404",
            Level::Must,
            "an app token cannot read, update or delete another app's contact (404, nothing changes)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::AppX, json!({ctx.n.text(0): "x"})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::AppY, &id).await?;
                ensure(
                    get.status == 404,
                    &get,
                    "expected 404 for another app's contact",
                )?;
                let up = ctx
                    .patch(Role::AppY, &id, &json!({ctx.n.text(0): "y"}), &[])
                    .await?;
                ensure(
                    up.status == 404,
                    &up,
                    "expected 404 for another app's update",
                )?;
                let del = ctx.delete(Role::AppY, &id, &[]).await?;
                ensure(
                    del.status == 404,
                    &del,
                    "expected 404 for another app's delete",
                )?;
                ctx.unchanged(Role::AppX, &id, &c).await
            },
        ),
        Check::new(
            Family::AppScope,
            "lists_are_app_scoped",
            Level::Must,
            "an app's list leaves out other apps' and people's contacts",
            |ctx: Arc<Ctx>| async move {
                let acc = ctx.fresh_account();
                ctx.created(Role::AppX, json!({ctx.n.account_field(): acc}))
                    .await?;
                ctx.created(Role::A1, json!({ctx.n.account_field(): acc}))
                    .await?;
                let ex = ctx.list(Role::AppY, &format!("account_id={acc}")).await?;
                ensure(
                    ex.body["data"] == json!([]),
                    &ex,
                    "app-y sees contacts of app-x or of people",
                )?;
                let ex = ctx.list(Role::AppX, &format!("account_id={acc}")).await?;
                ensure(
                    ex.body["data"].as_array().map(Vec::len) == Some(1),
                    &ex,
                    "app-x should see exactly its own contact",
                )
            },
        ),
        Check::new(
            Family::AppScope,
            "people_see_all_apps",
            Level::Must,
            "a person sees and updates every contact of the tenant; the update keeps the contact's app_id",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::AppX, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::A1, &id).await?;
                ensure(
                    get.status == 200,
                    &get,
                    "a person cannot read an app's contact",
                )?;
                let up = ctx
                    .patch(
                        Role::A1,
                        &id,
                        &json!({ctx.n.text(0): "set by a person"}),
                        &[],
                    )
                    .await?;
                ensure(
                    up.status == 200,
                    &up,
                    "a person cannot update an app's contact",
                )?;
                ensure(
                    up.body.get(&ctx.n.app) == c.get(&ctx.n.app),
                    &up,
                    "a person's update changed app_id",
                )
            },
        ),
    ]
}
