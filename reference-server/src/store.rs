//! Storage: one [`Database`] (SQLite or PostgreSQL through sqlx's `Any`
//! driver, its schema from the API's generated migrations) and a [`Store`]
//! per resource's table. Columns, types and scoping come from the resource
//! model; a row travels as a JSON object keyed by field name.

use crate::batch::{Batcher, Fetch};
use crate::migrations;
use crate::pool::{Lease, NetPool};
use resource_model::{Field, FieldType, Filter, Stamp, ValidModel};
use serde_json::{Map, Value};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::sync::Arc;
use std::time::Duration;

/// An item as stored: every field, null where unset.
pub type Record = Map<String, Value>;

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (file or in-memory).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// How long one storage operation may take, connection included, before
/// the request gets a 503: a storage that stops answering never hangs a request.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(2);
/// PostgreSQL: the most batched get queries in flight at once, by default
/// (`--get-batch-runners`; never more than the connections). Fewer
/// runners make bigger batches: on the 2-core bench machine 1 runner served
/// 45k gets/s, 2 served 38k, 4 31k and 8 (one per connection) 22k; two keep
/// gets flowing while one query is slow.
pub const GET_RUNNERS: usize = 2;
/// How long a request waits for a connection of sqlx's (SQLite) pool.
const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule (a unique index) refused the write.
    #[error("a uniqueness rule refused the write")]
    Unique {
        /// The field of the rule, when the index tells.
        field: Option<String>,
    },
    /// A CHECK constraint refused the write (validation should have caught it).
    #[error("a constraint refused the write: {message}")]
    Constraint {
        /// The field the constraint belongs to, when its name tells.
        field: Option<String>,
        /// The database's message (for the log, never for a response).
        message: String,
    },
    /// The storage is unreachable, refused the connection, or did not answer in time.
    #[error("the storage is unavailable: {0}")]
    Unavailable(String),
    /// The URL names no supported database.
    #[error("unsupported database URL `{0}`: use sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    /// Migrating the schema failed.
    #[error("applying the migrations failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The migrations did not create the table or columns a resource needs.
    #[error(
        "the migrations do not match the manifest: the {resource} needs table `{table}` with a column for each of its fields ({message})"
    )]
    Schema {
        /// The resource's name.
        resource: String,
        /// Its table.
        table: String,
        /// The database's message.
        message: String,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Who may see what: the caller's tenant and, for app tokens, app.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The tenant.
    pub tenant_id: String,
    /// The app, for app tokens.
    pub app_id: Option<String>,
}

/// A list request, after validation.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Page size (1 to 100).
    pub limit: u32,
    /// Include soft-deleted items.
    pub include_deleted: bool,
    /// (field, value, how) filters, ANDed.
    pub filters: Vec<(String, String, Filter)>,
    /// Start after this (created_at, id).
    pub after: Option<(String, String)>,
    /// The `CursorSkipsTies` fault: resume after the time alone.
    #[cfg(feature = "faults")]
    pub skip_ties: bool,
}

/// The database every resource's table lives in, migrated; cheap to clone.
#[derive(Clone)]
pub struct Database {
    db: Db,
    dialect: Dialect,
    max_connections: u32,
    /// SQLite has one writer at a time, whatever the table; queueing writes
    /// here instead of in SQLite's busy handler (which sleeps and retries)
    /// keeps latency flat.
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
}

/// One resource's table.
#[derive(Clone)]
pub struct Store {
    db: Db,
    dialect: Dialect,
    model: Arc<ValidModel>,
    select: Arc<str>,
    write_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// PostgreSQL: concurrent gets by id share one query ([`crate::batch`]).
    batcher: Option<Batcher>,
}

/// Where connections come from.
#[derive(Clone)]
enum Db {
    /// sqlx's pool: an in-memory database lives in its one connection.
    Sqlite(AnyPool),
    /// PostgreSQL, without sqlx's per-query pings.
    Net(NetPool),
}

struct Columns<'m> {
    id: &'m str,
    tenant: &'m str,
    app: Option<&'m str>,
    created_at: &'m str,
    deleted: Option<&'m str>,
    version: Option<&'m str>,
}

