//! The errors of rendering and writing artifacts.

use std::io;
use std::path::PathBuf;

/// Why rendering or writing artifacts failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A model broke a rule the derive could not check.
    #[error("resource model `{resource}` is invalid: {}", .problems.join("; "))]
    InvalidModel {
        /// The resource name.
        resource: String,
        /// Every broken rule.
        problems: Vec<String>,
    },
    /// Two models would write the same file.
    #[error("two resources would both write {0}")]
    DuplicateArtifact(PathBuf),
    /// A template failed to render (a bug in a template or its data).
    #[error("template `{template}` failed: {source}")]
    Template {
        /// The template name.
        template: String,
        /// What handlebars said.
        #[source]
        source: Box<handlebars::RenderError>,
    },
    /// A value could not be serialised.
    #[error("cannot serialise {what}: {message}")]
    Serialise {
        /// What was being serialised.
        what: String,
        /// What the serialiser said.
        message: String,
    },
    /// The model uses a name an SDK language cannot express.
    #[error("cannot render the {language} SDK: {message}")]
    Sdk {
        /// The SDK language (`TypeScript`, `Python`, `Rust`, or `all`).
        language: &'static str,
        /// What is wrong, naming the resource and field.
        message: String,
    },
    /// A history file (a snapshot or the lock) cannot be read as one.
    #[error("{path}: {message}")]
    History {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// The output path exists and is not a directory.
    #[error("output directory {0} exists and is not a directory")]
    NotADirectory(PathBuf),
    /// Reading, writing or removing a file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done (`write`, `read`, `create directory`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// An I/O error while doing `action` on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}
