//! §3: delete is soft (AIP-164).

use super::lists::{Made, distinct_value, expected, filters, ids, query_value};
use super::{Check, Family, Level, s, time};
use crate::context::Ctx;
use crate::http::{ensure, same, status};
use crate::identity::Role;
use resource_model::{Field, ResourceModel};
use serde_json::json;
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let Some(sd) = m.soft_delete() else {
        let why = "the resource has no soft-delete flag stamp";
        return vec![
            Check::not_applicable(
                Family::SoftDelete,
                "delete_stamps",
                Level::Must,
                "delete is soft: it stamps the item deleted",
                why,
            ),
            Check::not_applicable(
                Family::SoftDelete,
                "deleted_is_final_for_writes",
                Level::Must,
                "updating or deleting a soft-deleted contact answers 404",
                why,
            ),
            Check::not_applicable(
                Family::SoftDelete,
                "lists_hide_deleted",
                Level::Must,
                "lists leave soft-deleted contacts out unless include_deleted=true",
                why,
            ),
        ];
    };
    let fs = filters(m);
    let filter_words = if fs.is_empty() {
        String::new()
    } else {
        format!(
            ", also when filtered by {}",
            fs.iter()
                .map(|f| format!("`{}`", f.name))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let flag = sd.flag.name.clone();
    let one = m.name.to_lowercase();
    let at = sd.at.map(|f| f.name.clone());
    let by = sd.by.map(|f| f.name.clone());
    let stamps: Vec<String> = std::iter::once(format!("`{flag}`"))
        .chain(
            at.iter()
                .map(|a| format!("`{a}` (the same instant as the update time)")),
        )
        .chain(by.iter().map(|b| format!("`{b}`")))
        .collect();
    let client: Vec<String> = m.client_fields().map(|f| f.name.clone()).collect();
    vec![
        Check::new(
            Family::SoftDelete,
            "delete_stamps",
            Level::Must,
            format!(
                "delete (200 with the {one}, or 204) sets {}, the writer and version+1, and changes no client field; a get still answers 200",
                stamps.join(", ")
            ),
            move |ctx: Arc<Ctx>| {
                let (flag, at, by, client) = (flag.clone(), at.clone(), by.clone(), client.clone());
                async move {
                    let c = ctx.created(Role::A1, json!({})).await?;
                    let id = s(&c, &ctx.n.id).to_owned();
                    let ex = ctx.delete(Role::A2, &id, &[]).await?;
                    status(&ex, &[200, 204], "the delete")?;
                    same(&ex, "the delete's ETag", Some("\"2\""), ex.header("etag"))?;
                    let d = ctx.get(Role::A1, &id).await?;
                    status(&d, &[200], "a get of the soft-deleted contact")?;
                    same(&d, format!("`{flag}`"), &json!(true), &d.body[&flag])?;
                    if let Some(at) = &at {
                        ensure(
                            time(&d.body, at).is_some()
                                && time(&d.body, at) == time(&d.body, &ctx.n.updated_at),
                            &d,
                            format!(
                                "`{at}` ({}) is not the delete's `{}` ({})",
                                d.body[at], ctx.n.updated_at, d.body[&ctx.n.updated_at]
                            ),
                        )?;
                    }
                    ensure(
                        time(&d.body, &ctx.n.updated_at) > time(&c, &ctx.n.updated_at),
                        &d,
                        format!("the delete did not move `{}` forward", ctx.n.updated_at),
                    )?;
                    if let Some(by) = &by {
                        same(
                            &d,
                            format!("`{by}`"),
                            ctx.ids.get(Role::A2).claims.sub.as_str(),
                            s(&d.body, by),
                        )?;
                    }
                    same(&d, "the version", &json!(2), &d.body[&ctx.n.version])?;
                    let (before, after) = (ctx.normal(&c), ctx.normal(&d.body));
                    for f in &client {
                        same(
                            &d,
                            format!("`{f}` after the delete"),
                            before.get(f),
                            after.get(f),
                        )?;
                    }
                    if ex.status == 200 {
                        ensure(
                            ctx.normal(&ex.body) == after,
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
            "updating (an empty update too) or deleting a soft-deleted contact answers 404 and changes nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let del = ctx.delete(Role::A1, &id, &[]).await?;
                status(&del, &[200, 204], "the first delete")?;
                let before = ctx.get(Role::A1, &id).await?.body;
                let up = ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                status(&up, &[404], "an update of a soft-deleted contact")?;
                let up = ctx.patch(Role::A2, &id, &json!({}), &[]).await?;
                status(
                    &up,
                    &[404],
                    "another person's update of a soft-deleted contact",
                )?;
                let again = ctx.delete(Role::A1, &id, &[]).await?;
                status(&again, &[404], "a second delete")?;
                ctx.unchanged(Role::A1, &id, &before).await
            },
        ),
        Check::new(
            Family::SoftDelete,
            "lists_hide_deleted",
            Level::Must,
            format!(
                "lists leave soft-deleted contacts out{filter_words}, unless include_deleted=true, which lists them with the filters applied"
            ),
            move |ctx: Arc<Ctx>| {
                let fs = fs.clone();
                async move {
                    let iso = ctx.isolate()?;
                    let free = iso.free(&fs);
                    let body = |i: usize| {
                        let mut b = json!({});
                        for f in &free {
                            b[f.name.as_str()] = distinct_value(f, i);
                        }
                        b
                    };
                    let live = ctx.created_in(&iso, Role::A1, body(0)).await?;
                    let gone = ctx.created_in(&iso, Role::A1, body(1)).await?;
                    let del = ctx.delete_in(&iso, Role::A1, s(&gone, &ctx.n.id)).await?;
                    status(&del, &[200, 204], "the delete")?;
                    let made = vec![
                        Made {
                            item: live.clone(),
                            deleted: false,
                        },
                        Made {
                            item: gone.clone(),
                            deleted: true,
                        },
                    ];
                    let mut forms: Vec<(Option<(&Field, String)>, &str)> = Vec::new();
                    for d in ["", "false", "true"] {
                        forms.push((None, d));
                        for f in &fs {
                            for item in [&live, &gone] {
                                if let Some(v) = item.get(&f.name).filter(|v| !v.is_null()) {
                                    forms.push((Some((f, query_value(v))), d));
                                }
                            }
                        }
                    }
                    for (filter, d) in forms {
                        let mut q: Vec<(&str, &str)> = Vec::new();
                        if let Some((f, v)) = &filter {
                            q.push((f.name.as_str(), v.as_str()));
                        }
                        if !d.is_empty() {
                            q.push(("include_deleted", d));
                        }
                        let ex = ctx.list_in(&iso, Role::A1, &q).await?;
                        status(&ex, &[200], "the list")?;
                        same(
                            &ex,
                            format!(
                                "the list {}",
                                if q.is_empty() {
                                    "without parameters".to_owned()
                                } else {
                                    crate::http::query(&q)
                                }
                            ),
                            expected(
                                &ctx,
                                &made,
                                filter.as_ref().map(|(f, v)| (*f, v.as_str())),
                                d == "true",
                            ),
                            ids(&ctx, &ex),
                        )?;
                    }
                    Ok(())
                }
            },
        ),
    ]
}
