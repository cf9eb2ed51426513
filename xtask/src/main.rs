//! `cargo xtask test`: the README's test command. It installs the pinned
//! tools the tests drive (PyPI packages into `.venv`, npm packages into
//! `consumers/node_modules`, SQL clients from Debian), starts PostgreSQL and
//! MariaDB when they are down, then runs `cargo test --workspace
//! --all-features` with `CI` set, so that no test skips for a missing tool.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The PyPI tools, pinned: the independent OpenAPI validator, the Python
/// SDK's type checker, and the artifacts' Python consumers.
const PYPI: &[&str] = &[
    "openapi-spec-validator==0.9.0",
    "mypy==1.19.1",
    "datamodel-code-generator==0.89.0",
    "pydantic==2.12.5",
    "schemathesis==4.32.5",
];

/// Commands the tests run, and the Debian package that has each.
const DEBIAN: &[(&str, &str)] = &[
    ("sqlite3", "sqlite3"),
    ("prlimit", "util-linux"),
    ("psql", "postgresql-client"),
    ("mariadb", "mariadb-client"),
    ("chromium", "chromium"),
];

const POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/mysql";

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The project's own tasks")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install the pinned tools, start the databases, run every test (arguments go to `cargo test`).
    Test {
        /// Passed to `cargo test` after `--workspace --all-features`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Only install the tools and start the databases.
    Setup,
    /// Regenerate the README's screenshots of the docs page (docs/img/),
    /// in Debian's Chromium at 1280 and 390 px.
    Screenshots,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

fn step(what: &str) {
    eprintln!("\n== xtask: {what} ==");
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn ok(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn on_path(name: &str) -> bool {
    ok(Command::new("sh").args(["-c", &format!("command -v {name}")]))
}

/// Runs `install` unless `stamp` already holds `pins` (what was installed last).
fn pinned(
    stamp: &Path,
    pins: &str,
    install: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if std::fs::read_to_string(stamp).is_ok_and(|s| s == pins) {
        return Ok(());
    }
    install()?;
    std::fs::write(stamp, pins).with_context(|| format!("writing {}", stamp.display()))
}

fn setup(root: &Path) -> anyhow::Result<()> {
    step("Debian packages the tests call");
    let missing: Vec<&str> = DEBIAN
        .iter()
        .filter(|(cmd, _)| !on_path(cmd))
        .map(|(_, pkg)| *pkg)
        .collect();
    if !missing.is_empty() {
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }

    step("PyPI tools in .venv");
    let venv = root.join(".venv");
    if !venv.join("bin/python").exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    pinned(&venv.join("xtask-pins.txt"), &PYPI.join("\n"), || {
        run(Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PYPI))
    })?;

    step("npm tools in consumers/node_modules");
    let consumers = root.join("consumers");
    let lock = std::fs::read_to_string(consumers.join("package-lock.json"))
        .context("consumers/package-lock.json")?;
    std::fs::create_dir_all(consumers.join("node_modules"))?;
    pinned(
        &consumers.join("node_modules/xtask-lock.json"),
        &lock,
        || {
            // `npm install` from the lock file: `npm ci` refuses a lock that
            // lacks other platforms' optional packages (squawk's), which npm
            // leaves out of it.
            run(Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
                .arg(&consumers))
        },
    )?;
    for (tool, arg) in [
        (venv.join("bin/openapi-spec-validator"), "--version"),
        (venv.join("bin/mypy"), "--version"),
        (venv.join("bin/st"), "--version"),
        (venv.join("bin/datamodel-codegen"), "--version"),
        (consumers.join("node_modules/.bin/tsc"), "--version"),
        (consumers.join("node_modules/.bin/squawk"), "--version"),
        (
            consumers.join("node_modules/.bin/openapi-typescript"),
            "--version",
        ),
        (consumers.join("node_modules/.bin/redocly"), "--version"),
        (consumers.join("node_modules/.bin/spectral"), "--version"),
    ] {
        let out = Command::new(&tool)
            .arg(arg)
            .output()
            .with_context(|| format!("{} is not installed", tool.display()))?;
        eprintln!(
            "{}: {}",
            tool.file_name().unwrap_or_default().to_string_lossy(),
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or("")
                .trim()
        );
    }

    for package in ["ajv", "ajv-formats"] {
        let manifest = consumers.join(format!("node_modules/{package}/package.json"));
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("{} is not installed", manifest.display()))?;
        let version = text
            .split("\"version\":")
            .nth(1)
            .and_then(|v| v.split('"').nth(1))
            .unwrap_or("?");
        eprintln!("{package}: {version}");
    }

    step("PostgreSQL and MariaDB on 127.0.0.1");
    let pg_up = || ok(Command::new("pg_isready").args(["-q", "-h", "127.0.0.1", "-p", "5432"]));
    let maria_up =
        || ok(Command::new("mariadb-admin").args(["--host=127.0.0.1", "--user=root", "ping"]));
    if !pg_up() {
        let version = std::fs::read_dir("/etc/postgresql")
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .context("PostgreSQL is down and not installed under /etc/postgresql")?;
        run(Command::new("pg_ctlcluster").args([
            "--skip-systemctl-redirect",
            &version,
            "main",
            "start",
        ]))?;
    }
    if !maria_up() {
        run(Command::new("start-stop-daemon").args([
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            "/usr/sbin/mariadbd",
        ]))?;
    }
    for _ in 0..60 {
        if pg_up() && maria_up() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    bail!(
        "PostgreSQL (127.0.0.1:5432: {}) or MariaDB (127.0.0.1:3306: {}) did not come up within 60 s",
        if pg_up() { "up" } else { "down" },
        if maria_up() { "up" } else { "down" }
    )
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let root = root();
    setup(&root)?;
    if let Task::Screenshots = cli.command {
        step("screenshots of schemas/docs/contacts.html into docs/img/");
        return run(Command::new("node")
            .current_dir(&root)
            .arg("consumers/screenshot.mjs")
            .arg("schemas/docs/contacts.html")
            .arg("docs/img"));
    }
    let Task::Test { args } = cli.command else {
        return Ok(());
    };
    step("cargo test --workspace --all-features (CI=1: a missing tool fails, nothing skips)");
    let venv = root.join(".venv/bin");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run(Command::new(cargo)
        .current_dir(&root)
        .args(["test", "--workspace", "--all-features"])
        .args(&args)
        .env("CI", "1")
        .env(
            "OPENAPI_SPEC_VALIDATOR",
            venv.join("openapi-spec-validator"),
        )
        .env("MYPY", venv.join("mypy"))
        .env("TSC", root.join("consumers/node_modules/.bin/tsc"))
        .env(
            "TEST_POSTGRES_URL",
            std::env::var("TEST_POSTGRES_URL").unwrap_or(POSTGRES_URL.into()),
        )
        .env(
            "TEST_MYSQL_URL",
            std::env::var("TEST_MYSQL_URL").unwrap_or(MYSQL_URL.into()),
        ))
}
