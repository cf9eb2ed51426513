//! §3: lists, filters and cursors.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::{Failure, ensure, same, status};
use crate::identity::Role;
use resource_model::ResourceModel;
use resource_model::{FieldType, Filter, Format};
use serde_json::{Value, json};
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = vec![
        Check::new(
            Family::Pagination,
            "walk_is_complete_and_ordered",
            Level::Must,
            "following next_cursor visits every matching contact exactly once, by created_at then id",
            |ctx: Arc<Ctx>| async move {
                ctx.n.partition()?;
                let acc = ctx.fresh_account();
                let mut ids = Vec::new();
                for _ in 0..7 {
                    let c = ctx
                        .created(Role::A1, json!({ctx.n.account_field(): acc}))
                        .await?;
                    ids.push(s(&c, &ctx.n.id).to_owned());
                }
                let mut seen: Vec<(String, String)> = Vec::new();
                let mut cursor: Option<String> = None;
                let a = ctx.n.account_field();
                for _ in 0..20 {
                    let mut q = vec![(a, acc.as_str()), ("limit", "3")];
                    if let Some(c) = &cursor {
                        q.push(("cursor", c));
                    }
                    let ex = ctx.list_q(Role::A1, &q).await?;
                    ensure(ex.status == 200, &ex, "expected 200")?;
                    let data = ex.body["data"]
                        .as_array()
                        .ok_or_else(|| Failure::at(&ex, "no `data` array"))?;
                    ensure(
                        data.len() <= 3,
                        &ex,
                        "a page holds more than `limit` contacts",
                    )?;
                    seen.extend(data.iter().map(|c| {
                        (
                            s(c, &ctx.n.created_at).to_owned(),
                            s(c, &ctx.n.id).to_owned(),
                        )
                    }));
                    match ex.body["next_cursor"].as_str() {
                        Some(c) => cursor = Some(c.to_owned()),
                        None => {
                            let mut sorted = seen.clone();
                            sorted.sort_by(|a, b| {
                                let t = |x: &str| chrono::DateTime::parse_from_rfc3339(x).ok();
                                t(&a.0).cmp(&t(&b.0)).then(a.1.cmp(&b.1))
                            });
                            ensure(
                                seen == sorted,
                                &ex,
                                "the walk is not in created_at, id order",
                            )?;
                            let mut got: Vec<String> = seen.into_iter().map(|(_, id)| id).collect();
                            got.sort();
                            ids.sort();
                            return ensure(
                                got == ids,
                                &ex,
                                "the walk did not visit every contact exactly once",
                            );
                        }
                    }
                }
                Err(Failure::new(
                    "the walk did not end after 20 pages of 3 for 7 contacts",
                ))
            },
        ),
        {
            let (page, max) = (
                m.api.default_page_size as usize,
                m.api.max_page_size as usize,
            );
            Check::new(
                Family::Pagination,
                "limit_default",
                Level::Must,
                format!(
                    "without `limit`, a page of {} holding {} contacts has at most {page} and a next_cursor",
                    super::group(m),
                    max + 1
                ),
                move |ctx: Arc<Ctx>| async move {
                    let acc = ctx.full_account().await?;
                    let ex = ctx
                        .list_q(Role::A1, &[(ctx.n.account_field(), acc.as_str())])
                        .await?;
                    status(&ex, &[200], "the list")?;
                    let n = ex.body["data"].as_array().map_or(0, Vec::len);
                    ensure(
                        n <= page,
                        &ex,
                        format!("the default page holds {n} contacts, more than {page}"),
                    )?;
                    ensure(
                        ex.body["next_cursor"].is_string(),
                        &ex,
                        "no next_cursor although more contacts match",
                    )
                },
            )
        },
        {
            let max = m.api.max_page_size as usize;
            Check::new(
                Family::Pagination,
                "limit_cap",
                Level::Must,
                format!(
                    "`limit` above {max} is capped: a page of {} holding {} contacts has at most {max}, for limit={} and limit={}",
                    super::group(m),
                    max + 1,
                    max + 1,
                    max * 10
                ),
                move |ctx: Arc<Ctx>| async move {
                    let acc = ctx.full_account().await?;
                    for limit in [max + 1, max * 10] {
                        let ex = ctx
                            .list_q(
                                Role::A1,
                                &[
                                    (ctx.n.account_field(), acc.as_str()),
                                    ("limit", &limit.to_string()),
                                ],
                            )
                            .await?;
                        status(&ex, &[200], format!("limit={limit}"))?;
                        let n = ex.body["data"].as_array().map_or(0, Vec::len);
                        ensure(
                            n <= max,
                            &ex,
                            format!("limit={limit} gave {n} contacts, more than {max}"),
                        )?;
                        ensure(
                            n == max || ex.body["next_cursor"].is_string(),
                            &ex,
                            "no next_cursor although more contacts match",
                        )?;
                    }
                    Ok(())
                },
            )
        },
        Check::new(
            Family::Pagination,
            "limit_invalid_400",
            Level::Must,
            "`limit` of 0, empty, negative, signed, fractional, padded or not digits is a 400 problem",
            |ctx: Arc<Ctx>| async move {
                for bad in ["0", "", "-1", "+5", "1.5", " 5", "abc", "1e2"] {
                    let ex = ctx.list_q(Role::A1, &[("limit", bad)]).await?;
                    status(&ex, &[400], format!("limit={bad:?}"))?;
                    super::errors::problem(&ex)?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Pagination,
            "unknown_params_ignored",
            Level::Must,
            "unknown query parameters are ignored whatever they hold (U+0000 too): the page is the one without them",
            |ctx: Arc<Ctx>| async move {
                ctx.n.partition()?;
                let acc = ctx.fresh_account();
                ctx.created(Role::A1, json!({ctx.n.account_field(): acc}))
                    .await?;
                let a = ctx.n.account_field();
                let plain = ctx.list_q(Role::A1, &[(a, acc.as_str())]).await?;
                status(&plain, &[200], "the list")?;
                for (k, v) in [("colour", "red"), ("sort", "-created_at"), ("x", "\u{0}")] {
                    let ex = ctx.list_q(Role::A1, &[(a, acc.as_str()), (k, v)]).await?;
                    status(&ex, &[200], format!("the list with {k}={v:?}"))?;
                    same(
                        &ex,
                        format!("the page with {k}={v:?}"),
                        ctx.normal_page(&plain.body),
                        ctx.normal_page(&ex.body),
                    )?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Pagination,
            "nul_in_query_400",
            Level::Must,
            "U+0000 in a list parameter (a filter, the cursor) is a 400 problem",
            |ctx: Arc<Ctx>| async move {
                let mut params: Vec<String> =
                    ctx.model.filters().map(|(f, _)| f.name.clone()).collect();
                params.push("cursor".into());
                for p in params {
                    let ex = ctx.list_q(Role::A1, &[(p.as_str(), "a\u{0}b")]).await?;
                    status(&ex, &[400], format!("{p} holding U+0000"))?;
                    super::errors::problem(&ex)?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Pagination,
            "bad_cursor_400",
            Level::Must,
            "a malformed, tampered or empty cursor is a 400",
            |ctx: Arc<Ctx>| async move {
                let acc = ctx.fresh_account();
                for _ in 0..3 {
                    ctx.created(Role::A1, json!({ctx.n.account_field(): acc}))
                        .await?;
                }
                let a = ctx.n.account_field();
                let ex = ctx
                    .list_q(Role::A1, &[(a, acc.as_str()), ("limit", "1")])
                    .await?;
                let c = ex.body["next_cursor"]
                    .as_str()
                    .ok_or_else(|| Failure::at(&ex, "no next_cursor with more contacts to come"))?
                    .to_owned();
                let mut tampered: Vec<char> = c.chars().collect();
                let mid = tampered.len() / 2;
                tampered[mid] = if tampered[mid] == 'A' { 'B' } else { 'A' };
                let tampered: String = tampered.into_iter().collect();
                for bad in ["garbage", tampered.as_str(), ""] {
                    let ex = ctx
                        .list_q(
                            Role::A1,
                            &[(a, acc.as_str()), ("limit", "1"), ("cursor", bad)],
                        )
                        .await?;
                    status(&ex, &[400], format!("cursor={bad:?}"))?;
                }
                Ok(())
            },
        ),
        Check::new(
            Family::Pagination,
            "include_deleted_values",
            Level::Must,
            "include_deleted accepts only true or false",
            |ctx: Arc<Ctx>| async move {
                for bad in ["yes", "1", "TRUE ", ""] {
                    let ex = ctx.list_q(Role::A1, &[("include_deleted", bad)]).await?;
                    ensure(
                        ex.status == 400,
                        &ex,
                        format!("include_deleted={bad} must be a 400"),
                    )?;
                }
                Ok(())
            },
        ),
    ];
    for (f, how) in m.filters() {
        let name = f.name.clone();
        match how {
            Filter::Exact => {
                // Two values the field accepts: fresh prefixed UUIDs, the enum's first two values, or fresh strings.
                let fresh: Arc<dyn Fn(usize) -> String + Send + Sync> = match (&f.format, &f.ty) {
                    (Some(format @ (Format::PrefixedUuid { .. } | Format::PrefixedUlid { .. })), _) => {
                        let format = format.clone();
                        Arc::new(move |_| crate::context::fresh_id(&format))
                    }
                    (_, FieldType::Enum { values }) => {
                        let values = values.clone();
                        Arc::new(move |i| values.get(i % values.len().max(1)).cloned().unwrap_or_default())
                    }
                    _ => Arc::new(|_| format!("filter-{}", ulid::Ulid::generate())),
                };
                let formatted = f.format.is_some();
                out.push(Check::new(
                    Family::Pagination,
                    &format!("filter_{name}"),
                    Level::Must,
                    format!(
                        "`{name}` filters exactly: of two contacts with different values, only the one with the value is listed{}",
                        if formatted { "; a malformed value is a 400" } else { "" }
                    ),
                    move |ctx: Arc<Ctx>| {
                        let (name, fresh) = (name.clone(), fresh.clone());
                        async move {
                            // Both in an account of their own, so that other items with the value
                            // (an enum's, say) cannot push the one looked for off the page.
                            let partition = ctx.n.partition()?.to_owned();
                            let acc = ctx.fresh_account();
                            let (value, other) = (fresh(0), fresh(1));
                            let in_acc = |v: &str| {
                                let mut b = json!({ partition.as_str(): acc });
                                b[name.as_str()] = json!(v);
                                b
                            };
                            let hit = ctx.created(Role::A1, in_acc(&value)).await?;
                            if other != value {
                                ctx.created(Role::A1, in_acc(&other)).await?;
                            }
                            let mut q = vec![(name.as_str(), value.as_str())];
                            if partition != name {
                                q.push((partition.as_str(), acc.as_str()));
                            }
                            let ex = ctx.list_q(Role::A1, &q).await?;
                            status(&ex, &[200], "the filtered list")?;
                            let ids: Vec<String> = ex.body["data"]
                                .as_array()
                                .map(|d| d.iter().map(|c| s(c, &ctx.n.id).to_owned()).collect())
                                .unwrap_or_default();
                            same(&ex, format!("the list filtered by {name}={value}"), vec![s(&hit, &ctx.n.id).to_owned()], ids)?;
                            if formatted {
                                let ex = ctx.list_q(Role::A1, &[(name.as_str(), "malformed")]).await?;
                                status(&ex, &[400], format!("{name}=malformed"))?;
                            }
                            Ok(())
                        }
                    },
                ))
            }
            Filter::CaseInsensitive => out.push(Check::new(
                Family::Pagination,
                &format!("filter_{name}"),
                Level::Must,
                format!("`{name}` filters case-insensitively (an upper-case value finds a lower-case one), ANDed with the other filters"),
                {
                let field = f.clone();
                move |ctx: Arc<Ctx>| {
                    let (name, field) = (name.clone(), field.clone());
                    async move {
                        // Fresh values of the field's own form (a ULID keeps them unique).
                        let fresh = || match crate::context::valid_value(&field) {
                            Value::String(v) => v.to_lowercase(),
                            other => other.to_string(),
                        };
                        let e = fresh();
                        let hit = ctx.created(Role::A1, json!({ name.as_str(): e })).await?;
                        ctx.created(Role::A1, json!({ name.as_str(): fresh() }))
                            .await?;
                        let ids = |ex: &crate::http::Exchange| -> Vec<String> {
                            ex.body["data"]
                                .as_array()
                                .map(|d| d.iter().map(|c| s(c, &ctx.n.id).to_owned()).collect())
                                .unwrap_or_default()
                        };
                        let want = vec![s(&hit, &ctx.n.id).to_owned()];
                        let upper = e.to_uppercase();
                        let ex = ctx.list_q(Role::A1, &[(name.as_str(), upper.as_str())]).await?;
                        same(&ex, format!("the list filtered by {name}={upper}"), want.clone(), ids(&ex))?;
                        if let Some((a, _)) = &ctx.n.account {
                            let ex = ctx
                                .list_q(Role::A1, &[(name.as_str(), e.as_str()), (a.as_str(), ctx.account.as_str())])
                                .await?;
                            same(&ex, format!("{name} and {a} together"), want, ids(&ex))?;
                            let other = ctx.fresh_account();
                            let ex = ctx
                                .list_q(Role::A1, &[(name.as_str(), e.as_str()), (a.as_str(), other.as_str())])
                                .await?;
                            same(&ex, format!("{name} with another {a} (filters are ANDed)"), Vec::<String>::new(), ids(&ex))?;
                        }
                        Ok(())
                    }
                }
                },
            )),
        }
    }
    out
}
