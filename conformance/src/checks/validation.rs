//! §1, §3, §6: body validation, from the model's types, formats, enums and
//! limits. Every rule is checked on create and on update, at the boundary:
//! the largest value accepted, the next one refused.

use super::{Check, Family, Level, Need, s};
use crate::context::Ctx;
use crate::http::{CheckResult, Failure, ensure, same, status};
use crate::identity::Role;
use futures::future::join_all;
use resource_model::ResourceModel;
use resource_model::{Field, FieldType, Format, Reference};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// A value of the wrong JSON type for a field.
fn wrong_type(ty: &FieldType) -> Value {
    match ty {
        FieldType::String | FieldType::Enum { .. } | FieldType::DateTime | FieldType::Date => {
            json!(12)
        }
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
        Format::Hostname => "not a host",
        Format::PrefixedUlid { .. } => "per_lowercase0000000000000000",
        Format::PrefixedUuid { .. } => "acc-3F2B8C1E-9D4A-4B6F-8E2C-1A5D7F9B0C3E",
    }
}

/// A fresh value of exactly `len` characters in `format`, where the format allows any length.
fn of_length(format: Option<&Format>, len: usize) -> Option<String> {
    let fill = |prefix: String, suffix: &str| {
        let n = len.checked_sub(prefix.len() + suffix.len())?;
        Some(format!("{prefix}{}{suffix}", "a".repeat(n)))
    };
    match format {
        None => fill(String::new(), ""),
        // A short local part (RFC 5321 caps it at 64, and so do most `format:
        // email` checkers) and a long host of labels of at most 63 characters.
        Some(Format::Email) => {
            let local = format!("c{}@", ulid::Ulid::generate().to_string().to_lowercase());
            let mut rest = len.checked_sub(local.len() + ".com".len())?;
            let mut host = String::new();
            while rest > 63 {
                let label = 63.min(rest - 2);
                host.push_str(&"a".repeat(label));
                host.push('.');
                rest -= label + 1;
            }
            if rest == 0 {
                return None;
            }
            host.push_str(&"a".repeat(rest));
            Some(format!("{local}{host}.com"))
        }
        Some(Format::HttpUrl) => fill("https://example.com/".into(), ""),
        Some(_) => None,
    }
}

/// The top-level fields a 422 names.
pub(crate) fn named(ex: &crate::http::Exchange) -> Vec<String> {
    let mut out: Vec<String> = ex.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}

/// A body refused with a 422 naming exactly these fields.
type Refused = (Value, Vec<String>);

/// Each body is a 422 naming exactly its fields, on create (nothing is
/// created) and on update of a fresh contact (nothing changes).
fn rejects(name: &str, description: String, cases: Vec<Refused>) -> Check {
    Check::new(
        Family::Validation,
        name,
        Level::Must,
        description,
        move |ctx: Arc<Ctx>| {
            let cases = cases.clone();
            async move {
                let target = ctx.created(Role::A1, json!({})).await?;
                let id = s(&target, &ctx.n.id).to_owned();
                let run = |body: Value, fields: Vec<String>, update: bool| {
                    let (ctx, id) = (ctx.clone(), id.clone());
                    async move {
                        let ex = if update {
                            ctx.patch(Role::A1, &id, &body, &[]).await?
                        } else {
                            ctx.create(Role::A1, &body).await?
                        };
                        let what = format!(
                            "{} with {}",
                            if update { "an update" } else { "a create" },
                            crate::http::excerpt_json(&body)
                        );
                        status(&ex, &[422], &what)?;
                        let mut want = fields;
                        want.sort();
                        same(
                            &ex,
                            format!("the fields the 422 names ({what})"),
                            want,
                            named(&ex),
                        )
                    }
                };
                let results = join_all(cases.iter().flat_map(|(body, fields)| {
                    [false, true].map(|u| run(body.clone(), fields.clone(), u))
                }))
                .await;
                results.into_iter().collect::<Result<Vec<()>, Failure>>()?;
                ctx.unchanged(Role::A1, &id, &target).await
            }
        },
    )
}

