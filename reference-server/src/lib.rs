//! The reference server: CONTRACT.md, executable, for every resource of any
//! API, on SQLite or PostgreSQL.
//!
//! Everything resource-specific comes from the validated API
//! ([`resource_model::ValidApi`]): validation, stamping, defaults, computed
//! fields, scoping, filters and the SQL columns, through the model's one
//! home of write semantics ([`resource_model::write`]). The schema is the
//! API's generated migrations. It names no concrete resource.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use reference_server::{Config, migrations::Migrations};
//! let schemas = std::path::Path::new("schemas");
//! let api = reference_server::read_api(schemas)?;
//! let server = reference_server::start(Config::in_memory(api, Migrations::from_dir(schemas)?, "secret")).await?;
//! println!("listening on {}", server.addr());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod batch;
pub mod cursor;
pub mod fault;
pub mod handlers;
pub mod json;
pub mod migrations;
pub mod pool;
pub mod problem;
pub mod serve;
pub mod store;
pub mod time;

use crate::auth::Verifier;
use crate::cursor::CursorKey;
use crate::fault::fault;
use crate::migrations::Migrations;
use crate::problem::Problem;
use crate::store::{Database, Store};
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use resource_model::{ApiModel, ValidApi, ValidModel};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The HS256 secret.
    pub jwt_secret: Option<Vec<u8>>,
    /// An RS256 public key, PEM.
    pub jwt_public_key: Option<Vec<u8>>,
    /// `sqlite:…` or `postgres://…`.
    pub database_url: String,
    /// Database connections (SQLite in memory always uses one).
    pub max_connections: u32,
    /// PostgreSQL: the most batched get-by-id queries in flight at once
    /// ([`store::GET_RUNNERS`] by default; fewer make bigger batches).
    pub get_batch_runners: usize,
    /// Client connections held at once; `None`: the open-files limit less a
    /// reserve ([`serve::connection_cap`]).
    pub max_client_connections: Option<usize>,
    /// The API to serve, every resource of it.
    pub api: ValidApi,
    /// The API's migrations (`<schemas>/migrations/`), applied at start.
    pub migrations: Migrations,
    /// The contract violation to switch on.
    #[cfg(feature = "faults")]
    pub fault: Option<fault::Fault>,
}

impl Config {
    /// An in-memory SQLite server of the API in a generated tree (its
    /// `api.manifest.json` and `migrations/`) on a free loopback port, HS256 with `secret`.
    pub fn from_schemas(schemas: &std::path::Path, secret: &str) -> anyhow::Result<Self> {
        Ok(Config::in_memory(
            read_api(schemas)?,
            Migrations::from_dir(schemas)?,
            secret,
        ))
    }

    /// An in-memory SQLite server of `api` on a free loopback port, HS256 with `secret`.
    pub fn in_memory(api: ValidApi, migrations: Migrations, secret: &str) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: Some(secret.as_bytes().to_vec()),
            jwt_public_key: None,
            database_url: "sqlite::memory:".into(),
            max_connections: 8,
            get_batch_runners: store::GET_RUNNERS,
            max_client_connections: None,
            api,
            migrations,
            #[cfg(feature = "faults")]
            fault: None,
        }
    }
}

/// Why an API could not be read from a schemas folder.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The manifest could not be read.
    #[error("cannot read {path}: {source} (generate it with your codegen command)")]
    Read {
        /// The manifest.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The manifest is not an API's.
    #[error("{path}: {message}")]
    Parse {
        /// The manifest.
        path: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The API breaks a rule.
    #[error("{path}: the API is invalid: {}", .problems.join("; "))]
    Invalid {
        /// The manifest.
        path: std::path::PathBuf,
        /// Every broken rule.
        problems: Vec<String>,
    },
}

/// The manifest's name in a schemas folder.
pub const MANIFEST: &str = "api.manifest.json";

/// Reads and validates the API of a schemas folder (`<schemas>/api.manifest.json`).
pub fn read_api(schemas: &std::path::Path) -> Result<ValidApi, ApiError> {
    let path = schemas.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|source| ApiError::Read {
        path: path.clone(),
        source,
    })?;
    let api = ApiModel::from_manifest(&text).map_err(|message| ApiError::Parse {
        path: path.clone(),
        message,
    })?;
    ValidApi::new(api).map_err(|errors| ApiError::Invalid {
        path,
        problems: errors.into_iter().map(|e| e.0).collect(),
    })
}

