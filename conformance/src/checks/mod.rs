//! The catalogue: every check, with a stable id, a family, a level and a
//! one-line description. Checks are built from the resource model, so a
//! second resource defined with the derive gets its own.

mod auth;
mod defaults;
mod errors;
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
    body: Body,
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
            body: Arc::new(move |ctx| Box::pin(body(ctx))),
        }
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

/// How a list check's description names the group its items are created in:
/// "one `account_id`" for a resource with a partition field, else "a list".
pub(crate) fn group(model: &ResourceModel) -> String {
    match crate::context::Names::new(model).account {
        Some((field, _)) => format!("one `{field}`"),
        None => "one tenant".to_owned(),
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
