//! `codegen migrate`: releases the current API as the next migrations.
//!
//! It diffs each resource's model against its last released snapshot and,
//! for each one that changed, writes `migrations/<dialect>/<NNNN>_<name>.sql`
//! for every dialect (the next free numbers of the API's one sequence, in
//! the API's order), the new snapshot, and the lock that takes them in.
//! Nothing released is rewritten; nothing is written when nothing changed or
//! when a change cannot be migrated.

use crate::Commands;
use crate::diff::{self, Diff};
use crate::emit::Artifact;
use crate::emit::sql::Dialect;
use crate::emit::sql::alter::{Risk, alter};
use crate::error::Error;
use crate::history::{self, History, Snapshot};
use resource_model::{ResourceModel, ValidApi};
use std::path::Path;

/// Why `migrate` refused, writing nothing.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// The name is not a slug.
    #[error(
        "--name `{0}` is not a slug: use lowercase letters, digits and single underscores, e.g. add_nickname (at most 60 characters)"
    )]
    BadName(String),
    /// A released file was changed.
    #[error("{path} was {problem}; restore it before making a new migration")]
    Tampered {
        /// The released file.
        path: String,
        /// What happened to it.
        problem: &'static str,
    },
    /// A rename names a field no release ever had.
    #[error(
        "field `{field}` is renamed from `{from}`, but no release of {resource} has a field `{from}`"
    )]
    UnknownRename {
        /// The resource.
        resource: String,
        /// The renamed field.
        field: String,
        /// The name it claims to come from.
        from: String,
    },
    /// A change no migration can make while keeping the data.
    #[error("{0}")]
    Unsupported(String),
    /// Rendering or reading failed.
    #[error(transparent)]
    Codegen(#[from] Error),
}

/// A migration ready to write.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The new release.
    pub snapshot: Snapshot,
    /// What changed since the last one.
    pub diff: Diff,
    /// What each dialect's migration risks.
    pub risks: Vec<(Dialect, Vec<Risk>)>,
    /// The files to write: one migration per dialect, the snapshot, the lock.
    pub files: Vec<Artifact>,
}

/// Whether `name` is a migration slug.
pub fn is_slug(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 60
        && name.split('_').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Plans the next migrations of `api` under `schemas`: one per resource
/// whose model differs from its last release (or, with no history yet, its
/// first release, creating the table), numbered on from the highest number
/// under `schemas` in the API's order. Empty when nothing changed.
pub fn plan(
    schemas: &Path,
    api: &ValidApi,
    name: &str,
    cmds: &Commands,
) -> Result<Vec<Plan>, MigrateError> {
    if !is_slug(name) {
        return Err(MigrateError::BadName(name.to_owned()));
    }
    let mut version = history::next_version(schemas)?;
    let mut plans = Vec::new();
    for model in api.resources() {
        if let Some(plan) = plan_one(schemas, model, name, version, cmds)? {
            plans.push(plan);
            version += 1;
        }
    }
    Ok(plans)
}

/// The next migration of one resource as number `version`, `None` when its
/// model equals its last release.
fn plan_one(
    schemas: &Path,
    model: &ResourceModel,
    name: &str,
    version: u32,
    cmds: &Commands,
) -> Result<Option<Plan>, MigrateError> {
    let history = history::load(schemas, model)?;
    if let Some((path, problem)) = history::verify(schemas, &history).into_iter().next() {
        return Err(MigrateError::Tampered {
            path: schemas.join(path).display().to_string(),
            problem,
        });
    }
    let current = Snapshot::of(model, version, name);
    let Some(last) = history.last() else {
        let files = history::release(
            model,
            &History::default(),
            &current,
            &Dialect::ALL
                .iter()
                .map(|&d| Ok((d, crate::emit::sql::create(model, d, cmds)?)))
                .collect::<Result<Vec<_>, Error>>()?,
        )?;
        let base = Snapshot {
            model: empty_like(model),
            ..current.clone()
        };
        return Ok(Some(Plan {
            diff: diff::diff(&base, &current),
            snapshot: current,
            risks: Vec::new(),
            files,
        }));
    };
    if last.same_state(&current) {
        return Ok(None);
    }
    check_renames(model, &history)?;
    let d = diff::diff(last, &current);
    if let Some(c) = d.changes.iter().find(|c| c.rule == "TYPE_CHANGED") {
        return Err(MigrateError::Unsupported(format!(
            "{}: a migration cannot convert a column's type and keep its data; add a new field and remove the old one",
            c.message
        )));
    }
    let mut migrations = Vec::new();
    let mut risks = Vec::new();
    for dialect in Dialect::ALL {
        let (text, r) = alter(last, &current, &d, dialect)?;
        migrations.push((dialect, text));
        risks.push((dialect, r));
    }
    let files = history::release(model, &history, &current, &migrations)?;
    Ok(Some(Plan {
        snapshot: current,
        diff: d,
        risks,
        files,
    }))
}

/// A model with the same identity and no fields, the base of a first release.
fn empty_like(model: &ResourceModel) -> ResourceModel {
    ResourceModel {
        fields: Vec::new(),
        unique: Vec::new(),
        ..model.clone()
    }
}

/// Every `renamed_from` names a field of the last release, or of an earlier
/// one (a rename already released, kept in the source).
fn check_renames(model: &ResourceModel, history: &History) -> Result<(), MigrateError> {
    let last = history.last().map(|s| &s.model);
    for f in &model.fields {
        let Some(from) = &f.renamed_from else {
            continue;
        };
        if last.is_some_and(|m| m.field(&f.name).is_some()) {
            continue;
        }
        let known = history
            .snapshots
            .iter()
            .any(|s| s.model.field(from).is_some());
        if !known {
            return Err(MigrateError::UnknownRename {
                resource: model.name.clone(),
                field: f.name.clone(),
                from: from.clone(),
            });
        }
    }
    Ok(())
}

/// The lines `migrate` prints about a plan's risks and the gate.
pub fn warnings(plan: &Plan) -> Vec<String> {
    let stem = plan.snapshot.stem();
    let mut out: Vec<String> = Vec::new();
    for (_, risks) in &plan.risks {
        for r in risks {
            let line = format!(
                "warning: {stem}: {}: {}",
                r.kind.words().to_lowercase(),
                r.text
            );
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    if plan.diff.gate_fails() {
        out.push(format!(
            "warning: {} breaking change{} and schema_version is still {}: `codegen diff` fails until #[resource(schema_version = {})]",
            plan.diff.breaking(),
            if plan.diff.breaking() == 1 { "" } else { "s" },
            plan.diff.schema_version,
            plan.diff.base_schema_version + 1
        ));
    }
    out
}