impl Database {
    /// Connects to `url` (`sqlite:…` or `postgres://…`) and applies the
    /// migrations of its dialect from `migrations`, in version order.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        migrations: &migrations::Migrations,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Dialect::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        // An in-memory SQLite database lives in one connection.
        let in_memory = dialect == Dialect::Sqlite && url.contains(":memory:");
        let pool = AnyPoolOptions::new()
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite && !in_memory {
                        // WAL: readers never wait for the writer; NORMAL is durable in WAL mode
                        // except for the last commits on power loss.
                        sqlx::Executor::execute(&mut *conn, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000").await?;
                    }
                    Ok(())
                })
            })
            .max_connections(match dialect {
                Dialect::Sqlite if in_memory => 1,
                Dialect::Sqlite => max_connections,
                // Migrations only; requests use a NetPool.
                Dialect::Postgres => 1,
            })
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await?;
        migrations::run(&pool, migrations.files(dialect)).await?;
        let db = match dialect {
            Dialect::Sqlite => Db::Sqlite(pool),
            Dialect::Postgres => {
                pool.close().await;
                Db::Net(NetPool::new(url, max_connections))
            }
        };
        let write_lock =
            (dialect == Dialect::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        Ok(Database {
            db,
            dialect,
            max_connections,
            write_lock,
        })
    }

    /// The database kind.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }
}

impl Store {
    /// The table of `model` in `db`; on PostgreSQL at most
    /// `get_batch_runners` batched get queries of it run at once.
    pub fn new(db: &Database, model: Arc<ValidModel>, get_batch_runners: usize) -> Self {
        let dialect = db.dialect;
        let select = model
            .fields
            .iter()
            .map(|f| select_expr(dialect, f))
            .collect::<Vec<_>>()
            .join(", ");
        let mut store = Store {
            db: db.db.clone(),
            dialect,
            model,
            select: select.into(),
            write_lock: db.write_lock.clone(),
            batcher: None,
        };
        if dialect == Dialect::Postgres {
            let unbatched = store.clone();
            let fetch: Fetch = Arc::new(move |ids| {
                let store = unbatched.clone();
                Box::pin(async move { store.get_many(ids).await })
            });
            let c = store.columns();
            store.batcher = Some(Batcher::new(
                get_batch_runners.clamp(1, db.max_connections.max(1) as usize),
                fetch,
                c.id,
                c.tenant,
                c.app,
            ));
        }
        store
    }

