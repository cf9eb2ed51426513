//! §2: tenant isolation and app scope.

use super::lists::{distinct_value, filters, ids, query_value};
use super::{Check, Family, Level, Need, s};
use crate::context::{Ctx, Iso};
use crate::http::{CheckResult, Exchange, ensure, same, status};
use crate::identity::Role;
use resource_model::{Field, ResourceModel, Stamp};
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

/// For each filter of the resource, the `i`-th distinct value, in a body.
fn filter_body(fs: &[Field], i: usize) -> Value {
    let mut body = json!({});
    for f in fs {
        body[f.name.as_str()] = distinct_value(f, i);
    }
    body
}

/// The list forms a scope rule must hold on: plain, each filter with the
/// value of each of `items`, and each of those with include_deleted=true.
fn list_forms(fs: &[Field], items: &[Value]) -> Vec<Vec<(String, String)>> {
    let mut forms: Vec<Vec<(String, String)>> = vec![vec![]];
    for f in fs {
        for item in items {
            if let Some(v) = item.get(&f.name).filter(|v| !v.is_null()) {
                let pair = vec![(f.name.clone(), query_value(v))];
                if !forms.contains(&pair) {
                    forms.push(pair);
                }
            }
        }
    }
    let with_deleted: Vec<Vec<(String, String)>> = forms
        .iter()
        .map(|q| {
            let mut q = q.clone();
            q.push(("include_deleted".into(), "true".into()));
            q
        })
        .collect();
    forms.extend(with_deleted);
    forms
}

/// Lists as `role` in every form of `forms`; fails when any shows an id of `forbidden`.
async fn never_shows(
    ctx: &Ctx,
    iso: &Iso,
    role: Role,
    forms: &[Vec<(String, String)>],
    forbidden: &[String],
    what: &str,
) -> CheckResult {
    for q in forms {
        let pairs: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let ex = ctx.list_in(iso, role, &pairs).await?;
        status(
            &ex,
            &[200],
            format!("{role}'s list {}", crate::http::query(&pairs)),
        )?;
        let shown: Vec<String> = ids(ctx, &ex)
            .into_iter()
            .filter(|id| forbidden.contains(id))
            .collect();
        ensure(
            shown.is_empty(),
            &ex,
            format!(
                "{what}: the list {} shows {}",
                if pairs.is_empty() {
                    "without parameters".to_owned()
                } else {
                    crate::http::query(&pairs)
                },
                shown.join(", ")
            ),
        )?;
    }
    Ok(())
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let fs = filters(m);
    let filter_words = if fs.is_empty() {
        String::new()
    } else {
        format!(
            ", filtered by {}",
            fs.iter()
                .map(|f| format!("`{}`", f.name))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
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
            "another tenant's update (an empty one too) and delete answer 404 and change nothing",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let up = ctx.patch(Role::B, &id, &json!({}), &[]).await?;
                status(&up, &[404], "another tenant's update")?;
                let del = ctx.delete(Role::B, &id, &[]).await?;
                status(&del, &[404], "another tenant's delete")?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        ),
        {
            let fs = fs.clone();
            Check::new(
                Family::Tenant,
                "lists_are_isolated",
                Level::Must,
                format!(
                    "another tenant's contacts never show in a list: plain{filter_words}, with include_deleted=true, or through a replayed cursor"
                ),
                move |ctx: Arc<Ctx>| {
                    let fs = fs.clone();
                    async move {
                        let iso = ctx.isolate()?;
                        let live = ctx
                            .created_in(&iso, Role::A1, filter_body(&iso.free(&fs), 0))
                            .await?;
                        let gone = ctx
                            .created_in(&iso, Role::A1, filter_body(&iso.free(&fs), 1))
                            .await?;
                        status(
                            &ctx.delete_in(&iso, Role::A1, s(&gone, &ctx.n.id)).await?,
                            &[200, 204],
                            "deleting one",
                        )?;
                        let theirs = vec![
                            s(&live, &ctx.n.id).to_owned(),
                            s(&gone, &ctx.n.id).to_owned(),
                        ];
                        never_shows(
                            &ctx,
                            &iso,
                            Role::B,
                            &list_forms(&fs, &[live, gone]),
                            &theirs,
                            "another tenant's contacts are listed",
                        )
                        .await?;
                        ctx.created_in(&iso, Role::A1, json!({})).await?;
                        let first = ctx.list_in(&iso, Role::A1, &[("limit", "1")]).await?;
                        if let Some(cursor) = first.body["next_cursor"].as_str() {
                            let ex = ctx
                                .list_in(&iso, Role::B, &[("limit", "1"), ("cursor", cursor)])
                                .await?;
                            ensure(
                                ex.body["data"].as_array().is_none_or(|d| {
                                    d.iter()
                                        .all(|c| !theirs.contains(&s(c, &ctx.n.id).to_owned()))
                                }),
                                &ex,
                                "a replayed cursor reveals another tenant's contacts",
                            )?;
                        }
                        Ok(())
                    }
                },
            )
        },
    ];
    out.extend(app_scope(m, &fs, &filter_words));
    out.push(no_app_scope().needs(m, &[Need::NoAppStamp]));
    out
}

