//! The base `codegen diff` compares with: the last released snapshot of a
//! resource in a directory or at a git ref, else its manifest.

use crate::history::{self, LOCK, Snapshot};
use contact_schema::ResourceModel;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why a base could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// Neither a directory nor a git ref.
    #[error("--base `{0}` is neither a directory nor a git ref (a branch, tag or commit)")]
    NotFound(String),
    /// The base has neither a snapshot nor a manifest of the resource.
    #[error("--base `{base}` has no snapshot of {resource}: looked for {looked}")]
    NoSnapshot {
        /// The base as given.
        base: String,
        /// The resource.
        resource: String,
        /// The paths tried.
        looked: String,
    },
    /// A file of the base is not what it should be.
    #[error("--base `{base}`: {path} is not readable as {what}: {message}")]
    Unreadable {
        /// The base as given.
        base: String,
        /// The file.
        path: String,
        /// What it should be.
        what: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// A base state and how to call it in reports.
#[derive(Debug, Clone)]
pub struct Base {
    /// The state.
    pub snapshot: Snapshot,
    /// E.g. `main (0001_create_contacts)`.
    pub label: String,
}

/// Reads something under the base: a file of a directory or of a commit.
trait Source {
    fn read(&self, rel: &Path) -> Option<String>;
    fn describe(&self, rel: &Path) -> String;
}

struct Dir(PathBuf);

impl Source for Dir {
    fn read(&self, rel: &Path) -> Option<String> {
        std::fs::read_to_string(self.0.join(rel)).ok()
    }

    fn describe(&self, rel: &Path) -> String {
        self.0.join(rel).display().to_string()
    }
}

struct GitRef(String);

impl Source for GitRef {
    fn read(&self, rel: &Path) -> Option<String> {
        let out = Command::new("git")
            .arg("show")
            .arg(format!("{}:./{}", self.0, rel.display()))
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn describe(&self, rel: &Path) -> String {
        format!("{}:{}", self.0, rel.display())
    }
}

fn is_git_ref(r: &str) -> bool {
    !r.starts_with('-')
        && Command::new("git")
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("{r}^{{commit}}"))
            .output()
            .is_ok_and(|o| o.status.success())
}

/// The base state of `model`'s resource in `base` (a directory or a git
/// ref), whose schemas folder is `schemas` (relative to the base).
pub fn load(base: &str, schemas: &Path, model: &ResourceModel) -> Result<Base, BaseError> {
    let path = Path::new(base);
    if path.is_dir() {
        // The schemas folder itself, or a checkout holding it.
        let root = if path.join(history::lock_path(model)).exists()
            || path
                .join(format!("{}.manifest.json", crate::emit::stem(model)))
                .exists()
        {
            PathBuf::new()
        } else {
            schemas.to_owned()
        };
        return from(&Dir(path.to_owned()), &root, base, model);
    }
    if is_git_ref(base) {
        return from(&GitRef(base.to_owned()), schemas, base, model);
    }
    Err(BaseError::NotFound(base.to_owned()))
}

fn from(
    src: &dyn Source,
    root: &Path,
    base: &str,
    model: &ResourceModel,
) -> Result<Base, BaseError> {
    let unreadable = |rel: &Path, what, message: String| BaseError::Unreadable {
        base: base.to_owned(),
        path: src.describe(rel),
        what,
        message,
    };
    let lock = root.join(history::dir(model)).join(LOCK);
    if let Some(text) = src.read(&lock) {
        let mut last: Option<Snapshot> = None;
        for line in text.lines() {
            let Some((_, rel)) = line.split_once("  ") else {
                return Err(unreadable(&lock, "a lock", format!("bad line `{line}`")));
            };
            if !rel.ends_with(".json") {
                continue;
            }
            let file = root.join(rel);
            let json = src
                .read(&file)
                .ok_or_else(|| unreadable(&file, "a snapshot", "missing".into()))?;
            let s: Snapshot = serde_json::from_str(&json)
                .map_err(|e| unreadable(&file, "a snapshot", e.to_string()))?;
            if last.as_ref().is_none_or(|l| s.version > l.version) {
                last = Some(s);
            }
        }
        if let Some(s) = last {
            return Ok(Base {
                label: format!("{base} ({})", s.stem()),
                snapshot: s,
            });
        }
    }
    let manifest = root.join(format!("{}.manifest.json", crate::emit::stem(model)));
    if let Some(json) = src.read(&manifest) {
        let m: ResourceModel = serde_json::from_str(&json)
            .map_err(|e| unreadable(&manifest, "a manifest", e.to_string()))?;
        return Ok(Base {
            label: format!("{base} (manifest)"),
            snapshot: Snapshot::of(&m, 0, "manifest"),
        });
    }
    Err(BaseError::NoSnapshot {
        base: base.to_owned(),
        resource: model.name.clone(),
        looked: format!("{} and {}", src.describe(&lock), src.describe(&manifest)),
    })
}
