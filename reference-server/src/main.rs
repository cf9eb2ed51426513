//! `reference-server`: serves CONTRACT.md for every resource of an API, on
//! SQLite or PostgreSQL, from the API's generated tree (`--schemas`: its
//! `api.manifest.json` and `migrations/`). No code of the API's is needed.

use anyhow::Context;
use clap::Parser;
use reference_server::Config;
use reference_server::migrations::Migrations;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The reference implementation of the HTTP contract, for every resource of the API in --schemas.
#[derive(Parser)]
#[command(name = "reference-server", version)]
struct Cli {
    /// The API's generated tree: its `api.manifest.json` and `migrations/` (as codegen writes them).
    #[arg(
        long,
        env = "REFERENCE_SCHEMAS",
        value_name = "DIR",
        default_value = "schemas"
    )]
    schemas: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The HS256 secret for bearer JWTs (or REFERENCE_JWT_SECRET).
    #[arg(long, env = "REFERENCE_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// An RS256 public key (PEM file) for bearer JWTs.
    #[arg(long, value_name = "FILE")]
    jwt_public_key: Option<PathBuf>,
    /// `sqlite:FILE` (created if missing), `sqlite::memory:`, or `postgres://…`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite:contacts.db?mode=rwc"
    )]
    database_url: String,
    /// Database connections.
    #[arg(long, default_value_t = 8)]
    max_connections: u32,
    /// PostgreSQL: the most batched get-by-id queries in flight at once (at
    /// most --max-connections). Fewer make bigger batches and more gets per
    /// second on a small machine; more let gets pass a slow query.
    #[arg(long, env = "REFERENCE_GET_BATCH_RUNNERS", default_value_t = reference_server::store::GET_RUNNERS as u64, value_parser = clap::value_parser!(u64).range(1..=1024))]
    get_batch_runners: u64,
    /// Switch on one named contract violation (builds with the `faults` feature only).
    #[cfg(feature = "faults")]
    #[arg(long, value_enum)]
    fault: Option<reference_server::fault::Fault>,
}

/// mimalloc: a get by id allocates a few hundred small blocks (rows, maps,
/// JSON), and glibc's allocator took 15 % of the server's time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code: the server could not start (bad key, database, address).
const EXIT_START: u8 = 1;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            std::process::ExitCode::from(EXIT_START)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Each connection is a file descriptor: take all the hard limit allows, as
    // many servers do, so the default soft limit (often 1024) is not the ceiling.
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("warning: could not raise the open-files limit: {e}");
    }
    let public_key = match &cli.jwt_public_key {
        Some(p) => Some(
            std::fs::read(p)
                .with_context(|| format!("reading --jwt-public-key {}", p.display()))?,
        ),
        None => None,
    };
    let api = reference_server::read_api(&cli.schemas).context("--schemas")?;
    let migrations = Migrations::from_dir(&cli.schemas).context("--schemas")?;
    let config = Config {
        listen: cli.listen,
        jwt_secret: cli.jwt_secret.map(String::into_bytes),
        jwt_public_key: public_key,
        database_url: cli.database_url.clone(),
        max_connections: cli.max_connections,
        get_batch_runners: cli.get_batch_runners as usize,
        max_client_connections: None,
        api,
        migrations,
        #[cfg(feature = "faults")]
        fault: cli.fault,
    };
    let server = reference_server::start(config).await.with_context(|| {
        format!(
            "starting on {} with {}",
            cli.listen,
            redact(&cli.database_url)
        )
    })?;
    eprintln!("reference-server listening on {}", server.base_url());
    tokio::select! {
        r = server.wait() => r.context("serving")?,
        _ = tokio::signal::ctrl_c() => eprintln!("stopping"),
    }
    Ok(())
}

/// The error and its causes on one line, leaving out a cause whose text the
/// message before it already carries (sqlx repeats its sources).
fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

/// The database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
