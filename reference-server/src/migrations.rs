//! The generated migrations of `schemas/migrations/` (every released
//! version, embedded by `build.rs`), applied by sqlx's migrator. The schema
//! has no other source: the server never writes DDL of its own.

use crate::store::Dialect;
use sqlx::AnyPool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

pub use embedded::{POSTGRES, SQLITE};

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

/// The embedded migrations of a dialect.
pub fn files(dialect: Dialect) -> Vec<MigrationFile> {
    let list = match dialect {
        Dialect::Postgres => POSTGRES,
        Dialect::Sqlite => SQLITE,
    };
    list.iter()
        .map(|(version, description, sql)| MigrationFile {
            version: *version,
            description: Cow::Borrowed(*description),
            sql: Cow::Borrowed(*sql),
        })
        .collect()
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
