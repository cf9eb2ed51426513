//! A throwaway PostgreSQL database for a test, dropped at the end. Without
//! PostgreSQL the test fails in CI and is skipped, saying so, elsewhere.

/// A database of its own on the server of `TEST_POSTGRES_URL`.
pub struct Db {
    admin: sqlx::AnyPool,
    name: String,
    /// Its URL.
    pub url: String,
}

impl Db {
    /// A new empty database, or `None` (with `SKIPPED` printed) when
    /// PostgreSQL is not there and `CI` is unset.
    pub async fn create(prefix: &str) -> Option<Db> {
        sqlx::any::install_default_drivers();
        let admin_url = std::env::var("TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let admin = match sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&admin_url)
            .await
        {
            Ok(p) => p,
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("TEST_POSTGRES_URL: no PostgreSQL at {admin_url}: {e}")
            }
            Err(e) => {
                eprintln!("SKIPPED: no PostgreSQL at {admin_url} ({e}); set TEST_POSTGRES_URL");
                return None;
            }
        };
        let name = format!(
            "{prefix}_{}",
            ulid::Ulid::generate().to_string().to_lowercase()
        );
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .unwrap();
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&name);
        Some(Db {
            admin,
            name,
            url: url.to_string(),
        })
    }

    /// Drops it (with its connections).
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
