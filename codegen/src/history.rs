//! The released history of a resource: one snapshot of the model per
//! migration, and the migrations themselves, append-only.
//!
//! ```text
//! schemas/history/<resource>/0001_create_contacts.json   the model as of migration 0001
//! schemas/history/<resource>/0002_add_nickname.json      … as of 0002
//! schemas/history/<resource>/released.sha256             sha256sum lines for every released file
//! schemas/migrations/<dialect>/0001_create_contacts.sql  what each migration does, per dialect
//! ```
//!
//! The API has one migration sequence per dialect, across its tables: a
//! resource's first release takes the next free number, so sqlx (which keys
//! migrations by number) can run one folder. `codegen migrate` appends a
//! version; nothing ever rewrites one. The lock,
//! `released.sha256`, holds a checksum of every released file in `sha256sum`
//! format (`cd schemas && sha256sum -c history/contact/released.sha256`),
//! so `generate --check` names any released file that was edited, as sqlx
//! would refuse an applied migration whose checksum changed.

use crate::Commands;
use crate::emit::sql::{self, Dialect};
use crate::emit::{Artifact, stem};
use crate::error::Error;
use resource_model::ResourceModel;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The lock file's name in a resource's history folder.
pub const LOCK: &str = "released.sha256";

/// A released state of a resource: its model, and the facts the model alone
/// does not pin down (the regular expressions behind its formats, which the
/// CHECK constraints and schemas carry), as of one migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The migration number, shared by the migration files of every dialect.
    pub version: u32,
    /// The migration's slug, e.g. `add_nickname`.
    pub name: String,
    /// The model as released.
    pub model: ResourceModel,
    /// Each formatted field's pattern, by field name.
    pub patterns: BTreeMap<String, String>,
}

impl Snapshot {
    /// The state of `model` now, as migration `version` named `name` would release it.
    pub fn of(model: &ResourceModel, version: u32, name: &str) -> Self {
        let patterns = model
            .fields
            .iter()
            .filter_map(|f| f.format.as_ref().map(|p| (f.name.clone(), p.pattern())))
            .collect();
        Snapshot {
            version,
            name: name.to_owned(),
            model: model.clone(),
            patterns,
        }
    }

    /// The file stem shared by the snapshot and its migrations, `0002_add_nickname`.
    pub fn stem(&self) -> String {
        format!("{:04}_{}", self.version, self.name)
    }

    /// Whether `other` describes the same resource: the same model and
    /// patterns, whatever the version, and leaving aside `renamed_from`
    /// (which only says how an earlier state maps to this one) and examples
    /// (which only the docs show).
    pub fn same_state(&self, other: &Snapshot) -> bool {
        normalized(&self.model) == normalized(&other.model) && self.patterns == other.patterns
    }
}

/// The model without what does not make a state: `renamed_from` and examples.
pub fn normalized(model: &ResourceModel) -> ResourceModel {
    let mut m = model.clone();
    for f in &mut m.fields {
        f.renamed_from = None;
        f.example = None;
    }
    m
}

/// The released history of one resource, as found on disk.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The snapshots, by version.
    pub snapshots: Vec<Snapshot>,
    /// The lock: (checksum, path relative to the schemas folder).
    pub lock: Vec<(String, PathBuf)>,
}

impl History {
    /// The last released state.
    pub fn last(&self) -> Option<&Snapshot> {
        self.snapshots.last()
    }

    /// Every released path (snapshots, migrations, the lock itself).
    pub fn released_paths(&self, model: &ResourceModel) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self.lock.iter().map(|(_, p)| p.clone()).collect();
        out.push(lock_path(model));
        out
    }
}

/// `history/<stem>` for a resource.
pub fn dir(model: &ResourceModel) -> PathBuf {
    PathBuf::from("history").join(stem(model))
}

/// `history/<stem>/released.sha256`.
pub fn lock_path(model: &ResourceModel) -> PathBuf {
    dir(model).join(LOCK)
}

/// The snapshot's path relative to the schemas folder.
pub fn snapshot_path(model: &ResourceModel, s: &Snapshot) -> PathBuf {
    dir(model).join(format!("{}.json", s.stem()))
}

/// A migration file's path relative to the schemas folder.
pub fn migration_path(d: Dialect, stem: &str) -> PathBuf {
    PathBuf::from("migrations")
        .join(d.dir())
        .join(format!("{stem}.sql"))
}

