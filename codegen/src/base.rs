//! The base `codegen diff` compares with: the last released snapshot of
//! every resource in a directory or at a git ref (its `history/` folders),
//! else the resources of its manifest.

use crate::history::{LOCK, Snapshot};
use resource_model::{ApiModel, ResourceModel};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why a base could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// Neither a directory nor a git ref.
    #[error("--base `{0}` is neither a directory nor a git ref (a branch, tag or commit)")]
    NotFound(String),
    /// The base has neither a released history nor a manifest.
    #[error("--base `{base}` holds no released history and no manifest: looked for {looked}")]
    NoSnapshot {
        /// The base as given.
        base: String,
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
    /// The names of the entries of a folder (empty when there is none).
    fn list(&self, rel: &Path) -> Vec<String>;
    fn describe(&self, rel: &Path) -> String;
}

struct Dir(PathBuf);

impl Source for Dir {
    fn read(&self, rel: &Path) -> Option<String> {
        std::fs::read_to_string(self.0.join(rel)).ok()
    }

    fn list(&self, rel: &Path) -> Vec<String> {
        std::fs::read_dir(self.0.join(rel))
            .map(|entries| {
                entries
                    .filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default()
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

    fn list(&self, rel: &Path) -> Vec<String> {
        Command::new("git")
            .args(["ls-tree", "--name-only"])
            .arg(format!("{}:./{}", self.0, rel.display()))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
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

/// The base states of an API in `base` (a directory or a git ref), whose
/// schemas folder is `schemas` (relative to the base): each resource's last
/// released snapshot, by resource name; for a base without history, the
/// resources of its manifest (`api.manifest.json`, or an older single
/// resource's `<name>.manifest.json` for each of `names`).
pub fn load_api(base: &str, schemas: &Path, names: &[&str]) -> Result<Vec<Base>, BaseError> {
    let path = Path::new(base);
    if path.is_dir() {
        // The schemas folder itself, or a checkout holding it.
        let root = if path.join("history").is_dir() || path.join(MANIFEST).exists() {
            PathBuf::new()
        } else {
            schemas.to_owned()
        };
        return from(&Dir(path.to_owned()), &root, base, names);
    }
    if is_git_ref(base) {
        return from(&GitRef(base.to_owned()), schemas, base, names);
    }
    Err(BaseError::NotFound(base.to_owned()))
}

/// The API manifest's name under a schemas folder.
const MANIFEST: &str = crate::emit::manifest::PATH;

fn from(src: &dyn Source, root: &Path, base: &str, names: &[&str]) -> Result<Vec<Base>, BaseError> {
    let unreadable = |rel: &Path, what, message: String| BaseError::Unreadable {
        base: base.to_owned(),
        path: src.describe(rel),
        what,
        message,
    };
    let mut out = Vec::new();
    let mut stems = src.list(&root.join("history"));
    stems.sort();
    for stem in stems {
        let lock = root.join("history").join(&stem).join(LOCK);
        let Some(text) = src.read(&lock) else {
            continue;
        };
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
            out.push(Base {
                label: format!("{base} ({})", s.stem()),
                snapshot: s,
            });
        }
    }
    if !out.is_empty() {
        return Ok(out);
    }
    let manifest = root.join(MANIFEST);
    if let Some(json) = src.read(&manifest) {
        let api =
            ApiModel::from_manifest(&json).map_err(|e| unreadable(&manifest, "a manifest", e))?;
        return Ok(api
            .resources
            .iter()
            .map(|m| Base {
                label: format!("{base} (manifest)"),
                snapshot: Snapshot::of(m, 0, "manifest"),
            })
            .collect());
    }
    let mut looked = vec![src.describe(&root.join("history")), src.describe(&manifest)];
    for name in names {
        let old = root.join(format!("{}.manifest.json", name.to_lowercase()));
        looked.push(src.describe(&old));
        if let Some(json) = src.read(&old) {
            let m: ResourceModel = serde_json::from_str(&json)
                .map_err(|e| unreadable(&old, "a manifest", e.to_string()))?;
            out.push(Base {
                label: format!("{base} (manifest)"),
                snapshot: Snapshot::of(&m, 0, "manifest"),
            });
        }
    }
    if out.is_empty() {
        return Err(BaseError::NoSnapshot {
            base: base.to_owned(),
            looked: looked.join(", "),
        });
    }
    Ok(out)
}
