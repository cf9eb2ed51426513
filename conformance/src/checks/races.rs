//! §4, §5: concurrent writes.

use super::{Check, Family, Level, Need, s};
use crate::context::Ctx;
use crate::http::{Failure, ensure};
use crate::identity::Role;
use resource_model::ResourceModel;
use serde_json::json;
use std::sync::Arc;

const N: usize = 16;

fn statuses(results: &[Result<crate::http::Exchange, Failure>]) -> Vec<u16> {
    results
        .iter()
        .map(|r| r.as_ref().map_or(0, |e| e.status))
        .collect()
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(why) = super::Need::Uniqueness.missing(m) {
        out.push(Check::not_applicable(
            Family::Races,
            "concurrent_creates_one_value",
            Level::Must,
            format!("{N} concurrent creates of one unique value in one uniqueness group: exactly one 201, the rest 409"),
            why,
        ));
    }
    if let Some(rule) = super::uniqueness::Rule::of(m) {
        out.push(Check::new(
            Family::Races,
            "concurrent_creates_one_value",
            Level::Must,
            format!(
                "{N} concurrent creates of one `{}` in one uniqueness group: exactly one 201, the rest 409",
                rule.name()
            ),
            move |ctx: Arc<Ctx>| {
                let rule = rule.clone();
                async move {
                    let st = super::uniqueness::one_value_race(&ctx, &rule, N).await?;
                    let ok = st.iter().filter(|s| **s == 201).count();
                    let conflict = st.iter().filter(|s| **s == 409).count();
                    if (ok, conflict) != (1, N - 1) {
                        return Err(Failure::new(format!(
                            "expected one 201 and {} 409s, got statuses {st:?}",
                            N - 1
                        )));
                    }
                    Ok(())
                }
            },
        ));
    }
    out.extend(vec![
        Check::new(
            Family::Races,
            "concurrent_conditional_patches",
            Level::Must,
            format!(
                "{N} concurrent PATCHes with the same If-Match: exactly one 200, the rest 412, version +1"
            ),
            |ctx: Arc<Ctx>| async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let results = futures::future::join_all((0..N).map(|_| {
                    let body = json!({});
                    let id = id.clone();
                    let ctx = ctx.clone();
                    async move {
                        ctx.patch(Role::A1, &id, &body, &[("if-match", "\"1\"")])
                            .await
                    }
                }))
                .await;
                let st = statuses(&results);
                let ok = st.iter().filter(|s| **s == 200).count();
                let failed = st.iter().filter(|s| **s == 412).count();
                if (ok, failed) != (1, N - 1) {
                    return Err(Failure::new(format!(
                        "expected one 200 and {} 412s, got statuses {st:?}",
                        N - 1
                    )));
                }
                let ex = ctx.get(Role::A1, &id).await?;
                ensure(
                    ex.body[&ctx.n.version] == 2,
                    &ex,
                    "the version is not 2 after one successful conditional write",
                )
            },
        ),
        Check::new(
            Family::Races,
            "no_lost_update",
            Level::Must,
            "concurrent unconditional PATCHes of different fields all succeed and all stick; version rises by their number",
            |ctx: Arc<Ctx>| async move {
                                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let fields: Vec<String> = ctx.n.texts.iter().take(5).cloned().collect();
                let results = futures::future::join_all(fields.iter().map(|f| {
                    let (ctx, id, body) = (
                        ctx.clone(),
                        id.clone(),
                        json!({ f.as_str(): format!("v-{f}") }),
                    );
                    async move { ctx.patch(Role::A1, &id, &body, &[]).await }
                }))
                .await;
                let st = statuses(&results);
                if st.iter().any(|s| *s != 200) {
                    return Err(Failure::new(format!(
                        "every unconditional PATCH must succeed, got {st:?}"
                    )));
                }
                let ex = ctx.get(Role::A1, &id).await?;
                for f in &fields {
                    ensure(
                        ex.body[f.as_str()] == format!("v-{f}"),
                        &ex,
                        format!("the change to `{f}` was lost"),
                    )?;
                }
                ensure(
                    ex.body[&ctx.n.version] == 1 + fields.len(),
                    &ex,
                    "the version did not rise by the number of writes",
                )
            },
        )
.needs(m, &[Need::PlainText]),
    ]);
    out
}
