//! Running the catalogue: selection, concurrency, timeouts, outcomes.

use crate::checks::{Check, Family, Level};
use crate::context::Ctx;
use crate::http::Failure;
use futures::StreamExt;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What happened to a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It held.
    Pass,
    /// A MUST (or, with `--strict`, a SHOULD) was broken.
    Fail,
    /// A SHOULD was broken.
    Warn,
    /// It could not run here (a run option it needs is missing, say).
    Skip,
    /// It does not apply to the resource: the model lacks what it checks.
    NotApplicable,
}

/// The result of one check, for every reporter.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The resource it ran against (its plural, e.g. `contacts`).
    pub resource: String,
    /// Stable id (the same for every resource: `family.name`).
    pub id: String,
    /// Family.
    pub family: Family,
    /// Level.
    pub level: Level,
    /// One-line description.
    pub description: String,
    /// Outcome.
    pub outcome: Outcome,
    /// Why, when not a pass (secrets redacted).
    pub message: String,
    /// The expected value, when the check compares one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// The value found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The exchange that shows a failure (secrets redacted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::http::Evidence>,
    /// How long it took.
    #[serde(skip)]
    pub duration: Duration,
    /// It failed because a request got no answer.
    #[serde(skip)]
    pub connection_failed: bool,
}

/// Counts of outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that held.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// SHOULD checks that failed without `--strict`.
    pub warned: usize,
    /// Checks that could not run.
    pub skipped: usize,
    /// Checks that do not apply to their resource.
    pub not_applicable: usize,
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The base URL checked.
    pub target: String,
    /// Every check, resource by resource, each in catalogue order.
    pub checks: Vec<CheckReport>,
    /// Wall time.
    pub duration: Duration,
    /// When it started.
    pub started: chrono::DateTime<chrono::Utc>,
    /// Items the run created and soft-deleted at the end.
    pub cleaned_up: usize,
    /// Items the run created and could not soft-delete (`resource/id`), with
    /// why: they are still live on the endpoint.
    pub left_behind: Vec<String>,
    /// Set when the endpoint stopped answering during the run: what failed.
    pub lost_endpoint: Option<String>,
    /// The run was interrupted: `checks` holds those that finished.
    pub interrupted: bool,
}

impl RunReport {
    /// The resources the run checked, in the order it checked them.
    pub fn resources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.checks {
            if !out.contains(&c.resource.as_str()) {
                out.push(&c.resource);
            }
        }
        out
    }

    /// The outcome counts.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.checks {
            match c.outcome {
                Outcome::Pass => s.passed += 1,
                Outcome::Fail => s.failed += 1,
                Outcome::Warn => s.warned += 1,
                Outcome::Skip => s.skipped += 1,
                Outcome::NotApplicable => s.not_applicable += 1,
            }
        }
        s
    }

    /// Whether every MUST held (an interrupted run, or one that lost its
    /// endpoint, never passes).
    pub fn passed(&self) -> bool {
        self.summary().failed == 0 && !self.interrupted && self.lost_endpoint.is_none()
    }

    /// One sentence on the items left behind, naming each (up to 20).
    pub fn left_behind_message(&self) -> String {
        let shown: Vec<&str> = self
            .left_behind
            .iter()
            .take(20)
            .map(String::as_str)
            .collect();
        format!(
            "{} items the run created could not be soft-deleted and are still live: {}{}",
            self.left_behind.len(),
            shown.join(", "),
            if self.left_behind.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        )
    }
}

/// Which checks run and how.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Only these ids or families (all when empty).
    pub only: Vec<String>,
    /// Not these ids or families.
    pub skip: Vec<String>,
    /// Checks in flight at once.
    pub concurrency: usize,
    /// The longest one check may take.
    pub check_timeout: Duration,
    /// SHOULD failures fail the run.
    pub strict: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            only: Vec::new(),
            skip: Vec::new(),
            concurrency: 8,
            check_timeout: Duration::from_secs(60),
            strict: false,
        }
    }
}

/// The `--only` and `--skip` selectors that name no check id or family of `catalogue`.
pub fn unknown_selectors(catalogue: &[Check], options: &RunOptions) -> Vec<String> {
    options
        .only
        .iter()
        .chain(&options.skip)
        .filter(|s| !catalogue.iter().any(|c| matches(c, s)))
        .cloned()
        .collect()
}

fn matches(check: &Check, selector: &str) -> bool {
    check.id == selector || check.family.name() == selector
}

