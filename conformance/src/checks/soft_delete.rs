//! §3: delete is soft (AIP-164).

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::ensure;
use crate::identity::Role;
use contact_schema::ResourceModel;
use serde_json::json;
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let Some(sd) = m.soft_delete() else {
        return Vec::new();
    };
    let flag = sd.flag.name.clone();
    let at = sd.at.map(|f| f.name.clone()).unwrap_or_default();
    let by = sd.by.map(|f| f.name.clone()).unwrap_or_default();
    let client: Vec<String> = m.client_fields().map(|f| f.name.clone()).collect();
    vec![
        Check::new(
            Family::SoftDelete,
            "delete_stamps",
            Level::Must,
            format!(
                "delete sets `{flag}`, `{at}` (= the update time), `{by}`, the writer and version+1, and changes nothing else"
            ),
            move |ctx: Arc<Ctx>| {
                let (flag, at, by, client) = (flag.clone(), at.clone(), by.clone(), client.clone());
                async move {
                    let c = ctx
                        .created(
                            Role::A1,
                            json!({ctx.n.text(1): "Del", ctx.n.email_field(): crate::context::fresh_email()}),
                        )
                        .await?;
                    let id = s(&c, &ctx.n.id).to_owned();
                    let ex = ctx.delete(Role::A2, &id, &[]).await?;
                    ensure(
                        ex.status == 200 || ex.status == 204,
                        &ex,
                        "expected 200 or 204",
                    )?;
                    ensure(
                        ex.header("etag") == Some("\"2\""),
                        &ex,
                        "the delete's ETag is not \"2\"",
                    )?;
                    let d = ctx.get(Role::A1, &id).await?;
                    ensure(
                        d.status == 200,
                        &d,
                        "a soft-deleted contact must still be readable",
                    )?;
                    ensure(d.body[&flag] == true, &d, format!("`{flag}` is not true"))?;
                    ensure(
                        super::time(&d.body, &at).is_some()
                            && d.body[&at] == d.body[&ctx.n.updated_at],
                        &d,
                        format!("`{at}` is not the delete's update time"),
                    )?;
                    ensure(
                        s(&d.body, &by) == ctx.ids.get(Role::A2).claims.sub,
                        &d,
                        format!("`{by}` is not the deleter"),
                    )?;
                    ensure(
                        d.body[&ctx.n.version] == 2,
                        &d,
                        "version did not rise by one",
                    )?;
                    for f in &client {
                        ensure(
                            d.body.get(f) == c.get(f),
                            &d,
                            format!("delete changed `{f}`"),
                        )?;
                    }
                    if ex.status == 200 {
                        ensure(
                            ex.body == d.body,
                            &ex,
                            "the delete's body is not the stored contact",
                        )?;
                    }
                    Ok(())
                }
            },
        ),
        Check::new(
            Family::SoftDelete,
            "deleted_is_final_for_writes",
            Level::Must,
            "updating or deleting a soft-deleted contact answers 404 and changes nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                ctx.delete(Role::A1, &id, &[]).await?;
                let before = ctx.get(Role::A1, &id).await?.body;
                let up = ctx
                    .patch(Role::A1, &id, &json!({ctx.n.text(1): "zombie"}), &[])
                    .await?;
                ensure(
                    up.status == 404,
                    &up,
                    "expected 404 for an update of a soft-deleted contact",
                )?;
                let again = ctx.delete(Role::A1, &id, &[]).await?;
                ensure(
                    again.status == 404,
                    &again,
                    "expected 404 for a second delete",
                )?;
                ctx.unchanged(Role::A1, &id, &before).await
            },
        ),
        Check::new(
            Family::SoftDelete,
            "lists_hide_deleted",
            Level::Must,
            "lists leave soft-deleted contacts out unless include_deleted=true",
            |ctx: Arc<Ctx>| async move {
                let acc = ctx.fresh_account();
                let c = ctx
                    .created(Role::A1, json!({ctx.n.account_field(): acc}))
                    .await?;
                ctx.delete(Role::A1, s(&c, &ctx.n.id), &[]).await?;
                let ex = ctx.list(Role::A1, &format!("account_id={acc}")).await?;
                ensure(
                    ex.body["data"] == json!([]),
                    &ex,
                    "a soft-deleted contact is listed by default",
                )?;
                let ex = ctx
                    .list(Role::A1, &format!("account_id={acc}&include_deleted=false"))
                    .await?;
                ensure(
                    ex.body["data"] == json!([]),
                    &ex,
                    "a soft-deleted contact is listed with include_deleted=false",
                )?;
                let ex = ctx
                    .list(Role::A1, &format!("account_id={acc}&include_deleted=true"))
                    .await?;
                ensure(
                    ex.body["data"].as_array().map(Vec::len) == Some(1),
                    &ex,
                    "include_deleted=true does not list the soft-deleted contact",
                )
            },
        ),
    ]
}
