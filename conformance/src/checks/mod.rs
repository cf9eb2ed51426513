//! The catalogue: every check, with a stable id, a family, a level and a
//! one-line description. Checks are built from the resource model, so a
//! second resource defined with the derive gets its own.

mod auth;
mod defaults;
mod errors;
pub(crate) mod lists;
mod pagination;
mod races;
mod scope;
mod soft_delete;
mod stamping;
mod uniqueness;
mod update;
mod validation;
mod versioning;

use crate::context::Ctx;
use crate::http::CheckResult;
use futures::future::BoxFuture;
use resource_model::ResourceModel;
use serde::Serialize;
use std::sync::Arc;

/// A group of related checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Server-stamped fields (§1).
    Stamping,
    /// Defaults and computed fields (§1).
    Defaults,
    /// Tenant isolation (§2).
    Tenant,
    /// App scope (§2).
    AppScope,
    /// Soft delete (§3).
    SoftDelete,
    /// Updates as JSON Merge Patch (§3).
    Update,
    /// Optimistic concurrency (§4).
    Versioning,
    /// Uniqueness (§5).
    Uniqueness,
    /// Body validation (§1, §3, §6).
    Validation,
    /// Errors, media types, methods (§3, §6).
    Errors,
    /// Authentication (§2).
    Auth,
    /// Lists and cursors (§3).
    Pagination,
    /// Concurrent writes (§4, §5).
    Races,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 13] = [
        Family::Stamping,
        Family::Defaults,
        Family::Tenant,
        Family::AppScope,
        Family::SoftDelete,
        Family::Update,
        Family::Versioning,
        Family::Uniqueness,
        Family::Validation,
        Family::Errors,
        Family::Auth,
        Family::Pagination,
        Family::Races,
    ];

    /// The name used in ids, `--only`/`--skip` and reports.
    pub fn name(self) -> &'static str {
        match self {
            Family::Stamping => "stamping",
            Family::Defaults => "defaults",
            Family::Tenant => "tenant",
            Family::AppScope => "app_scope",
            Family::SoftDelete => "soft_delete",
            Family::Update => "update",
            Family::Versioning => "versioning",
            Family::Uniqueness => "uniqueness",
            Family::Validation => "validation",
            Family::Errors => "errors",
            Family::Auth => "auth",
            Family::Pagination => "pagination",
            Family::Races => "races",
        }
    }
}

/// How much a check matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A failure fails the run.
    Must,
    /// A failure is a warning (a failure with `--strict`).
    Should,
}

type Body = Arc<dyn Fn(Arc<Ctx>) -> BoxFuture<'static, CheckResult> + Send + Sync>;

/// One check.
#[derive(Clone)]
pub struct Check {
    /// Stable id, `family.name`.
    pub id: String,
    /// Its family.
    pub family: Family,
    /// Its level.
    pub level: Level,
    /// What it checks, in one line.
    pub description: String,
    /// Why it does not apply to this resource (the model lacks what it
    /// needs); such a check is reported, not run.
    pub not_applicable: Option<String>,
    body: Body,
}

/// What a check needs from the model. When the model lacks it the check does
/// not apply to the resource: it is listed and reported as not applicable,
/// with the reason, and never run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A server stamp of this kind.
    Stamp(resource_model::Stamp),
    /// No `app_id` stamp (the resource has no app scope).
    NoAppStamp,
    /// A uniqueness rule whose field takes values the runner can make fresh.
    Uniqueness,
    /// A required client field.
    RequiredField,
    /// A client field that references another item.
    Reference,
    /// A client JSON object field.
    JsonObject,
    /// A client string array field.
    StringArray,
    /// A plain client text field (no format, default, rule or uniqueness)
    /// to write scratch values into.
    PlainText,
    /// A client field an update may set to null and back.
    Clearable,
}