    /// Proves the table holds a column for each field of the model, so a
    /// tree whose migrations and manifest disagree is refused at start
    /// rather than failing requests.
    pub async fn verify(&self) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE 1 = 0",
            self.select, self.model.table
        );
        let result = deadline(async {
            let mut conn = self.lease().await?;
            let rows = sqlx::query(&sql).fetch_all(&mut *conn).await;
            if rows.is_ok() {
                conn.release();
            }
            rows.map(|_| ())
        })
        .await;
        match result {
            Ok(()) => Ok(()),
            Err(sqlx::Error::Database(e)) => Err(StoreError::Schema {
                resource: self.model.name.clone(),
                table: self.model.table.clone(),
                message: e.message().to_owned(),
            }),
            Err(e) => Err(self.classify(e)),
        }
    }

    /// PostgreSQL: every record whose id is in `ids`, whoever's it is (the
    /// batcher checks each caller's scope on the rows).
    async fn get_many(&self, ids: Vec<String>) -> Result<Vec<Record>, StoreError> {
        let c = self.columns();
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))",
            self.select, self.model.table, c.id
        );
        let ids = Value::from(ids).to_string();
        let rows = deadline(async {
            let mut conn = self.lease().await?;
            let rows = sqlx::query(&sql).bind(ids).fetch_all(&mut *conn).await?;
            conn.release();
            Ok(rows)
        })
        .await
        .map_err(|e| self.classify(e))?;
        Ok(rows.iter().map(|r| self.decode(r)).collect())
    }

    /// A connection for one operation.
    async fn lease(&self) -> Result<Lease, sqlx::Error> {
        match &self.db {
            Db::Sqlite(pool) => Lease::sqlite(pool).await,
            Db::Net(pool) => pool.acquire().await,
        }
    }

    /// The database kind.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    fn columns(&self) -> Columns<'_> {
        let m = &self.model;
        let name = |s| m.stamp(s).map(|f| f.name.as_str());
        Columns {
            id: &self.model.id_field().name,
            tenant: &self.model.tenant_field().name,
            app: name(Stamp::App),
            created_at: &self.model.created_at_field().name,
            deleted: name(Stamp::DeletedFlag),
            version: name(Stamp::Version),
        }
    }

    async fn writer(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }

    fn ph(&self, n: usize) -> String {
        match self.dialect {
            Dialect::Sqlite => "?".into(),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// A placeholder with the cast its field needs.
    fn value_ph(&self, f: &Field, n: usize) -> String {
        let p = self.ph(n);
        match (self.dialect, &f.ty) {
            (Dialect::Postgres, FieldType::DateTime) => format!("{p}::timestamptz"),
            (Dialect::Postgres, FieldType::Date) => format!("{p}::date"),
            (Dialect::Postgres, FieldType::JsonObject | FieldType::StringArray) => {
                format!("{p}::jsonb")
            }
            _ => p,
        }
    }

    fn fold(&self, expr: &str) -> String {
        match self.dialect {
            Dialect::Postgres => format!(
                "translate({expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
            ),
            Dialect::Sqlite => format!("lower({expr})"),
        }
    }

    /// Appends the scope condition; returns the next placeholder number.
    fn scope_sql(
        &self,
        sql: &mut String,
        binds: &mut Vec<Value>,
        scope: &Scope,
        mut n: usize,
    ) -> usize {
        let c = self.columns();
        sql.push_str(&format!("{} = {}", c.tenant, self.ph(n)));
        binds.push(Value::String(scope.tenant_id.clone()));
        n += 1;
        if let (Some(app), Some(col)) = (&scope.app_id, c.app) {
            sql.push_str(&format!(" AND {col} = {}", self.ph(n)));
            binds.push(Value::String(app.clone()));
            n += 1;
        }
        n
    }

    /// Inserts a new record.
    pub async fn insert(&self, record: &Record) -> Result<(), StoreError> {
        let cols: Vec<&str> = self.model.fields.iter().map(|f| f.name.as_str()).collect();
        let phs: Vec<String> = self
            .model
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| self.value_ph(f, i + 1))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.model.table,
            cols.join(", "),
            phs.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for f in &self.model.fields {
            q = bind_field(
                q,
                f,
                record.get(&f.name).unwrap_or(&Value::Null),
                self.dialect,
            );
        }
        let _writer = self.writer().await;
        deadline(async {
            let mut c = self.lease().await?;
            q.execute(&mut *c).await?;
            c.release();
            Ok(())
        })
        .await
        .map_err(|e| self.classify(e))
    }

    /// The record with `id` visible in `scope`, soft-deleted or not.
    pub async fn get(&self, scope: &Scope, id: &str) -> Result<Option<Record>, StoreError> {
        if let Some(batcher) = &self.batcher {
            // The batch's own query is bounded by OPERATION_TIMEOUT; waiting
            // in the queue for a free runner counts against the same budget.
            return tokio::time::timeout(OPERATION_TIMEOUT, batcher.get(scope, id))
                .await
                .unwrap_or_else(|_| {
                    Err(StoreError::Unavailable(
                        "no answer within the operation timeout".into(),
                    ))
                });
        }
        let c = self.columns();
        let mut sql = format!(
            "SELECT {} FROM {} WHERE {} = {} AND ",
            self.select,
            self.model.table,
            c.id,
            self.ph(1)
        );
        let mut binds = vec![Value::String(id.to_owned())];
        self.scope_sql(&mut sql, &mut binds, scope, 2);
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.as_str().map(str::to_owned));
        }
        let row = deadline(async {
            let mut c = self.lease().await?;
            let row = q.fetch_optional(&mut *c).await?;
            c.release();
            Ok(row)
        })
        .await
        .map_err(|e| self.classify(e))?;
        Ok(row.map(|r| self.decode(&r)))
    }

    /// Replaces the record (same id) if its version is still `expected`;
    /// `false` when another write got there first.
    pub async fn update(
        &self,
        scope: &Scope,
        record: &Record,
        expected: i64,
    ) -> Result<bool, StoreError> {
        let c = self.columns();
        let set_fields: Vec<&Field> = self
            .model
            .fields
            .iter()
            .filter(|f| f.name != c.id)
            .collect();
        let mut n = 1;
        let mut sets = Vec::new();
        for f in &set_fields {
            sets.push(format!("{} = {}", f.name, self.value_ph(f, n)));
            n += 1;
        }
        let mut sql = format!(
            "UPDATE {} SET {} WHERE {} = {} AND ",
            self.model.table,
            sets.join(", "),
            c.id,
            self.ph(n)
        );
        n += 1;
        let mut binds = Vec::new();
        n = self.scope_sql(&mut sql, &mut binds, scope, n);
        if let Some(v) = c.version {
            sql.push_str(&format!(" AND {v} = {}", self.ph(n)));
        }
        let mut q = sqlx::query(&sql);
        for f in &set_fields {
            q = bind_field(
                q,
                f,
                record.get(&f.name).unwrap_or(&Value::Null),
                self.dialect,
            );
        }
        q = q.bind(record.get(c.id).and_then(Value::as_str).map(str::to_owned));
        for b in &binds {
            q = q.bind(b.as_str().map(str::to_owned));
        }
        if c.version.is_some() {
            q = q.bind(expected);
        }
        let _writer = self.writer().await;
        let done = deadline(async {
            let mut c = self.lease().await?;
            let done = q.execute(&mut *c).await?;
            c.release();
            Ok(done)
        })
        .await
        .map_err(|e| self.classify(e))?;
        Ok(done.rows_affected() == 1)
    }

    /// One page (up to `limit + 1` records, to tell whether more follow) in list order.
    pub async fn list(&self, scope: &Scope, query: &ListQuery) -> Result<Vec<Record>, StoreError> {
        let c = self.columns();
        let mut sql = format!("SELECT {} FROM {} WHERE ", self.select, self.model.table);
        let mut binds: Vec<Value> = Vec::new();
        let mut n = self.scope_sql(&mut sql, &mut binds, scope, 1);
        if let (false, Some(d)) = (query.include_deleted, c.deleted) {
            sql.push_str(&format!(" AND {d} = FALSE"));
        }
        for (field, value, how) in &query.filters {
            match how {
                Filter::Exact => sql.push_str(&format!(" AND {field} = {}", self.ph(n))),
                Filter::CaseInsensitive => sql.push_str(&format!(
                    " AND {} = {}",
                    self.fold(field),
                    self.fold(&self.ph(n))
                )),
            }
            binds.push(Value::String(value.clone()));
            n += 1;
        }
        let created = self.model.created_at_field();
        if let Some((at, id)) = &query.after {
            let (p1, p2, p3) = (
                self.value_ph(created, n),
                self.value_ph(created, n + 1),
                self.ph(n + 2),
            );
            #[cfg(feature = "faults")]
            let skip_ties = query.skip_ties;
            #[cfg(not(feature = "faults"))]
            let skip_ties = false;
            if skip_ties {
                sql.push_str(&format!(
                    " AND ({ca} > {p1} OR ({ca} = {p2} AND {id_col} > {p3} AND 1 = 0))",
                    ca = c.created_at,
                    id_col = c.id
                ));
            } else {
                sql.push_str(&format!(
                    " AND ({ca} > {p1} OR ({ca} = {p2} AND {id_col} > {p3}))",
                    ca = c.created_at,
                    id_col = c.id
                ));
            }
            binds.extend([
                Value::String(at.clone()),
                Value::String(at.clone()),
                Value::String(id.clone()),
            ]);
        }
        sql.push_str(&format!(
            " ORDER BY {}, {} LIMIT {}",
            c.created_at,
            c.id,
            query.limit + 1
        ));
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.as_str().map(str::to_owned));
        }
        let rows = deadline(async {
            let mut c = self.lease().await?;
            let rows = q.fetch_all(&mut *c).await?;
            c.release();
            Ok(rows)
        })
        .await
        .map_err(|e| self.classify(e))?;
        Ok(rows.iter().map(|r| self.decode(r)).collect())
    }

    /// The tenant of any item with `id` (for the `cross_tenant_read` fault only).
    #[cfg(feature = "faults")]
    pub async fn tenant_of(&self, id: &str) -> Option<String> {
        let c = self.columns();
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = {}",
            c.tenant,
            self.model.table,
            c.id,
            self.ph(1)
        );
        let mut c = self.lease().await.ok()?;
        let tenant = sqlx::query_scalar(&sql)
            .bind(id.to_owned())
            .fetch_optional(&mut *c)
            .await
            .ok()
            .flatten();
        c.release();
        tenant
    }

    fn decode(&self, row: &AnyRow) -> Record {
        let mut out = Map::new();
        for f in &self.model.fields {
            let name = f.name.as_str();
            let v = match (&f.ty, self.dialect) {
                (FieldType::Integer, _) => row
                    .try_get::<Option<i64>, _>(name)
                    .ok()
                    .flatten()
                    .map(Value::from),
                (FieldType::Boolean, Dialect::Postgres) => row
                    .try_get::<Option<bool>, _>(name)
                    .ok()
                    .flatten()
                    .map(Value::from),
                (FieldType::Boolean, Dialect::Sqlite) => row
                    .try_get::<Option<i64>, _>(name)
                    .ok()
                    .flatten()
                    .map(|i| Value::from(i != 0)),
                (FieldType::JsonObject | FieldType::StringArray, _) => row
                    .try_get::<Option<String>, _>(name)
                    .ok()
                    .flatten()
                    .and_then(|s| serde_json::from_str(&s).ok()),
                _ => row
                    .try_get::<Option<String>, _>(name)
                    .ok()
                    .flatten()
                    .map(Value::from),
            };
            out.insert(f.name.clone(), v.unwrap_or(Value::Null));
        }
        out
    }
}