/// What every handler of one resource shares.
#[derive(Clone)]
pub struct AppState {
    /// The resource's validated model (its value rules compiled).
    pub model: Arc<ValidModel>,
    /// Its table.
    pub store: Store,
    /// The token checker, shared by every resource.
    pub verifier: Verifier,
    /// The cursor signer, shared by every resource.
    pub cursors: CursorKey,
    /// The switched-on violation.
    #[cfg(feature = "faults")]
    pub fault: Option<fault::Fault>,
}

impl AppState {
    /// The response for a problem (plain text under the `plain_text_errors` fault).
    pub fn problem(&self, p: Problem) -> Response {
        respond(fault!(self, PlainTextErrors), p)
    }
}

/// What the routes outside every resource share: authentication and the 404 of unknown paths.
#[derive(Clone)]
pub struct Shared {
    /// The token checker.
    pub verifier: Verifier,
    /// The switched-on violation.
    #[cfg(feature = "faults")]
    pub fault: Option<fault::Fault>,
}

impl Shared {
    /// The response for a problem (plain text under the `plain_text_errors` fault).
    pub fn problem(&self, p: Problem) -> Response {
        respond(fault!(self, PlainTextErrors), p)
    }
}

/// The problem as problem+json, or as plain text when `plain`.
fn respond(plain: bool, p: Problem) -> Response {
    if plain {
        return (p.status(), p.detail).into_response();
    }
    p.into_response()
}

/// Connects, migrates and builds each resource's state.
pub async fn states(config: &Config) -> anyhow::Result<(Shared, Vec<AppState>)> {
    let verifier = Verifier::new(
        config.jwt_secret.as_deref(),
        config.jwt_public_key.as_deref(),
    )?;
    let db = Database::connect(
        &config.database_url,
        config.max_connections,
        &config.migrations,
    )
    .await?;
    let cursors = CursorKey::new(None);
    let states = config
        .api
        .resources()
        .iter()
        .map(|model| {
            let model = Arc::new(model.clone());
            AppState {
                store: Store::new(&db, model.clone(), config.get_batch_runners),
                model,
                verifier: verifier.clone(),
                cursors: cursors.clone(),
                #[cfg(feature = "faults")]
                fault: config.fault,
            }
        })
        .collect::<Vec<AppState>>();
    for state in &states {
        state.store.verify().await?;
    }
    Ok((
        Shared {
            verifier,
            #[cfg(feature = "faults")]
            fault: config.fault,
        },
        states,
    ))
}

async fn authenticate(State(shared): State<Shared>, mut req: Request, next: Next) -> Response {
    let check_exp = !fault!(shared, AcceptExpiredTokens);
    match shared.verifier.caller_checked(req.headers(), check_exp) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            // HEAD runs the GET handler; axum's router then drops the body
            // after setting `Content-Length` to the length GET sends.
            next.run(req).await
        }
        Err(p) => shared.problem(p),
    }
}

/// The routes of one resource over its state.
fn resource_router(state: AppState) -> Router {
    let collection = state.model.path.clone();
    let item = format!("{collection}/{{id}}");
    Router::new()
        .route(
            &collection,
            get(handlers::list)
                .post(handlers::create)
                .fallback(handlers::collection_method_not_allowed),
        )
        .route(
            &item,
            get(handlers::get)
                .patch(handlers::update)
                .delete(handlers::delete)
                .fallback(handlers::item_method_not_allowed),
        )
        .with_state(state)
}

/// The router of every resource's routes; any other path is a 404, and
/// every request is authenticated first (401 before the route's 404/405).
pub fn router(shared: Shared, states: Vec<AppState>) -> Router {
    let mut app = Router::new();
    for state in states {
        app = app.merge(resource_router(state));
    }
    let outside = shared.clone();
    app.fallback(move || handlers::not_found(outside.clone()))
        .layer(middleware::from_fn_with_state(shared, authenticate))
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://addr`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes in-flight requests, and waits.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops (it stops on its own only on an I/O error).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

/// Starts the server in this process: migrate, bind, serve in the background.
pub async fn start(config: Config) -> anyhow::Result<Server> {
    let (shared, states) = states(&config).await?;
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(shared, states);
    let cap = config
        .max_client_connections
        .unwrap_or_else(serve::connection_cap);
    let task = tokio::spawn(serve::serve(listener, app, cap, async {
        let _ = stopped.await;
    }));
    Ok(Server {
        addr,
        stop: Some(stop),
        task,
    })
}
