//! What a write does to an item, from the model alone: the server's stamps,
//! defaults, computed fields and JSON Merge Patch (CONTRACT.md §1, §3). One
//! home for these semantics: the reference server writes with them and the
//! docs' examples predict the server's answers with them, so the two cannot
//! drift apart.
//!
//! An item is a JSON object keyed by field name, every field present (null
//! where unset), as the reference server stores it.

use crate::model::{Computed, FieldType, Format, ResourceModel, Stamp, Writer};
use crate::rules::{FieldError, check_json_limits};
use serde_json::{Map, Value};

/// An item: every field of the model, null where unset.
pub type Item = Map<String, Value>;

/// Who writes: the caller's token claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// The JWT `sub`.
    pub sub: &'a str,
    /// The JWT `tenant_id`.
    pub tenant_id: &'a str,
    /// The JWT `app_id`, for app tokens.
    pub app_id: Option<&'a str>,
}

/// Which write is stamped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// A create: every stamp is set.
    Create,
    /// An update: the update stamps, the version and the schema version.
    Update,
    /// A soft delete: the update stamps and the deletion stamps.
    Delete,
}

/// A new item with every field null.
pub fn blank(model: &ResourceModel) -> Item {
    model
        .fields
        .iter()
        .map(|f| (f.name.clone(), Value::Null))
        .collect()
}

/// A new id in the form of the model's id field, minted at `at` (a ULID's
/// time, a version 7 UUID's time): `per_01J…` or `acc-0193…`.
pub fn new_id(model: &ResourceModel, at: chrono::DateTime<chrono::Utc>) -> String {
    let id_format = model.stamp(Stamp::Id).and_then(|f| f.format.as_ref());
    match id_format {
        Some(Format::PrefixedUuid { prefix }) => {
            let ts = uuid_timestamp(at);
            format!("{prefix}-{}", uuid::Uuid::new_v7(ts).hyphenated())
        }
        _ => format!(
            "{}_{}",
            model.id_prefix,
            ulid::Ulid::from_datetime(std::time::SystemTime::from(at))
        ),
    }
}

fn uuid_timestamp(at: chrono::DateTime<chrono::Utc>) -> uuid::Timestamp {
    let secs = u64::try_from(at.timestamp()).unwrap_or(0);
    uuid::Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos())
}

/// Sets the server's stamps of a `kind` write by `actor` at `now` (canonical
/// UTC text). The version goes to 1 on create and up by one otherwise.
pub fn stamp(
    model: &ResourceModel,
    item: &mut Item,
    actor: &Actor<'_>,
    now: &str,
    kind: WriteKind,
) {
    let create = kind == WriteKind::Create;
    let delete = kind == WriteKind::Delete;
    for f in &model.fields {
        let Writer::Server { stamp } = f.writer else {
            continue;
        };
        let v = match stamp {
            Stamp::UpdatedAt => Value::from(now),
            Stamp::UpdatedBy => Value::from(actor.sub),
            Stamp::SchemaVersion => Value::from(model.schema_version),
            Stamp::Version => {
                let current = item.get(&f.name).and_then(Value::as_i64).unwrap_or(0);
                Value::from(if create { 1 } else { current + 1 })
            }
            Stamp::DeletedFlag if delete => Value::from(true),
            Stamp::DeletedAt if delete => Value::from(now),
            Stamp::DeletedBy if delete => Value::from(actor.sub),
            Stamp::DeletedFlag if create => Value::from(false),
            Stamp::Tenant if create => Value::from(actor.tenant_id),
            Stamp::App if create => actor.app_id.map_or(Value::Null, Value::from),
            Stamp::CreatedAt if create => Value::from(now),
            Stamp::CreatedBy if create => Value::from(actor.sub),
            _ => continue,
        };
        item.insert(f.name.clone(), v);
    }
}

