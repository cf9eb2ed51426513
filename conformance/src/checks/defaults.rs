//! §1: client defaults and computed fields, from the model.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::ensure;
use crate::identity::Role;
use resource_model::ResourceModel;
use resource_model::{Computed, Stamp};
use serde_json::{Value, json};
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = Vec::new();
    for f in m.client_fields() {
        let Some(default) = f.default().cloned() else {
            continue;
        };
        let name = f.name.clone();
        out.push(Check::new(Family::Defaults, &format!("{name}_default"), Level::Must, format!("`{name}` is {default} when absent or null, on create and when an update sets it to null"), move |ctx: Arc<Ctx>| {
            let (name, default) = (name.clone(), default.clone());
            async move {
                let absent = ctx.created(Role::A1, json!({})).await?;
                let null = ctx.created(Role::A1, json!({ name.as_str(): null })).await?;
                let id = s(&null, &ctx.n.id).to_owned();
                let ex = ctx.get(Role::A1, &id).await?;
                ensure(absent.get(&name) == Some(&default), &ex, format!("absent: `{name}` is {:?}, not {default}", absent.get(&name)))?;
                ensure(null.get(&name) == Some(&default), &ex, format!("null: `{name}` is {:?}, not {default}", null.get(&name)))?;
                let up = ctx.patch(Role::A1, &id, &json!({ name.as_str(): null }), &[]).await?;
                ensure(up.body.get(&name) == Some(&default), &up, format!("an update to null left `{name}` at {:?}", up.body.get(&name)))
            }
        }));
    }
    for f in m.client_fields() {
        match f.computed().cloned() {
            Some(Computed::JoinWhenBlank { from, separator }) => {
                let name = f.name.clone();
                let (a, b) = (
                    from.first().cloned().unwrap_or_default(),
                    from.get(1).cloned().unwrap_or_default(),
                );
                out.push(Check::new(Family::Defaults, &format!("{name}_computed"), Level::Must, format!("blank `{name}` becomes the trimmed non-empty {} joined by {separator:?}, recomputed only while blank", from.join(" and ")), move |ctx: Arc<Ctx>| {
                    let (name, a, b, sep) = (name.clone(), a.clone(), b.clone(), separator.clone());
                    async move {
                        let c = ctx.created(Role::A1, json!({ a.as_str(): "  Ada ", b.as_str(): " Lovelace  " })).await?;
                        let id = s(&c, &ctx.n.id).to_owned();
                        let ex = ctx.get(Role::A1, &id).await?;
                        let want = format!("Ada{sep}Lovelace");
                        ensure(s(&c, &name) == want, &ex, format!("`{name}` is {:?}, not {want:?}", c.get(&name)))?;
                        let up = ctx.patch(Role::A1, &id, &json!({ a.as_str(): "Augusta" }), &[]).await?;
                        ensure(s(&up.body, &name) == want, &up, format!("a stored `{name}` was recomputed"))?;
                        let up = ctx.patch(Role::A1, &id, &json!({ name.as_str(): "  " }), &[]).await?;
                        let want = format!("Augusta{sep}Lovelace");
                        ensure(s(&up.body, &name) == want, &up, format!("blank `{name}` after an update is not {want:?}"))?;
                        let none = ctx.created(Role::A1, json!({})).await?;
                        ensure(none.get(&name).is_none_or(Value::is_null), &up, format!("`{name}` is not null when the names are empty"))
                    }
                }));
            }
            Some(Computed::StampWhenTrue { flag }) => {
                let name = f.name.clone();
                let updated_at = m
                    .stamp(Stamp::UpdatedAt)
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                out.push(Check::new(Family::Defaults, &format!("{name}_stamped"), Level::Must, format!("turning `{flag}` true stamps `{name}` with the write's time; turning it off keeps it; a body value wins"), move |ctx: Arc<Ctx>| {
                    let (name, flag, updated_at) = (name.clone(), flag.clone(), updated_at.clone());
                    async move {
                        let c = ctx.created(Role::A1, json!({ flag.as_str(): true })).await?;
                        let id = s(&c, &ctx.n.id).to_owned();
                        let ex = ctx.get(Role::A1, &id).await?;
                        ensure(c.get(&name).is_some() && super::time(&c, &name) == super::time(&c, &updated_at), &ex, format!("`{name}` is not the create's `{updated_at}`"))?;
                        let off = ctx.patch(Role::A1, &id, &json!({ flag.as_str(): false }), &[]).await?;
                        ensure(super::time(&off.body, &name) == super::time(&c, &name), &off, format!("opting out changed `{name}`"))?;
                        let on = ctx.patch(Role::A1, &id, &json!({ flag.as_str(): true }), &[]).await?;
                        ensure(super::time(&on.body, &name) == super::time(&on.body, &updated_at), &on, format!("opting in again did not stamp `{name}`"))?;
                        ctx.patch(Role::A1, &id, &json!({ flag.as_str(): false }), &[]).await?;
                        let explicit = ctx.patch(Role::A1, &id, &json!({ flag.as_str(): true, name.as_str(): "2020-01-01T00:00:00Z" }), &[]).await?;
                        let want = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z").ok();
                        ensure(super::time(&explicit.body, &name) == want, &explicit, format!("the body's `{name}` did not win"))
                    }
                }));
            }
            None => {}
        }
    }
    out
}
