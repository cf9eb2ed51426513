//! §1: the fields the server stamps, from the model's server fields.

use super::{Check, Family, Level, s, time};
use crate::context::Ctx;
use crate::http::{Failure, ensure};
use crate::identity::Role;
use resource_model::ResourceModel;
use resource_model::{FieldType, Stamp};
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn stamp_name(m: &ResourceModel, s: Stamp) -> String {
    m.stamp(s).map(|f| f.name.clone()).unwrap_or_default()
}

/// A plausible but wrong value for a server field, to send in a body.
fn bogus(ty: &FieldType) -> Value {
    match ty {
        FieldType::Boolean => json!(true),
        FieldType::Integer => json!(999),
        FieldType::DateTime => json!("2001-01-01T00:00:00Z"),
        _ => json!("zz_01BX5ZZKBKACTAV9WEVGEMMVRZ"),
    }
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = Vec::new();
    let (id, tenant, created_at, updated_at, created_by, updated_by, version) = (
        stamp_name(m, Stamp::Id),
        stamp_name(m, Stamp::Tenant),
        stamp_name(m, Stamp::CreatedAt),
        stamp_name(m, Stamp::UpdatedAt),
        stamp_name(m, Stamp::CreatedBy),
        stamp_name(m, Stamp::UpdatedBy),
        stamp_name(m, Stamp::Version),
    );
    let pattern = m
        .stamp(Stamp::Id)
        .and_then(|f| f.format.as_ref())
        .map(|f| f.pattern())
        .unwrap_or_default();
    let ulid_ids = matches!(
        m.stamp(Stamp::Id).and_then(|f| f.format.as_ref()),
        Some(resource_model::Format::PrefixedUlid { .. })
    );
    {
        let (id, created_at) = (id.clone(), created_at.clone());
        out.push(Check::new(
            Family::Stamping,
            "id_format",
            Level::Must,
            if ulid_ids {
                format!(
                    "`{id}` matches {pattern} and its ULID time is within 5 s of `{created_at}`"
                )
            } else {
                format!("`{id}` matches {pattern}")
            },
            move |ctx: Arc<Ctx>| {
                let (id, created_at, pattern) = (id.clone(), created_at.clone(), pattern.clone());
                async move {
                    let ex = ctx
                        .create(Role::A1, &json!({ctx.n.account_field(): ctx.account}))
                        .await?;
                    ensure(ex.status == 201, &ex, "expected 201")?;
                    let v = s(&ex.body, &id);
                    let re =
                        regex::Regex::new(&pattern).map_err(|e| Failure::new(e.to_string()))?;
                    ensure(
                        re.is_match(v),
                        &ex,
                        format!("`{id}` {v:?} does not match {pattern}"),
                    )?;
                    if !ulid_ids {
                        // A prefixed UUID: version 7 (time-ordered) is recommended, not required.
                        return Ok(());
                    }
                    let ulid = v
                        .rsplit('_')
                        .next()
                        .and_then(|u| ulid::Ulid::from_string(u).ok())
                        .ok_or_else(|| Failure::at(&ex, "the id has no ULID"))?;
                    let created = time(&ex.body, &created_at).ok_or_else(|| {
                        Failure::at(&ex, format!("`{created_at}` is not a date-time"))
                    })?;
                    let delta = (ulid.timestamp_ms() as i64 - created.timestamp_millis()).abs();
                    ensure(
                        delta <= 5000,
                        &ex,
                        format!("the id's ULID time is {delta} ms from `{created_at}`"),
                    )
                }
            },
        ));
    }
    {
        let (tenant, created_by, updated_by, created_at, updated_at, version) = (
            tenant.clone(),
            created_by.clone(),
            updated_by.clone(),
            created_at.clone(),
            updated_at.clone(),
            version.clone(),
        );
        out.push(Check::new(Family::Stamping, "create_stamps", Level::Must, "a create stamps tenant, creator, times (updated = created), version 1 and the current schema version, with Location (the item path) and ETag \"1\"", move |ctx: Arc<Ctx>| {
            let (tenant, created_by, updated_by, created_at, updated_at, version) =
                (tenant.clone(), created_by.clone(), updated_by.clone(), created_at.clone(), updated_at.clone(), version.clone());
            async move {
                let ex = ctx.create(Role::A1, &json!({ctx.n.account_field(): ctx.account})).await?;
                ensure(ex.status == 201, &ex, "expected 201")?;
                let me = &ctx.ids.get(Role::A1).claims;
                let b = &ex.body;
                ensure(s(b, &tenant) == me.tenant_id, &ex, format!("`{tenant}` is not the token's tenant_id"))?;
                ensure(s(b, &created_by) == me.sub && s(b, &updated_by) == me.sub, &ex, "the creator and last writer are not the token's sub")?;
                ensure(time(b, &created_at).is_some() && time(b, &created_at) == time(b, &updated_at), &ex, format!("`{updated_at}` does not equal `{created_at}` on create"))?;
                ensure(b[&version] == 1, &ex, format!("`{version}` is not 1"))?;
                if let Some(sv) = ctx.model.stamp(Stamp::SchemaVersion) {
                    ensure(b[&sv.name] == ctx.model.schema_version, &ex, format!("`{}` is not {}", sv.name, ctx.model.schema_version))?;
                }
                let location = format!("{}/{}", ctx.api.path, s(b, &ctx.n.id));
                ensure(ex.header("location") == Some(location.as_str()), &ex, format!("Location is not {location}"))?;
                ensure(ex.header("etag") == Some("\"1\""), &ex, "ETag is not \"1\"")
            }
        }));
    }
    {
        let server: Vec<(String, FieldType)> = m
            .server_fields()
            .map(|f| (f.name.clone(), f.ty.clone()))
            .collect();
        let names = server
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Check::new(Family::Stamping, "server_fields_ignored", Level::Must, format!("server-owned fields in create and update bodies are ignored, not honoured, not an error ({names})"), move |ctx: Arc<Ctx>| {
            let server = server.clone();
            async move {
                let mut body = Map::new();
                for (name, ty) in &server {
                    body.insert(name.clone(), bogus(ty));
                }
                body.insert(ctx.n.account_field().into(), json!(ctx.account));
                let ex = ctx.create(Role::A1, &Value::Object(body.clone())).await?;
                ensure(ex.status == 201, &ex, "a create with server-owned fields must still be 201")?;
                for (name, _) in &server {
                    ensure(ex.body.get(name) != body.get(name), &ex, format!("`{name}` took the value from the body"))?;
                }
                let id = s(&ex.body, &ctx.n.id).to_owned();
                body.remove(ctx.n.account_field());
                if let Some(v) = ctx.model.version_field() {
                    body.remove(&v.name);
                }
                let up = ctx.patch(Role::A1, &id, &Value::Object(body.clone()), &[]).await?;
                ensure(up.status == 200, &up, "an update with server-owned fields must still be 200")?;
                for (name, _) in &server {
                    if ctx.model.version_field().is_some_and(|v| &v.name == name) {
                        continue;
                    }
                    ensure(up.body.get(name) != body.get(name), &up, format!("`{name}` took the value from the update body"))
                        .or_else(|e| if ex.body.get(name) == body.get(name) { Ok(()) } else { Err(e) })?;
                }
                Ok(())
            }
        }));
    }
    {
        let (updated_at, updated_by, created_by, version) = (
            updated_at.clone(),
            updated_by.clone(),
            created_by.clone(),
            version.clone(),
        );
        out.push(Check::new(Family::Stamping, "update_stamps", Level::Must, "an update moves the update time strictly forward, records the writer, raises the version by one, keeps the creator", move |ctx: Arc<Ctx>| {
            let (updated_at, updated_by, created_by, version) = (updated_at.clone(), updated_by.clone(), created_by.clone(), version.clone());
            async move {
                let c = ctx.created(Role::A1, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let ex = ctx.patch(Role::A2, &id, &json!({}), &[]).await?;
                ensure(ex.status == 200, &ex, "expected 200")?;
                ensure(time(&ex.body, &updated_at) > time(&c, &updated_at), &ex, format!("`{updated_at}` did not move forward"))?;
                ensure(s(&ex.body, &updated_by) == ctx.ids.get(Role::A2).claims.sub, &ex, format!("`{updated_by}` is not the writer's sub"))?;
                ensure(s(&ex.body, &created_by) == s(&c, &created_by), &ex, format!("`{created_by}` changed"))?;
                ensure(ex.body[&version] == 2, &ex, format!("`{version}` is not 2 after one update"))?;
                ensure(ex.header("etag") == Some("\"2\""), &ex, "ETag is not \"2\"")
            }
        }));
    }
    {
        let stamps: Vec<String> = m
            .server_fields()
            .filter(|f| f.ty == FieldType::DateTime)
            .map(|f| f.name.clone())
            .collect();
        out.push(Check::new(
            Family::Stamping,
            "stamps_are_utc",
            Level::Must,
            format!("the server's date-times ({}) are RFC 3339 in UTC (offset Z or +00:00) with a four-digit year, on create, update and delete", stamps.join(", ")),
            move |ctx: Arc<Ctx>| {
                let stamps = stamps.clone();
                async move {
                    let c = ctx.created(Role::A1, json!({})).await?;
                    let id = s(&c, &ctx.n.id).to_owned();
                    ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                    let del = ctx.delete(Role::A1, &id, &[]).await?;
                    crate::http::status(&del, &[200, 204], "the delete")?;
                    let ex = ctx.get(Role::A1, &id).await?;
                    for name in &stamps {
                        let Some(text) = ex.body.get(name).and_then(Value::as_str) else {
                            continue;
                        };
                        let t = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
                            Failure::differs(&ex, format!("`{name}`"), "an RFC 3339 date-time", format!("{text:?}"))
                        })?;
                        ensure(
                            t.offset().local_minus_utc() == 0 && text.len() >= 4 && text[..4].bytes().all(|b| b.is_ascii_digit()),
                            &ex,
                            format!("`{name}` {text:?} is not UTC with a four-digit year"),
                        )?;
                    }
                    Ok(())
                }
            },
        ));
    }
    if let Some(app) = m.stamp(Stamp::App).map(|f| f.name.clone()) {
        out.push(Check::new(
            Family::Stamping,
            "app_id_stamped",
            Level::Must,
            format!("`{app}` is the token's app_id for app tokens and null for people"),
            move |ctx: Arc<Ctx>| {
                let app = app.clone();
                async move {
                    let ex = ctx
                        .create(Role::AppX, &json!({ctx.n.account_field(): ctx.account}))
                        .await?;
                    ensure(ex.status == 201, &ex, "expected 201")?;
                    let want = ctx
                        .ids
                        .get(Role::AppX)
                        .claims
                        .app_id
                        .clone()
                        .unwrap_or_default();
                    ensure(
                        s(&ex.body, &app) == want,
                        &ex,
                        format!("`{app}` is not the token's app_id"),
                    )?;
                    let ex = ctx
                        .create(Role::A1, &json!({ctx.n.account_field(): ctx.account}))
                        .await?;
                    ensure(
                        ex.body.get(&app).is_none_or(Value::is_null),
                        &ex,
                        format!("`{app}` is set for a person's token"),
                    )
                }
            },
        ));
    } else {
        out.push(Check::not_applicable(
            Family::Stamping,
            "app_id_stamped",
            Level::Must,
            "the app stamp is the token's app_id for app tokens and null for people",
            super::Need::Stamp(Stamp::App)
                .missing(m)
                .unwrap_or_default(),
        ));
    }
    out
}