/// Each body `make` gives is accepted on create (201) and on update of a
/// fresh contact (200), and each value it sets (date-times aside, which
/// come back as the same instant in any form) is stored as sent.
fn accepts<F>(name: &str, description: String, make: F) -> Check
where
    F: Fn(&Ctx) -> Vec<Value> + Send + Sync + Clone + 'static,
{
    Check::new(
        Family::Validation,
        name,
        Level::Must,
        description,
        move |ctx: Arc<Ctx>| {
            let make = make.clone();
            async move {
                let check = |ex: &crate::http::Exchange, body: &Value, what: &str| -> CheckResult {
                    for (k, v) in body.as_object().into_iter().flatten() {
                        let is_time = ctx
                            .model
                            .fields
                            .iter()
                            .any(|f| &f.name == k && f.ty == FieldType::DateTime);
                        if !is_time && k != ctx.n.account_field() {
                            same(
                                ex,
                                format!("`{k}` as stored ({what})"),
                                Some(v),
                                ex.body.get(k),
                            )?;
                        }
                    }
                    Ok(())
                };
                for body in make(&ctx) {
                    let mut with_account = body.clone();
                    if let Some(o) = with_account.as_object_mut() {
                        o.entry(ctx.n.account_field()).or_insert(json!(ctx.account));
                    }
                    let what = format!("a create with {}", crate::http::excerpt_json(&body));
                    let ex = ctx.create(Role::A1, &with_account).await?;
                    status(&ex, &[201], &what)?;
                    check(&ex, &body, &what)?;
                }
                for body in make(&ctx) {
                    let target = ctx
                        .created(
                            Role::A1,
                            json!({ctx.n.account_field(): ctx.fresh_account()}),
                        )
                        .await?;
                    let what = format!("an update with {}", crate::http::excerpt_json(&body));
                    let ex = ctx
                        .patch(Role::A1, s(&target, &ctx.n.id), &body, &[])
                        .await?;
                    status(&ex, &[200], &what)?;
                    check(&ex, &body, &what)?;
                }
                Ok(())
            }
        },
    )
}

fn email_checks(f: &Field, out: &mut Vec<Check>) {
    let name = f.name.clone();
    let n = name.clone();
    out.push(accepts(
        &format!("email_grammar_accepts_{name}"),
        format!("`{name}` accepts every ASCII dot-atom @ host-name address (all atext symbols, hyphens inside labels, a 63-character label, upper case), stored as sent"),
        move |_ctx: &Ctx| {
            let r = || ulid::Ulid::generate().to_string().to_lowercase();
            [
                format!("{}.o'brien+tag@mail-1.example.co.uk", r()),
                format!("{}!#$%&'*+/=?^_`{{|}}~-x@example.com", r()),
                format!("{}@a.b", r()),
                format!("{}@{}.example.com", r(), "l".repeat(63)),
                format!("{}@EXAMPLE.COM", r().to_uppercase()),
            ]
            .into_iter()
            .map(|e| json!({ n.as_str(): e }))
            .collect()
        },
    ));
    let cases = [
        "ada@localhost",
        "ada..lovelace@example.com",
        ".ada@example.com",
        "ada.@example.com",
        "ada@-example.com",
        "ada@example-.com",
        "ada@example..com",
        "adá@example.com",
        "ada@exämple.com",
        "ada@exam_ple.com",
        "ada lovelace@example.com",
        "\"ada\"@example.com",
        "ada@[127.0.0.1]",
        "ada@example.com.",
    ]
    .iter()
    .map(|e| (json!({ name.as_str(): e }), vec![name.clone()]))
    .chain(std::iter::once((
        json!({ name.as_str(): format!("ada@{}.com", "l".repeat(64)) }),
        vec![name.clone()],
    )))
    .collect();
    out.push(rejects(
        &format!("email_grammar_rejects_{name}"),
        format!("`{name}` refuses non-ASCII, quoted, IP-literal and single-label addresses, empty or edge dots, labels starting or ending with a hyphen or over 63 characters: each a 422"),
        cases,
    ));
}

