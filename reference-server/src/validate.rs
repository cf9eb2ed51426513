//! Validation of request bodies, driven entirely by the resource model: types,
//! formats, enums, limits, unknown and server-owned fields.

use crate::problem::FieldError;
use crate::time;
use resource_model::ResourceModel;
use resource_model::{Field, FieldType, Stamp};
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Which body is being validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A create body.
    Create,
    /// A JSON Merge Patch.
    Update,
}

/// A body that passed validation.
#[derive(Debug, Clone, Default)]
pub struct Valid {
    /// The client fields present in the body, values normalised (date-times in canonical UTC form).
    pub fields: Map<String, Value>,
    /// An update's body `version`: the expected current version.
    pub expected_version: Option<i64>,
}

/// The compiled rules of a model.
pub struct Rules {
    formats: HashMap<String, Regex>,
}

impl Rules {
    /// Compiles the format patterns of `model`.
    pub fn new(model: &ResourceModel) -> Result<Self, regex::Error> {
        let mut formats = HashMap::new();
        let id_format = model
            .stamp(resource_model::Stamp::Id)
            .and_then(|f| f.format.clone());
        for f in &model.fields {
            if let Some(format) = &f.format {
                formats.insert(f.name.clone(), Regex::new(&format.pattern())?);
            } else if f.references.is_some()
                && let Some(id) = &id_format
            {
                // A reference has the id's form: a malformed one is a field
                // error (422 with the body's fields), before the item is read;
                // whether it names a visible contact is checked later.
                formats.insert(f.name.clone(), Regex::new(&id.pattern())?);
            }
        }
        Ok(Rules { formats })
    }

    /// Checks `body` against the model; every offending field is reported.
    pub fn validate(
        &self,
        model: &ResourceModel,
        body: &Map<String, Value>,
        kind: BodyKind,
        allow_unknown: bool,
    ) -> Result<Valid, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut valid = Valid::default();
        let version = model.version_field().map(|f| f.name.as_str());
        for (name, value) in body {
            let err = |message: String| FieldError {
                field: name.clone(),
                message,
            };
            let Some(field) = model.field(name) else {
                if !allow_unknown {
                    errors.push(err(resource_model::problem::UNKNOWN_FIELD.into()));
                }
                continue;
            };
            if !field.is_client() {
                if kind == BodyKind::Update && Some(name.as_str()) == version {
                    match value.as_i64() {
                        Some(v) => valid.expected_version = Some(v),
                        None => errors.push(err(
                            "must be an integer: the expected current version".into(),
                        )),
                    }
                }
                // Other server-owned fields are ignored (AIP-203).
                continue;
            }
            match self.check(model, field, value) {
                Ok(v) => {
                    valid.fields.insert(name.clone(), v);
                }
                Err(message) => errors.push(err(message)),
            }
        }
        if errors.is_empty() {
            Ok(valid)
        } else {
            Err(errors)
        }
    }

    /// Checks one client value; returns it normalised.
    pub fn check(&self, model: &ResourceModel, f: &Field, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let l = &f.limits;
        match &f.ty {
            FieldType::String => {
                let s = value.as_str().ok_or("must be a string")?;
                no_nul(s)?;
                let n = s.chars().count() as u32;
                if let Some(max) = model.max_length(f)
                    && n > max
                {
                    return Err(format!("must be at most {max} characters"));
                }
                if let Some(min) = l.min_length
                    && n < min
                {
                    return Err(if min == 1 {
                        "must not be empty".into()
                    } else {
                        format!("must be at least {min} characters")
                    });
                }
                if let Some(re) = self.formats.get(&f.name)
                    && !re.is_match(s)
                {
                    return Err(match &f.format {
                        Some(format) => resource_model::problem::format_message(format),
                        None => "must be an id in the form of this resource's ids".into(),
                    });
                }
                Ok(value.clone())
            }
            FieldType::Enum { values } => {
                let s = value.as_str().ok_or("must be a string")?;
                no_nul(s)?;
                if values.iter().any(|v| v == s) {
                    Ok(value.clone())
                } else {
                    Err(format!("must be one of {}", values.join(", ")))
                }
            }
            FieldType::Boolean => value
                .is_boolean()
                .then(|| value.clone())
                .ok_or_else(|| "must be a boolean".into()),
            FieldType::Integer => {
                let n = value.as_i64().ok_or("must be an integer")?;
                if let Some(min) = l.minimum
                    && n < min
                {
                    return Err(format!("must be at least {min}"));
                }
                Ok(value.clone())
            }
            FieldType::DateTime => {
                let s = value
                    .as_str()
                    .ok_or("must be an RFC 3339 date-time string")?;
                no_nul(s)?;
                match time::parse(s) {
                    Ok(t) => Ok(Value::String(time::canonical(t))),
                    Err(time::BadTime::Syntax) => {
                        Err("must be an RFC 3339 date-time with a time zone offset".into())
                    }
                    Err(time::BadTime::OutOfRange) => Err(
                        "must be an instant from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z"
                            .into(),
                    ),
                }
            }
            FieldType::JsonObject => {
                if !value.is_object() {
                    return Err("must be a JSON object".into());
                }
                if contains_nul(value) {
                    return Err(NUL.into());
                }
                check_json_limits(f, value)?;
                Ok(value.clone())
            }
            FieldType::StringArray => {
                let items = value.as_array().ok_or("must be an array of strings")?;
                if let Some(max) = l.max_items
                    && items.len() > max as usize
                {
                    return Err(format!("must have at most {max} items"));
                }
                for item in items {
                    let s = item.as_str().ok_or("must be an array of strings")?;
                    no_nul(s)?;
                    let n = s.chars().count() as u32;
                    if l.item_min_length.is_some_and(|min| n < min)
                        || l.item_max_length.is_some_and(|max| n > max)
                    {
                        return Err(format!(
                            "each item must be {} to {} characters",
                            l.item_min_length.unwrap_or(0),
                            l.item_max_length.unwrap_or(u32::MAX)
                        ));
                    }
                }
                Ok(value.clone())
            }
        }
    }
}

/// The message for a string holding U+0000, which no backend stores alike.
const NUL: &str = "must not contain U+0000 (NUL)";

fn no_nul(s: &str) -> Result<(), String> {
    if s.contains('\0') {
        Err(NUL.into())
    } else {
        Ok(())
    }
}

/// Whether any string in `v`, object keys included, holds U+0000.
pub fn contains_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(contains_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// The size and depth limits of a JSON object field (also checked after a merge).
pub fn check_json_limits(f: &Field, value: &Value) -> Result<(), String> {
    if let Some(max) = f.limits.max_bytes {
        let size = serde_json::to_vec(value)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > max as usize {
            return Err(format!("must be at most {max} bytes serialised"));
        }
    }
    if let Some(max) = f.limits.max_depth
        && depth(value) > max
    {
        return Err(format!("must be nested at most {max} deep"));
    }
    Ok(())
}

/// Nesting depth: a scalar is 0, an object or array one more than its deepest member.
fn depth(v: &Value) -> u32 {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Whether a field is the stamp `s`.
pub fn is_stamp(f: &Field, s: Stamp) -> bool {
    f.stamp() == Some(s)
}
