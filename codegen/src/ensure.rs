//! Writes artifacts to the output directory, or checks that it is up to date.
//!
//! After rust-analyzer's `ensure_file_contents`: compare newline-normalised,
//! leave equal files alone, write the others atomically (temp file + rename,
//! so a failure never leaves half an artifact), and in check mode write
//! nothing but report what is stale, missing or orphaned, with a diff.

use crate::Commands;
use crate::emit::{Artifact, artifacts, stem};
use crate::error::Error;
use crate::history::{self, Snapshot};
use resource_model::ValidApi;
use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What [`generate`] does with the output directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write every artifact that differs.
    Write,
    /// Write nothing; report what differs.
    Check,
}

/// An artifact whose file is missing or differs from what the model renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The path relative to the output directory.
    pub path: PathBuf,
    /// Whether the file does not exist at all.
    pub missing: bool,
    /// A unified diff from the file on disk to the rendered artifact.
    pub diff: String,
}

/// A released file (a migration, a snapshot, the lock) that no longer
/// matches its checksum in the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// The path relative to the output directory.
    pub path: PathBuf,
    /// What happened to it.
    pub problem: &'static str,
}

/// A resource whose model differs from its last released snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmigrated {
    /// The resource name.
    pub resource: String,
    /// The last release, e.g. `0001_create_contacts`.
    pub last: String,
}

/// What [`generate`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Files written (write mode).
    pub written: Vec<PathBuf>,
    /// Files already up to date.
    pub unchanged: Vec<PathBuf>,
    /// Files missing or out of date (check mode).
    pub stale: Vec<Stale>,
    /// Files under the output directory that no emitter produces.
    pub orphaned: Vec<PathBuf>,
    /// Orphans removed (write mode with `prune`).
    pub pruned: Vec<PathBuf>,
    /// Released files that were changed; never rewritten.
    pub released: Vec<Released>,
    /// Resources whose model changed with no migration made for it.
    pub unmigrated: Vec<Unmigrated>,
}

impl Report {
    /// Whether the tree is up to date: nothing stale, nothing orphaned left
    /// behind, every released file intact, every model change migrated.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty()
            && self.orphaned.len() == self.pruned.len()
            && self.released.is_empty()
            && self.unmigrated.is_empty()
    }
}

/// Renders every artifact of `api` and writes (or checks) them under
/// `out_dir`. With `prune`, write mode also deletes orphaned files. `cmds`
/// are the commands the files' headers name.
///
/// Migrations follow each resource's released history under `out_dir`
/// ([`crate::history`]): a resource without one gets its first release (its
/// table created, from the current model, as the next free number of the
/// API's one migration sequence); one with a history keeps every released
/// file as it is, never rewritten, and the report names any that was changed
/// and any resource whose model differs from its last release (that change
/// needs `codegen migrate`).
pub fn generate(
    out_dir: &Path,
    api: &ValidApi,
    cmds: &Commands,
    mode: Mode,
    prune: bool,
) -> Result<Report, Error> {
    let plan = planned(out_dir, api, cmds)?;
    let mut report = ensure(out_dir, &plan.artifacts, mode, prune)?;
    report.released = plan.released;
    report.unmigrated = plan.unmigrated;
    Ok(report)
}

/// What [`generate`] would keep under `out_dir`: the rendered artifacts, the
/// released files as they are (or a first release where there is none), and
/// what is wrong with the history.
#[derive(Debug, Clone, Default)]
pub struct Planned {
    /// Every file the tree should hold.
    pub artifacts: Vec<Artifact>,
    /// Released files that were changed.
    pub released: Vec<Released>,
    /// Resources whose model changed with no migration made for it.
    pub unmigrated: Vec<Unmigrated>,
}

