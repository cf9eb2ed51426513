//! The generated migrations of `schemas/migrations/`, embedded, applied by sqlx's migrator.
//! The schema has no other source: the server never writes DDL of its own.

use crate::store::Dialect;
use futures_core_compat::BoxFuture;
use sqlx::AnyPool;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;

/// The migration files of each dialect: (version, description, file name, SQL).
pub const POSTGRES: &[(i64, &str, &str, &str)] = &[(
    1,
    "create contacts",
    "0001_create_contacts.sql",
    include_str!("../../schemas/migrations/postgres/0001_create_contacts.sql"),
)];

/// See [`POSTGRES`].
pub const SQLITE: &[(i64, &str, &str, &str)] = &[(
    1,
    "create contacts",
    "0001_create_contacts.sql",
    include_str!("../../schemas/migrations/sqlite/0001_create_contacts.sql"),
)];

#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, _, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

mod futures_core_compat {
    pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
}

/// The embedded files of a dialect.
pub fn files(dialect: Dialect) -> &'static [(i64, &'static str, &'static str, &'static str)] {
    match dialect {
        Dialect::Postgres => POSTGRES,
        Dialect::Sqlite => SQLITE,
    }
}

/// Applies every migration of `dialect` not yet applied.
pub async fn run(pool: &AnyPool, dialect: Dialect) -> Result<(), sqlx::migrate::MigrateError> {
    let migrator = Migrator::new(Embedded(files(dialect))).await?;
    migrator.run(pool).await
}
