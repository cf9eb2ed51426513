//! `conformance`: checks a deployed contacts endpoint against the contract.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use conformance::checks::{Check, Level};
use conformance::identity::{Identities, Role};
use conformance::report;
use conformance::run::{Collector, RunOptions, RunReport};
use contact_schema::{Contact, Resource, ResourceModel};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

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
    after_help = "Exit codes: 0 every MUST passed, 1 a MUST failed, 2 usage, connection or credential error (nothing was checked), 130 interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A summary by family, in colour on a terminal.
    Human,
    /// The report as data (request, response, expected, actual per failure).
    Json,
    /// JUnit XML, a suite per family.
    Junit,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    /// One line per check.
    Human,
    /// An array of {id, family, level, description}.
    Json,
    /// A table for docs.
    Markdown,
}

#[derive(Subcommand)]
enum Command {
    /// Run the catalogue against an endpoint.
    Run(Box<RunArgs>),
    /// Print the project's contract (docs/CONTRACT.md): each rule with the checks that test it.
    Contract,
    /// Print the catalogue.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ListFormat,
        /// The resource's manifest (`schemas/<name>.manifest.json`); default: the Contact.
        #[arg(long, value_name = "FILE")]
        manifest: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// The endpoint's base URL (scheme, host, port); the contract's paths are appended.
    #[cfg_attr(
        feature = "reference",
        arg(
            long,
            required_unless_present = "reference",
            conflicts_with = "reference"
        )
    )]
    #[cfg_attr(not(feature = "reference"), arg(long, required = true))]
    base_url: Option<String>,
    /// Start the reference server in-process (in-memory SQLite) and check it.
    #[cfg(feature = "reference")]
    #[arg(long)]
    reference: bool,
    /// The reference server's database (with --reference), e.g. postgres://…
    #[cfg(feature = "reference")]
    #[arg(long, requires = "reference", value_name = "URL")]
    reference_database_url: Option<String>,
    /// Start the reference server with one contract violation (builds with the `faults` feature).
    #[cfg(feature = "faults")]
    #[arg(long, requires = "reference", value_name = "FAULT")]
    reference_fault: Option<reference_server::fault::Fault>,
    /// The resource's manifest (`schemas/<name>.manifest.json`), for a resource other than the Contact.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
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
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
    /// Checks run at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// SHOULD failures fail the run.
    #[arg(long)]
    strict: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap's whole message: what is wrong, the usage, and its tips.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_PASS
            });
        }
    };
    let result = match cli.command {
        Command::List { format, manifest } => model(manifest.as_deref()).map(|m| {
            print!("{}", list(&conformance::checks::catalogue(&m), format));
            EXIT_PASS
        }),
        Command::Contract => {
            print!(
                "{}",
                conformance::contract::render(&conformance::checks::catalogue(&Contact::model()))
            );
            Ok(EXIT_PASS)
        }
        Command::Run(args) => run(*args).await,
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// The model to check: the manifest's, else the Contact.
fn model(manifest: Option<&Path>) -> anyhow::Result<ResourceModel> {
    let Some(path) = manifest else {
        return Ok(Contact::model());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--manifest {}: cannot read it", path.display()))?;
    let model: ResourceModel = serde_json::from_str(&text).with_context(|| {
        format!(
            "--manifest {}: not a resource manifest (as `codegen generate` writes)",
            path.display()
        )
    })?;
    model.validate().map_err(|errs| {
        anyhow::anyhow!(
            "--manifest {}: {}",
            path.display(),
            errs.into_iter().map(|e| e.0).collect::<Vec<_>>().join("; ")
        )
    })?;
    Ok(model)
}

fn list(catalogue: &[Check], format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = catalogue
                .iter()
                .map(|c| serde_json::json!({"id": c.id, "family": c.family, "level": c.level, "description": c.description}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        ListFormat::Markdown => {
            let mut out = String::from("| id | level | checks that |\n|---|---|---|\n");
            for c in catalogue {
                let level = if c.level == Level::Must {
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
        ListFormat::Human => {
            let width = catalogue.iter().map(|c| c.id.len()).max().unwrap_or(0);
            catalogue
                .iter()
                .map(|c| format!("{:<width$}  {}\n", c.id, c.description))
                .collect()
        }
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

/// The reference server, when `--reference` asks for it.
#[cfg(feature = "reference")]
async fn reference(
    args: &RunArgs,
    model: &ResourceModel,
) -> anyhow::Result<Option<(String, reference_server::Server)>> {
    if !args.reference {
        return Ok(None);
    }
    let secret = args
        .jwt_secret
        .clone()
        .unwrap_or_else(|| format!("reference-{}", ulid::Ulid::generate()));
    let mut config = reference_server::Config::in_memory(&secret);
    if let Some(url) = &args.reference_database_url {
        config.database_url = url.clone();
    }
    if args.manifest.is_some() {
        // Another resource: its first migration, rendered by codegen.
        let dialect = if config.database_url.starts_with("postgres") {
            codegen::emit::sql::Dialect::Postgres
        } else {
            codegen::emit::sql::Dialect::Sqlite
        };
        let sql = codegen::emit::sql::create(model, dialect)
            .context("rendering the manifest's migration")?;
        config.model = Some(model.clone());
        config.migrations = Some(vec![reference_server::migrations::MigrationFile {
            version: 1,
            description: format!("create {}", model.table).into(),
            sql: sql.into(),
        }]);
    }
    #[cfg(feature = "faults")]
    {
        config.fault = args.reference_fault;
    }
    let server = reference_server::start(config)
        .await
        .context("starting the reference server")?;
    Ok(Some((secret, server)))
}

async fn run(args: RunArgs) -> anyhow::Result<u8> {
    let model = model(args.manifest.as_deref())?;
    let options = RunOptions {
        only: args.only.clone(),
        skip: args.skip.clone(),
        concurrency: args.concurrency.into(),
        strict: args.strict,
        ..RunOptions::default()
    };
    let catalogue = conformance::checks::catalogue(&model);
    for (flag, names) in [("--only", &args.only), ("--skip", &args.skip)] {
        let unknown: Vec<&String> = names
            .iter()
            .filter(|n| {
                !catalogue
                    .iter()
                    .any(|c| &c.id == *n || c.family.name() == *n)
            })
            .collect();
        if !unknown.is_empty() {
            anyhow::bail!(
                "{flag}: no check id or family is named {} (see `conformance list`)",
                unknown
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
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
    let tokens = tokens(&args)?;
    #[cfg(feature = "reference")]
    let server = reference(&args, &model).await?;
    #[cfg(not(feature = "reference"))]
    let server: Option<(String, std::convert::Infallible)> = None;
    let (secret, base_url) = match (&server, &args.base_url) {
        #[cfg(feature = "reference")]
        (Some((secret, s)), _) => (Some(secret.clone()), s.base_url()),
        (None, Some(u)) => (args.jwt_secret.clone(), u.clone()),
        _ => anyhow::bail!("give --base-url (or --reference)"),
    };
    if let Some(s) = secret.as_deref().filter(|s| s.len() < 32) {
        eprintln!(
            "warning: the JWT secret is {} bytes (RFC 7518 asks for at least 32 for HS256); reports mask every occurrence of it, however short",
            s.len()
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
        model,
        &base_url,
        ids,
        secret.as_deref(),
        Duration::from_secs(args.timeout),
    )?;
    let progress = report::human::Progress::new();
    let collector = Collector::new(&progress);
    let interrupted = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    };
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let run = conformance::run(ctx.clone(), &base_url, &options, &collector);
    tokio::pin!(run);
    let outcome = tokio::select! {
        r = &mut run => Some(r),
        _ = interrupted => None,
    };
    progress.finish();
    let report = match outcome {
        Some(r) => r,
        None => {
            // Let requests in flight finish, so whatever they create is recorded; then clean up.
            ctx.cancel();
            let grace = Duration::from_secs(args.timeout * 2 + 5);
            let _ = tokio::time::timeout(grace, &mut run).await;
            ctx.cleanup().await;
            eprintln!(
                "interrupted: soft-deleted {} contacts this run had created (and not deleted itself)",
                ctx.cleaned_up()
            );
            Ok(RunReport {
                target: base_url.clone(),
                checks: collector.finished(&catalogue),
                duration: clock.elapsed(),
                started,
                cleaned_up: ctx.cleaned_up(),
                interrupted: true,
            })
        }
    };
    #[cfg(feature = "reference")]
    if let Some((_, s)) = server {
        s.shutdown().await;
    }
    let report = report?;
    write_report(&args, &report)?;
    Ok(if report.interrupted {
        EXIT_INTERRUPTED
    } else if report.passed() {
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
        Format::Github => report::github::render(report),
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
