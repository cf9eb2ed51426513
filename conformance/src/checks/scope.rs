//! §2: tenant isolation and app scope.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::{Exchange, ensure, status};
use crate::identity::Role;
use resource_model::ResourceModel;
use serde_json::{Value, json};
use std::sync::Arc;

/// What a 404 could reveal: its status, media type, the problem's `type`,
/// `title`, `status` and `detail` with the requested id masked (a detail that
/// echoes the id it was asked for reveals nothing), and the names of its other
/// members (whose values, a per-request trace id say, may differ each time).
fn revealing(ex: &Exchange, id: &str) -> (u16, String, Value) {
    let media = ex
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let body = match ex.body.as_object() {
        Some(o) => {
            let mut shown = serde_json::Map::new();
            for (k, v) in o {
                let v = match (k.as_str(), v) {
                    ("type" | "title" | "status", v) => v.clone(),
                    ("detail", Value::String(t)) => Value::from(t.replace(id, "{id}")),
                    _ => Value::from("…"),
                };
                shown.insert(k.clone(), v);
            }
            Value::Object(shown)
        }
        None => Value::from(ex.text.replace(id, "{id}")),
    };
    (ex.status, media, body)
}

/// Whether `field` of `m` has a list filter.
fn filtered(m: &ResourceModel, field: &str) -> bool {
    m.field(field).is_some_and(|f| f.filter.is_some())
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = vec![
        Check::new(
            Family::Tenant,
            "get_is_404",
            Level::Must,
            "another tenant's contact answers 404 like an id that never existed: same status, media type, problem type, title and detail (the id masked), same member names",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let theirs = ctx.get(Role::B, &id).await?;
                let never_id = ctx.n.never_id();
                let never = ctx.get(Role::B, &never_id).await?;
                status(&theirs, &[404], "another tenant's contact")?;
                status(&never, &[404], "an id that never existed")?;
                let (a, b) = (revealing(&theirs, &id), revealing(&never, &never_id));
                ensure(
                    a == b,
                    &theirs,
                    format!(
                        "the 404 differs from a never-existing id's, so it reveals existence: {} {} vs {} {}",
                        a.1, a.2, b.1, b.2
                    ),
                )
            },
        ),
        Check::new(
            Family::Tenant,
            "writes_are_404",
            Level::Must,
            "another tenant's update and delete answer 404 and change nothing",
            |ctx: Arc<Ctx>| async move {
                ctx.n.need_text()?;
                let c = ctx
                    .created(Role::A1, json!({ctx.n.text(0): "mine"}))
                    .await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let up = ctx
                    .patch(Role::B, &id, &json!({ctx.n.text(0): "theirs"}), &[])
                    .await?;
                status(&up, &[404], "another tenant's update")?;
                let del = ctx.delete(Role::B, &id, &[]).await?;
                status(&del, &[404], "another tenant's delete")?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        ),
        Check::new(
            Family::Tenant,
            "lists_are_isolated",
            Level::Must,
            {
                let n = crate::context::Names::new(m);
                let filters: Vec<String> = n
                    .account
                    .iter()
                    .map(|(f, _)| f.clone())
                    .chain(n.email.clone().filter(|f| filtered(m, f)))
                    .map(|f| format!("`{f}`"))
                    .collect();
                match filters.len() {
                    0 => "lists and a replayed cursor never show another tenant's contacts"
                        .to_owned(),
                    1 => format!(
                        "lists, the {} filter and a replayed cursor never show another tenant's contacts",
                        filters[0]
                    ),
                    _ => format!(
                        "lists, the {} filters and a replayed cursor never show another tenant's contacts",
                        filters.join(" and ")
                    ),
                }
            },
            |ctx: Arc<Ctx>| async move {
                ctx.n.partition()?;
                let acc = ctx.fresh_account();
                let email = crate::context::fresh_email();
                let mut body = json!({ctx.n.account_field(): acc});
                let email_filter = ctx.n.email.clone().filter(|f| filtered(&ctx.model, f));
                if let Some(field) = &email_filter {
                    body[field] = json!(email);
                }
                ctx.created(Role::A1, body).await?;
                ctx.created(Role::A1, json!({ctx.n.account_field(): acc}))
                    .await?;
                let empty = |ex: &Exchange| ex.body["data"].as_array().is_some_and(Vec::is_empty);
                let ex = ctx
                    .list_q(Role::B, &[(ctx.n.account_field(), &acc)])
                    .await?;
                status(&ex, &[200], "another tenant's list")?;
                ensure(empty(&ex), &ex, "another tenant's contacts are listed")?;
                if let Some(field) = &email_filter {
                    let ex = ctx.list_q(Role::B, &[(field.as_str(), &email)]).await?;
                    ensure(
                        empty(&ex),
                        &ex,
                        format!("the `{field}` filter shows another tenant's contact"),
                    )?;
                }
                let first = ctx
                    .list_q(
                        Role::A1,
                        &[(ctx.n.account_field(), acc.as_str()), ("limit", "1")],
                    )
                    .await?;
                if let Some(cursor) = first.body["next_cursor"].as_str() {
                    let ex = ctx
                        .list_q(
                            Role::B,
                            &[
                                (ctx.n.account_field(), acc.as_str()),
                                ("limit", "1"),
                                ("cursor", cursor),
                            ],
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
    ];
    if m.stamp(resource_model::Stamp::App).is_some() {
        out.extend(app_scope());
    } else {
        out.push(no_app_scope());
    }
    out
}

/// CONTRACT.md §8: without an `app_id` stamp a resource has no app scope;
/// every token of the tenant sees and changes all of it.
fn no_app_scope() -> Check {
    Check::new(
        Family::AppScope,
        "no_app_scope",
        Level::Must,
        "with no app stamp there is no app scope: an app token reads, updates and deletes a person's item, and a person an app's",
        |ctx: Arc<Ctx>| async move {
            let c = ctx.created(Role::A1, json!({})).await?;
            let id = s(&c, &ctx.n.id).to_owned();
            status(
                &ctx.get(Role::AppX, &id).await?,
                &[200],
                "an app reading a person's item",
            )?;
            status(
                &ctx.patch(Role::AppX, &id, &json!({}), &[]).await?,
                &[200],
                "an app updating a person's item",
            )?;
            let other = ctx.created(Role::AppY, json!({})).await?;
            status(
                &ctx.get(Role::A2, s(&other, &ctx.n.id)).await?,
                &[200],
                "a person reading an app's item",
            )?;
            status(
                &ctx.delete(Role::AppX, &id, &[]).await?,
                &[200, 204],
                "an app deleting a person's item",
            )
        },
    )
}

/// CONTRACT.md §2: app scope, for a resource with an `app_id` stamp.
fn app_scope() -> Vec<Check> {
    vec![
        Check::new(
            Family::AppScope,
            "other_app_is_404",
            Level::Must,
            "an app token cannot read, update or delete another app's contact (404, nothing changes)",
            |ctx: Arc<Ctx>| async move {
                ctx.n.need_text()?;
                let c = ctx.created(Role::AppX, json!({ctx.n.text(0): "x"})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::AppY, &id).await?;
                status(&get, &[404], "another app's contact")?;
                let up = ctx
                    .patch(Role::AppY, &id, &json!({ctx.n.text(0): "y"}), &[])
                    .await?;
                status(&up, &[404], "another app's update")?;
                let del = ctx.delete(Role::AppY, &id, &[]).await?;
                status(&del, &[404], "another app's delete")?;
                ctx.unchanged(Role::AppX, &id, &c).await
            },
        ),
        Check::new(
            Family::AppScope,
            "person_contact_is_404_to_apps",
            Level::Must,
            "an app token cannot read, update or delete a contact a person created (no app_id): 404, nothing changes",
            |ctx: Arc<Ctx>| async move {
                ctx.n.need_text()?;
                let c = ctx
                    .created(Role::A1, json!({ctx.n.text(0): "a person's"}))
                    .await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::AppX, &id).await?;
                status(&get, &[404], "an app reading a person's contact")?;
                let up = ctx
                    .patch(Role::AppX, &id, &json!({ctx.n.text(0): "app"}), &[])
                    .await?;
                status(&up, &[404], "an app updating a person's contact")?;
                let del = ctx.delete(Role::AppX, &id, &[]).await?;
                status(&del, &[404], "an app deleting a person's contact")?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        ),
        Check::new(
            Family::AppScope,
            "lists_are_app_scoped",
            Level::Must,
            "an app's list leaves out other apps' and people's contacts",
            |ctx: Arc<Ctx>| async move {
                ctx.n.partition()?;
                let acc = ctx.fresh_account();
                let mine = ctx
                    .created(Role::AppX, json!({ctx.n.account_field(): acc}))
                    .await?;
                ctx.created(Role::A1, json!({ctx.n.account_field(): acc}))
                    .await?;
                let ex = ctx
                    .list_q(Role::AppY, &[(ctx.n.account_field(), &acc)])
                    .await?;
                ensure(
                    ex.body["data"].as_array().is_some_and(Vec::is_empty),
                    &ex,
                    "app-y sees contacts of app-x or of people",
                )?;
                let ex = ctx
                    .list_q(Role::AppX, &[(ctx.n.account_field(), &acc)])
                    .await?;
                let ids: Vec<&str> = ex.body["data"]
                    .as_array()
                    .map(|d| d.iter().map(|c| s(c, &ctx.n.id)).collect())
                    .unwrap_or_default();
                crate::http::same(&ex, "app-x's list", vec![s(&mine, &ctx.n.id)], ids)
            },
        ),
        Check::new(
            Family::AppScope,
            "people_see_all_apps",
            Level::Must,
            "a person sees and updates every contact of the tenant; the update keeps the contact's app_id",
            |ctx: Arc<Ctx>| async move {
                ctx.n.need_text()?;
                let c = ctx.created(Role::AppX, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::A1, &id).await?;
                status(&get, &[200], "a person reading an app's contact")?;
                let up = ctx
                    .patch(
                        Role::A1,
                        &id,
                        &json!({ctx.n.text(0): "set by a person"}),
                        &[],
                    )
                    .await?;
                status(&up, &[200], "a person updating an app's contact")?;
                crate::http::same(
                    &up,
                    "app_id after a person's update",
                    c.get(&ctx.n.app),
                    up.body.get(&ctx.n.app),
                )
            },
        ),
    ]
}
