//! §3: lists, filters and cursors. Each check lists only items of its own
//! (tenants of its own, or a partition value of its own: [`Ctx::isolate`]).

use super::lists::{Made, distinct_value, expected, filters, ids, query_value};
use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::{Failure, ensure, same, status};
use crate::identity::Role;
use resource_model::{Filter, ResourceModel};
use serde_json::{Value, json};
use std::sync::Arc;

/// How many items the walk creates at once (so that, on a server whose clock
/// is coarse, several share a `created_at`), and its page size.
const WALK_ITEMS: usize = 12;
const WALK_PAGE: usize = 2;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = vec![
        Check::new(
            Family::Pagination,
            "walk_is_complete_and_ordered",
            Level::Must,
            format!(
                "following next_cursor visits every matching contact exactly once, by created_at then id, also when contacts share a created_at ({WALK_ITEMS} created at once, pages of {WALK_PAGE})"
            ),
            |ctx: Arc<Ctx>| async move {
                let iso = ctx.isolate()?;
                let made = futures::future::join_all(
                    (0..WALK_ITEMS).map(|_| ctx.created_in(&iso, Role::A1, json!({}))),
                )
                .await
                .into_iter()
                .map(|r| {
                    r.map(|item| Made {
                        item,
                        deleted: false,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
                let limit = WALK_PAGE.to_string();
                let pages = ctx
                    .walk_in(&iso, Role::A1, &[("limit", limit.as_str())], 4 * WALK_ITEMS)
                    .await?;
                let mut seen = Vec::new();
                for page in &pages {
                    let got = ids(&ctx, page);
                    ensure(
                        got.len() <= WALK_PAGE,
                        page,
                        "a page holds more than `limit` contacts",
                    )?;
                    seen.extend(got);
                }
                let last = pages.last().expect("a walk has a page");
                same(
                    last,
                    "the ids the walk visited, in order",
                    expected(&ctx, &made, None, false),
                    seen,
                )
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
                    "without `limit`, a list of {} contacts has at most {page} on its first page and a next_cursor",
                    max + 1
                ),
                move |ctx: Arc<Ctx>| async move {
                    let iso = ctx.full_scope().await?;
                    let ex = ctx.list_in(&iso, Role::A1, &[]).await?;
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
                    "`limit` above {max} is capped: of {} contacts a page holds at most {max}, for limit={} and limit={}",
                    max + 1,
                    max + 1,
                    max * 10
                ),
                move |ctx: Arc<Ctx>| async move {
                    let iso = ctx.full_scope().await?;
                    for limit in [max + 1, max * 10] {
                        let l = limit.to_string();
                        let ex = ctx
                            .list_in(&iso, Role::A1, &[("limit", l.as_str())])
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
                let iso = ctx.isolate()?;
                ctx.created_in(&iso, Role::A1, json!({})).await?;
                let plain = ctx.list_in(&iso, Role::A1, &[]).await?;
                status(&plain, &[200], "the list")?;
                for (k, v) in [("colour", "red"), ("sort", "-created_at"), ("x", "\u{0}")] {
                    let ex = ctx.list_in(&iso, Role::A1, &[(k, v)]).await?;
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
            "a malformed or tampered cursor is a 400; an empty `cursor=` is the first page (revision 3)",
            |ctx: Arc<Ctx>| async move {
                let iso = ctx.isolate()?;
                for _ in 0..3 {
                    ctx.created_in(&iso, Role::A1, json!({})).await?;
                }
                let first = ctx.list_in(&iso, Role::A1, &[("limit", "1")]).await?;
                let c = first.body["next_cursor"]
                    .as_str()
                    .ok_or_else(|| {
                        Failure::at(&first, "no next_cursor with more contacts to come")
                    })?
                    .to_owned();
                let mut tampered: Vec<char> = c.chars().collect();
                let mid = tampered.len() / 2;
                tampered[mid] = if tampered[mid] == 'A' { 'B' } else { 'A' };
                let tampered: String = tampered.into_iter().collect();
                for bad in ["garbage", tampered.as_str()] {
                    let ex = ctx
                        .list_in(&iso, Role::A1, &[("limit", "1"), ("cursor", bad)])
                        .await?;
                    status(&ex, &[400], format!("cursor={bad:?}"))?;
                }
                let empty = ctx
                    .list_in(&iso, Role::A1, &[("limit", "1"), ("cursor", "")])
                    .await?;
                status(&empty, &[200], "an empty cursor= (the first page)")?;
                same(
                    &empty,
                    "the page with an empty cursor=",
                    ctx.normal_page(&first.body).0,
                    ctx.normal_page(&empty.body).0,
                )
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
    let fs = filters(m);
    out.push(if fs.is_empty() {
        Check::not_applicable(
            Family::Pagination,
            "filters_hold_on_every_page",
            Level::Must,
            "every page of a filtered walk holds only matching contacts, and the walk all of them",
            "the resource has no list filter",
        )
    } else {
        let names = fs
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect::<Vec<_>>()
            .join(", ");
        let fs2 = fs.clone();
        Check::new(
            Family::Pagination,
            "filters_hold_on_every_page",
            Level::Must,
            format!("every page of a walk filtered by {names} (pages of 2; with include_deleted=true for a unique field, whose earlier holders are soft-deleted) holds only matching contacts, and the walk all of them"),
            move |ctx: Arc<Ctx>| {
                let fs = fs2.clone();
                async move {
                    for f in &fs {
                        let iso = ctx.isolate()?;
                        // Five with one value, four with others, interleaved. A
                        // unique value is held by one live item at a time: the
                        // others with it are soft-deleted (where the rule lets
                        // them share it) and the walk includes deleted items.
                        let unique = ctx.model.unique.iter().find(|u| u.field == f.name);
                        let shared = unique.is_none_or(|u| u.ignore_deleted);
                        let include_deleted = unique.is_some();
                        let a = distinct_value(f, 0);
                        let mut made = Vec::new();
                        for i in 0..9 {
                            let v = if i % 2 == 0 && (shared || i == 0) {
                                a.clone()
                            } else if unique.is_some() {
                                distinct_value(f, i + 1)
                            } else {
                                distinct_value(f, 1)
                            };
                            let item = ctx.created_in(&iso, Role::A1, json!({ f.name.as_str(): v })).await?;
                            let deleted = unique.is_some() && i % 2 == 0 && i < 8;
                            if deleted {
                                status(&ctx.delete_in(&iso, Role::A1, s(&item, &ctx.n.id)).await?, &[200, 204], "deleting an earlier holder")?;
                            }
                            made.push(Made { item, deleted });
                        }
                        let q = query_value(&a);
                        let mut pairs = vec![(f.name.as_str(), q.as_str()), ("limit", "2")];
                        if include_deleted {
                            pairs.push(("include_deleted", "true"));
                        }
                        let pages = ctx.walk_in(&iso, Role::A1, &pairs, 20).await?;
                        let mut seen = Vec::new();
                        for page in &pages {
                            for item in page.body["data"].as_array().into_iter().flatten() {
                                ensure(
                                    super::lists::matches(f, item, &q),
                                    page,
                                    format!("a page of the walk filtered by {}={q} holds a contact whose `{}` is {}", f.name, f.name, item.get(&f.name).unwrap_or(&Value::Null)),
                                )?;
                            }
                            seen.extend(ids(&ctx, page));
                        }
                        same(
                            pages.last().expect("a walk has a page"),
                            format!("the ids of the walk filtered by {}={q}", f.name),
                            expected(&ctx, &made, Some((f, &q)), include_deleted),
                            seen,
                        )?;
                    }
                    Ok(())
                }
            },
        )
    });
    for f in filters(m) {
        let name = f.name.clone();
        let how = f.filter;
        match how {
            Some(Filter::Exact) => {
                let formatted = f.format.is_some();
                let field = f.clone();
                out.push(Check::new(
                    Family::Pagination,
                    &format!("filter_{name}"),
                    Level::Must,
                    format!(
                        "`{name}` filters exactly: of two contacts with different values, only the one with the value is listed{}; it never matches a null `{name}`",
                        if formatted { "; a malformed value is a 400" } else { "" }
                    ),
                    move |ctx: Arc<Ctx>| {
                        let field = field.clone();
                        async move {
                            let name = field.name.as_str();
                            let iso = ctx.isolate()?;
                            let mut made = Vec::new();
                            for i in 0..2 {
                                let item = ctx
                                    .created_in(&iso, Role::A1, json!({ name: distinct_value(&field, i) }))
                                    .await?;
                                made.push(Made { item, deleted: false });
                            }
                            let q = query_value(&made[0].item[name]);
                            let ex = ctx.list_in(&iso, Role::A1, &[(name, q.as_str())]).await?;
                            status(&ex, &[200], "the filtered list")?;
                            same(
                                &ex,
                                format!("the list filtered by {name}={q}"),
                                expected(&ctx, &made, Some((&field, &q)), false),
                                ids(&ctx, &ex),
                            )?;
                            if formatted {
                                let ex = ctx.list_q(Role::A1, &[(name, "malformed")]).await?;
                                status(&ex, &[400], format!("{name}=malformed"))?;
                            }
                            null_never_matches(&ctx, &iso, &field).await
                        }
                    },
                ))
            }
            Some(Filter::CaseInsensitive) => {
                let field = f.clone();
                let others: Vec<resource_model::Field> = filters(m)
                    .into_iter()
                    .filter(|g| g.name != f.name && g.filter == Some(Filter::Exact))
                    .collect();
                out.push(Check::new(
                    Family::Pagination,
                    &format!("filter_{name}"),
                    Level::Must,
                    format!(
                        "`{name}` filters case-insensitively (an upper-case value finds a lower-case one){}; it never matches a null `{name}`",
                        if others.is_empty() {
                            String::new()
                        } else {
                            format!(", ANDed with {}", others.iter().map(|g| format!("`{}`", g.name)).collect::<Vec<_>>().join(" and "))
                        }
                    ),
                    move |ctx: Arc<Ctx>| {
                        let (field, others) = (field.clone(), others.clone());
                        async move {
                            let name = field.name.as_str();
                            let iso = ctx.isolate()?;
                            let mut body = json!({ name: distinct_value(&field, 0) });
                            for g in &iso.free(&others) {
                                body[g.name.as_str()] = distinct_value(g, 0);
                            }
                            let hit = ctx.created_in(&iso, Role::A1, body).await?;
                            let other = ctx
                                .created_in(&iso, Role::A1, json!({ name: distinct_value(&field, 1) }))
                                .await?;
                            let made = vec![
                                Made { item: hit.clone(), deleted: false },
                                Made { item: other, deleted: false },
                            ];
                            let e = query_value(&hit[name]);
                            let upper = e.to_uppercase();
                            let ex = ctx.list_in(&iso, Role::A1, &[(name, upper.as_str())]).await?;
                            status(&ex, &[200], "the filtered list")?;
                            same(
                                &ex,
                                format!("the list filtered by {name}={upper}"),
                                expected(&ctx, &made, Some((&field, &upper)), false),
                                ids(&ctx, &ex),
                            )?;
                            for g in &others {
                                let mine = query_value(&hit[g.name.as_str()]);
                                let ex = ctx
                                    .list_in(&iso, Role::A1, &[(name, e.as_str()), (g.name.as_str(), mine.as_str())])
                                    .await?;
                                same(&ex, format!("{name} and {} together", g.name), vec![s(&hit, &ctx.n.id).to_owned()], ids(&ctx, &ex))?;
                                let theirs = query_value(&distinct_value(g, 1));
                                if theirs != mine {
                                    let ex = ctx
                                        .list_in(&iso, Role::A1, &[(name, e.as_str()), (g.name.as_str(), theirs.as_str())])
                                        .await?;
                                    same(&ex, format!("{name} with another {} (filters are ANDed)", g.name), Vec::<String>::new(), ids(&ctx, &ex))?;
                                }
                            }
                            null_never_matches(&ctx, &iso, &field).await
                        }
                    },
                ))
            }
            None => {}
        }
    }
    out
}

/// CONTRACT.md revision 3: a filter never matches a null field. An item of
/// `iso` with `field` null must not be listed for `field=` (the empty value,
/// which a server reading null as "" would match); a 400 for the empty value
/// is fine.
async fn null_never_matches(
    ctx: &Ctx,
    iso: &crate::context::Iso,
    field: &resource_model::Field,
) -> crate::http::CheckResult {
    if !field.nullable || field.is_required() {
        return Ok(());
    }
    let item = ctx
        .created_in(iso, Role::A1, json!({ field.name.as_str(): null }))
        .await?;
    if !item[field.name.as_str()].is_null() {
        // A default filled it in: there is no null to match.
        return Ok(());
    }
    let ex = ctx
        .list_in(iso, Role::A1, &[(field.name.as_str(), "")])
        .await?;
    status(&ex, &[200, 400], format!("{}= (empty)", field.name))?;
    ensure(
        !ids(ctx, &ex).contains(&s(&item, &ctx.n.id).to_owned()),
        &ex,
        format!(
            "`{}=` (empty) lists a contact whose `{}` is null",
            field.name, field.name
        ),
    )
}
