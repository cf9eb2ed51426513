//! Each operation's call in each generated SDK (TypeScript, Python, Rust),
//! making the same request as the page's HTTP example.
//!
//! The snippets are statements a reader pastes after making a `client`; the
//! SDK tests compile every one the page shows (tsc, mypy, rustc).

use super::examples::Examples;
use crate::emit::sdk::{pascal, screaming};
use resource_model::ResourceModel;
use resource_model::{FieldType, Operation};
use serde_json::{Map, Value};

/// One operation's call, in each language.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Snippet {
    /// TypeScript (the API's `<api>-sdk` npm package).
    pub typescript: String,
    /// Python (the `<api>_sdk` package).
    pub python: String,
    /// Rust (the `<api>-sdk` crate).
    pub rust: String,
}

/// The call of `op` with the example's inputs.
pub fn snippet(model: &ResourceModel, ex: &Examples, op: Operation) -> Snippet {
    let call = model.sdk_call(op);
    let var = model.name.to_lowercase();
    let id = format!("{:?}", ex.id);
    let version = |op: Operation| -> Option<i64> {
        model.version_field()?;
        // The version the example's If-Match names.
        ex.of(op)
            .request
            .headers
            .iter()
            .find(|(k, _)| k == "If-Match")
            .and_then(|(_, v)| v.trim_matches('"').parse().ok())
    };
    match op {
        Operation::Create => Snippet {
            typescript: format!(
                "const {var} = await {call}({});",
                ts_object(&ex.create_body, 0)
            ),
            python: format!("{var} = {call}({})", py_dict(model, &ex.create_body, 0)),
            rust: {
                // A create type with required fields has no Default: its
                // `new` takes them, in field order.
                let required: Vec<String> = model
                    .client_fields()
                    .filter(|f| f.is_required())
                    .map(|f| {
                        let v = ex.create_body.get(&f.name).cloned().unwrap_or(Value::Null);
                        rust_value(&f.ty, &f.name, &v)
                    })
                    .collect();
                let base = if required.is_empty() {
                    "Default::default()".to_owned()
                } else {
                    format!("{}Create::new({})", model.name, required.join(", "))
                };
                format!(
                    "let {var} = {call}(&{}Create {{\n{}    ..{base}\n}}).await?;",
                    model.name,
                    rust_members(model, &ex.create_body, false),
                )
            },
        },
        Operation::Get => Snippet {
            typescript: format!("const {var} = await {call}({id});"),
            python: format!("{var} = {call}({id})"),
            rust: format!("let {var} = {call}({id}).await?;"),
        },
        Operation::List => {
            let ts: Vec<String> = ex
                .list_query
                .iter()
                .map(|(k, v)| format!("{k}: {}", param_literal(k, v, Lang::TypeScript)))
                .collect();
            let py: Vec<String> = ex
                .list_query
                .iter()
                .map(|(k, v)| format!("{k}={}", param_literal(k, v, Lang::Python)))
                .collect();
            let rs: String = ex
                .list_query
                .iter()
                .map(|(k, v)| format!("    {k}: Some({}),\n", param_literal(k, v, Lang::Rust)))
                .collect();
            Snippet {
                typescript: format!("const page = await {call}({{ {} }});", ts.join(", ")),
                python: format!("page = {call}({})", py.join(", ")),
                rust: format!(
                    "let page = {call}(&{}ListParams {{\n{rs}    ..Default::default()\n}}).await?;",
                    model.name
                ),
            }
        }
        Operation::Update => {
            let v = version(op);
            Snippet {
                typescript: format!(
                    "const updated = await {call}(\n  {id},\n  {},{}\n);",
                    ts_object(&ex.patch, 1),
                    v.map(|v| format!("\n  {{ expectedVersion: {v} }},"))
                        .unwrap_or_default()
                ),
                python: format!(
                    "updated = {call}(\n    {id},\n    {},{}\n)",
                    py_dict(model, &ex.patch, 1),
                    v.map(|v| format!("\n    expected_version={v},"))
                        .unwrap_or_default()
                ),
                rust: format!(
                    "let updated = {call}(\n    {id},\n    &{}Update {{\n{}        ..Default::default()\n    }},\n    {},\n).await?;",
                    model.name,
                    indent(&rust_members(model, &ex.patch, true), 4),
                    v.map_or_else(|| "None".to_owned(), |v| format!("Some({v})")),
                ),
            }
        }
        Operation::Delete => {
            let v = version(op);
            Snippet {
                typescript: format!(
                    "const deleted = await {call}({id}{});",
                    v.map(|v| format!(", {{ expectedVersion: {v} }}"))
                        .unwrap_or_default()
                ),
                python: format!(
                    "deleted = {call}({id}{})",
                    v.map(|v| format!(", expected_version={v}"))
                        .unwrap_or_default()
                ),
                rust: format!(
                    "let deleted = {call}({id}, {}).await?;",
                    v.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
                ),
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Lang {
    TypeScript,
    Python,
    Rust,
}

/// A list parameter's value: `limit` a number, `include_deleted` a boolean,
/// a filter a string.
fn param_literal(name: &str, v: &str, lang: Lang) -> String {
    match (name, lang) {
        ("limit", _) => v.to_owned(),
        ("include_deleted", Lang::Python) => if v == "true" { "True" } else { "False" }.into(),
        ("include_deleted", _) => v.to_owned(),
        (_, Lang::Rust) => format!("{v:?}.into()"),
        _ => format!("{v:?}"),
    }
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| format!("{pad}{l}\n"))
        .collect::<String>()
}

/// A TypeScript object literal: one member per line, values as JSON.
fn ts_object(members: &Map<String, Value>, depth: usize) -> String {
    if members.is_empty() {
        return "{}".into();
    }
    let pad = "  ".repeat(depth + 1);
    let inner: String = members
        .iter()
        .map(|(k, v)| format!("{pad}{k}: {},\n", compact(v)))
        .collect();
    format!("{{\n{inner}{}}}", "  ".repeat(depth))
}

/// Compact JSON with a space after `:` and `,` (a TypeScript expression).
fn compact(v: &Value) -> String {
    match v {
        Value::Object(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| format!("{k:?}: {}", compact(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(a) => format!("[{}]", a.iter().map(compact).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// A Python dict literal of a request body: one member per line.
fn py_dict(model: &ResourceModel, members: &Map<String, Value>, depth: usize) -> String {
    if members.is_empty() {
        return "{}".into();
    }
    let pad = "    ".repeat(depth + 1);
    let inner: String = members
        .iter()
        .map(|(k, v)| {
            let value = match model.field(k).map(|f| &f.ty) {
                Some(FieldType::Enum { .. }) if v.is_string() => format!(
                    "{}.{}",
                    pascal(k),
                    screaming(v.as_str().unwrap_or_default())
                ),
                _ => python(v),
            };
            format!("{pad}{k:?}: {value},\n")
        })
        .collect();
    format!("{{\n{inner}{}}}", "    ".repeat(depth))
}

/// A JSON value as a Python literal.
fn python(v: &Value) -> String {
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!("[{}]", a.iter().map(python).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k:?}: {}", python(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The members of a Rust create (`Option`) or update (`Patch`) struct.
fn rust_members(model: &ResourceModel, members: &Map<String, Value>, patch: bool) -> String {
    members
        .iter()
        // A create's required fields go to its `new`.
        .filter(|(k, _)| patch || !model.field(k).is_some_and(|f| f.is_required()))
        .map(|(k, v)| {
            let ty = model
                .field(k)
                .map(|f| f.ty.clone())
                .unwrap_or(FieldType::String);
            let value = rust_value(&ty, k, v);
            let wrapped = match (patch, v.is_null(), &ty) {
                (true, true, _) => "Patch::Clear".to_owned(),
                (true, false, _) => format!("Patch::Set({value})"),
                (false, _, _) => format!("Some({value})"),
            };
            format!("    {k}: {wrapped},\n")
        })
        .collect()
}

/// A non-null value as a Rust expression of the field's SDK type.
fn rust_value(ty: &FieldType, name: &str, v: &Value) -> String {
    match (ty, v) {
        (FieldType::String, Value::String(s)) => format!("{s:?}.into()"),
        (FieldType::DateTime, Value::String(s)) => format!("{s:?}.parse().expect(\"RFC 3339\")"),
        (FieldType::Date, Value::String(s)) => format!("{s:?}.parse().expect(\"a full-date\")"),
        (FieldType::Enum { .. }, Value::String(s)) => format!("{}::{}", pascal(name), pascal(s)),
        (FieldType::StringArray, Value::Array(items)) => format!(
            "vec![{}]",
            items
                .iter()
                .map(|i| format!("{:?}.into()", i.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (FieldType::JsonObject, v) => format!(
            "serde_json::json!({}).as_object().cloned().unwrap_or_default()",
            compact(v)
        ),
        (_, v) => v.to_string(),
    }
}