impl Need {
    /// Why `m` lacks this, or `None` when it has it.
    pub fn missing(self, m: &ResourceModel) -> Option<String> {
        use resource_model::{FieldType, Stamp};
        let has = match self {
            Need::Stamp(s) => m.stamp(s).is_some(),
            Need::NoAppStamp => m.stamp(Stamp::App).is_none(),
            Need::Uniqueness => uniqueness::Rule::of(m).is_some(),
            Need::RequiredField => m.client_fields().any(|f| f.is_required()),
            Need::Reference => m.client_fields().any(|f| f.references.is_some()),
            Need::JsonObject => m.client_fields().any(|f| f.ty == FieldType::JsonObject),
            Need::StringArray => m.client_fields().any(|f| f.ty == FieldType::StringArray),
            Need::PlainText => !crate::context::Names::new(m).texts.is_empty(),
            Need::Clearable => crate::context::Names::new(m).clearable.is_some(),
        };
        if has {
            return None;
        }
        Some(match self {
            Need::Stamp(Stamp::App) => {
                "the resource has no app stamp: it has no app scope (CONTRACT.md §8)".to_owned()
            }
            Need::Stamp(s) => format!("the resource has no {} stamp", s.as_str()),
            Need::NoAppStamp => {
                "the resource has an app stamp: its app scope is checked by the other app_scope checks"
                    .to_owned()
            }
            Need::Uniqueness if m.unique.is_empty() => {
                "the resource has no uniqueness rule: it has no 409 for duplicates (CONTRACT.md §8)"
                    .to_owned()
            }
            Need::Uniqueness => format!(
                "no uniqueness rule of the resource has a client field the runner can make fresh values for and a group of the tenant and client fields ({})",
                m.unique
                    .iter()
                    .map(|u| format!("`{}`", u.field))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Need::RequiredField => "the resource has no required client field".to_owned(),
            Need::Reference => "the resource has no field that references an item".to_owned(),
            Need::JsonObject => "the resource has no JSON object field".to_owned(),
            Need::StringArray => "the resource has no string array field".to_owned(),
            Need::PlainText => "the resource has no plain text field (a client string with no format, default, rule or uniqueness) to write scratch values into".to_owned(),
            Need::Clearable => "the resource has no client field an update may clear (nullable, with no default, rule, filter or uniqueness)".to_owned(),
        })
    }
}

impl Check {
    /// A check running `body`.
    pub fn new<F, Fut>(
        family: Family,
        name: &str,
        level: Level,
        description: impl Into<String>,
        body: F,
    ) -> Self
    where
        F: Fn(Arc<Ctx>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = CheckResult> + Send + 'static,
    {
        Check {
            id: format!("{}.{name}", family.name()),
            family,
            level,
            description: description.into(),
            not_applicable: None,
            body: Arc::new(move |ctx| Box::pin(body(ctx))),
        }
    }

    /// A check that does not apply to the resource, for `reason`: listed and
    /// reported, never run.
    pub fn not_applicable(
        family: Family,
        name: &str,
        level: Level,
        description: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        let mut c = Check::new(family, name, level, description, |_ctx: Arc<Ctx>| async {
            Ok(())
        });
        c.not_applicable = Some(reason.into());
        c
    }

    /// This check, not applicable when `m` lacks one of `needs` (the first
    /// missing one gives the reason).
    pub fn needs(mut self, m: &ResourceModel, needs: &[Need]) -> Self {
        if self.not_applicable.is_none() {
            self.not_applicable = needs.iter().find_map(|n| n.missing(m));
        }
        self
    }

    /// Runs the check.
    pub fn run(&self, ctx: Arc<Ctx>) -> BoxFuture<'static, CheckResult> {
        (self.body)(ctx)
    }
}

/// Every check for `model`, in catalogue order.
pub fn catalogue(model: &ResourceModel) -> Vec<Check> {
    let nouns = Nouns::of(model);
    let mut all = Vec::new();
    all.extend(stamping::checks(model));
    all.extend(defaults::checks(model));
    all.extend(scope::checks(model));
    all.extend(soft_delete::checks(model));
    all.extend(update::checks(model));
    all.extend(versioning::checks(model));
    all.extend(uniqueness::checks(model));
    all.extend(validation::checks(model));
    all.extend(errors::checks(model));
    all.extend(auth::checks(model));
    all.extend(pagination::checks(model));
    all.extend(races::checks(model));
    for check in &mut all {
        check.description = nouns.say(&check.description);
    }
    all
}

/// The resource's nouns, so that descriptions and failure messages written
/// about "contacts" speak of the resource under test ("accounts", "deals").
#[derive(Debug, Clone)]
pub struct Nouns {
    one: String,
    many: String,
}

impl Nouns {
    /// The nouns of `model`: its name in lower-case words (`SalesOrder` is
    /// "sales order") and its plural path segment (`sales-orders` is "sales orders").
    pub fn of(model: &ResourceModel) -> Self {
        let mut one = String::new();
        for (i, c) in model.name.chars().enumerate() {
            if c.is_uppercase() && i > 0 {
                one.push(' ');
            }
            one.extend(c.to_lowercase());
        }
        let many = model.plural.replace(['-', '_'], " ");
        Nouns { one, many }
    }

    /// `text` with the words "contact" and "contacts" replaced by the
    /// resource's nouns (field names such as `reports_to_contact_id` are kept).
    pub fn say(&self, text: &str) -> String {
        static WORD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"\b(?:(an?) )?contact(s?)\b").expect("a valid pattern")
        });
        WORD.replace_all(text, |c: &regex::Captures<'_>| {
            let noun = if c[2].is_empty() {
                &self.one
            } else {
                &self.many
            };
            match c.get(1) {
                None => noun.clone(),
                Some(_) if noun.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {noun}"),
                Some(_) => format!("a {noun}"),
            }
        })
        .into_owned()
    }
}

/// A field's value as a string (for comparing stamps).
pub(crate) fn s<'a>(v: &'a serde_json::Value, field: &str) -> &'a str {
    v.get(field)
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
}

/// Parses an RFC 3339 date-time field.
pub(crate) fn time(
    v: &serde_json::Value,
    field: &str,
) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(s(v, field)).ok()
}