/// The SHA-256 of `text`, hex.
pub fn checksum(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads the history of `model`'s resource under `schemas`; an empty history
/// when it has none yet.
pub fn load(schemas: &Path, model: &ResourceModel) -> Result<History, Error> {
    let lock_file = schemas.join(lock_path(model));
    let text = match fs::read_to_string(&lock_file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::default()),
        Err(e) => return Err(Error::io("read", &lock_file)(e)),
    };
    let mut history = History::default();
    for (n, line) in text.lines().enumerate() {
        let (sum, path) = line.split_once("  ").ok_or_else(|| Error::History {
            path: lock_file.clone(),
            message: format!("line {} is not `<sha256>  <path>`", n + 1),
        })?;
        history.lock.push((sum.to_owned(), PathBuf::from(path)));
    }
    for (_, path) in &history.lock {
        if path.extension().is_some_and(|e| e == "json") {
            let file = schemas.join(path);
            let text = fs::read_to_string(&file).map_err(Error::io("read", &file))?;
            let s: Snapshot = serde_json::from_str(&text).map_err(|e| Error::History {
                path: file.clone(),
                message: format!("not a snapshot: {e}"),
            })?;
            history.snapshots.push(s);
        }
    }
    history.snapshots.sort_by_key(|s| s.version);
    Ok(history)
}

/// The released files whose contents no longer match the lock: edited,
/// deleted, or a lock line that was changed. Each is named with why.
pub fn verify(schemas: &Path, history: &History) -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    for (sum, path) in &history.lock {
        match fs::read_to_string(schemas.join(path)) {
            Ok(text) if checksum(&text.replace("\r\n", "\n")) == *sum => {}
            Ok(_) => out.push((path.clone(), "edited after it was released")),
            Err(_) => out.push((path.clone(), "released, but missing")),
        }
    }
    out
}

/// The files that release `snapshot` with the given migration SQL per
/// dialect, and the lock that takes them in after `history`'s.
pub fn release(
    model: &ResourceModel,
    history: &History,
    snapshot: &Snapshot,
    migrations: &[(Dialect, String)],
) -> Result<Vec<Artifact>, Error> {
    let mut out = Vec::new();
    for (d, text) in migrations {
        out.push(Artifact::new(
            migration_path(*d, &snapshot.stem()),
            text.clone(),
        ));
    }
    out.push(Artifact::new(
        snapshot_path(model, snapshot),
        crate::emit::to_json("a snapshot", snapshot)?,
    ));
    let mut lock = String::new();
    for (sum, path) in &history.lock {
        lock.push_str(&format!("{sum}  {}\n", slash(path)));
    }
    for a in &out {
        lock.push_str(&format!("{}  {}\n", checksum(&a.contents), slash(&a.path)));
    }
    out.push(Artifact::new(lock_path(model), lock));
    Ok(out)
}

/// The first release of a resource as migration `version` (the next free
/// number of the API's one sequence): its table created in every dialect.
pub fn bootstrap(
    model: &ResourceModel,
    version: u32,
    cmds: &Commands,
) -> Result<Vec<Artifact>, Error> {
    let snapshot = Snapshot::of(model, version, &format!("create_{}", model.table));
    let migrations = Dialect::ALL
        .iter()
        .map(|&d| Ok((d, sql::create(model, d, cmds)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    release(model, &History::default(), &snapshot, &migrations)
}

/// A path with `/` separators, as the lock writes it.
fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The next migration number in the folders of every dialect under `schemas`.
pub fn next_version(schemas: &Path) -> Result<u32, Error> {
    let mut max = 0;
    for d in Dialect::ALL {
        let dir = schemas.join("migrations").join(d.dir());
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io("read directory", &dir)(e)),
        };
        for entry in entries {
            let entry = entry.map_err(Error::io("read directory", &dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(n) = name.split('_').next().and_then(|n| n.parse::<u32>().ok()) {
                max = max.max(n);
            }
        }
    }
    Ok(max + 1)
}

/// The stems (`contact`, …) of every resource with a history under `schemas`,
/// whether or not the API still has it.
pub fn resources_with_history(schemas: &Path) -> Result<Vec<String>, Error> {
    let dir = schemas.join("history");
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read directory", &dir)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io("read directory", &dir))?;
        if entry.path().join(LOCK).is_file() {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    Ok(out)
}

/// The released paths of the resource whose history folder is `stem`, as its lock lists them.
pub fn released_paths_of(schemas: &Path, stem: &str) -> Result<Vec<PathBuf>, Error> {
    let lock = PathBuf::from("history").join(stem).join(LOCK);
    let file = schemas.join(&lock);
    let text = fs::read_to_string(&file).map_err(Error::io("read", &file))?;
    let mut out: Vec<PathBuf> = text
        .lines()
        .filter_map(|l| l.split_once("  ").map(|(_, p)| PathBuf::from(p)))
        .collect();
    out.push(lock);
    Ok(out)
}
