//! The value rules of a resource: what a client may write into each field
//! (types, formats, enums, lengths, bounds, dates, JSON object limits,
//! required fields) and what a create or update body may hold. One home for
//! them: the reference server answers with them, model validation checks
//! every default against them, and the docs' examples follow them.

use crate::model::{Field, FieldType, ResourceModel};
use crate::problem;
use crate::time;
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

/// One offending top-level field of a body, as a 422 names it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's wire name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// A body that passed validation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Valid {
    /// The client fields present in the body, values normalised (date-times
    /// in canonical UTC form, whole numbers as integers).
    pub fields: Map<String, Value>,
    /// An update's body `version`: the expected current version.
    pub expected_version: Option<i64>,
}

/// The compiled rules of one model: a regular expression per formatted
/// field (and per reference, which takes the id's form).
#[derive(Debug, Clone)]
pub struct Rules {
    formats: HashMap<String, Regex>,
}

/// The message for a string holding U+0000, which no backend stores alike.
const NUL: &str = "must not contain U+0000 (NUL)";

impl Rules {
    /// Compiles the patterns of `model`'s formats.
    pub fn new(model: &ResourceModel) -> Result<Self, regex::Error> {
        let mut formats = HashMap::new();
        let id_format = model
            .stamp(crate::model::Stamp::Id)
            .and_then(|f| f.format.clone());
        for f in &model.fields {
            if let Some(format) = &f.format {
                formats.insert(f.name.clone(), Regex::new(&format.pattern())?);
            } else if f.references.is_some()
                && let Some(id) = &id_format
            {
                // A reference has the id's form: a malformed one is a field
                // error (422 with the body's fields), before the item is read;
                // whether it names a visible item is checked later.
                formats.insert(f.name.clone(), Regex::new(&id.pattern())?);
            }
        }
        Ok(Rules { formats })
    }

    /// Checks `body` against the model; every offending field is reported,
    /// in body order, then the required fields a create leaves out.
    /// With `allow_unknown`, members the model lacks are ignored (a fault
    /// the reference server can switch on).
    pub fn validate_body(
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
                    errors.push(err(problem::UNKNOWN_FIELD.into()));
                }
                continue;
            };
            if !field.is_client() {
                if kind == BodyKind::Update && Some(name.as_str()) == version {
                    match whole_number(value) {
                        Some(v) => valid.expected_version = Some(v),
                        None => errors.push(err(problem::VERSION_NOT_INTEGER.into())),
                    }
                }
                // Other server-owned fields are ignored (AIP-203).
                continue;
            }
            if field.is_required() && value.is_null() {
                errors.push(err(problem::required(kind == BodyKind::Update).into()));
                continue;
            }
            match self.check(model, field, value) {
                Ok(v) => {
                    valid.fields.insert(name.clone(), v);
                }
                Err(message) => errors.push(err(message)),
            }
        }
        if kind == BodyKind::Create {
            for f in model.client_fields() {
                if f.is_required() && !body.contains_key(&f.name) {
                    errors.push(FieldError {
                        field: f.name.clone(),
                        message: problem::required(false).into(),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(valid)
        } else {
            Err(errors)
        }
    }

    /// Checks one client value; returns it normalised. Null passes (whether
    /// a field may be null is the body's rule, [`Rules::validate_body`]).
    pub fn check(&self, model: &ResourceModel, f: &Field, value: &Value) -> Result<Value, String> {
        if value.is_null() {
            return Ok(Value::Null);
        }
        let l = &f.limits;
        match &f.ty {
            FieldType::String => {
                let s = value.as_str().ok_or("must be a string")?;
                no_nul(s)?;
                // A character is a Unicode scalar value (CONTRACT.md §1, revision 3).
                let n = s.chars().count() as u64;
                if let Some(max) = model.max_length(f)
                    && n > u64::from(max)
                {
                    return Err(format!("must be at most {max} characters"));
                }
                if let Some(min) = l.min_length
                    && n < u64::from(min)
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
                        Some(format) => problem::format_message(format),
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
                let n = whole_number(value).ok_or_else(|| problem::integer_message(l))?;
                if l.minimum.is_some_and(|min| n < min) || l.maximum.is_some_and(|max| n > max) {
                    return Err(problem::integer_message(l));
                }
                Ok(Value::from(n))
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
            FieldType::Date => {
                let s = value.as_str().ok_or(problem::DATE_MESSAGE)?;
                if resource_formats::is_full_date(s) {
                    Ok(value.clone())
                } else {
                    Err(problem::DATE_MESSAGE.into())
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
                    let n = s.chars().count() as u64;
                    if l.item_min_length.is_some_and(|min| n < u64::from(min))
                        || l.item_max_length.is_some_and(|max| n > u64::from(max))
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

/// A JSON number whose value is whole and fits an `i64`, as JSON Schema
/// judges integers (CONTRACT.md §8): `5`, `5.0`, `5e0` and `-0` are
/// integers; `5.5`, `"5"` and `true` are not.
pub fn whole_number(value: &Value) -> Option<i64> {
    let n = value.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    if n.is_u64() {
        return None; // above i64::MAX
    }
    let f = n.as_f64()?;
    // i64::MAX is not a double; 2^63 is the first double above the range.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    (f.is_finite() && f.fract() == 0.0 && (-TWO_63..TWO_63).contains(&f)).then_some(f as i64)
}

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

/// The size and depth limits of a JSON object field (also checked on the
/// merged value of an update).
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_numbers_are_integers_whatever_their_spelling() {
        for (text, n) in [
            ("5", 5),
            ("5.0", 5),
            ("5e0", 5),
            ("-0", 0),
            ("-0.0", 0),
            ("50E-1", 5),
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(whole_number(&v), Some(n), "{text}");
        }
        for text in [
            "5.5",
            "\"5\"",
            "true",
            "null",
            "1e19",
            "18446744073709551615",
            "[1]",
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(whole_number(&v), None, "{text}");
        }
        assert_eq!(whole_number(&json!(i64::MIN)), Some(i64::MIN));
        assert_eq!(whole_number(&json!(i64::MAX)), Some(i64::MAX));
    }
}
