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
/// Every MUST passed, but items the run created could not be cleaned up
/// (the report lists them): they are still live on the endpoint.
const EXIT_LEFT_BEHIND: u8 = 3;
/// Interrupted (SIGINT or SIGTERM); created items were cleaned up.
const EXIT_INTERRUPTED: u8 = 130;

/// Checks an API's endpoint, every resource of its manifest, against the HTTP contract.
#[derive(Parser)]
#[command(
    name = "conformance",
    version,
    after_help = "Exit codes: 0 every MUST passed, 1 a MUST failed (or the endpoint stopped answering), 2 usage, connection or credential error (nothing was checked), 3 every MUST passed but items the run created could not be cleaned up (listed in the report), 130 interrupted."
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
    /// Explore: seeded random sequences of operations by several callers, each
    /// answer compared with what the model predicts; a disagreement is shrunk
    /// to its shortest sequence and written as a replay file (needs --jwt-secret).
    Explore(Box<ExploreArgs>),
    /// Replay a sequence `explore` wrote, against an endpoint, step by step.
    Replay(Box<ReplayArgs>),
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

/// Which endpoint, which API, and how to reach it: what `run`, `explore`
/// and `replay` share.
#[derive(clap::Args)]
struct TargetArgs {
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
    /// Seconds before one request times out.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
}

#[derive(clap::Args)]
struct ExploreArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The seed of the random sequences (default: a random one, printed).
    #[arg(long)]
    seed: Option<u64>,
    /// Seconds to explore each resource for, at most (shrinking a find comes after).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    budget: u64,
    /// Steps per sequence.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=100))]
    length: u16,
    /// Write the shrunk sequence here, for `conformance replay`.
    #[arg(long, value_name = "FILE")]
    replay_file: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ReplayArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// The file `explore --replay-file` wrote.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(clap::Args)]
