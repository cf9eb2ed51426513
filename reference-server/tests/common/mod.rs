//! Test harness: a reference server in-process on SQLite (in memory) or on a
//! throwaway PostgreSQL database, tokens, and an HTTP client.
#![allow(dead_code)]

use jsonwebtoken::{EncodingKey, Header, encode};
use reference_server::{Config, Server};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::Executor;

pub const SECRET: &str = "test-secret-not-for-production";
pub const PATH: &str = "/api/v1/crm/contacts";

/// Which database the server runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// In-memory SQLite: one connection.
    Sqlite,
    /// SQLite in a file: a pool of connections, WAL, the server's write queue.
    SqliteFile,
    Postgres,
}

pub struct TestServer {
    pub server: Option<Server>,
    pub base: String,
    pub client: Client,
    db: Option<Database>,
    /// A fresh tenant per server, so tests never see each other's data.
    pub tenant: String,
}

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

/// A throwaway database for one test: dropped (PostgreSQL) or deleted
/// (SQLite file) by [`Database::drop_now`].
pub struct Database {
    pg: Option<(sqlx::AnyPool, String)>,
    file_dir: Option<std::path::PathBuf>,
}

impl Database {
    pub async fn drop_now(mut self) {
        if let Some(dir) = self.file_dir.take() {
            std::fs::remove_dir_all(dir).unwrap();
        }
        if let Some((admin, db)) = self.pg.take() {
            admin
                .execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str())
                .await
                .unwrap();
        }
    }
}

/// The PostgreSQL server the tests use: `TEST_POSTGRES_URL`, else the local one.
pub fn postgres_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A server configuration on a fresh database of `backend`; `None` (with a
/// SKIPPED line) only outside CI when PostgreSQL is not there.
pub async fn database(backend: Backend) -> Option<(Config, Database)> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = Config::from_schemas(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
        SECRET,
    )
    .expect("the workspace's generated tree");
    let mut db = Database {
        pg: None,
        file_dir: None,
    };
    if let Backend::SqliteFile = backend {
        let dir = std::env::temp_dir().join(unique("refsrv-"));
        std::fs::create_dir_all(&dir).unwrap();
        config.database_url = format!("sqlite:{}/contacts.db?mode=rwc", dir.display());
        db.file_dir = Some(dir);
    }
    if let Backend::Postgres = backend {
        sqlx::any::install_default_drivers();
        let admin_url = postgres_url();
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
                eprintln!(
                    "SKIPPED: no PostgreSQL at {admin_url} ({e}); set TEST_POSTGRES_URL to run this test"
                );
                return None;
            }
        };
        let name = unique("refsrv_");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&name);
        config.database_url = url.to_string();
        db.pg = Some((admin, name));
    }
    Some((config, db))
}

pub async fn start(backend: Backend) -> Option<TestServer> {
    let (config, db) = database(backend).await?;
    let server = reference_server::start(config)
        .await
        .expect("server starts");
    Some(TestServer {
        base: server.base_url(),
        server: Some(server),
        client: Client::builder().build().unwrap(),
        db: Some(db),
        tenant: unique("tenant-"),
    })
}

impl TestServer {
    pub async fn finish(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        if let Some(db) = self.db.take() {
            db.drop_now().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn user(&self, sub: &str) -> String {
        token(json!({"sub": sub, "tenant_id": self.tenant, "exp": now() + 3600}))
    }

    pub fn app(&self, sub: &str, app: &str) -> String {
        token(json!({"sub": sub, "tenant_id": self.tenant, "app_id": app, "exp": now() + 3600}))
    }

    pub fn other_tenant(&self) -> String {
        token(
            json!({"sub": "intruder", "tenant_id": format!("{}-other", self.tenant), "exp": now() + 3600}),
        )
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("request")
    }

    pub async fn create(&self, token: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .send(Method::POST, PATH, Some(token), Some(body), &[])
            .await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn created(&self, token: &str, body: Value) -> Value {
        let (status, v) = self.create(token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v
    }

    pub async fn get(&self, token: &str, id: &str) -> (StatusCode, Value) {
        let res = self
            .send(Method::GET, &format!("{PATH}/{id}"), Some(token), None, &[])
            .await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn patch(
        &self,
        token: &str,
        id: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let res = self
            .send(
                Method::PATCH,
                &format!("{PATH}/{id}"),
                Some(token),
                Some(body),
                headers,
            )
            .await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn delete(
        &self,
        token: &str,
        id: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let res = self
            .send(
                Method::DELETE,
                &format!("{PATH}/{id}"),
                Some(token),
                None,
                headers,
            )
            .await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn list(&self, token: &str, query: &str) -> (StatusCode, Value) {
        let res = self
            .send(
                Method::GET,
                &format!("{PATH}?{query}"),
                Some(token),
                None,
                &[],
            )
            .await;
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

pub fn token(claims: Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

pub fn account() -> String {
    format!("acc-{}", uuid_like())
}

fn uuid_like() -> String {
    let hex: String = (0..32)
        .map(|_| format!("{:x}", rand::random::<u8>() % 16))
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

pub fn email() -> String {
    format!("{}@example.com", unique("p"))
}

/// A 4xx must be problem+json with type, title, status (= HTTP) and detail.
pub fn assert_problem(status: StatusCode, body: &Value) {
    assert!(status.is_client_error(), "{status}");
    for key in ["type", "title", "detail"] {
        assert!(body[key].is_string(), "{key} missing in {body}");
    }
    assert_eq!(body["status"], status.as_u16(), "{body}");
}

/// Runs a test body on SQLite (in memory and in a file) and on PostgreSQL.
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = $crate::common::start($crate::common::Backend::Sqlite).await.unwrap();
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
        mod sqlite_file {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = $crate::common::start($crate::common::Backend::SqliteFile).await.unwrap();
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(s) = $crate::common::start($crate::common::Backend::Postgres).await else { return };
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
    };
}
