//! Writes artifacts to the output directory, or checks that it is up to date.
//!
//! After rust-analyzer's `ensure_file_contents`: compare newline-normalised,
//! leave equal files alone, write the others atomically (temp file + rename,
//! so a failure never leaves half an artifact), and in check mode write
//! nothing but report what is stale, missing or orphaned, with a diff.

use crate::emit::{Artifact, artifacts};
use crate::error::Error;
use contact_schema::ResourceModel;
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
}

impl Report {
    /// Whether the tree is up to date: nothing stale, nothing orphaned left behind.
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.orphaned.len() == self.pruned.len()
    }
}

/// Renders every artifact of `models` and writes (or checks) them under
/// `out_dir`. With `prune`, write mode also deletes orphaned files.
pub fn generate(
    out_dir: &Path,
    models: &[ResourceModel],
    mode: Mode,
    prune: bool,
) -> Result<Report, Error> {
    let artifacts = artifacts(models)?;
    ensure(out_dir, &artifacts, mode, prune)
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
        walk(out_dir, Path::new(""), &mut on_disk)?;
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
    let mut tmp = tempfile::Builder::new()
        .prefix(".codegen-")
        .tempfile_in(dir)
        .map_err(Error::io("create a temporary file in", dir))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(Error::io("write", tmp.path()))?;
    tmp.persist(path)
        .map_err(|e| Error::io("write", path)(e.error))?;
    Ok(())
}

fn walk(root: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let dir = root.join(rel);
    for entry in fs::read_dir(&dir).map_err(Error::io("read directory", &dir))? {
        let entry = entry.map_err(Error::io("read directory", &dir))?;
        let rel = rel.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(Error::io("read", root.join(&rel)))?;
        if kind.is_dir() {
            walk(root, &rel, out)?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}
