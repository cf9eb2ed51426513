//! The harness that proves the generated SDKs (`schemas/sdk/`): it starts the
//! reference server on an in-memory SQLite database, mints tokens for it,
//! finds each language's tools, and runs a language's scenario as a child
//! process. The tests in `tests/` use it, one file per language; the
//! TypeScript and Python scenarios live in `scenarios/`.

use jsonwebtoken::{EncodingKey, Header, encode};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::process::Command;

/// The steps every language's scenario reports, in order, one `ok <step>` line each.
pub const STEPS: &[&str] = &[
    "create",
    "get",
    "list pages",
    "filter",
    "update",
    "stale update",
    "duplicate email",
    "validation",
    "delete",
    "not found",
    "unauthorised",
    "redirect refused",
];

/// A reference server for one test, with the secret its tokens are signed
/// with, and a [`Redirector`] for the "redirect refused" step.
pub struct Harness {
    server: reference_server::Server,
    secret: String,
    redirector: Redirector,
}

impl Harness {
    /// Starts a reference server on a free loopback port, on an in-memory SQLite database.
    pub async fn start() -> Harness {
        let secret = format!("sdk-test-{}", rand::random::<u64>());
        let server = reference_server::start(
            reference_server::Config::from_schemas(&schemas(), &secret)
                .expect("the API's tree reads"),
        )
        .await
        .expect("the reference server starts");
        Harness {
            server,
            secret,
            redirector: Redirector::start().await,
        }
    }

    /// The redirector's base URL: every request there is answered with a 307
    /// to a trap that counts the requests reaching it.
    pub fn redirect_url(&self) -> String {
        self.redirector.base_url()
    }

    /// Fails the test if any request followed a redirect to the trap.
    pub fn assert_no_redirect_followed(&self) {
        let hits = self.redirector.trap_hits();
        assert_eq!(
            hits, 0,
            "{hits} request(s) followed the redirect, token and all"
        );
    }

    /// The server's base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// A human user's token (no `app_id`) in a tenant of its own, valid for an hour.
    pub fn token(&self) -> String {
        let claims = serde_json::json!({
            "sub": format!("user-{}", rand::random::<u32>()),
            "tenant_id": format!("tenant-{}", rand::random::<u64>()),
            "exp": chrono::Utc::now().timestamp() + 3600,
        });
        encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(self.secret.as_bytes()).expect("an HS256 key"),
        )
        .expect("a token encodes")
    }

    /// Runs a language's scenario (`command`) against this server, with
    /// `SDK_BASE_URL`, `SDK_TOKEN` and a fresh `SDK_ACCOUNT` in its
    /// environment, and checks it succeeds reporting every step.
    pub async fn run_scenario(&self, language: &str, command: &mut Command) {
        let output = run_ok(
            &format!("the {language} scenario"),
            command
                .env("SDK_BASE_URL", self.base_url())
                .env("SDK_TOKEN", self.token())
                .env("SDK_ACCOUNT", account())
                .env("SDK_REDIRECT_URL", self.redirect_url()),
        )
        .await;
        assert_steps(language, &output.stdout);
        self.assert_no_redirect_followed();
    }

    /// Stops the server.
    pub async fn finish(self) {
        self.server.shutdown().await;
    }
}

/// Finds `tsc`: `$TSC`, `consumers/` (where `cargo xtask test` installs it) or `PATH`.
pub fn tsc() -> Option<PathBuf> {
    tool("TSC", &["consumers/node_modules/.bin/tsc"], "tsc")
}

/// Finds `mypy`: `$MYPY`, `.venv/` (where `cargo xtask test` installs it) or `PATH`.
pub fn mypy() -> Option<PathBuf> {
    tool("MYPY", &[".venv/bin/mypy"], "mypy")
}

/// A copy of the generated TypeScript package in a temporary directory, with
/// `extra` files (path, contents) added beside it, e.g. `src/scenario.ts`.
pub fn typescript_project(extra: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sdk = sdk_dir("typescript");
    std::fs::create_dir(dir.path().join("src")).expect("src/");
    for file in ["package.json", "tsconfig.json", "src/index.ts"] {
        std::fs::copy(sdk.join(file), dir.path().join(file))
            .unwrap_or_else(|e| panic!("copy {file}: {e}"));
    }
    for (file, contents) in extra {
        std::fs::write(dir.path().join(file), contents)
            .unwrap_or_else(|e| panic!("write {file}: {e}"));
    }
    dir
}