fn select_expr(d: Dialect, f: &Field) -> String {
    let c = &f.name;
    match (d, &f.ty) {
        (Dialect::Postgres, FieldType::Date) => format!("to_char({c}, 'YYYY-MM-DD') AS {c}"),
        (Dialect::Postgres, FieldType::DateTime) => {
            format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS {c}")
        }
        (Dialect::Postgres, FieldType::JsonObject | FieldType::StringArray) => {
            format!("{c}::text AS {c}")
        }
        _ => c.clone(),
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_field<'q>(q: AnyQuery<'q>, f: &Field, v: &Value, d: Dialect) -> AnyQuery<'q> {
    match &f.ty {
        FieldType::Integer => q.bind(v.as_i64()),
        FieldType::Boolean => match d {
            Dialect::Postgres => q.bind(v.as_bool()),
            Dialect::Sqlite => q.bind(v.as_bool().map(i64::from)),
        },
        FieldType::JsonObject | FieldType::StringArray => {
            q.bind((!v.is_null()).then(|| v.to_string()))
        }
        _ => q.bind(v.as_str().map(str::to_owned)),
    }
}

/// Runs one storage operation under [`OPERATION_TIMEOUT`]; running out is a
/// [`sqlx::Error::PoolTimedOut`], which [`Store::classify`] calls unavailable.
async fn deadline<T>(
    op: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    tokio::time::timeout(OPERATION_TIMEOUT, op)
        .await
        .unwrap_or(Err(sqlx::Error::PoolTimedOut))
}