/// CONTRACT.md §8: a required field absent or null in a create, or null in
/// an update, is a 422 naming it, and nothing is written.
fn required_check(required: Vec<String>) -> Check {
    Check::new(
        Family::Validation,
        "required_fields",
        Level::Must,
        format!(
            "{} left out of a create or null in it, or null in an update, is a 422 naming it; nothing is written",
            required
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        move |ctx: Arc<Ctx>| {
            let required = required.clone();
            async move {
                let target = ctx.created(Role::A1, json!({})).await?;
                let id = s(&target, &ctx.n.id).to_owned();
                for name in &required {
                    let full = ctx.n.with_required(&json!({}));
                    for (what, body) in [
                        ("left out", {
                            let mut b = full.clone();
                            b.as_object_mut().map(|o| o.remove(name));
                            b
                        }),
                        ("null", {
                            let mut b = full.clone();
                            b[name] = Value::Null;
                            b
                        }),
                    ] {
                        let what = format!("a create with `{name}` {what}");
                        let ex = ctx.create_exactly(Role::A1, &body).await?;
                        status(&ex, &[422], &what)?;
                        same(
                            &ex,
                            format!("the fields the 422 names ({what})"),
                            vec![name.clone()],
                            named(&ex),
                        )?;
                    }
                    let what = format!("an update setting `{name}` to null");
                    let ex = ctx
                        .patch(Role::A1, &id, &json!({ name.as_str(): null }), &[])
                        .await?;
                    status(&ex, &[422], &what)?;
                    same(
                        &ex,
                        format!("the fields the 422 names ({what})"),
                        vec![name.clone()],
                        named(&ex),
                    )?;
                }
                ctx.unchanged(Role::A1, &id, &target).await
            }
        },
    )
}

/// CONTRACT.md §8: an integer field takes whole JSON numbers within its
/// bounds, however written, and returns them as plain integers.
fn integer_checks(f: &Field, out: &mut Vec<Check>) {
    let (min, max) = (f.limits.minimum, f.limits.maximum);
    let name = f.name.clone();
    let inside = min.unwrap_or(0).max(0).min(max.unwrap_or(i64::MAX));
    let n = name.clone();
    out.push(accepts(
        &format!("integer_{name}"),
        format!(
            "`{name}` takes {} and a whole number written with a fraction or an exponent (`{inside}.0`), stored as a plain integer",
            match (min, max) {
                (Some(a), Some(b)) => format!("{a} and {b}"),
                (Some(a), None) => format!("{a}"),
                (None, Some(b)) => format!("{b}"),
                (None, None) => format!("{inside}"),
            }
        ),
        move |_ctx: &Ctx| {
            let mut bodies: Vec<Value> = [min, max]
                .into_iter()
                .flatten()
                .map(|v| json!({ n.as_str(): v }))
                .collect();
            if bodies.is_empty() {
                bodies.push(json!({ n.as_str(): inside }));
            }
            bodies
        },
    ));
    let n = name.clone();
    out.push(Check::new(
        Family::Validation,
        &format!("integer_form_{name}"),
        Level::Must,
        format!("`{name}` sent as `{inside}.0` comes back as the plain integer `{inside}`"),
        move |ctx: Arc<Ctx>| {
            let n = n.clone();
            async move {
                let ex = ctx
                    .create(Role::A1, &json!({ n.as_str(): inside as f64 }))
                    .await?;
                status(&ex, &[201], format!("a create with `{n}` {inside}.0"))?;
                same(
                    &ex,
                    format!("`{n}` as returned"),
                    Some(&json!(inside)),
                    ex.body.get(&n),
                )?;
                ensure(
                    ex.body[&n].is_i64() || ex.body[&n].is_u64(),
                    &ex,
                    format!("`{n}` must come back as an integer, not {}", ex.body[&n]),
                )
            }
        },
    ));
    let mut cases: Vec<Refused> = vec![
        (json!({ name.as_str(): 1.5 }), vec![name.clone()]),
        (json!({ name.as_str(): true }), vec![name.clone()]),
        (
            json!({ name.as_str(): inside.to_string() }),
            vec![name.clone()],
        ),
    ];
    if let Some(min) = min.filter(|m| *m > i64::MIN) {
        cases.push((json!({ name.as_str(): min - 1 }), vec![name.clone()]));
    }
    if let Some(max) = max.filter(|m| *m < i64::MAX) {
        cases.push((json!({ name.as_str(): max + 1 }), vec![name.clone()]));
    }
    out.push(rejects(
        &format!("integer_bounds_{name}"),
        format!(
            "`{name}` refuses a fraction, a boolean, a string{}: each a 422",
            match (min, max) {
                (Some(a), Some(b)) => format!(", {} and {}", a - 1, b + 1),
                (Some(a), None) => format!(" and {}", a - 1),
                (None, Some(b)) => format!(" and {}", b + 1),
                (None, None) => String::new(),
            }
        ),
        cases,
    ));
}

/// CONTRACT.md §8: a date field takes RFC 3339 full-dates naming real
/// calendar days, returned as sent.
fn date_checks(f: &Field, out: &mut Vec<Check>) {
    let name = f.name.clone();
    let n = name.clone();
    out.push(accepts(
        &format!("date_{name}"),
        format!("`{name}` takes real calendar days (2024-02-29, 0001-01-01, 9999-12-31), returned as sent"),
        move |_ctx: &Ctx| {
            ["2024-02-29", "0001-01-01", "9999-12-31"]
                .into_iter()
                .map(|d| json!({ n.as_str(): d }))
                .collect()
        },
    ));
    out.push(rejects(
        &format!("date_rejects_{name}"),
        format!("`{name}` refuses a day the month lacks, year 0000, a short form, a date-time: each a 422"),
        ["2023-02-29", "2024-04-31", "2024-13-01", "0000-01-01", "2024-1-01", "2024-01-01T00:00:00Z", "20240101"]
            .into_iter()
            .map(|d| (json!({ name.as_str(): d }), vec![name.clone()]))
            .collect(),
    ));
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let mut out = Vec::new();
    let client: Vec<&Field> = m.client_fields().collect();
    let required: Vec<String> = client
        .iter()
        .filter(|f| f.is_required())
        .map(|f| f.name.clone())
        .collect();
    if required.is_empty() {
        out.push(Check::not_applicable(
            Family::Validation,
            "required_fields",
            Level::Must,
            "a required field left out of a create or null in it, or null in an update, is a 422 naming it",
            Need::RequiredField.missing(m).unwrap_or_default(),
        ));
    } else {
        out.push(required_check(required));
    }
    for f in client.iter().filter(|f| f.ty == FieldType::Integer) {
        integer_checks(f, &mut out);
    }
    for f in client.iter().filter(|f| f.ty == FieldType::Date) {
        date_checks(f, &mut out);
    }
    for f in client.iter().filter(|f| f.format.is_some()) {
        let format = f.format.as_ref().expect("filtered");
        let bad = bad_format(format);
        out.push(rejects(
            &format!("format_{}", f.name),
            format!(
                "`{}` must be {}: {bad:?} is a 422",
                f.name,
                format.describe()
            ),
            vec![(json!({ f.name.as_str(): bad }), vec![f.name.clone()])],
        ));
        if *format == Format::Email {
            email_checks(f, &mut out);
        }
    }
    for f in client
        .iter()
        .filter(|f| matches!(f.ty, FieldType::Enum { .. }))
    {
        out.push(rejects(
            &format!("enum_{}", f.name),
            format!("`{}` outside its values is a 422", f.name),
            vec![(
                json!({ f.name.as_str(): "not-a-member" }),
                vec![f.name.clone()],
            )],
        ));
    }
    {
        let body: Map<String, Value> = client
            .iter()
            .map(|f| (f.name.clone(), wrong_type(&f.ty)))
            .collect();
        let names = client.iter().map(|f| f.name.clone()).collect();
        out.push(rejects(
            "wrong_types_all_named",
            "a wrong JSON type in every client field is one 422 naming every field".into(),
            vec![(Value::Object(body), names)],
        ));
    }
    out.push(rejects(
        "unknown_fields",
        "unknown fields are a 422 naming each".into(),
        vec![(
            json!({"colour": "red", "favourite_number": 7}),
            vec!["colour".into(), "favourite_number".into()],
        )],
    ));
    // Length limits, at the boundary: the longest value accepted, one more character refused.
    for f in client
        .iter()
        .filter(|f| f.ty == FieldType::String && f.references.is_none())
    {
        let Some(max) = m.max_length(f) else { continue };
        let max = max as usize;
        let format = f.format.clone();
        if of_length(format.as_ref(), max).is_none() {
            continue;
        }
        let name = f.name.clone();
        out.push(Check::new(
            Family::Validation,
            &format!("max_length_{name}"),
            Level::Must,
            format!(
                "`{name}` of {max} characters is accepted, of {} a 422 (create and update){}",
                max + 1,
                if format.is_none() {
                    "; a character is a Unicode scalar value, so {max} of `é` and `😀` fit too (revision 3)"
                } else {
                    ""
                }
            ),
            move |ctx: Arc<Ctx>| {
                let (name, format) = (name.clone(), format.clone());
                async move {
                    if format.is_none() {
                        // Two- and four-byte characters (one UTF-16 unit and two):
                        // a server counting bytes or UTF-16 units refuses them.
                        let wide: String = (0..max).map(|i| if i % 2 == 0 { 'é' } else { '😀' }).collect();
                        let ex = ctx.create(Role::A1, &json!({ name.as_str(): wide })).await?;
                        status(&ex, &[201], format!("a create with `{name}` of {max} characters, `é` and `😀`"))?;
                        same(&ex, format!("`{name}` as stored"), Some(&json!(wide)), ex.body.get(&name))?;
                        let id = s(&ex.body, &ctx.n.id).to_owned();
                        let ex = ctx.patch(Role::A1, &id, &json!({ name.as_str(): wide }), &[]).await?;
                        status(&ex, &[200], format!("an update with `{name}` of {max} characters, `é` and `😀`"))?;
                    }
                    let long = |n| of_length(format.as_ref(), n).unwrap_or_default();
                    let ok = ctx
                        .created(Role::A1, json!({ name.as_str(): long(max) }))
                        .await?;
                    let id = s(&ok, &ctx.n.id).to_owned();
                    let over = json!({ name.as_str(): long(max + 1) });
                    let ex = ctx.create(Role::A1, &over).await?;
                    status(
                        &ex,
                        &[422],
                        format!("a create with `{name}` of {} characters", max + 1),
                    )?;
                    same(
                        &ex,
                        "the fields the 422 names",
                        vec![name.clone()],
                        named(&ex),
                    )?;
                    let ex = ctx.patch(Role::A1, &id, &over, &[]).await?;
                    status(
                        &ex,
                        &[422],
                        format!("an update with `{name}` of {} characters", max + 1),
                    )?;
                    let fits = json!({ name.as_str(): long(max) });
                    let ex = ctx.patch(Role::A1, &id, &fits, &[]).await?;
                    status(
                        &ex,
                        &[200],
                        format!("an update with `{name}` of {max} characters"),
                    )
                }
            },
        ));
    }
    for f in client.iter().filter(|f| f.limits.min_length.is_some()) {
        let min = f.limits.min_length.unwrap_or(0) as usize;
        if min == 0 {
            continue;
        }
        out.push(rejects(
            &format!("min_length_{}", f.name),
            format!(
                "`{}` shorter than {min} characters (\"{}\") is a 422",
                f.name,
                "x".repeat(min - 1)
            ),
            vec![(
                json!({ f.name.as_str(): "x".repeat(min - 1) }),
                vec![f.name.clone()],
            )],
        ));
    }
    if let Some(f) = client
        .iter()
        .find(|f| f.ty == FieldType::DateTime && f.computed().is_none())
    {
        let name = f.name.clone();
        out.push(rejects(
            "date_time_needs_offset",
            format!("`{name}` without a time zone offset, or not RFC 3339, is a 422"),
            [
                "2026-01-01T00:00:00",
                "2026-01-01",
                "2026-13-01T00:00:00Z",
                "yesterday",
            ]
            .iter()
            .map(|t| (json!({ name.as_str(): t }), vec![name.clone()]))
            .collect(),
        ));
        out.push(rejects(
            "date_time_range",
            format!("`{name}` whose instant falls before 0001-01-01T00:00:00Z or after 9999-12-31T23:59:59.999999Z is a 422"),
            ["0000-12-31T23:59:59Z", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01"]
                .iter()
                .map(|t| (json!({ name.as_str(): t }), vec![name.clone()]))
                .collect(),
        ));
        let n = name.clone();
        out.push(Check::new(
            Family::Validation,
            "date_time_same_instant",
            Level::Must,
            format!("`{name}` comes back as the same instant to the microsecond, in UTC, with a four-digit year, also at the ends of the range"),
            move |ctx: Arc<Ctx>| {
                let name = n.clone();
                async move {
                    for sent in [
                        "2026-03-04T05:06:07.123456+02:00",
                        "0001-01-01T00:00:00Z",
                        "9999-12-31T23:59:59.999999Z",
                        "2026-06-30T23:59:59-09:30",
                    ] {
                        let ex = ctx
                            .create(Role::A1, &json!({ name.as_str(): sent, ctx.n.account_field(): ctx.account }))
                            .await?;
                        status(&ex, &[201], format!("a create with `{name}` {sent}"))?;
                        let got = s(&ex.body, &name);
                        let parsed = chrono::DateTime::parse_from_rfc3339(got)
                            .map_err(|_| Failure::differs(&ex, format!("`{name}`"), "an RFC 3339 date-time", format!("{got:?}")))?;
                        let want = chrono::DateTime::parse_from_rfc3339(sent).expect("valid");
                        same(&ex, format!("the instant of `{name}` sent as {sent}"), want, parsed)?;
                        same(&ex, format!("the offset of `{name}` (UTC)"), 0, parsed.offset().local_minus_utc())?;
                        ensure(
                            got.len() >= 4 && got[..4].bytes().all(|b| b.is_ascii_digit()),
                            &ex,
                            format!("`{name}` {got:?} does not start with a four-digit year"),
                        )?;
                    }
                    Ok(())
                }
            },
        ));
    }
    if let Some(f) = client.iter().find(|f| f.ty == FieldType::StringArray) {
        let name = f.name.clone();
        let max = f.limits.max_items.unwrap_or(100) as usize;
        let n = name.clone();
        out.push(Check::new(
            Family::Validation,
            "array_max_items",
            Level::Must,
            format!(
                "`{name}` with {max} items is accepted, with {} a 422",
                max + 1
            ),
            move |ctx: Arc<Ctx>| {
                let name = n.clone();
                async move {
                    let items: Vec<String> = (0..max).map(|i| format!("t{i}")).collect();
                    let ok = ctx
                        .created(Role::A1, json!({ name.as_str(): items }))
                        .await?;
                    let ex = ctx.get(Role::A1, s(&ok, &ctx.n.id)).await?;
                    same(
                        &ex,
                        format!("`{name}` as stored"),
                        &json!(items),
                        &ok[&name],
                    )?;
                    let over: Vec<String> = (0..=max).map(|i| format!("t{i}")).collect();
                    let ex = ctx
                        .create(Role::A1, &json!({ name.as_str(): over }))
                        .await?;
                    status(&ex, &[422], format!("a create with {} `{name}`", max + 1))
                }
            },
        ));
        // Only the item lengths the model states are limits.
        let (stated_min, stated_max) = (
            f.limits
                .item_min_length
                .filter(|m| *m > 0)
                .map(|m| m as usize),
            f.limits.item_max_length.map(|m| m as usize),
        );
        let (min, max_len) = (stated_min.unwrap_or(1), stated_max.unwrap_or(64));
        let mut cases = Vec::new();
        let mut words = Vec::new();
        if let Some(min) = stated_min {
            cases.push((
                json!({ name.as_str(): ["ok", "x".repeat(min - 1)] }),
                vec![name.clone()],
            ));
            words.push(format!("shorter than {min}"));
        }
        if let Some(max) = stated_max {
            cases.push((
                json!({ name.as_str(): ["x".repeat(max + 1)] }),
                vec![name.clone()],
            ));
            words.push(format!("longer than {max}"));
        }
        if cases.is_empty() {
            out.push(Check::not_applicable(
                Family::Validation,
                "array_item_length",
                Level::Must,
                format!("a `{name}` item of a length outside its limits is a 422"),
                format!("`{name}` states no item length"),
            ));
        } else {
            out.push(rejects(
                "array_item_length",
                format!("a `{name}` item {} characters is a 422", words.join(" or ")),
                cases,
            ));
        }
        let n = name.clone();
        out.push(accepts(
            "array_kept_as_sent",
            format!(
                "`{name}` keeps order and duplicates, with items of {min} and {max_len} characters"
            ),
            move |_ctx: &Ctx| {
                vec![json!({ n.as_str(): ["b", "a", "b", "x".repeat(max_len), "y".repeat(min)] })]
            },
        ));
    }
    for f in client.iter().filter(|f| f.ty == FieldType::JsonObject) {
        let name = f.name.clone();
        if let Some(depth) = f.limits.max_depth {
            let nest = |n: u32| (0..n).fold(json!(1), |acc, _| json!({ "k": acc }));
            let (ok, over) = (nest(depth), nest(depth + 1));
            let n = name.clone();
            out.push(Check::new(
                Family::Validation,
                &format!("json_depth_{name}"),
                Level::Must,
                format!(
                    "`{name}` nested {depth} deep is accepted, {} deep a 422",
                    depth + 1
                ),
                move |ctx: Arc<Ctx>| {
                    let (name, ok, over) = (n.clone(), ok.clone(), over.clone());
                    async move {
                        ctx.created(Role::A1, json!({ name.as_str(): ok })).await?;
                        let ex = ctx
                            .create(Role::A1, &json!({ name.as_str(): over }))
                            .await?;
                        status(&ex, &[422], format!("`{name}` nested {} deep", depth + 1))?;
                        same(
                            &ex,
                            "the fields the 422 names",
                            vec![name.clone()],
                            named(&ex),
                        )
                    }
                },
            ));
        }
        if let Some(bytes) = f.limits.max_bytes {
            let bytes = bytes as usize;
            // {"k":"…"} serialised compactly is 8 bytes plus the string.
            let sized = |n: usize| json!({ "k": "x".repeat(n - 8) });
            let (ok, over) = (sized(bytes), sized(bytes + 1));
            let n = name.clone();
            out.push(Check::new(
                Family::Validation,
                &format!("json_size_{name}"),
                Level::Must,
                format!("`{name}` of {bytes} bytes serialised compactly is accepted, of {} a 422 (create and update)", bytes + 1),
                move |ctx: Arc<Ctx>| {
                    let (name, ok, over) = (n.clone(), ok.clone(), over.clone());
                    async move {
                        let c = ctx.created(Role::A1, json!({ name.as_str(): ok })).await?;
                        let ex = ctx.create(Role::A1, &json!({ name.as_str(): over })).await?;
                        status(&ex, &[422], format!("a create with `{name}` of {} bytes", bytes + 1))?;
                        let ex = ctx.patch(Role::A1, s(&c, &ctx.n.id), &json!({ name.as_str(): {"k2": "y"} }), &[]).await?;
                        status(&ex, &[422], format!("an update merging `{name}` to {} bytes", bytes + 7))?;
                        same(&ex, "the fields the 422 names", vec![name.clone()], named(&ex))
                    }
                },
            ));
        }
    }
    {
        // U+0000 anywhere a client string goes: a plain text, an array item, an object's key and value.
        let mut body = Map::new();
        let mut fields = Vec::new();
        if let Some(t) = client.iter().find(|f| {
            f.ty == FieldType::String
                && f.format.is_none()
                && f.computed().is_none()
                && f.references.is_none()
        }) {
            body.insert(t.name.clone(), json!("a\u{0}b"));
            fields.push(t.name.clone());
        }
        if let Some(t) = client.iter().find(|f| f.ty == FieldType::StringArray) {
            body.insert(t.name.clone(), json!(["ok", "a\u{0}b"]));
            fields.push(t.name.clone());
        }
        let objects: Vec<&&Field> = client
            .iter()
            .filter(|f| f.ty == FieldType::JsonObject)
            .collect();
        if let Some(o) = objects.first() {
            body.insert(o.name.clone(), json!({ "nested": { "k\u{0}": 1 } }));
            fields.push(o.name.clone());
        }
        if let Some(o) = objects.get(1) {
            body.insert(o.name.clone(), json!({ "k": ["v\u{0}"] }));
            fields.push(o.name.clone());
        }
        if let Some(e) = client.iter().find(|f| f.format == Some(Format::Email)) {
            body.insert(e.name.clone(), json!("a\u{0}b@example.com"));
            fields.push(e.name.clone());
        }
        out.push(rejects(
            "nul_refused",
            format!("U+0000 in a string, an array item, an object key or a nested value is one 422 naming each top-level field ({})", fields.join(", ")),
            vec![(Value::Object(body), fields)],
        ));
    }
    if let Some(f) = client
        .iter()
        .find(|f| matches!(f.references, Some(Reference::SameResource { .. })))
    {
        let name = f.name.clone();
        let n = name.clone();
        out.push(Check::new(Family::Validation, "reference_must_be_visible_live_other", Level::Must, format!("`{name}` naming the contact itself, an id that never existed, another tenant's, another app's (for an app token) or a soft-deleted contact is a 422 naming it"), move |ctx: Arc<Ctx>| {
            let name = n.clone();
            async move {
                let c = ctx.created(Role::AppX, json!({})).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let foreign = ctx.created(Role::B, json!({})).await?;
                let other_app = ctx.created(Role::AppY, json!({})).await?;
                let gone = ctx.created(Role::AppX, json!({})).await?;
                let del = ctx.delete(Role::AppX, s(&gone, &ctx.n.id), &[]).await?;
                status(&del, &[200, 204], "deleting the would-be manager")?;
                for (what, target) in [
                    ("the contact itself", id.clone()),
                    ("an id that never existed", ctx.n.never_id()),
                    ("another tenant's contact", s(&foreign, &ctx.n.id).to_owned()),
                    ("another app's contact", s(&other_app, &ctx.n.id).to_owned()),
                    ("a soft-deleted contact", s(&gone, &ctx.n.id).to_owned()),
                ] {
                    let ex = ctx.patch(Role::AppX, &id, &json!({ name.as_str(): target }), &[]).await?;
                    status(&ex, &[422], format!("an update pointing `{name}` at {what}"))?;
                    same(&ex, "the fields the 422 names", vec![name.clone()], named(&ex))?;
                }
                let ex = ctx.create(Role::A1, &json!({ name.as_str(): s(&foreign, &ctx.n.id), ctx.n.account_field(): ctx.account })).await?;
                status(&ex, &[422], format!("a create pointing `{name}` at another tenant's contact"))?;
                ctx.unchanged(Role::AppX, &id, &c).await
            }
        }));
        if let Some(Reference::SameResource { same: scope }) = &f.references
            && let Some(scope) = scope.first().cloned()
        {
            let n = name.clone();
            out.push(Check::new(Family::Validation, "reference_same_scope", Level::Must, format!("`{name}` must name a contact with the same `{scope}` as the contact after the write (two nulls match): another `{scope}` is a 422, also when the write moves the contact"), move |ctx: Arc<Ctx>| {
                let (name, scope) = (n.clone(), scope.clone());
                async move {
                    let boss = ctx.created(Role::A1, json!({})).await?;
                    let boss_id = s(&boss, &ctx.n.id).to_owned();
                    let other = ctx.fresh_account();
                    let ex = ctx.create(Role::A1, &json!({ name.as_str(): boss_id, scope.as_str(): other })).await?;
                    status(&ex, &[422], format!("a create pointing `{name}` at a contact of another `{scope}`"))?;
                    let c = ctx.created(Role::A1, json!({ name.as_str(): boss_id })).await?;
                    let ex = ctx.patch(Role::A1, s(&c, &ctx.n.id), &json!({ scope.as_str(): other, name.as_str(): boss_id }), &[]).await?;
                    status(&ex, &[422], format!("an update moving the contact to another `{scope}` while naming its manager"))?;
                    let orphan_boss = ctx.created(Role::A1, json!({ scope.as_str(): null })).await?;
                    let ex = ctx.create(Role::A1, &json!({ scope.as_str(): null, name.as_str(): s(&orphan_boss, &ctx.n.id) })).await?;
                    if ex.status == 201 {
                        ctx.register(Role::A1, s(&ex.body, &ctx.n.id));
                    }
                    status(&ex, &[201], format!("an orphan naming an orphan (null `{scope}` matches null)"))
                }
            }));
        } else {
            out.push(Check::not_applicable(
                Family::Validation,
                "reference_same_scope",
                Level::Must,
                "a reference must name an item of the same scope",
                format!("`{name}` names any item the caller can see, with no scope to share"),
            ));
        }
        let n = name.clone();
        out.push(Check::new(Family::Validation, "reference_checked_only_when_set", Level::Must, format!("a later deletion of the contact `{name}` names changes nothing, and writes that leave `{name}` out are not refused for it"), move |ctx: Arc<Ctx>| {
            let name = n.clone();
            async move {
                                let boss = ctx.created(Role::A1, json!({})).await?;
                let c = ctx.created(Role::A1, json!({ name.as_str(): s(&boss, &ctx.n.id) })).await?;
                let id = s(&c, &ctx.n.id).to_owned();
                let del = ctx.delete(Role::A1, s(&boss, &ctx.n.id), &[]).await?;
                status(&del, &[200, 204], "deleting the manager")?;
                let ex = ctx.get(Role::A1, &id).await?;
                same(&ex, format!("`{name}` after its target was deleted"), &boss[&ctx.n.id], &ex.body[&name])?;
                let ex = ctx.patch(Role::A1, &id, &json!({}), &[]).await?;
                status(&ex, &[200], format!("an update leaving `{name}` out"))
            }
        }));
    } else {
        let why = Need::Reference.missing(m).unwrap_or_default();
        for (name, what) in [
            (
                "reference_must_be_visible_live_other",
                "a reference must name a visible, live, other item",
            ),
            (
                "reference_same_scope",
                "a reference must name an item of the same scope",
            ),
            (
                "reference_checked_only_when_set",
                "a reference is checked only when a write sets it",
            ),
        ] {
            out.push(Check::not_applicable(
                Family::Validation,
                name,
                Level::Must,
                what,
                why.clone(),
            ));
        }
    }
    out.push(Check::new(
        Family::Validation,
        "null_is_accepted",
        Level::Must,
        "every client field that is not required accepts null, on create and on update",
        {
            let names: Vec<String> = client
                .iter()
                .filter(|f| !f.is_required())
                .map(|f| f.name.clone())
                .collect();
            move |ctx: Arc<Ctx>| {
                let names = names.clone();
                async move {
                    let body: Map<String, Value> =
                        names.iter().map(|n| (n.clone(), Value::Null)).collect();
                    let ex = ctx.create(Role::A1, &Value::Object(body.clone())).await?;
                    status(&ex, &[201], "a create of nulls")?;
                    let ex = ctx
                        .patch(Role::A1, s(&ex.body, &ctx.n.id), &Value::Object(body), &[])
                        .await?;
                    status(&ex, &[200], "an update of nulls")
                }
            }
        },
    ));
    out
}