/// Runs `mypy --strict` over `files` with the generated Python package on its
/// path and a throwaway cache; fails the test unless mypy finds no issue.
pub async fn mypy_strict(mypy: &Path, what: &str, files: &[PathBuf]) {
    let cache = tempfile::tempdir().expect("a temporary directory");
    run_ok(
        &format!("mypy --strict ({what})"),
        Command::new(mypy)
            .arg("--strict")
            .arg("--cache-dir")
            .arg(cache.path())
            .args(files)
            .env("MYPYPATH", sdk_dir("python")),
    )
    .await;
}

/// A server that answers every request with `307 Temporary Redirect` to a
/// second, trap listener, which counts the requests that reach it: an SDK that
/// follows redirects would carry its bearer token to wherever one points.
pub struct Redirector {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Redirector {
    /// Starts the redirector and its trap on free loopback ports.
    pub async fn start() -> Redirector {
        let trap = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the trap");
        let trap_addr = trap.local_addr().expect("the trap's address");
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        let trap_task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = trap.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                read_head(&mut stream).await;
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 500 Trapped\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    )
                    .await;
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the redirector");
        let addr = listener.local_addr().expect("the redirector's address");
        let redirect_task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                read_head(&mut stream).await;
                let answer = format!(
                    "HTTP/1.1 307 Temporary Redirect\r\nlocation: http://{trap_addr}/trap\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        Redirector {
            addr,
            hits,
            tasks: vec![trap_task, redirect_task],
        }
    }

    /// The redirector's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests reached the trap.
    pub fn trap_hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Redirector {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Reads a request's head (up to the blank line), ignoring its content.
async fn read_head(stream: &mut tokio::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 65536 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// A fresh `account_id` (`acc-` + a lowercase UUID), so a scenario's lists see only its own contacts.
pub fn account() -> String {
    let hex: String = (0..32)
        .map(|_| format!("{:x}", rand::random::<u8>() % 16))
        .collect();
    format!(
        "acc-{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("sdk-tests lives in the workspace")
        .to_path_buf()
}

/// The workspace's generated tree, `schemas/`.
pub fn schemas() -> PathBuf {
    workspace().join("schemas")
}

/// The generated SDK of a language: `schemas/sdk/<language>`.
pub fn sdk_dir(language: &str) -> PathBuf {
    workspace().join("schemas/sdk").join(language)
}

/// A scenario script of `scenarios/`.
pub fn scenario(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file)
}

/// Finds a tool: the path in `$env_var`, else the first of `local` (relative to
/// the workspace, where `.ci/run` installs it) that exists, else `command` on
/// `PATH`. When none is found: a failure in CI (`$CI` set), where `.ci/run`
/// installs every tool; elsewhere `None`, and the caller reports the skip.
pub fn tool(env_var: &str, local: &[&str], command: &str) -> Option<PathBuf> {
    let found = std::env::var_os(env_var)
        .map(PathBuf::from)
        .or_else(|| {
            local
                .iter()
                .map(|p| workspace().join(p))
                .find(|p| p.exists())
        })
        .or_else(|| on_path(command));
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{command} is required in CI: .ci/run installs it (or set ${env_var})"
        );
        eprintln!("SKIPPED: {command} not found; set ${env_var} or run .ci/run once to install it");
    }
    found
}

fn on_path(command: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(command))
        .find(|p| p.is_file())
}

/// Runs a command to completion and fails the test, with its output, unless it succeeds.
pub async fn run_ok(what: &str, command: &mut Command) -> Output {
    let output = command
        .kill_on_drop(true)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Checks that a scenario's output reports every step, in order, and its end.
pub fn assert_steps(language: &str, stdout: &[u8]) {
    let text = String::from_utf8_lossy(stdout);
    let reported: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("ok ")).collect();
    assert_eq!(
        reported, STEPS,
        "{language} scenario steps differ; output:\n{text}"
    );
    assert!(
        text.lines().any(|l| l == "scenario passed"),
        "{language} scenario did not finish; output:\n{text}"
    );
}
