//! Validation: the rules a model (and an API, a set of models) must keep
//! before anything is generated or served from it. Parse, then validate: a
//! [`ValidModel`] or [`ValidApi`] can only be built here, so an invalid
//! model never reaches an emitter, the reference server or the runner, and
//! none of them has to assume that somebody checked.

use crate::api::{ApiModel, FieldSource};
use crate::json_schema::enum_name;
use crate::model::{Computed, Field, FieldType, Format, Reference, ResourceModel, Stamp, Writer};
use crate::rules::Rules;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// A rule a model or an API breaks, in words that name where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ModelError {}

/// The schema names every API's documents and SDKs use for themselves; a
/// resource or enum of the same name would collide with them.
pub const RESERVED_NAMES: &[&str] = &[
    "Problem",
    "ValidationProblem",
    "FieldError",
    "Client",
    "ApiError",
    "SdkError",
    "JsonValue",
    "JsonObject",
    "WriteOptions",
];

impl ResourceModel {
    /// Checks the rules of one resource: the ones the derive checks at
    /// compile time (for models read from a manifest) and the ones it cannot
    /// see. Returns every broken rule.
    pub fn validate(&self) -> Result<(), Vec<ModelError>> {
        let mut errors = Vec::new();
        let mut err = |msg: String| errors.push(ModelError(msg));
        let mut seen = BTreeSet::new();
        if !is_pascal(&self.name) {
            err(format!(
                "resource name `{}` is not a PascalCase identifier",
                self.name
            ));
        }
        if !self.path.starts_with('/') || self.path.ends_with('/') || self.path.contains("//") {
            err(format!(
                "path `{}` must start with `/`, not end with one, and have no empty segment",
                self.path
            ));
        }
        if self.id_prefix.is_empty()
            || !self
                .id_prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            err(format!(
                "id prefix `{}` must be lowercase ASCII letters and digits",
                self.id_prefix
            ));
        }
        if !self.sdk_namespace.split('.').all(is_snake) {
            err(format!(
                "SDK namespace `{}` is not dot-separated snake_case identifiers",
                self.sdk_namespace
            ));
        }
        if !is_snake(&self.table) || !is_snake(&self.plural) {
            err(format!(
                "table `{}` and plural `{}` must be snake_case identifiers",
                self.table, self.plural
            ));
        }
        for f in &self.fields {
            if !seen.insert(f.name.as_str()) {
                err(format!("field `{}` is declared twice", f.name));
            }
        }
        match self.stamp(Stamp::Id) {
            None => err("no field is stamped `id`".to_owned()),
            Some(id) => match &id.format {
                Some(Format::PrefixedUlid { prefix } | Format::PrefixedUuid { prefix })
                    if *prefix == self.id_prefix => {}
                other => err(format!(
                    "the id field `{}` must have the format prefixed_ulid(\"{p}\") or prefixed_uuid(\"{p}\"), not {}",
                    id.name,
                    other
                        .as_ref()
                        .map_or_else(|| "none".to_owned(), |f| format!("{f:?}")),
                    p = self.id_prefix,
                )),
            },
        }
        // Every resource is scoped by tenant and listed in creation order (CONTRACT.md §2, §3, §8).
        for (stamp, why) in [
            (Stamp::Tenant, "every item belongs to the caller's tenant"),
            (Stamp::CreatedAt, "lists are ordered by creation time"),
        ] {
            if self.stamp(stamp).is_none() {
                err(format!("no field is stamped `{}`: {why}", stamp.as_str()));
            }
        }
        // Defaults are checked against the field's own rules, with the
        // patterns the server compiles.
        let rules = Rules::new(self);
        let mut stamps = BTreeSet::new();
        for f in &self.fields {
            let name = &f.name;
            match &f.writer {
                Writer::Server { stamp } => {
                    if !stamps.insert(*stamp) {
                        err(format!(
                            "stamp `{}` is on more than one field",
                            stamp.as_str()
                        ));
                    }
                    if f.ty != stamp.expected_type() {
                        err(format!(
                            "field `{name}`: stamp `{}` needs a {} field, not {}",
                            stamp.as_str(),
                            stamp.expected_type().label(),
                            f.ty.label()
                        ));
                    }
                }
                Writer::Client {
                    default,
                    computed,
                    required,
                } => {
                    if let Some(d) = default {
                        if !value_fits(&f.ty, d) {
                            err(format!(
                                "field `{name}`: default {d} is not a valid {}",
                                f.ty.label()
                            ));
                        } else if let Ok(rules) = &rules
                            && let Err(why) = rules.check(self, f, d)
                        {
                            err(format!(
                                "field `{name}`: default {d} breaks the field's own rules: it {why}"
                            ));
                        }
                    }
                    if *required {
                        if default.is_some() {
                            err(format!(
                                "field `{name}` is required and has a default: a default applies only when the field is left out, which a required field may not be"
                            ));
                        }
                        if computed.is_some() {
                            err(format!(
                                "field `{name}` is required and computed: the server fills a computed field in when it is blank"
                            ));
                        }
                        if f.nullable {
                            err(format!("field `{name}` is required but nullable"));
                        }
                    } else if f.always_present && default.is_none() {
                        err(format!(
                            "field `{name}` is always present but neither required nor defaulted: give it a default, or make it Option<…>"
                        ));
                    }
                    match computed {
                        Some(Computed::JoinWhenBlank { from, .. }) => {
                            for s in from {
                                match self.field(s) {
                                    Some(src) if src.ty == FieldType::String => {}
                                    _ => err(format!(
                                        "field `{name}`: joins `{s}`, which is not a string field"
                                    )),
                                }
                            }
                        }
                        Some(Computed::StampWhenTrue { flag }) => match self.field(flag) {
                            Some(src) if src.ty == FieldType::Boolean => {}
                            _ => err(format!(
                                "field `{name}`: stamped when `{flag}` turns true, which is not a boolean field"
                            )),
                        },
                        None => {}
                    }
                    if computed.is_some() && !f.nullable {
                        err(format!(
                            "field `{name}` is computed, and a computed field may be null: make it Option<…>"
                        ));
                    }
                }
            }
            if f.format.is_some() && !f.ty.is_string() {
                err(format!("field `{name}`: a format needs a string field"));
            }
            if f.always_present && f.nullable {
                err(format!("field `{name}`: always present but nullable"));
            }
            let l = &f.limits;
            if (l.minimum.is_some() || l.maximum.is_some()) && f.ty != FieldType::Integer {
                err(format!(
                    "field `{name}`: minimum and maximum apply only to integer fields"
                ));
            }
            if let (Some(min), Some(max)) = (l.minimum, l.maximum)
                && min > max
            {
                err(format!(
                    "field `{name}`: minimum {min} is greater than maximum {max}"
                ));
            }
            if let (Some(min), Some(max)) = (l.min_length, l.max_length)
                && min > max
            {
                err(format!(
                    "field `{name}`: min_length {min} is greater than max_length {max}"
                ));
            }
            if f.filter.is_some() && !matches!(f.ty, FieldType::String | FieldType::Enum { .. }) {
                err(format!(
                    "field `{name}`: a filter needs a string or enum field"
                ));
            }
        }
        for f in &self.fields {
            if let Some(old) = &f.renamed_from {
                if old == &f.name {
                    err(format!("field `{}` is renamed from itself", f.name));
                } else if self.field(old).is_some() {
                    err(format!(
                        "field `{}` is renamed from `{old}`, which is still a field",
                        f.name
                    ));
                }
            }
            if let Some(Reference::SameResource { same }) = &f.references {
                for s in same {
                    if self.field(s).is_none() {
                        err(format!(
                            "field `{}`: references must share `{s}`, which is not a field",
                            f.name
                        ));
                    }
                }
            }
        }
        for u in &self.unique {
            for name in std::iter::once(&u.field).chain(&u.within) {
                if self.field(name).is_none() {
                    err(format!("unique scope of `{}`: no field `{name}`", u.field));
                }
            }
            if u.ignore_deleted && self.soft_delete().is_none() {
                err(format!(
                    "unique scope of `{}` ignores soft-deleted items, but no field is stamped `deleted_flag`",
                    u.field
                ));
            }
        }
        if let Err(e) = rules {
            err(format!("a format's pattern does not compile: {e}"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn value_fits(ty: &FieldType, v: &Value) -> bool {
    match ty {
        FieldType::String | FieldType::DateTime | FieldType::Date => v.is_string(),
        FieldType::Boolean => v.is_boolean(),
        FieldType::Integer => v.is_i64() || v.is_u64(),
        FieldType::JsonObject => v.is_object(),
        FieldType::StringArray => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        FieldType::Enum { values } => v.as_str().is_some_and(|s| values.iter().any(|x| x == s)),
    }
}

/// Whether `s` is a snake_case identifier every SDK language accepts as a name.
pub fn is_snake(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_pascal(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_ascii_uppercase()) && cs.all(|c| c.is_ascii_alphanumeric())
}

/// A resource model that passed [`ResourceModel::validate`], with its value
/// rules compiled. Only [`ValidModel::new`] builds one.
#[derive(Debug, Clone)]
pub struct ValidModel {
    model: ResourceModel,
    rules: Rules,
}

impl ValidModel {
    /// Validates `model`; every broken rule is returned.
    pub fn new(model: ResourceModel) -> Result<Self, Vec<ModelError>> {
        model.validate()?;
        let rules = Rules::new(&model).map_err(|e| {
            vec![ModelError(format!(
                "a format's pattern does not compile: {e}"
            ))]
        })?;
        Ok(ValidModel { model, rules })
    }

    /// The model.
    pub fn model(&self) -> &ResourceModel {
        &self.model
    }

    /// The compiled value rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The id field, which every valid model has.
    pub fn id_field(&self) -> &Field {
        self.required_stamp(Stamp::Id)
    }

    /// The tenant field, which every valid model has.
    pub fn tenant_field(&self) -> &Field {
        self.required_stamp(Stamp::Tenant)
    }

    /// The creation-time field, which every valid model has.
    pub fn created_at_field(&self) -> &Field {
        self.required_stamp(Stamp::CreatedAt)
    }

    fn required_stamp(&self, stamp: Stamp) -> &Field {
        self.model
            .stamp(stamp)
            .expect("ValidModel::new refuses a model without its id, tenant and created_at stamps")
    }
}

impl Deref for ValidModel {
    type Target = ResourceModel;

    fn deref(&self) -> &ResourceModel {
        &self.model
    }
}

/// An API that passed validation: every resource valid, and no two of them
/// colliding on a path, SDK namespace, table, id prefix or schema name.
/// Only [`ValidApi::new`] builds one.
#[derive(Debug, Clone)]
pub struct ValidApi {
    api: ApiModel,
    resources: Vec<ValidModel>,
}

impl ValidApi {
    /// Validates `api` and each of its resources; every broken rule is
    /// returned, each naming the resources (and fields) involved.
    pub fn new(api: ApiModel) -> Result<Self, Vec<ModelError>> {
        let mut errors = Vec::new();
        let mut resources = Vec::new();
        if !is_package_name(&api.name) {
            errors.push(ModelError(format!(
                "API name `{}` must be lowercase ASCII letters and digits in hyphen-separated words (it names the SDK packages)",
                api.name
            )));
        }
        if api.resources.is_empty() {
            errors.push(ModelError(format!("API `{}` has no resource", api.name)));
        }
        for model in &api.resources {
            match ValidModel::new(model.clone()) {
                Ok(v) => resources.push(v),
                Err(es) => errors.extend(
                    es.into_iter()
                        .map(|e| ModelError(format!("{}: {e}", model.name))),
                ),
            }
        }
        collisions(&api, &mut errors);
        if errors.is_empty() {
            Ok(ValidApi { api, resources })
        } else {
            Err(errors)
        }
    }

    /// The API as plain data (what the manifest holds).
    pub fn model(&self) -> &ApiModel {
        &self.api
    }

    /// The API's name, e.g. `crm` (the SDK packages are `crm-sdk`, `crm_sdk`).
    pub fn name(&self) -> &str {
        &self.api.name
    }

    /// The API's title, e.g. `CRM API`.
    pub fn title(&self) -> &str {
        &self.api.title
    }

    /// What the API is for, for people.
    pub fn description(&self) -> &str {
        &self.api.description
    }

    /// The resources, in declaration order.
    pub fn resources(&self) -> &[ValidModel] {
        &self.resources
    }

    /// The resource named `name` (its singular, plural or table, any case).
    pub fn resource(&self, name: &str) -> Option<&ValidModel> {
        self.resources.iter().find(|r| {
            r.name.eq_ignore_ascii_case(name)
                || r.plural.eq_ignore_ascii_case(name)
                || r.table.eq_ignore_ascii_case(name)
        })
    }

    /// Where each field of `resource` is declared, when the API was built
    /// from Rust types (not from a manifest).
    pub fn sources(&self, resource: &str) -> &[FieldSource] {
        self.api.sources.get(resource).map_or(&[], Vec::as_slice)
    }

    /// Every enum of the API by its schema name, once (two resources may
    /// share an enum only when its values are the same), in declaration order.
    pub fn enums(&self) -> Vec<(String, &Field)> {
        let mut out: Vec<(String, &Field)> = Vec::new();
        for r in &self.resources {
            for f in &r.fields {
                if let FieldType::Enum { .. } = f.ty {
                    let name = enum_name(f);
                    if !out.iter().any(|(n, _)| *n == name) {
                        out.push((name, f));
                    }
                }
            }
        }
        out
    }
}

impl serde::Serialize for ValidApi {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.api.serialize(s)
    }
}

fn is_package_name(s: &str) -> bool {
    !s.is_empty()
        && s.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// The rules between resources: each name, path, namespace, table and id
/// prefix names one resource only, and no schema name is taken twice.
fn collisions(api: &ApiModel, errors: &mut Vec<ModelError>) {
    let rs = &api.resources;
    let mut err = |msg: String| errors.push(ModelError(msg));
    for (i, a) in rs.iter().enumerate() {
        for b in &rs[i + 1..] {
            let same = |what: &str, x: &str, y: &str| {
                (x.eq_ignore_ascii_case(y)).then(|| {
                    format!(
                        "{} and {} have the same {what} `{x}`: each resource needs its own",
                        a.name, b.name
                    )
                })
            };
            for m in [
                same("name", &a.name, &b.name),
                same("plural", &a.plural, &b.plural),
                same("path", &a.path, &b.path),
                same("SDK namespace", &a.sdk_namespace, &b.sdk_namespace),
                same("table", &a.table, &b.table),
                same("id prefix", &a.id_prefix, &b.id_prefix),
            ]
            .into_iter()
            .flatten()
            {
                err(m);
            }
            for (x, y) in [(a, b), (b, a)] {
                if x.path != y.path && y.path.starts_with(&format!("{}/", x.path)) {
                    err(format!(
                        "{}'s path `{}` lies under {}'s `{}`, whose items are `{}/{{id}}`: the routes would collide",
                        y.name, y.path, x.name, x.path, x.path
                    ));
                }
                if x.sdk_namespace != y.sdk_namespace
                    && y.sdk_namespace
                        .starts_with(&format!("{}.", x.sdk_namespace))
                {
                    err(format!(
                        "{}'s SDK namespace `{}` lies under {}'s collection `{}`: a collection cannot also be a namespace",
                        y.name, y.sdk_namespace, x.name, x.sdk_namespace
                    ));
                }
            }
        }
    }
    // Schema names: each resource's shapes, and every enum.
    let mut names: BTreeMap<String, String> = RESERVED_NAMES
        .iter()
        .map(|n| ((*n).to_owned(), "the shared components".to_owned()))
        .collect();
    let mut enums: BTreeMap<String, (String, &Vec<String>)> = BTreeMap::new();
    for r in rs {
        for suffix in ["", "Create", "Update", "Page", "Filters", "ListParams"] {
            let name = format!("{}{suffix}", r.name);
            let place = if suffix.is_empty() {
                format!("resource {}", r.name)
            } else {
                format!("resource {}'s {suffix} schema", r.name)
            };
            if let Some(other) = names.insert(name.clone(), place.clone()) {
                err(format!(
                    "schema name `{name}` is taken twice: by {other} and by {place}; rename one"
                ));
            }
        }
    }
    for r in rs {
        for f in &r.fields {
            let FieldType::Enum { values } = &f.ty else {
                continue;
            };
            let name = enum_name(f);
            let place = format!("{}.{}", r.name, f.name);
            if let Some(other) = names.get(&name) {
                err(format!(
                    "the enum of {place} is named `{name}`, which is taken by {other}; rename the field"
                ));
            }
            match enums.get(&name) {
                Some((first, v)) if *v != values => err(format!(
                    "the enums of {first} and {place} are both named `{name}` but hold different values; rename one field, or give both the same values to share the enum"
                )),
                Some(_) => {}
                None => {
                    enums.insert(name, (place, values));
                }
            }
        }
    }
}
