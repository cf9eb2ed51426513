//! §1, §3, §6: body validation, from the model's types, formats, enums and limits.

use super::{Check, Family, Level, s};
use crate::context::Ctx;
use crate::http::ensure;
use crate::identity::Role;
use contact_schema::ResourceModel;
use contact_schema::model::{Field, FieldType, Format, Reference};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A value of the wrong JSON type for a field.
fn wrong_type(ty: &FieldType) -> Value {
    match ty {
        FieldType::String | FieldType::Enum { .. } | FieldType::DateTime => json!(12),
        FieldType::Boolean => json!("yes"),
        FieldType::Integer => json!("one"),
        FieldType::JsonObject => json!([1, 2]),
        FieldType::StringArray => json!("not-an-array"),
    }
}

/// A string that breaks a format.
fn bad_format(format: &Format) -> &'static str {
    match format {
        Format::Email => "not an email",
        Format::E164 => "020 7123 4567",
        Format::HttpUrl => "ftp://example.com/x",
        Format::PrefixedUlid { .. } => "per_lowercase0000000000000000",
        Format::PrefixedUuid { .. } => "acc-3F2B8C1E-9D4A-4B6F-8E2C-1A5D7F9B0C3E",
    }
}

fn named(ex: &crate::http::Exchange) -> Vec<String> {
    ex.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A check that `body` (create) is a 422 naming exactly `fields`, and that nothing was created.
fn rejects(name: &str, description: String, body: Value, fields: Vec<String>) -> Check {
    Check::new(
        Family::Validation,
        name,
        Level::Must,
        description,
        move |ctx: Arc<Ctx>| {
            let (body, fields) = (body.clone(), fields.clone());
            async move {
                let ex = ctx.create(Role::A1, &body).await?;
                ensure(ex.status == 422, &ex, "expected 422")?;
                let mut got = named(&ex);
                got.sort();
                let mut want = fields.clone();
                want.sort();
                ensure(
                    got == want,
                    &ex,
                    format!("`errors` names {got:?}, expected {want:?}"),
                )
            }
        },
    )
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = Vec::new();
    let client: Vec<&Field> = m.client_fields().collect();
    for f in client.iter().filter(|f| f.format.is_some()) {
        let bad = bad_format(f.format.as_ref().expect("filtered"));
        out.push(rejects(
            &format!("format_{}", f.name),
            format!(
                "`{}` must be {}: {bad:?} is a 422",
                f.name,
                f.format.as_ref().expect("filtered").describe()
            ),
            json!({ f.name.as_str(): bad }),
            vec![f.name.clone()],
        ));
    }
    for f in client
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Enum { .. }))
    {
        out.push(rejects(
            &format!("enum_{}", f.name),
            format!("`{}` outside its values is a 422", f.name),
            json!({ f.name.as_str(): "not-a-member" }),
            vec![f.name.clone()],
        ));
    }
    {
        let mut body = Map::new();
        for f in &client {
            body.insert(f.name.clone(), wrong_type(&f.ty));
        }
        let names = client.iter().map(|f| f.name.clone()).collect();
        out.push(rejects(
            "wrong_types_all_named",
            "a wrong JSON type in every client field is one 422 naming every field".into(),
            Value::Object(body),
            names,
        ));
    }
    out.push(rejects(
        "unknown_fields",
        "unknown fields are a 422 naming each".into(),
        json!({"colour": "red", "favourite_number": 7}),
        vec!["colour".into(), "favourite_number".into()],
    ));
    if let Some(f) = client.iter().find(|f| {
        f.ty == FieldType::String
            && f.format.is_none()
            && f.computed().is_none()
            && f.references.is_none()
            && f.default().is_none()
    }) {
        let max = m.max_length(f).unwrap_or(1024) as usize;
        out.push(rejects(
            "string_max_length",
            format!("`{}` over {max} characters is a 422", f.name),
            json!({ f.name.as_str(): "x".repeat(max + 1) }),
            vec![f.name.clone()],
        ));
    }
    if let Some(f) = client
        .iter()
        .find(|f| f.ty == FieldType::DateTime && f.computed().is_none())
    {
        out.push(rejects(
            "date_time_needs_offset",
            format!("`{}` without a time zone offset is a 422", f.name),
            json!({ f.name.as_str(): "2026-01-01T00:00:00" }),
            vec![f.name.clone()],
        ));
    }
    if let Some(f) = client.iter().find(|f| f.ty == FieldType::StringArray) {
        let max = f.limits.max_items.unwrap_or(100) as usize;
        out.push(rejects(
            "array_limits",
            format!(
                "`{}` with {} items, or an empty item, is a 422",
                f.name,
                max + 1
            ),
            json!({ f.name.as_str(): vec!["t"; max + 1] }),
            vec![f.name.clone()],
        ));
    }
    if let Some(f) = client
        .iter()
        .find(|f| f.ty == FieldType::JsonObject && f.limits.max_depth.is_some())
    {
        let depth = f.limits.max_depth.unwrap_or(10);
        let deep = (0..=depth).fold(json!(1), |acc, _| json!({ "k": acc }));
        out.push(rejects(
            "json_depth",
            format!("`{}` nested deeper than {depth} is a 422", f.name),
            json!({ f.name.as_str(): deep }),
            vec![f.name.clone()],
        ));
    }
    if let Some(f) = client
        .iter()
        .find(|f| matches!(f.references, Some(Reference::SameResource { .. })))
    {
        let name = f.name.clone();
        out.push(Check::new(Family::Validation, "reference_must_be_visible_live_other", Level::Must, format!("`{name}` must name another visible, not soft-deleted contact; itself, unknown or another tenant's is a 422"), move |ctx: Arc<Ctx>| {
            let name = name.clone();
            async move {
                let boss = ctx.created(Role::A1, json!({})).await?;
                let c = ctx.created(Role::A1, json!({ name.as_str(): s(&boss, &ctx.n.id) })).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let ex = ctx.patch(Role::A1, &id, &json!({ name.as_str(): id }), &[]).await?;
                ensure(ex.status == 422, &ex, "pointing at itself must be a 422")?;
                let foreign = ctx.created(Role::B, json!({})).await?;
                let ex = ctx.create(Role::A1, &json!({ name.as_str(): s(&foreign, &ctx.n.id) })).await?;
                ensure(ex.status == 422, &ex, "another tenant's contact must be a 422")?;
                ctx.delete(Role::A1, s(&boss, &ctx.n.id), &[]).await?;
                let ex = ctx.create(Role::A1, &json!({ name.as_str(): s(&boss, &ctx.n.id) })).await?;
                ensure(ex.status == 422, &ex, "a soft-deleted contact must be a 422")?;
                let ex = ctx.get(Role::A1, &id).await?;
                ensure(ex.body[&name] == boss[&ctx.n.id], &ex, "a later deletion of the target changed the reference")
            }
        }));
    }
    out.push(Check::new(
        Family::Validation,
        "null_is_accepted",
        Level::Must,
        "every client field accepts null",
        {
            let names: Vec<String> = client.iter().map(|f| f.name.clone()).collect();
            move |ctx: Arc<Ctx>| {
                let names = names.clone();
                async move {
                    let body: Map<String, Value> =
                        names.iter().map(|n| (n.clone(), Value::Null)).collect();
                    let ex = ctx.create(Role::A1, &Value::Object(body)).await?;
                    ensure(ex.status == 201, &ex, "a body of nulls must be accepted")
                }
            }
        },
    ));
    out
}