/// The checks `options` selects, in catalogue order.
pub fn select(catalogue: Vec<Check>, options: &RunOptions) -> Vec<Check> {
    catalogue
        .into_iter()
        .filter(|c| options.only.is_empty() || options.only.iter().any(|s| matches(c, s)))
        .filter(|c| !options.skip.iter().any(|s| matches(c, s)))
        .collect()
}

/// Receives events as the run goes.
pub trait Reporter: Send + Sync {
    /// The run starts with `total` checks.
    fn started(&self, _total: usize) {}
    /// A check finished.
    fn finished(&self, _report: &CheckReport) {}
}

/// A reporter that ignores everything.
pub struct Silent;
impl Reporter for Silent {}

/// Keeps every finished check (for a report after an interrupt) and passes
/// each event on.
pub struct Collector<'a> {
    inner: &'a dyn Reporter,
    done: std::sync::Mutex<Vec<CheckReport>>,
}

impl<'a> Collector<'a> {
    /// A collector in front of `inner`.
    pub fn new(inner: &'a dyn Reporter) -> Self {
        Collector {
            inner,
            done: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The checks finished so far, resource by resource in the order of
    /// `resources`, each in the order of `catalogue`.
    pub fn finished(&self, resources: &[String], catalogue: &[Check]) -> Vec<CheckReport> {
        let mut done = self.done.lock().expect("not poisoned").clone();
        done.sort_by_key(|r| {
            (
                resources.iter().position(|x| *x == r.resource),
                catalogue.iter().position(|c| c.id == r.id),
            )
        });
        done
    }
}

impl Reporter for Collector<'_> {
    fn started(&self, total: usize) {
        self.inner.started(total);
    }

    fn finished(&self, report: &CheckReport) {
        self.done.lock().expect("not poisoned").push(report.clone());
        self.inner.finished(report);
    }
}

/// Runs `checks` concurrently; results come back in catalogue order.
pub async fn run_checks(
    ctx: Arc<Ctx>,
    checks: Vec<Check>,
    options: &RunOptions,
    reporter: &dyn Reporter,
) -> Vec<CheckReport> {
    reporter.started(checks.len());
    let redactor = ctx.api.redactor().clone();
    let resource = ctx.model.plural.clone();
    let nouns = crate::checks::Nouns::of(&ctx.model);
    let timeout = options.check_timeout;
    let strict = options.strict;
    let mut results: Vec<(usize, CheckReport)> =
        futures::stream::iter(checks.into_iter().enumerate())
            .map(|(i, check)| {
                let ctx = ctx.clone();
                let redactor = redactor.clone();
                let resource = resource.clone();
                let nouns = nouns.clone();
                async move {
                    let start = Instant::now();
                    if let Some(reason) = &check.not_applicable {
                        let report = CheckReport {
                            resource,
                            id: check.id.clone(),
                            family: check.family,
                            level: check.level,
                            description: check.description.clone(),
                            outcome: Outcome::NotApplicable,
                            message: reason.clone(),
                            expected: None,
                            actual: None,
                            evidence: None,
                            duration: start.elapsed(),
                            connection_failed: false,
                        };
                        return (i, report);
                    }
                    let result = tokio::time::timeout(timeout, check.run(ctx)).await;
                    let (outcome, failure) = match result {
                        Ok(Ok(())) => (Outcome::Pass, None),
                        Ok(Err(f)) if f.skip => (Outcome::Skip, Some(f)),
                        Ok(Err(f)) => {
                            let outcome = if check.level == Level::Should && !strict {
                                Outcome::Warn
                            } else {
                                Outcome::Fail
                            };
                            (outcome, Some(f))
                        }
                        Err(_) => (
                            Outcome::Fail,
                            Some(Failure::transport(format!(
                                "the check did not finish within {} s",
                                timeout.as_secs()
                            ))),
                        ),
                    };
                    let f = failure.unwrap_or_else(|| Failure::new(""));
                    let report = CheckReport {
                        resource,
                        id: check.id.clone(),
                        family: check.family,
                        level: check.level,
                        description: check.description.clone(),
                        outcome,
                        message: redactor.apply(&nouns.say(&f.message)),
                        expected: f.expected.map(|e| redactor.apply(&e)),
                        actual: f.actual.map(|e| redactor.apply(&e)),
                        evidence: f.evidence.map(|e| *e),
                        duration: start.elapsed(),
                        connection_failed: f.transport && outcome == Outcome::Fail,
                    };
                    (i, report)
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .inspect(|(_, r)| reporter.finished(r))
            .collect()
            .await;
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
