//! The API's generated migrations (`<schemas>/migrations/{postgres,sqlite}/`,
//! every released version), read at start-up and applied by sqlx's
//! migrator. The schema has no other source: the server never writes DDL of
//! its own.

use crate::store::Dialect;
use sqlx::AnyPool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

/// One migration: its version, description and SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// The version (the file's number).
    pub version: i64,
    /// The description (the file's slug, spaced).
    pub description: Cow<'static, str>,
    /// The SQL.
    pub sql: Cow<'static, str>,
}

/// The migrations of every dialect the server runs on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrations {
    /// PostgreSQL's, in version order.
    pub postgres: Vec<MigrationFile>,
    /// SQLite's, in version order.
    pub sqlite: Vec<MigrationFile>,
}

/// Why the migrations could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MigrationsError {
    /// A folder could not be read.
    #[error("cannot read the migrations folder {path}: {source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read the migration {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A `.sql` file's name is not `<NNNN>_<slug>.sql`.
    #[error("{0}: a migration is named `<number>_<description>.sql` (as `codegen` writes it)")]
    Name(PathBuf),
    /// Two files share a number.
    #[error("{0} and {1} have the same number: each migration needs its own")]
    Duplicate(PathBuf, PathBuf),
}

impl Migrations {
    /// Reads `<schemas>/migrations/postgres/` and `<schemas>/migrations/sqlite/`.
    pub fn from_dir(schemas: &Path) -> Result<Self, MigrationsError> {
        Ok(Migrations {
            postgres: read_folder(&schemas.join("migrations").join("postgres"))?,
            sqlite: read_folder(&schemas.join("migrations").join("sqlite"))?,
        })
    }

    /// The migrations of `dialect`, in version order.
    pub fn files(&self, dialect: Dialect) -> Vec<MigrationFile> {
        match dialect {
            Dialect::Postgres => self.postgres.clone(),
            Dialect::Sqlite => self.sqlite.clone(),
        }
    }
}

fn read_folder(dir: &Path) -> Result<Vec<MigrationFile>, MigrationsError> {
    let entries = std::fs::read_dir(dir).map_err(|source| MigrationsError::Folder {
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<(MigrationFile, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| MigrationsError::Folder {
                path: dir.to_owned(),
                source,
            })?
            .path();
        let Some(stem) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".sql"))
        else {
            continue;
        };
        let (version, description) = stem
            .split_once('_')
            .and_then(|(v, d)| Some((v.parse::<i64>().ok()?, d)))
            .ok_or_else(|| MigrationsError::Name(path.clone()))?;
        let sql = std::fs::read_to_string(&path).map_err(|source| MigrationsError::File {
            path: path.clone(),
            source,
        })?;
        files.push((
            MigrationFile {
                version,
                description: Cow::Owned(description.replace('_', " ")),
                sql: Cow::Owned(sql),
            },
            path,
        ));
    }
    files.sort_by_key(|(f, _)| f.version);
    for pair in files.windows(2) {
        if pair[0].0.version == pair[1].0.version {
            return Err(MigrationsError::Duplicate(
                pair[0].1.clone(),
                pair[1].1.clone(),
            ));
        }
    }
    Ok(files.into_iter().map(|(f, _)| f).collect())
}

#[derive(Debug)]
struct Source(Vec<MigrationFile>);

impl MigrationSource<'static> for Source {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(async move {
            Ok(self
                .0
                .into_iter()
                .map(|m| {
                    Migration::new(
                        m.version,
                        m.description,
                        MigrationType::Simple,
                        m.sql,
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Applies every migration of `files` not yet applied, in version order;
/// sqlx refuses a database where an applied one has since changed.
pub async fn run(
    pool: &AnyPool,
    files: Vec<MigrationFile>,
) -> Result<(), sqlx::migrate::MigrateError> {
    let migrator = Migrator::new(Source(files)).await?;
    migrator.run(pool).await
}
