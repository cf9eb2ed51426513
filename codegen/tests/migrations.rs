//! The generated migrations, applied to real, empty databases: SQLite always,
//! PostgreSQL and MariaDB/MySQL on the servers this machine (and CI) runs.
//! Each is applied by sqlx's migrator and by the dialect's own command-line
//! client, and CONTRACT.md §5 (uniqueness) is then proven with plain SQL.
//!
//! Servers: `TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! and `TEST_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/mysql`), admin
//! connections used to create and drop one throwaway database per test. In CI
//! (`CI` set) a missing server fails the test; elsewhere the test says it is
//! skipped and which variable points it at a server.

mod support;

use codegen::Mode;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// Writes the rendered artifacts to a temporary directory; returns it and the migrations folder of `dialect`.
fn migrations(dialect: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(
        dir.path(),
        &support::crm(),
        &support::cmds(),
        Mode::Write,
        false,
    )
    .unwrap();
    let path = dir.path().join("migrations").join(dialect);
    (dir, path)
}

fn unique_name(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The admin URL of a server, or `None` (after saying so) when it is not reachable outside CI.
async fn admin(var: &str, default: &str) -> Option<(String, AnyPool)> {
    sqlx::any::install_default_drivers();
    let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    match AnyPoolOptions::new().max_connections(2).connect(&url).await {
        Ok(pool) => Some((url, pool)),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!(
                "{var}: cannot reach the database server at {url} ({e}); CI must start it (.ci/run)"
            )
        }
        Err(e) => {
            eprintln!("SKIPPED: no database server at {url} ({e}); set {var} to run this test");
            None
        }
    }
}

fn with_database(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_path(db);
    u.to_string()
}

/// A command-line client, which CI must have.
fn client(names: &[&str]) -> Option<&'static str> {
    for name in names {
        if Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return Some(Box::leak(name.to_string().into_boxed_str()));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "none of {names:?} is installed; CI must install it"
    );
    eprintln!("SKIPPED part: none of {names:?} is installed");
    None
}

