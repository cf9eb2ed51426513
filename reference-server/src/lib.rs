//! The reference server: CONTRACT.md, executable, on SQLite or PostgreSQL.
//!
//! Everything resource-specific comes from the resource model (`Contact::model()`):
//! validation, stamping, defaults, computed fields, scoping, filters and the
//! SQL columns. The schema is the generated migrations of `schemas/migrations/`.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let server = reference_server::start(reference_server::Config::in_memory("secret")).await?;
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
pub mod validate;

use crate::auth::Verifier;
use crate::cursor::CursorKey;
use crate::fault::fault;
use crate::problem::Problem;
use crate::store::Store;
use crate::validate::Rules;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use contact_schema::{Contact, Resource, ResourceModel};
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
    /// The resource to serve; `None`: the Contact. (Tests of schema
    /// evolution serve earlier and later states of a model.)
    pub model: Option<ResourceModel>,
    /// The migrations to apply; `None`: the embedded `schemas/migrations/`.
    pub migrations: Option<Vec<migrations::MigrationFile>>,
    /// The contract violation to switch on.
    #[cfg(feature = "faults")]
    pub fault: Option<fault::Fault>,
}

impl Config {
    /// An in-memory SQLite server on a free loopback port, HS256 with `secret`.
    pub fn in_memory(secret: &str) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: Some(secret.as_bytes().to_vec()),
            jwt_public_key: None,
            database_url: "sqlite::memory:".into(),
            max_connections: 8,
            get_batch_runners: store::GET_RUNNERS,
            max_client_connections: None,
            model: None,
            migrations: None,
            #[cfg(feature = "faults")]
            fault: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The resource model.
    pub model: Arc<ResourceModel>,
    /// The compiled validation rules of the model.
    pub rules: Arc<Rules>,
    /// The table.
    pub store: Store,
    /// The token checker.
    pub verifier: Verifier,
    /// The cursor signer.
    pub cursors: CursorKey,
    /// The switched-on violation.
    #[cfg(feature = "faults")]
    pub fault: Option<fault::Fault>,
}

impl AppState {
    /// Builds the state: connects, migrates, compiles the rules.
    pub async fn new(config: &Config) -> anyhow::Result<Self> {
        let model = Arc::new(config.model.clone().unwrap_or_else(Contact::model));
        let rules = Arc::new(Rules::new(&model)?);
        let verifier = Verifier::new(
            config.jwt_secret.as_deref(),
            config.jwt_public_key.as_deref(),
        )?;
        let store = Store::connect(
            &config.database_url,
            model.clone(),
            config.max_connections,
            config.get_batch_runners,
            config.migrations.clone(),
        )
        .await?;
        Ok(AppState {
            model,
            rules,
            store,
            verifier,
            cursors: CursorKey::new(None),
            #[cfg(feature = "faults")]
            fault: config.fault,
        })
    }

    /// The response for a problem (plain text under the `plain_text_errors` fault).
    pub fn problem(&self, p: Problem) -> Response {
        if fault!(self, PlainTextErrors) {
            return (p.status(), p.detail).into_response();
        }
        p.into_response()
    }
}

async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let check_exp = !fault!(state, AcceptExpiredTokens);
    match state.verifier.caller_checked(req.headers(), check_exp) {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            // HEAD runs the GET handler; axum's router then drops the body
            // after setting `Content-Length` to the length GET sends.
            next.run(req).await
        }
        Err(p) => state.problem(p),
    }
}

/// The router of the contract's routes over `state`.
pub fn router(state: AppState) -> Router {
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
        .fallback(handlers::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .with_state(state)
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
    let state = AppState::new(&config).await?;
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state);
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