impl Store {
    /// Sorts a database error into what the server answers: a rule of the
    /// schema (naming its field where the constraint's name tells), an
    /// unreachable storage, or anything else.
    fn classify(&self, e: sqlx::Error) -> StoreError {
        match &e {
            sqlx::Error::Database(db) => {
                let constraint = db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| constraint_in_message(db.message()));
                if db.is_unique_violation() {
                    let field = self.field_of(&constraint).or_else(|| {
                        (self.model.unique.len() == 1).then(|| self.model.unique[0].field.clone())
                    });
                    return StoreError::Unique { field };
                }
                if db.is_check_violation() {
                    return StoreError::Constraint {
                        field: self.field_of(&constraint),
                        message: db.message().to_owned(),
                    };
                }
                let code = db.code().unwrap_or_default();
                // PostgreSQL: connection exceptions (class 08), shutting down or
                // starting up (57P01–57P03), too many connections (53300);
                // SQLite: busy or locked (5, 6).
                if code.starts_with("08")
                    || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300" | "5" | "6")
                {
                    return StoreError::Unavailable(e.to_string());
                }
                StoreError::Database(e)
            }
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Database(e),
        }
    }

    /// The field whose constraint or index is named `name` (`{table}_{field}_…`).
    fn field_of(&self, name: &str) -> Option<String> {
        let rest = name.strip_prefix(&self.model.table)?.strip_prefix('_')?;
        self.model
            .fields
            .iter()
            .filter(|f| {
                rest.strip_prefix(f.name.as_str())
                    .is_some_and(|after| after.is_empty() || after.starts_with('_'))
            })
            .max_by_key(|f| f.name.len())
            .map(|f| f.name.clone())
    }
}

/// SQLite names the constraint only in its message: `CHECK constraint
/// failed: contacts_email_format`, `UNIQUE constraint failed: index 'contacts_email_unique'`.
fn constraint_in_message(message: &str) -> String {
    message
        .rsplit([' ', ':'])
        .next()
        .unwrap_or_default()
        .trim_matches(['\'', '"'])
        .to_owned()
}
