//! `conformance`: checks a deployed contacts endpoint against the contract.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use conformance::identity::{Identities, Role};
use conformance::report;
use conformance::run::{RunOptions, RunReport};
use contact_schema::{Contact, Resource};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Every MUST passed.
const EXIT_PASS: u8 = 0;
/// At least one MUST failed.
const EXIT_FAIL: u8 = 1;
/// Usage, connection or credential error: nothing was checked.
const EXIT_ERROR: u8 = 2;
/// Interrupted (SIGINT or SIGTERM); created contacts were cleaned up.
const EXIT_INTERRUPTED: u8 = 130;

/// Checks a contacts endpoint against the Contact HTTP contract.
#[derive(Parser)]
#[command(
    name = "conformance",
    version,
    after_help = "Exit codes: 0 every MUST passed, 1 a MUST failed, 2 usage, connection or credential error, 130 interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
}

#[derive(Subcommand)]
enum Command {
    /// Run the catalogue against an endpoint.
    Run(Box<RunArgs>),
    /// Print the catalogue.
    List {
        /// `human` (one line per check), `json`, or `markdown` (a table for docs).
        #[arg(long, default_value = "human", value_parser = ["human", "json", "markdown"])]
        format: String,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// The endpoint's base URL (scheme, host, port); the contract's paths are appended.
    #[arg(
        long,
        required_unless_present = "reference",
        conflicts_with = "reference"
    )]
    base_url: Option<String>,
    /// Start the reference server in-process (in-memory SQLite) and check it.
    #[arg(long)]
    reference: bool,
    /// The reference server's database (with --reference), e.g. postgres://…
    #[arg(long, requires = "reference", value_name = "URL")]
    reference_database_url: Option<String>,
    /// Start the reference server with one contract violation (builds with the `faults` feature).
    #[cfg(feature = "faults")]
    #[arg(long, requires = "reference", value_name = "FAULT")]
    reference_fault: Option<reference_server::fault::Fault>,
    /// The HS256 secret to mint the five identities (or CONFORMANCE_JWT_SECRET).
    #[arg(long, env = "CONFORMANCE_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// A pre-made token for a role: a1, a2, b, app-x, app-y (or CONFORMANCE_TOKEN_A1 …).
    #[arg(long = "token", value_name = "ROLE=TOKEN")]
    tokens: Vec<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    report_file: Option<PathBuf>,
    /// Run only these check ids or families (repeatable).
    #[arg(long)]
    only: Vec<String>,
    /// Skip these check ids or families (repeatable).
    #[arg(long)]
    skip: Vec<String>,
    /// Seconds before one request times out.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Checks run at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// SHOULD failures fail the run.
    #[arg(long)]
    strict: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(EXIT_PASS);
        }
        Err(e) => {
            let text = e.render().to_string();
            eprintln!(
                "{} (see `conformance --help`)",
                text.lines().next().unwrap_or("invalid usage")
            );
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match cli.command {
        Command::List { format } => {
            print!("{}", list(&format));
            ExitCode::from(EXIT_PASS)
        }
        Command::Run(args) => match run(*args).await {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(EXIT_ERROR)
            }
        },
    }
}

