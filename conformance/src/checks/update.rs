//! §3: updates are JSON Merge Patch (RFC 7396).

use super::{Check, Family, Level, Need, s};
use crate::context::Ctx;
use crate::http::{same, status};
use crate::identity::Role;
use resource_model::FieldType;
use resource_model::ResourceModel;
use serde_json::{Value, json};
use std::sync::Arc;

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = vec![
        Check::new(
            Family::Update,
            "null_clears_absent_keeps",
            Level::Must,
            "in an update, an absent member leaves a client field as it was and null clears it",
            |ctx: Arc<Ctx>| async move {
                let Some((a, kept)) = ctx.n.clearable.clone() else {
                    return Err(crate::http::Failure::new(
                        "the model lost its clearable field",
                    ));
                };
                let c = ctx.created(Role::A1, json!({a.as_str(): kept})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let ex = ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                status(&ex, &[200], "an update without the field")?;
                same(
                    &ex,
                    format!("`{a}`, absent from the update"),
                    ctx.normal(&json!({a.as_str(): kept})).get(&a),
                    ctx.normal(&ex.body).get(&a),
                )?;
                let ex = ctx
                    .patch(Role::A1, &id, &json!({a.as_str(): null}), &[])
                    .await?;
                status(&ex, &[200], format!("an update setting `{a}` to null"))?;
                same(
                    &ex,
                    format!("`{a}` after null"),
                    &Value::Null,
                    ex.body.get(&a).unwrap_or(&Value::Null),
                )
            },
        )
        .needs(m, &[Need::Clearable]),
    ];
    if let Some(f) = m.client_fields().find(|f| f.ty == FieldType::JsonObject) {
        let name = f.name.clone();
        out.push(Check::new(
            Family::Update,
            "objects_merge_recursively",
            Level::Must,
            format!("an update merges `{name}` recursively: members absent stay, a null member removes its key, nested objects merge, other values replace"),
            move |ctx: Arc<Ctx>| {
                let name = name.clone();
                async move {
                    let c = ctx
                        .created(Role::A1, json!({name.as_str(): {"keep": 1, "drop": true, "nested": {"x": 1, "y": 2}, "list": [1, 2]}}))
                        .await?;
                    let ex = ctx
                        .patch(Role::A1, s(&c, &ctx.n.id), &json!({name.as_str(): {"drop": null, "nested": {"y": null, "z": 3}, "list": [3], "new": "n"}}), &[])
                        .await?;
                    status(&ex, &[200], "the merge")?;
                    same(
                        &ex,
                        format!("`{name}` after the merge"),
                        &json!({"keep": 1, "nested": {"x": 1, "z": 3}, "list": [3], "new": "n"}),
                        &ex.body[&name],
                    )?;
                    let ex = ctx.patch(Role::A1, s(&c, &ctx.n.id), &json!({name.as_str(): null}), &[]).await?;
                    status(&ex, &[200], format!("an update setting `{name}` to null"))?;
                    same(&ex, format!("`{name}` after null"), &Value::Null, ex.body.get(&name).unwrap_or(&Value::Null))
                }
            },
        ));
    } else {
        out.push(Check::not_applicable(
            Family::Update,
            "objects_merge_recursively",
            Level::Must,
            "an update merges JSON objects recursively",
            Need::JsonObject.missing(m).unwrap_or_default(),
        ));
    }
    if let Some(f) = m.client_fields().find(|f| f.ty == FieldType::StringArray) {
        let name = f.name.clone();
        out.push(Check::new(
            Family::Update,
            "arrays_replaced_whole",
            Level::Must,
            format!("an update replaces `{name}` whole (no merge, no append)"),
            move |ctx: Arc<Ctx>| {
                let name = name.clone();
                async move {
                    let c = ctx
                        .created(Role::A1, json!({name.as_str(): ["a", "b", "c"]}))
                        .await?;
                    let ex = ctx
                        .patch(
                            Role::A1,
                            s(&c, &ctx.n.id),
                            &json!({name.as_str(): ["z"]}),
                            &[],
                        )
                        .await?;
                    status(&ex, &[200], "the update")?;
                    same(
                        &ex,
                        format!("`{name}` after the update"),
                        &json!(["z"]),
                        &ex.body[&name],
                    )
                }
            },
        ));
    } else {
        out.push(Check::not_applicable(
            Family::Update,
            "arrays_replaced_whole",
            Level::Must,
            "an update replaces arrays whole",
            Need::StringArray.missing(m).unwrap_or_default(),
        ));
    }
    out
}