fn run_client(mut cmd: Command, stdin: Option<&Path>) {
    if let Some(file) = stdin {
        cmd.stdin(std::fs::File::open(file).unwrap());
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Per-dialect SQL for the scenario.
struct Sql {
    now: &'static str,
}

const NOW: Sql = Sql {
    now: "'2026-11-29 12:00:00.000000'",
};

fn id(n: u32) -> String {
    format!("per_01J8Z3Q7D4M5V6W7X8Y9Z0{n:04}")
}

const ACC1: &str = "acc-3f2b8c1e-9d4a-4b6f-8e2c-1a5d7f9b0c3e";
const ACC2: &str = "acc-7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

async fn insert(
    pool: &AnyPool,
    n: u32,
    tenant: &str,
    account: Option<&str>,
    email: &str,
) -> Result<(), sqlx::Error> {
    let account = account.map_or("NULL".to_owned(), |a| format!("'{a}'"));
    let sql = format!(
        "INSERT INTO contacts (id, tenant_id, created_at, updated_at, created_by, updated_by, account_id, email) \
         VALUES ('{}', '{tenant}', {now}, {now}, 'u1', 'u1', {account}, '{email}')",
        id(n),
        now = NOW.now
    );
    pool.execute(sql.as_str()).await.map(|_| ())
}

async fn exec(pool: &AnyPool, sql: &str) -> Result<(), sqlx::Error> {
    pool.execute(sql).await.map(|_| ())
}

async fn count(pool: &AnyPool, condition: &str) -> i64 {
    let row: (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM contacts WHERE {condition}"))
        .fetch_one(pool)
        .await
        .unwrap();
    row.0
}

fn is_unique_violation(r: &Result<(), sqlx::Error>) -> bool {
    match r {
        Err(sqlx::Error::Database(e)) => e.is_unique_violation(),
        _ => false,
    }
}

fn is_rejected(r: &Result<(), sqlx::Error>) -> bool {
    matches!(r, Err(sqlx::Error::Database(_)))
}

/// CONTRACT.md §5 and the column rules, proven on an empty, migrated database.
async fn prove_rules(pool: &AnyPool) -> Result<(), String> {
    let mut failures = Vec::new();
    let mut expect = |what: &str, ok: bool| {
        if !ok {
            failures.push(what.to_owned());
        }
    };
    // Uniqueness (§5).
    expect(
        "first insert",
        insert(pool, 1, "t1", Some(ACC1), "a@b.co").await.is_ok(),
    );
    expect(
        "duplicate rejected",
        is_unique_violation(&insert(pool, 2, "t1", Some(ACC1), "a@b.co").await),
    );
    expect(
        "case variant rejected",
        is_unique_violation(&insert(pool, 3, "t1", Some(ACC1), "A@B.CO").await),
    );
    expect(
        "other account accepted",
        insert(pool, 4, "t1", Some(ACC2), "a@b.co").await.is_ok(),
    );
    expect(
        "other tenant accepted",
        insert(pool, 5, "t2", Some(ACC1), "a@b.co").await.is_ok(),
    );
    expect(
        "soft delete accepted",
        exec(
            pool,
            &format!(
                "UPDATE contacts SET is_deleted = TRUE WHERE id = '{}'",
                id(1)
            ),
        )
        .await
        .is_ok(),
    );
    expect(
        "a soft-deleted holder does not block",
        insert(pool, 6, "t1", Some(ACC1), "A@b.co").await.is_ok(),
    );
    expect(
        "first orphan",
        insert(pool, 7, "t1", None, "o@b.co").await.is_ok(),
    );
    expect(
        "orphan duplicate rejected",
        is_unique_violation(&insert(pool, 8, "t1", None, "O@b.co").await),
    );
    expect(
        "orphan in another tenant accepted",
        insert(pool, 9, "t2", None, "o@b.co").await.is_ok(),
    );
    expect(
        "contacts without email do not collide",
        insert_no_email(pool, 10).await.is_ok() && insert_no_email(pool, 11).await.is_ok(),
    );
    expect(
        "third contact",
        insert(pool, 12, "t1", Some(ACC1), "c@b.co").await.is_ok(),
    );
    expect(
        "an update creating a duplicate is rejected",
        is_unique_violation(
            &exec(
                pool,
                &format!(
                    "UPDATE contacts SET email = 'a@B.co' WHERE id = '{}'",
                    id(12)
                ),
            )
            .await,
        ),
    );
    expect(
        "an update moving into a taken account is rejected",
        is_unique_violation(
            &exec(
                pool,
                &format!(
                    "UPDATE contacts SET account_id = '{ACC2}', email = 'a@b.co' WHERE id = '{}'",
                    id(12)
                ),
            )
            .await,
        ),
    );
    expect(
        "un-deleting a row whose email is now taken is rejected",
        is_unique_violation(
            &exec(
                pool,
                &format!(
                    "UPDATE contacts SET is_deleted = FALSE WHERE id = '{}'",
                    id(1)
                ),
            )
            .await,
        ),
    );
    expect(
        "rejected writes changed nothing",
        count(pool, &format!("id = '{}' AND email = 'c@b.co'", id(12))).await == 1,
    );
    expect(
        "the deleted row stays deleted",
        count(pool, &format!("id = '{}' AND is_deleted = TRUE", id(1))).await == 1,
    );
    expect("rows stored", count(pool, "1 = 1").await == 9);

    // Defaults and CHECK constraints.
    expect(
        "defaults: source, source_type, is_deleted, version, schema_version",
        count(pool, &format!("id = '{}' AND source = 'edm' AND source_type = 'api' AND is_deleted = FALSE AND version = 1 AND schema_version = 1", id(4))).await == 1,
    );
    let bad_updates = [
        ("phone", "phone = '020 7123 4567'"),
        ("source_type", "source_type = 'fax'"),
        (
            "account_id",
            "account_id = 'acc-3F2B8C1E-9D4A-4B6F-8E2C-1A5D7F9B0C3E'",
        ),
        ("email", "email = 'not an email'"),
        ("linkedin_url", "linkedin_url = 'ftp://example.com'"),
        ("source", "source = ''"),
        ("tags", "tags = '{\"not\": \"an array\"}'"),
        ("custom_fields", "custom_fields = '[1, 2]'"),
        ("version", "version = 0"),
        ("tenant_id", "tenant_id = NULL"),
    ];
    for (field, set) in bad_updates {
        let r = exec(
            pool,
            &format!("UPDATE contacts SET {set} WHERE id = '{}'", id(4)),
        )
        .await;
        expect(&format!("bad {field} rejected"), is_rejected(&r));
    }
    let good_updates = "phone = '+442071234567', linkedin_url = 'HTTPS://www.linkedin.com/in/ada', \
        tags = '[\"vip\", \"vip\"]', custom_fields = '{\"tier\": {\"level\": 2}}', source_type = 'backend'";
    expect(
        "good values accepted",
        exec(
            pool,
            &format!("UPDATE contacts SET {good_updates} WHERE id = '{}'", id(4)),
        )
        .await
        .is_ok(),
    );
    expect(
        "lower-case ULID id rejected",
        is_rejected(&exec(pool, &format!(
            "INSERT INTO contacts (id, tenant_id, created_at, updated_at, created_by, updated_by) VALUES ('per_01j8z3q7d4m5v6w7x8y9z0abcd', 't1', {now}, {now}, 'u', 'u')",
            now = NOW.now
        )).await),
    );
    // The Account's table (CONTRACT.md §9): a domain unique within the tenant
    // ignoring case, a bounded integer, a real calendar day.
    let account = |n: u32, tenant: &str, domain: &str, employees: i64, founded: &str| {
        format!(
            "INSERT INTO accounts (id, tenant_id, created_at, updated_at, created_by, updated_by, name, domain, employee_count, founded_on) \
             VALUES ('acc-00000000-0000-7000-8000-{n:012}', '{tenant}', {now}, {now}, 'u', 'u', 'Acme', '{domain}', {employees}, '{founded}')",
            now = NOW.now
        )
    };
    expect(
        "an account",
        exec(
            pool,
            &account(1, "t1", "acme.example", 10_000_000, "2024-02-29"),
        )
        .await
        .is_ok(),
    );
    expect(
        "an account's domain in another case rejected",
        is_unique_violation(&exec(pool, &account(2, "t1", "ACME.example", 5, "2024-02-28")).await),
    );
    expect(
        "the same domain in another tenant accepted",
        exec(pool, &account(3, "t2", "acme.example", 5, "2024-02-28"))
            .await
            .is_ok(),
    );
    expect(
        "employee_count over its maximum rejected",
        is_rejected(
            &exec(
                pool,
                &account(4, "t1", "b.example", 10_000_001, "2024-02-28"),
            )
            .await,
        ),
    );
    expect(
        "a day February lacks rejected",
        is_rejected(&exec(pool, &account(5, "t1", "c.example", 5, "2023-02-29")).await),
    );
    expect(
        "a domain that is no host name rejected",
        is_rejected(&exec(pool, &account(6, "t1", "no_host", 5, "2024-02-28")).await),
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// The migration files of a folder, in version order.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

async fn insert_no_email(pool: &AnyPool, n: u32) -> Result<(), sqlx::Error> {
    exec(pool, &format!(
        "INSERT INTO contacts (id, tenant_id, created_at, updated_at, created_by, updated_by, account_id) VALUES ('{}', 't1', {now}, {now}, 'u', 'u', '{ACC1}')",
        id(n),
        now = NOW.now
    ))
    .await
}

async fn migrate_and_prove(url: &str, dir: &Path) -> Result<(), String> {
    let pool = AnyPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .map_err(|e| format!("connect {url}: {e}"))?;
    let migrator = sqlx::migrate::Migrator::new(dir)
        .await
        .map_err(|e| e.to_string())?;
    if migrator.iter().count() != 2 {
        return Err(format!(
            "expected two migrations (contacts, then accounts) in {}",
            dir.display()
        ));
    }
    migrator
        .run(&pool)
        .await
        .map_err(|e| format!("sqlx migrate: {e}"))?;
    let result = prove_rules(&pool).await;
    pool.close().await;
    result
}

#[tokio::test]
async fn sqlite_migration_applies_and_enforces_the_rules() {
    let (_tmp, dir) = migrations("sqlite");
    let db = tempfile::tempdir().unwrap();
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=rwc", db.path().join("sqlx.db").display());
    migrate_and_prove(&url, &dir).await.unwrap();

    if let Some(sqlite3) = client(&["sqlite3"]) {
        let target = db.path().join("cli.db");
        for file in sql_files(&dir) {
            let mut cmd = Command::new(sqlite3);
            cmd.arg("-bail").arg(&target);
            run_client(cmd, Some(&file));
        }
        let url = format!("sqlite://{}", target.display());
        let pool = AnyPoolOptions::new().connect(&url).await.unwrap();
        prove_rules(&pool).await.unwrap();
    }
}

/// On a server: two throwaway databases; one migrated by sqlx's migrator, the
/// other by the dialect's client (`client` builds its command for a database
/// URL, `None` when the client is missing outside CI); the rules proven on both;
/// both dropped with `drop` (`DROP DATABASE IF EXISTS {db}` + `drop`).
async fn on_server(
    url: &str,
    admin: &AnyPool,
    dialect: &str,
    drop: &str,
    client: impl Fn(&str, &str) -> Option<Command>,
) {
    let (_tmp, dir) = migrations(dialect);
    let sqlx_db = unique_name("codegen_sqlx");
    let cli_db = unique_name("codegen_cli");
    for db in [&sqlx_db, &cli_db] {
        exec(admin, &format!("CREATE DATABASE {db}")).await.unwrap();
    }
    let mut result = migrate_and_prove(&with_database(url, &sqlx_db), &dir).await;
    let files = sql_files(&dir);
    if result.is_ok() && client(&with_database(url, &cli_db), files[0].to_str().unwrap()).is_some()
    {
        for file in &files {
            let cmd =
                client(&with_database(url, &cli_db), file.to_str().unwrap()).expect("found above");
            run_client(cmd, Some(file));
        }
        let pool = AnyPoolOptions::new()
            .connect(&with_database(url, &cli_db))
            .await
            .unwrap();
        result = prove_rules(&pool).await;
        pool.close().await;
    }
    for db in [&sqlx_db, &cli_db] {
        exec(admin, &format!("DROP DATABASE IF EXISTS {db}{drop}"))
            .await
            .unwrap();
    }
    result.unwrap();
}

#[tokio::test]
async fn postgres_migration_applies_and_enforces_the_rules() {
    let Some((url, admin)) = admin(
        "TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
    .await
    else {
        return;
    };
    on_server(&url, &admin, "postgres", " WITH (FORCE)", |db_url, _| {
        let mut cmd = Command::new(client(&["psql"])?);
        cmd.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", db_url]);
        Some(cmd)
    })
    .await;
}

#[tokio::test]
async fn mysql_migration_applies_and_enforces_the_rules() {
    let Some((url, admin)) = admin("TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/mysql").await
    else {
        return;
    };
    on_server(&url, &admin, "mysql", "", |db_url, _| {
        let u = url::Url::parse(db_url).unwrap();
        let mut cmd = Command::new(client(&["mysql", "mariadb"])?);
        cmd.arg(format!("--host={}", u.host_str().unwrap_or("127.0.0.1")))
            .arg(format!("--port={}", u.port().unwrap_or(3306)))
            .arg(format!("--user={}", u.username()));
        if let Some(p) = u.password() {
            cmd.arg(format!("--password={p}"));
        }
        cmd.arg(u.path().trim_start_matches('/'));
        Some(cmd)
    })
    .await;
}