fn list(format: &str) -> String {
    let catalogue = conformance::checks::catalogue(&Contact::model());
    match format {
        "json" => {
            let v: Vec<serde_json::Value> = catalogue
                .iter()
                .map(|c| serde_json::json!({"id": c.id, "family": c.family, "level": c.level, "description": c.description}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        "markdown" => {
            let mut out = String::from("| id | level | checks that |\n|---|---|---|\n");
            for c in &catalogue {
                let level = if c.level == conformance::checks::Level::Must {
                    "MUST"
                } else {
                    "SHOULD"
                };
                out.push_str(&format!(
                    "| `{}` | {level} | {} |\n",
                    c.id,
                    c.description.replace('|', "\\|")
                ));
            }
            out
        }
        _ => catalogue
            .iter()
            .map(|c| format!("{:<45} {}\n", c.id, c.description))
            .collect(),
    }
}

fn tokens(args: &RunArgs) -> anyhow::Result<BTreeMap<Role, String>> {
    let mut out = BTreeMap::new();
    for role in Role::ALL {
        let var = format!(
            "CONFORMANCE_TOKEN_{}",
            role.name().to_uppercase().replace('-', "_")
        );
        if let Ok(t) = std::env::var(&var) {
            out.insert(role, t);
        }
    }
    for spec in &args.tokens {
        let (name, token) = spec.split_once('=').with_context(|| {
            format!(
                "--token expects ROLE=TOKEN, got `{}=…`",
                spec.split('=').next().unwrap_or("")
            )
        })?;
        let role = Role::parse(name).with_context(|| {
            format!("--token: unknown role `{name}` (roles: a1, a2, b, app-x, app-y)")
        })?;
        out.insert(role, token.to_owned());
    }
    Ok(out)
}

async fn run(args: RunArgs) -> anyhow::Result<u8> {
    let tokens = tokens(&args)?;
    let (secret, server) = if args.reference {
        let secret = args
            .jwt_secret
            .clone()
            .unwrap_or_else(|| format!("reference-{}", ulid::Ulid::generate()));
        let mut config = reference_server::Config::in_memory(&secret);
        if let Some(url) = &args.reference_database_url {
            config.database_url = url.clone();
        }
        #[cfg(feature = "faults")]
        {
            config.fault = args.reference_fault;
        }
        let server = reference_server::start(config)
            .await
            .context("starting the reference server")?;
        (Some(secret), Some(server))
    } else {
        (args.jwt_secret.clone(), None)
    };
    let base_url = match (&server, &args.base_url) {
        (Some(s), _) => s.base_url(),
        (None, Some(u)) => u.clone(),
        (None, None) => anyhow::bail!("give --base-url or --reference"),
    };
    if let Some(p) = &args.report_file
        && let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        anyhow::bail!(
            "--report-file {}: the directory {} does not exist",
            p.display(),
            dir.display()
        );
    }
    let ids = if tokens.is_empty() {
        Identities::mint(
            secret
                .as_deref()
                .context("give --jwt-secret (or tokens with --token ROLE=TOKEN)")?
                .as_bytes(),
        )?
    } else {
        Identities::from_tokens(&tokens, secret.as_deref().map(str::as_bytes))?
    };
    let ctx = conformance::context(
        Contact::model(),
        &base_url,
        ids,
        secret.as_deref(),
        Duration::from_secs(args.timeout),
    )?;
    let options = RunOptions {
        only: args.only.clone(),
        skip: args.skip.clone(),
        concurrency: args.concurrency,
        strict: args.strict,
        ..RunOptions::default()
    };
    let progress = report::human::Progress::new();
    let interrupted = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    };
    let run = conformance::run(ctx.clone(), &base_url, &options, &progress);
    tokio::pin!(run);
    let outcome = tokio::select! {
        r = &mut run => Some(r),
        _ = interrupted => None,
    };
    progress.finish();
    let report = match outcome {
        None => {
            // Let requests in flight finish, so whatever they create is recorded; then clean up.
            ctx.cancel();
            let grace = Duration::from_secs(args.timeout * 2 + 5);
            let _ = tokio::time::timeout(grace, &mut run).await;
            let n = ctx.cleanup().await;
            eprintln!("interrupted: soft-deleted {n} contacts created by this run");
            if let Some(s) = server {
                s.shutdown().await;
            }
            return Ok(EXIT_INTERRUPTED);
        }
        Some(r) => r?,
    };
    if let Some(s) = server {
        s.shutdown().await;
    }
    write_report(&args, &report)?;
    Ok(if report.passed() {
        EXIT_PASS
    } else {
        EXIT_FAIL
    })
}

fn write_report(args: &RunArgs, report: &RunReport) -> anyhow::Result<()> {
    let to_file = args.report_file.is_some();
    let text = match args.format {
        Format::Human => report::human::render(report, !to_file && std::io::stdout().is_terminal()),
        Format::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&report::json::render(report))?
        ),
        Format::Junit => report::junit::render(report)?,
    };
    match &args.report_file {
        Some(p) => {
            std::fs::write(p, text)
                .with_context(|| format!("writing --report-file {}", p.display()))?;
            // People still see the outcome.
            eprint!(
                "{}",
                report::human::render(report, std::io::stderr().is_terminal())
                    .lines()
                    .last()
                    .map(|l| format!("{l}\n"))
                    .unwrap_or_default()
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}
