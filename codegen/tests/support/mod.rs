//! Shared by the codegen tests that start a reference server on PostgreSQL.
#![allow(dead_code)]

/// A throwaway PostgreSQL database (`TEST_POSTGRES_URL`, else the local
/// server), dropped by [`ThrowawayDb::drop_now`]. PostgreSQL is required.
pub struct ThrowawayDb {
    admin: sqlx::AnyPool,
    name: String,
    /// The database's URL.
    pub url: String,
}

impl ThrowawayDb {
    /// Creates a database named `{prefix}_{ulid}`.
    pub async fn create(prefix: &str) -> Self {
        sqlx::any::install_default_drivers();
        let admin_url = std::env::var("TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
            .expect("PostgreSQL (TEST_POSTGRES_URL) is required");
        let name = format!(
            "{prefix}_{}",
            ulid::Ulid::generate().to_string().to_lowercase()
        );
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let url = match admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => unreachable!("a database URL has a path"),
        };
        ThrowawayDb { admin, name, url }
    }

    /// Drops the database, whoever is still connected.
    pub async fn drop_now(self) {
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&self.admin)
        .await
        .unwrap();
    }
}

/// The CRM API, validated.
pub fn crm() -> resource_model::ValidApi {
    resource_model::ValidApi::new(contact_schema::api()).expect("the CRM API is valid")
}

/// The CRM API with its Contact replaced by `contact` (a changed model).
pub fn crm_with(contact: resource_model::ResourceModel) -> resource_model::ValidApi {
    let mut api = contact_schema::api();
    api.resources[0] = contact;
    resource_model::ValidApi::new(api).expect("the changed API is valid")
}

/// The commands the CRM API's tree names: its `crm-api` binary's.
pub fn cmds() -> codegen::Commands {
    codegen::Commands::cargo_bin("crm-api", "crm-api")
}