/// Plans the tree under `out_dir` for `api`, writing nothing.
pub fn planned(out_dir: &Path, api: &ValidApi, cmds: &Commands) -> Result<Planned, Error> {
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::NotADirectory(out_dir.to_owned()));
    }
    let mut plan = Planned {
        artifacts: artifacts(api, cmds)?,
        ..Planned::default()
    };
    let mut new = Vec::new();
    for model in api.resources() {
        let history = history::load(out_dir, model)?;
        let Some(last) = history.last() else {
            new.push(model);
            continue;
        };
        for (path, problem) in history::verify(out_dir, &history) {
            plan.released.push(Released { path, problem });
        }
        // Released files are expected as they are on disk, so they are
        // neither rewritten nor orphans.
        for path in history.released_paths(model) {
            if let Ok(text) = fs::read_to_string(out_dir.join(&path)) {
                plan.artifacts.push(Artifact::new(path, text));
            }
        }
        if !last.same_state(&Snapshot::of(model, 0, "")) {
            plan.unmigrated.push(Unmigrated {
                resource: model.name.clone(),
                last: last.stem(),
            });
        }
    }
    // New resources take the next free numbers of the one sequence, in the
    // API's order.
    let first_free = history::next_version(out_dir)?;
    for (version, model) in (first_free..).zip(new) {
        plan.artifacts
            .extend(history::bootstrap(model, version, cmds)?);
    }
    // A resource the API no longer has keeps its released files: they stay
    // applied in every database, and `diff` reports the removal.
    let current: Vec<String> = api.resources().iter().map(|m| stem(m)).collect();
    for gone in history::resources_with_history(out_dir)? {
        if current.contains(&gone) {
            continue;
        }
        for path in history::released_paths_of(out_dir, &gone)? {
            if let Ok(text) = fs::read_to_string(out_dir.join(&path)) {
                plan.artifacts.push(Artifact::new(path, text));
            }
        }
    }
    Ok(plan)
}

/// Writes (or checks) already-rendered artifacts under `out_dir`.
pub fn ensure(
    out_dir: &Path,
    artifacts: &[Artifact],
    mode: Mode,
    prune: bool,
) -> Result<Report, Error> {
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::NotADirectory(out_dir.to_owned()));
    }
    let mut report = Report::default();
    for artifact in artifacts {
        let path = out_dir.join(&artifact.path);
        let current = match fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("read", &path)(e)),
        };
        if current.as_deref().map(normalize) == Some(normalize(&artifact.contents)) {
            report.unchanged.push(artifact.path.clone());
            continue;
        }
        match mode {
            Mode::Write => {
                write_atomically(&path, &artifact.contents)?;
                report.written.push(artifact.path.clone());
            }
            Mode::Check => report.stale.push(Stale {
                path: artifact.path.clone(),
                missing: current.is_none(),
                diff: diff(
                    &artifact.path,
                    current.as_deref().unwrap_or(""),
                    &artifact.contents,
                ),
            }),
        }
    }
    let expected: BTreeSet<&Path> = artifacts.iter().map(|a| a.path.as_path()).collect();
    let mut on_disk = Vec::new();
    if out_dir.is_dir() {
        walk(out_dir, &mut on_disk)?;
    }
    on_disk.sort();
    for rel in on_disk {
        if expected.contains(rel.as_path()) {
            continue;
        }
        if mode == Mode::Write && prune {
            let path = out_dir.join(&rel);
            fs::remove_file(&path).map_err(Error::io("remove", &path))?;
            report.pruned.push(rel.clone());
        }
        report.orphaned.push(rel);
    }
    Ok(report)
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

fn write_atomically(path: &Path, contents: &str) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(Error::io("create directory", dir))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".codegen-");
    // Created as any file is (0666 less the umask: 0644 under umask 022);
    // tempfile's default would be 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(Error::io("create a temporary file in", dir))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(Error::io("write", tmp.path()))?;
    tmp.persist(path)
        .map_err(|e| Error::io("write", path)(e.error))?;
    Ok(())
}

/// Every file under `root` that git would track: files its `.gitignore`s
/// leave out (a `.mypy_cache/`, say) are not artifacts, nor orphans.
fn walk(root: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| Error::Io {
            action: "read directory",
            path: root.to_owned(),
            source: e
                .into_io_error()
                .unwrap_or_else(|| std::io::Error::other("unreadable entry")),
        })?;
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            out.push(rel.to_owned());
        }
    }
    Ok(())
}
