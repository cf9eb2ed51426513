//! What list checks share: distinct valid values for a filter, and what a
//! list must show of the items a check made (so every list form, filtered or
//! not, with `include_deleted` or not, is judged by one rule).

use super::s;
use crate::context::{Ctx, valid_value};
use crate::http::Exchange;
use resource_model::{Field, FieldType, Filter, Format, ResourceModel};
use serde_json::Value;

/// The `i`-th of a sequence of valid values of `f` that differ from each
/// other where the field allows (fresh ids and texts, enum values in turn,
/// integers and dates counting up, booleans alternating); lower-case for a
/// case-insensitive filter, as items would be stored.
pub(crate) fn distinct_value(f: &Field, i: usize) -> Value {
    let v = match (&f.ty, &f.format) {
        (FieldType::Enum { values }, _) => Value::from(
            values
                .get(i % values.len().max(1))
                .cloned()
                .unwrap_or_default(),
        ),
        (FieldType::Integer, _) => {
            let min = f.limits.minimum.unwrap_or(0).max(0);
            let max = f.limits.maximum.unwrap_or(i64::MAX);
            Value::from((min + i as i64).min(max))
        }
        (FieldType::Boolean, _) => Value::from(i % 2 == 1),
        (FieldType::Date, _) => Value::from(format!("2024-01-{:02}", 1 + i % 28)),
        (FieldType::DateTime, _) => Value::from(format!("2024-01-01T00:00:{:02}Z", i % 60)),
        (FieldType::String, Some(Format::E164)) => {
            Value::from(format!("+1415555{:04}", i % 10_000))
        }
        _ => valid_value(f),
    };
    match (&f.filter, v) {
        (Some(Filter::CaseInsensitive), Value::String(s)) => Value::from(s.to_lowercase()),
        (_, v) => v,
    }
}

/// A value as a query parameter holds it.
pub(crate) fn query_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether the list filter of `f` with `q` matches `item`.
pub(crate) fn matches(f: &Field, item: &Value, q: &str) -> bool {
    let Some(v) = item.get(&f.name).filter(|v| !v.is_null()) else {
        // CONTRACT.md revision 3: a filter never matches a null field.
        return false;
    };
    let v = query_value(v);
    match f.filter {
        Some(Filter::CaseInsensitive) => v.eq_ignore_ascii_case(q),
        _ => v == q,
    }
}

/// The filters of `m` whose values the runner can make (every filter but
/// one on a reference, whose values must name live items).
pub(crate) fn filters(m: &ResourceModel) -> Vec<Field> {
    m.filters()
        .filter(|(f, _)| f.references.is_none())
        .map(|(f, _)| f.clone())
        .collect()
}

/// An item a check made, and whether it deleted it.
#[derive(Clone)]
pub(crate) struct Made {
    /// The item as created.
    pub item: Value,
    /// Soft-deleted since.
    pub deleted: bool,
}

/// The ids a list must show of `made`, in created_at-then-id order: those
/// matching `filter` (field and value), the deleted ones only with `include_deleted`.
pub(crate) fn expected(
    ctx: &Ctx,
    made: &[Made],
    filter: Option<(&Field, &str)>,
    include_deleted: bool,
) -> Vec<String> {
    let mut hits: Vec<&Made> = made
        .iter()
        .filter(|m| include_deleted || !m.deleted)
        .filter(|m| filter.is_none_or(|(f, q)| matches(f, &m.item, q)))
        .collect();
    hits.sort_by(|a, b| {
        let t = |x: &Value| super::time(x, &ctx.n.created_at);
        t(&a.item)
            .cmp(&t(&b.item))
            .then(s(&a.item, &ctx.n.id).cmp(s(&b.item, &ctx.n.id)))
    });
    hits.into_iter()
        .map(|m| s(&m.item, &ctx.n.id).to_owned())
        .collect()
}

/// The ids on a page.
pub(crate) fn ids(ctx: &Ctx, ex: &Exchange) -> Vec<String> {
    ex.body["data"]
        .as_array()
        .map(|d| d.iter().map(|c| s(c, &ctx.n.id).to_owned()).collect())
        .unwrap_or_default()
}