struct RunArgs {
    #[command(flatten)]
    target: TargetArgs,
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
        Command::Explore(args) => explore(*args).await,
        Command::Replay(args) => replay(*args).await,
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
                        serde_json::json!({"resource": m.plural, "id": c.id, "family": c.family, "level": c.level, "description": c.description, "not_applicable": c.not_applicable})
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
                    let description = match &c.not_applicable {
                        Some(why) => format!("*not applicable: {why}*"),
                        None => c.description.clone(),
                    };
                    out.push_str(&format!(
                        "| `{}` | {level} | {} |\n",
                        c.id,
                        description.replace('|', "\\|")
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
                    match &c.not_applicable {
                        Some(why) => {
                            out.push_str(&format!("  {:<width$}  not applicable: {why}\n", c.id))
                        }
                        None => out.push_str(&format!("  {:<width$}  {}\n", c.id, c.description)),
                    }
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
    args: &TargetArgs,
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

/// The endpoint a command talks to: the in-process reference server
/// (`--reference`) or `--base-url`, and the signing secret.
struct Endpoint {
    base_url: String,
    secret: Option<String>,
    #[cfg(feature = "reference")]
    server: Option<reference_server::Server>,
}

impl Endpoint {
    async fn shutdown(self) {
        #[cfg(feature = "reference")]
        if let Some(s) = self.server {
            s.shutdown().await;
        }
    }
}

async fn endpoint(target: &TargetArgs, api: &ValidApi) -> anyhow::Result<Endpoint> {
    #[cfg(feature = "reference")]
    let server = reference(target, api).await?;
    #[cfg(not(feature = "reference"))]
    let server: Option<(String, std::convert::Infallible)> = if target.reference {
        let _ = api;
        anyhow::bail!(
            "--reference: this runner was built without the reference server; build it with `--features reference` (cargo run -p conformance --features reference -- run --reference)"
        )
    } else {
        None
    };
    let endpoint = match (server, &target.base_url) {
        #[cfg(feature = "reference")]
        (Some((secret, s)), _) => Endpoint {
            base_url: s.base_url(),
            secret: Some(secret),
            server: Some(s),
        },
        (None, Some(u)) => Endpoint {
            base_url: u.clone(),
            secret: target.jwt_secret.clone(),
            #[cfg(feature = "reference")]
            server: None,
        },
        _ => anyhow::bail!("give --base-url (or --reference)"),
    };
    if let Some(s) = endpoint.secret.as_deref().filter(|s| s.len() < 32) {
        eprintln!(
            "warning: the JWT secret is {} bytes (RFC 7518 asks for at least 32 for HS256); reports mask every occurrence of it, however short",
            s.len()
        );
    }
    Ok(endpoint)
}

/// A context for `model` at `endpoint`, with minted identities (exploration
/// needs tenants of its own for every sequence).
fn minted_context(
    model: &ValidModel,
    endpoint: &Endpoint,
    timeout: u64,
    what: &str,
) -> anyhow::Result<std::sync::Arc<conformance::context::Ctx>> {
    let secret = endpoint.secret.as_deref().with_context(|| {
        format!(
            "{what} needs --jwt-secret (or --reference): each sequence runs in tenants of its own"
        )
    })?;
    Ok(conformance::context(
        model.model().clone(),
        &endpoint.base_url,
        Identities::mint(secret.as_bytes())?,
        Some(secret),
        Duration::from_secs(timeout),
    )?)
}

async fn explore(args: ExploreArgs) -> anyhow::Result<u8> {
    let api = api(&args.target.manifest)?;
    let models: Vec<ValidModel> = selected(&api, &args.target.resources)?
        .into_iter()
        .cloned()
        .collect();
    if let Some(p) = &args.replay_file
        && let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        anyhow::bail!(
            "--replay-file {}: the directory {} does not exist",
            p.display(),
            dir.display()
        );
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let endpoint = endpoint(&args.target, &api).await?;
    let mut found = None;
    for model in &models {
        let ctx = minted_context(model, &endpoint, args.target.timeout, "explore")?;
        conformance::preflight(&ctx, &endpoint.base_url).await?;
        let r = conformance::explore::explore(
            &ctx,
            seed,
            Duration::from_secs(args.budget),
            args.length.into(),
        )
        .await
        .map_err(|f| anyhow::anyhow!(f.message))?;
        ctx.cleanup().await;
        eprintln!(
            "{}: {} sequences of {} steps, {} requests, seed {seed}{}",
            model.plural,
            r.sequences,
            args.length,
            r.requests,
            if r.found.is_some() {
                format!(": a disagreement after {:.1} s", r.elapsed.as_secs_f64())
            } else {
                ": no disagreement".to_owned()
            }
        );
        if let Some(f) = r.found {
            found = Some(f);
            break;
        }
    }
    endpoint.shutdown().await;
    let Some(found) = found else {
        return Ok(EXIT_PASS);
    };
    print!("{}", conformance::explore::render(&found));
    if let Some(p) = &args.replay_file {
        std::fs::write(p, serde_json::to_string_pretty(&found)? + "\n")
            .with_context(|| format!("writing --replay-file {}", p.display()))?;
        println!(
            "replay it: conformance replay {} --base-url … --jwt-secret …",
            p.display()
        );
    }
    Ok(EXIT_FAIL)
}

async fn replay(args: ReplayArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let r: conformance::explore::Replay = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a replay file", args.file.display()))?;
    let api = api(&args.target.manifest)?;
    let model = selected(&api, std::slice::from_ref(&r.resource))
        .with_context(|| format!("{}: its resource", args.file.display()))?[0]
        .clone();
    let endpoint = endpoint(&args.target, &api).await?;
    let ctx = minted_context(&model, &endpoint, args.target.timeout, "replay")?;
    let outcome = conformance::explore::replay(&ctx, &r.steps)
        .await
        .map_err(|f| anyhow::anyhow!(f.message));
    ctx.cleanup().await;
    endpoint.shutdown().await;
    let (mismatch, _) = outcome?;
    for (i, s) in r.steps.iter().enumerate() {
        println!("  {i}. {}", conformance::explore::describe(s));
    }
    match mismatch {
        Some(m) => {
            println!(
                "step {}: {}\n  expected: {}\n  actual:   {}",
                m.step, m.what, m.expected, m.actual
            );
            Ok(EXIT_FAIL)
        }
        None => {
            println!("the endpoint now answers every step as the model predicts");
            Ok(EXIT_PASS)
        }
    }
}

async fn run(args: RunArgs) -> anyhow::Result<u8> {
    let api = api(&args.target.manifest)?;
    let models: Vec<ValidModel> = selected(&api, &args.target.resources)?
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
    // `--only` naming checks none of which applies to any selected resource.
    for name in &args.only {
        let named: Vec<(&ValidModel, &Check)> = models
            .iter()
            .zip(&catalogues)
            .flat_map(|(m, cs)| cs.iter().map(move |c| (m, c)))
            .filter(|(_, c)| &c.id == name || c.family.name() == name)
            .collect();
        if named.iter().all(|(_, c)| c.not_applicable.is_some()) {
            let mut why: Vec<String> = named
                .iter()
                .map(|(m, c)| {
                    format!(
                        "{}: {}",
                        m.plural,
                        c.not_applicable.as_deref().unwrap_or("")
                    )
                })
                .collect();
            why.dedup();
            anyhow::bail!(
                "--only `{name}`: it does not apply to the selected resources ({})",
                why.join("; ")
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
    let endpoint = endpoint(&args.target, &api).await?;
    let (secret, base_url) = (endpoint.secret.clone(), endpoint.base_url.clone());
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
            Duration::from_secs(args.target.timeout),
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
                    m.left_behind.extend(r.left_behind);
                    m.lost_endpoint = m.lost_endpoint.or(r.lost_endpoint);
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
            let grace = Duration::from_secs(args.target.timeout * 2 + 5);
            let _ = tokio::time::timeout(grace, &mut runs).await;
            let mut cleaned = 0;
            let mut left_behind = Vec::new();
            for ctx in &ctxs {
                ctx.cleanup().await;
                cleaned += ctx.cleaned_up();
                left_behind.extend(
                    ctx.left_behind()
                        .into_iter()
                        .map(|id| format!("{}/{id}", ctx.model.plural)),
                );
            }
            eprintln!(
                "interrupted: soft-deleted {cleaned} items this run had created (and not deleted itself){}",
                if left_behind.is_empty() {
                    String::new()
                } else {
                    format!("; {} could not be deleted", left_behind.len())
                }
            );
            Ok(RunReport {
                target: base_url.clone(),
                checks: collector.finished(&resources, &all_checks),
                duration: clock.elapsed(),
                started,
                cleaned_up: cleaned,
                left_behind,
                lost_endpoint: None,
                interrupted: true,
            })
        }
    };
    endpoint.shutdown().await;
    let report = report?;
    write_report(&args, &report)?;
    Ok(if report.interrupted {
        EXIT_INTERRUPTED
    } else if !report.passed() {
        EXIT_FAIL
    } else if !report.left_behind.is_empty() {
        EXIT_LEFT_BEHIND
    } else {
        EXIT_PASS
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