/// Applies a validated body's client members to `item`: a create's values,
/// or an update's JSON Merge Patch (RFC 7396: JSON objects merge key by key,
/// a null member removing its key; everything else is replaced). A merged
/// object over its field's limits is an error naming the field (CONTRACT.md
/// §1: the limits hold for the value that would be stored).
pub fn apply(
    model: &ResourceModel,
    item: &mut Item,
    body: &Map<String, Value>,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for f in model.client_fields() {
        let Some(v) = body.get(&f.name) else { continue };
        let merged = match (f.ty == FieldType::JsonObject, item.get(&f.name), v) {
            (true, Some(Value::Object(old)), Value::Object(patch)) => {
                let merged = merge(Value::Object(old.clone()), patch);
                if let Err(m) = check_json_limits(f, &merged) {
                    errors.push(FieldError {
                        field: f.name.clone(),
                        message: format!("after the merge, {m}"),
                    });
                }
                merged
            }
            (true, _, Value::Object(patch)) => merge(Value::Object(Map::new()), patch),
            _ => v.clone(),
        };
        item.insert(f.name.clone(), merged);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// RFC 7396: `patch` merged into `target`.
pub fn merge(target: Value, patch: &Map<String, Value>) -> Value {
    let mut out = match target {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for (k, v) in patch {
        match v {
            Value::Null => {
                out.remove(k);
            }
            Value::Object(p) => {
                let old = out.remove(k).unwrap_or(Value::Null);
                out.insert(k.clone(), merge(old, p));
            }
            other => {
                out.insert(k.clone(), other.clone());
            }
        }
    }
    Value::Object(out)
}

/// After a write's values are in: defaults for client fields left null, then
/// the computed rules. `before` is the item as it was before the write (empty
/// for a create), `body` the write's client members, `now` its time.
pub fn fill_in(
    model: &ResourceModel,
    item: &mut Item,
    body: &Map<String, Value>,
    before: &Item,
    now: &str,
) {
    for f in model.client_fields() {
        if let Some(d) = f.default()
            && item.get(&f.name).is_none_or(Value::is_null)
        {
            item.insert(f.name.clone(), d.clone());
        }
    }
    for f in model.client_fields() {
        match f.computed() {
            Some(Computed::JoinWhenBlank { from, separator }) => {
                let blank = item
                    .get(&f.name)
                    .and_then(Value::as_str)
                    .is_none_or(|s| s.trim().is_empty());
                if blank {
                    let parts: Vec<&str> = from
                        .iter()
                        .filter_map(|s| item.get(s).and_then(Value::as_str))
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect();
                    let v = if parts.is_empty() {
                        Value::Null
                    } else {
                        Value::from(parts.join(separator))
                    };
                    item.insert(f.name.clone(), v);
                }
            }
            Some(Computed::StampWhenTrue { flag }) => {
                let now_true = item.get(flag).and_then(Value::as_bool) == Some(true);
                let was_true = before.get(flag).and_then(Value::as_bool) == Some(true);
                if now_true && !was_true && !body.contains_key(&f.name) {
                    item.insert(f.name.clone(), Value::from(now));
                }
            }
            None => {}
        }
    }
}

/// The item as a response shows it: field order, null fields left out
/// unless always present. Serialises straight from the item, copying nothing.
pub struct Rendered<'a> {
    model: &'a ResourceModel,
    item: &'a Item,
}

/// `item` as a response shows it.
pub fn render<'a>(model: &'a ResourceModel, item: &'a Item) -> Rendered<'a> {
    Rendered { model, item }
}

impl serde::Serialize for Rendered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for f in &self.model.fields {
            match self.item.get(&f.name) {
                Some(v) if !v.is_null() => map.serialize_entry(&f.name, v)?,
                _ if f.always_present => map.serialize_entry(&f.name, &Value::Null)?,
                _ => {}
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_follows_rfc_7396() {
        let target = json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]});
        let patch = json!({"a": null, "b": {"c": null, "x": 9}, "e": [2], "n": {"k": null}});
        assert_eq!(
            merge(target, patch.as_object().unwrap()),
            json!({"b": {"d": 3, "x": 9}, "e": [2], "n": {}})
        );
    }
}
