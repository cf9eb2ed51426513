//! `conformance`: checks a deployed endpoint of an API, every resource of its
//! manifest, against the contract.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use conformance::checks::{Check, Level};
use conformance::identity::{Identities, Role};
use conformance::report;
use conformance::run::{Collector, RunOptions, RunReport};
use resource_model::{ValidApi, ValidModel};
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
/// Interrupted (SIGINT or SIGTERM); created items were cleaned up.
const EXIT_INTERRUPTED: u8 = 130;

/// Checks an API's endpoint, every resource of its manifest, against the HTTP contract.
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
    /// Print the CRM contract (docs/CONTRACT.md): each rule with the checks that test it, from the CRM API's manifest (its contacts and accounts).
    Contract {
        /// The CRM API's manifest.
        #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
        manifest: PathBuf,
    },
    /// Print the catalogue of each resource.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ListFormat,
        /// The API's manifest (`api.manifest.json`, as codegen writes it).
        #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
        manifest: PathBuf,
        /// Only these resources (singular, plural or table name; repeatable).
        #[arg(long = "resource", value_name = "NAME")]
        resources: Vec<String>,
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
    /// Start the reference server in-process (in-memory SQLite) on the
    /// manifest's tree (its folder's `migrations/`) and check it (needs the
    /// runner built with `--features reference`).
    #[arg(long)]
    reference: bool,
    /// The reference server's database (with --reference), e.g. postgres://…
    #[arg(long, requires = "reference", value_name = "URL")]
    reference_database_url: Option<String>,
    /// Start the reference server with one contract violation (builds with the `faults` feature).
    #[cfg(feature = "faults")]
    #[arg(long, requires = "reference", value_name = "FAULT")]
    reference_fault: Option<reference_server::fault::Fault>,
    /// The API's manifest (`api.manifest.json`, as codegen writes it; a single resource's works too).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_MANIFEST)]
    manifest: PathBuf,
    /// Only these resources (singular, plural or table name; repeatable); default: every one.
    #[arg(long = "resource", value_name = "NAME")]
    resources: Vec<String>,
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
        Command::List {
            format,
            manifest,
            resources,
        } => api(&manifest).and_then(|api| {
            let models = selected(&api, &resources)?;
            let catalogues: Vec<(&ValidModel, Vec<Check>)> = models
                .into_iter()
                .map(|m| (m, conformance::checks::catalogue(m)))
                .collect();
            print!("{}", list(&catalogues, format));
            Ok(EXIT_PASS)
        }),
        Command::Contract { manifest } => api(&manifest).and_then(|api| {
            let mut catalogues = Vec::new();
            for resource in ["contacts", "accounts"] {
                let Some(model) = api.resource(resource) else {
                    anyhow::bail!(
                        "--manifest {}: the contract document is the CRM API's and needs its `{resource}`; this API has {}",
                        manifest.display(),
                        api.resources()
                            .iter()
                            .map(|m| format!("`{}`", m.plural))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                };
                catalogues.push((resource, conformance::checks::catalogue(model)));
            }
            let refs: Vec<(&str, &[Check])> = catalogues
                .iter()
                .map(|(r, c)| (*r, c.as_slice()))
                .collect();
            print!("{}", conformance::contract::render(&refs));
            Ok(EXIT_PASS)
        }),
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

/// Where codegen writes the manifest, relative to the project.
const DEFAULT_MANIFEST: &str = "schemas/api.manifest.json";

/// The API of a manifest, validated.
fn api(manifest: &Path) -> anyhow::Result<ValidApi> {
    Ok(conformance::read_manifest(manifest)?)
}

/// The resources `names` select (every one when empty), in the API's order.
fn selected<'a>(api: &'a ValidApi, names: &[String]) -> anyhow::Result<Vec<&'a ValidModel>> {
    if names.is_empty() {
        return Ok(api.resources().iter().collect());
    }
    let mut chosen: Vec<&str> = Vec::new();
    for name in names {
        let Some(m) = api.resource(name) else {
            anyhow::bail!(
                "--resource `{name}`: the API has no such resource (it has {})",
                api.resources()
                    .iter()
                    .map(|m| format!("`{}`", m.plural))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        chosen.push(&m.name);
    }
    Ok(api
        .resources()
        .iter()
        .filter(|m| chosen.contains(&m.name.as_str()))
        .collect())
}

fn list(catalogues: &[(&ValidModel, Vec<Check>)], format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = catalogues
                .iter()
                .flat_map(|(m, catalogue)| {
                    catalogue.iter().map(|c| {
                        serde_json::json!({"resource": m.plural, "id": c.id, "family": c.family, "level": c.level, "description": c.description})
                    })
                })
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        ListFormat::Markdown => {
            let mut out = String::new();
            for (m, catalogue) in catalogues {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!(
                    "### {} (`{}`)\n\n| id | level | checks that |\n|---|---|---|\n",
                    m.name, m.path
                ));
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
            }
            out
        }
        ListFormat::Human => {
            let width = catalogues
                .iter()
                .flat_map(|(_, c)| c.iter().map(|c| c.id.len()))
                .max()
                .unwrap_or(0);
            let mut out = String::new();
            for (m, catalogue) in catalogues {
                out.push_str(&format!("{} ({}):\n", m.plural, m.path));
                for c in catalogue {
                    out.push_str(&format!("  {:<width$}  {}\n", c.id, c.description));
                }
            }
            out
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

/// The reference server, when `--reference` asks for it: the manifest's
/// API on the migrations beside it (the manifest's folder's `migrations/`).
#[cfg(feature = "reference")]
async fn reference(
    args: &RunArgs,
    api: &ValidApi,
) -> anyhow::Result<Option<(String, reference_server::Server)>> {
    if !args.reference {
        return Ok(None);
    }
    let secret = args
        .jwt_secret
        .clone()
        .unwrap_or_else(|| format!("reference-{}", ulid::Ulid::generate()));
    let schemas = args
        .manifest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let migrations =
        reference_server::migrations::Migrations::from_dir(schemas).with_context(|| {
            format!(
                "--reference: reading the migrations beside {}",
                args.manifest.display()
            )
        })?;
    let mut config = reference_server::Config::in_memory(api.clone(), migrations, &secret);
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
    Ok(Some((secret, server)))
}

async fn run(args: RunArgs) -> anyhow::Result<u8> {
    let api = api(&args.manifest)?;
    let models: Vec<ValidModel> = selected(&api, &args.resources)?
        .into_iter()
        .cloned()
        .collect();
    let options = RunOptions {
        only: args.only.clone(),
        skip: args.skip.clone(),
        concurrency: args.concurrency.into(),
        strict: args.strict,
        ..RunOptions::default()
    };
    let catalogues: Vec<Vec<Check>> = models
        .iter()
        .map(|m| conformance::checks::catalogue(m))
        .collect();
    for (flag, names) in [("--only", &args.only), ("--skip", &args.skip)] {
        let unknown: Vec<&String> = names
            .iter()
            .filter(|n| {
                !catalogues
                    .iter()
                    .flatten()
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
    let server = reference(&args, &api).await?;
    #[cfg(not(feature = "reference"))]
    let server: Option<(String, std::convert::Infallible)> = if args.reference {
        anyhow::bail!(
            "--reference: this runner was built without the reference server; build it with `--features reference` (cargo run -p conformance --features reference -- run --reference)"
        )
    } else {
        None
    };
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
    let mut ctxs = Vec::new();
    for model in &models {
        ctxs.push(conformance::context(
            model.model().clone(),
            &base_url,
            ids.clone(),
            secret.as_deref(),
            Duration::from_secs(args.timeout),
        )?);
    }
    let resources: Vec<String> = models.iter().map(|m| m.plural.clone()).collect();
    let all_checks: Vec<Check> = catalogues.iter().flatten().cloned().collect();
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
    let runs = async {
        let mut merged: Option<RunReport> = None;
        for ctx in &ctxs {
            let r = conformance::run(ctx.clone(), &base_url, &options, &collector).await?;
            merged = Some(match merged {
                None => r,
                Some(mut m) => {
                    m.checks.extend(r.checks);
                    m.cleaned_up += r.cleaned_up;
                    m
                }
            });
        }
        merged
            .map(|mut m| {
                m.started = started;
                m.duration = clock.elapsed();
                m
            })
            .ok_or_else(|| conformance::RunError::Config("no resource selected".into()))
    };
    tokio::pin!(runs);
    let outcome = tokio::select! {
        r = &mut runs => Some(r),
        _ = interrupted => None,
    };
    progress.finish();
    let report = match outcome {
        Some(r) => r,
        None => {
            // Let requests in flight finish, so whatever they create is recorded; then clean up.
            for ctx in &ctxs {
                ctx.cancel();
            }
            let grace = Duration::from_secs(args.timeout * 2 + 5);
            let _ = tokio::time::timeout(grace, &mut runs).await;
            let mut cleaned = 0;
            for ctx in &ctxs {
                ctx.cleanup().await;
                cleaned += ctx.cleaned_up();
            }
            eprintln!(
                "interrupted: soft-deleted {cleaned} items this run had created (and not deleted itself)"
            );
            Ok(RunReport {
                target: base_url.clone(),
                checks: collector.finished(&resources, &all_checks),
                duration: clock.elapsed(),
                started,
                cleaned_up: cleaned,
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