/// CONTRACT.md §8: without an `app_id` stamp a resource has no app scope;
/// every token of the tenant sees and changes all of it.
fn no_app_scope() -> Check {
    Check::new(
        Family::AppScope,
        "no_app_scope",
        Level::Must,
        "with no app stamp there is no app scope: an app token reads, updates and deletes a person's contact, and a person an app's",
        |ctx: Arc<Ctx>| async move {
            let c = ctx.created(Role::A1, json!({})).await?;
            let id = s(&c, &ctx.n.id).to_owned();
            status(
                &ctx.get(Role::AppX, &id).await?,
                &[200],
                "an app reading a person's contact",
            )?;
            status(
                &ctx.patch(Role::AppX, &id, &json!({}), &[]).await?,
                &[200],
                "an app updating a person's contact",
            )?;
            let other = ctx.created(Role::AppY, json!({})).await?;
            status(
                &ctx.get(Role::A2, s(&other, &ctx.n.id)).await?,
                &[200],
                "a person reading an app's contact",
            )?;
            status(
                &ctx.delete(Role::AppX, &id, &[]).await?,
                &[200, 204],
                "an app deleting a person's contact",
            )
        },
    )
}

/// CONTRACT.md §2: app scope, for a resource with an `app_id` stamp.
fn app_scope(m: &ResourceModel, fs: &[Field], filter_words: &str) -> Vec<Check> {
    let need = [Need::Stamp(Stamp::App)];
    let fs = fs.to_vec();
    vec![
        Check::new(
            Family::AppScope,
            "other_app_is_404",
            Level::Must,
            "an app token cannot read, update (an empty update too) or delete another app's contact (404, nothing changes)",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::AppX, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::AppY, &id).await?;
                status(&get, &[404], "another app's contact")?;
                let up = ctx.patch(Role::AppY, &id, &json!({}), &[]).await?;
                status(&up, &[404], "another app's update")?;
                let del = ctx.delete(Role::AppY, &id, &[]).await?;
                status(&del, &[404], "another app's delete")?;
                ctx.unchanged(Role::AppX, &id, &c).await
            },
        )
        .needs(m, &need),
        Check::new(
            Family::AppScope,
            "person_contact_is_404_to_apps",
            Level::Must,
            "an app token cannot read, update or delete a contact a person created (no app_id): 404, nothing changes",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::AppX, &id).await?;
                status(&get, &[404], "an app reading a person's contact")?;
                let up = ctx.patch(Role::AppX, &id, &json!({}), &[]).await?;
                status(&up, &[404], "an app updating a person's contact")?;
                let del = ctx.delete(Role::AppX, &id, &[]).await?;
                status(&del, &[404], "an app deleting a person's contact")?;
                ctx.unchanged(Role::A1, &id, &c).await
            },
        )
        .needs(m, &need),
        Check::new(
            Family::AppScope,
            "lists_are_app_scoped",
            Level::Must,
            format!("an app's list leaves out other apps' and people's contacts: plain{filter_words}, with include_deleted=true, and on every page of a walk"),
            move |ctx: Arc<Ctx>| {
                let fs = fs.clone();
                async move {
                    let iso = ctx.isolate()?;
                    // App-x: one live, one deleted; a person's and app-y's, each with other filter values.
                    let mine = ctx.created_in(&iso, Role::AppX, filter_body(&iso.free(&fs), 0)).await?;
                    let mine_gone = ctx.created_in(&iso, Role::AppX, filter_body(&iso.free(&fs), 1)).await?;
                    status(&ctx.delete_in(&iso, Role::AppX, s(&mine_gone, &ctx.n.id)).await?, &[200, 204], "app-x deleting its own")?;
                    let person = ctx.created_in(&iso, Role::A1, filter_body(&iso.free(&fs), 2)).await?;
                    let yours = ctx.created_in(&iso, Role::AppY, filter_body(&iso.free(&fs), 3)).await?;
                    let all = [mine.clone(), mine_gone.clone(), person.clone(), yours.clone()];
                    let forms = list_forms(&fs, &all);
                    let id = |v: &Value| s(v, &ctx.n.id).to_owned();
                    never_shows(&ctx, &iso, Role::AppY, &forms, &[id(&mine), id(&mine_gone), id(&person)], "app-y sees contacts of app-x or of a person").await?;
                    never_shows(&ctx, &iso, Role::AppX, &forms, &[id(&yours), id(&person)], "app-x sees contacts of app-y or of a person").await?;
                    let ex = ctx.list_in(&iso, Role::AppX, &[("include_deleted", "true")]).await?;
                    let mut got = ids(&ctx, &ex);
                    got.sort();
                    let mut want = vec![id(&mine), id(&mine_gone)];
                    want.sort();
                    same(&ex, "app-x's list with include_deleted=true", want, got)?;
                    for page in ctx.walk_in(&iso, Role::AppY, &[("limit", "1")], 10).await? {
                        ensure(
                            ids(&ctx, &page).iter().all(|i| *i == id(&yours)),
                            &page,
                            "a page of app-y's walk shows another's contact",
                        )?;
                    }
                    Ok(())
                }
            },
        )
        .needs(m, &need),
        Check::new(
            Family::AppScope,
            "people_see_all_apps",
            Level::Must,
            "a person sees and updates every contact of the tenant; the update keeps the contact's app_id",
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::AppX, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let get = ctx.get(Role::A1, &id).await?;
                status(&get, &[200], "a person reading an app's contact")?;
                let up = ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                status(&up, &[200], "a person updating an app's contact")?;
                crate::http::same(
                    &up,
                    "app_id after a person's update",
                    c.get(&ctx.n.app),
                    up.body.get(&ctx.n.app),
                )
            },
        )
        .needs(m, &need),
    ]
}
