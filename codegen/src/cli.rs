//! The whole `codegen` command line, for any API: a user's binary is
//! `codegen::main!(my_api::api());` and gets `generate`, `list`, `migrate`
//! and `diff` for their own resources, in their own tree, with the files'
//! headers naming the command that regenerates them there.

use crate::diff::report::{self, Sources};
use crate::history::{self, Snapshot};
use crate::migrate::{self, MigrateError};
use crate::{Commands, Mode};
use anyhow::Context;
use clap::{Parser, Subcommand};
use resource_model::{ApiModel, ValidApi};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A complete `main` for a user's own codegen binary:
/// `codegen::main!(my_api::api());` where `api()` returns the
/// [`ApiModel`]. The generated files' headers name
/// `cargo run -p <this package> [--bin <this binary>] -- generate`.
#[macro_export]
macro_rules! main {
    ($api:expr) => {
        fn main() -> ::std::process::ExitCode {
            $crate::cli::main(
                $api,
                $crate::Commands::cargo_bin(env!("CARGO_PKG_NAME"), env!("CARGO_BIN_NAME")),
            )
        }
    };
}

/// Exit code: success, or the tree is up to date.
const EXIT_OK: u8 = 0;
/// Exit code: `--check` found stale, missing or orphaned files, a released
/// file changed or a model change without a migration; `diff`'s gate failed.
const EXIT_STALE: u8 = 1;
/// Exit code: bad command-line usage.
const EXIT_USAGE: u8 = 2;
/// Exit code: an I/O or rendering error.
const EXIT_ERROR: u8 = 3;

/// Generates JSON Schema, OpenAPI, SQL migrations, SDKs, docs and the manifest from an API's resource models, releases their changes as migrations, and says whom they break.
#[derive(Parser)]
#[command(
    name = "codegen",
    bin_name = "codegen",
    version,
    after_help = "Exit codes: 0 ok; 1 a stale tree under --check, an edited release, a model change without a migration, or diff's gate failing; 2 usage error or bad input; 3 I/O or rendering error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write every artifact under the output directory (or check it with --check).
    Generate {
        /// The output directory.
        #[arg(long, value_name = "DIR", default_value = "schemas")]
        out: PathBuf,
        /// Write nothing; print what is stale or orphaned, with a diff, and exit 1 if anything is.
        #[arg(long)]
        check: bool,
        /// Also delete files under the output directory that no emitter produces.
        #[arg(long, conflicts_with = "check")]
        prune: bool,
        /// Print only errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print the path of every artifact, one per line.
    List {
        /// The output directory whose history decides the migrations listed.
        #[arg(long, value_name = "DIR", default_value = "schemas")]
        out: PathBuf,
    },
    /// Release the model's changes since its last release as the next migration
    /// (every dialect) and snapshot; prints what may lose data or fail on existing rows.
    Migrate {
        /// The migration's slug, e.g. add_nickname.
        #[arg(long)]
        name: String,
        /// The schemas directory.
        #[arg(long, value_name = "DIR", default_value = "schemas")]
        schemas: PathBuf,
    },
    /// Compare the model with a base's and classify every change; exit 1 when
    /// a change is breaking and schema_version was not raised.
    Diff {
        /// A git ref (main, HEAD~1, a tag) or a directory holding a schemas tree.
        #[arg(long, required_unless_present = "rules")]
        base: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The schemas directory (in the working tree and in the base).
        #[arg(long, value_name = "DIR", default_value = "schemas")]
        schemas: PathBuf,
        /// Print the rule catalogue instead (text or markdown).
        #[arg(long)]
        rules: bool,
    },
}

/// How `diff` reports.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Aligned lines for people.
    Text,
    /// `{"changes": [...], "breaking": N, ...}`.
    Json,
    /// JUnit XML.
    Junit,
    /// GitHub workflow annotations.
    Github,
    /// Markdown (the rule catalogue only).
    Markdown,
}

/// Runs the command line over `api` (from `std::env::args`): parses it,
/// validates the API (an invalid one is a usage error naming every broken
/// rule, exit 2, nothing written), and runs the command. `cmds` are the
/// commands that regenerate and migrate the caller's tree.
pub fn main(api: ApiModel, cmds: Commands) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::from(EXIT_OK);
        }
        Err(e) => {
            eprintln!(
                "{} (see `codegen --help`)",
                one_line(&e.render().to_string())
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let api = match ValidApi::new(api) {
        Ok(api) => api,
        Err(errors) => {
            for e in errors {
                eprintln!("error: invalid API: {e}");
            }
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match run(cli, &api, &cmds) {
        Ok(code) => ExitCode::from(code),
        Err(e) => match e.downcast_ref::<Usage>() {
            Some(_) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_USAGE)
            }
            None => {
                eprintln!("error: {e:#}");
                ExitCode::from(EXIT_ERROR)
            }
        },
    }
}

/// A clap message on one line: what is wrong and the tip, without the usage block.
fn one_line(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bad input to a command (exit 2): its message names the flag or file.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Usage(String);

fn run(cli: Cli, api: &ValidApi, cmds: &Commands) -> anyhow::Result<u8> {
    match cli.command {
        Command::Migrate { name, schemas } => migrate(api, &name, &schemas, cmds),
        Command::Diff {
            base,
            format,
            schemas,
            rules,
        } => {
            if rules {
                return print_rules(format);
            }
            let Some(base) = base else {
                return Err(Usage("give --base (a git ref or a directory)".into()).into());
            };
            diff(api, &base, &schemas, format)
        }
        Command::List { out } => {
            let mut stdout = std::io::stdout().lock();
            for a in crate::ensure::planned(&out, api, cmds)?.artifacts {
                writeln!(stdout, "{}", a.path.display())?;
            }
            Ok(EXIT_OK)
        }
        Command::Generate {
            out,
            check,
            prune,
            quiet,
        } => {
            let mode = if check { Mode::Check } else { Mode::Write };
            let report = crate::generate(&out, api, cmds, mode, prune)
                .with_context(|| format!("generating into {}", out.display()))?;
            let mut stdout = std::io::stdout().lock();
            for s in &report.stale {
                writeln!(stdout, "{}", s.diff)?;
            }
            if !quiet {
                for p in &report.written {
                    writeln!(stdout, "wrote {}", out.join(p).display())?;
                }
            }
            for p in &report.pruned {
                eprintln!("removed orphan {}", out.join(p).display());
            }
            let left: Vec<_> = report
                .orphaned
                .iter()
                .filter(|p| !report.pruned.contains(p))
                .collect();
            for r in &report.released {
                eprintln!(
                    "error: {} was {}; released files are never rewritten: restore it (git checkout -- {0}) and make a new migration instead",
                    out.join(&r.path).display(),
                    r.problem
                );
            }
            // The fix for a model change is a migration (which also
            // regenerates the rest), so that line comes last.
            let unmigrated = |stale: usize| {
                for u in &report.unmigrated {
                    eprintln!(
                        "error: the {} model differs from its last release, {}; run `{}`{}",
                        u.resource,
                        u.last,
                        cmds.migrate,
                        if stale > 0 {
                            format!(", which also regenerates the {stale} stale files")
                        } else {
                            String::new()
                        }
                    );
                }
            };
            let history_broken = !report.released.is_empty() || !report.unmigrated.is_empty();
            if history_broken && !check {
                unmigrated(0);
                return Ok(EXIT_STALE);
            }
            for p in &left {
                eprintln!(
                    "orphaned: {} (no emitter produces it; delete it or run generate --prune)",
                    out.join(p).display()
                );
            }
            if check {
                for s in &report.stale {
                    let what = if s.missing { "missing" } else { "stale" };
                    eprintln!("{what}: {}", out.join(&s.path).display());
                }
                if !report.unmigrated.is_empty() {
                    unmigrated(report.stale.len());
                    return Ok(EXIT_STALE);
                }
                if history_broken && report.stale.is_empty() && left.is_empty() {
                    return Ok(EXIT_STALE);
                }
                if !report.is_clean() {
                    eprintln!(
                        "error: {} is out of date: {} stale or missing, {} orphaned; run `{}`",
                        out.display(),
                        report.stale.len(),
                        left.len(),
                        cmds.generate
                    );
                    return Ok(EXIT_STALE);
                }
                if !quiet {
                    writeln!(
                        stdout,
                        "{} is up to date ({} artifacts)",
                        out.display(),
                        report.unchanged.len()
                    )?;
                }
            } else if !quiet {
                writeln!(
                    stdout,
                    "{} artifacts in {}: {} written, {} unchanged",
                    report.written.len() + report.unchanged.len(),
                    out.display(),
                    report.written.len(),
                    report.unchanged.len()
                )?;
            }
            Ok(EXIT_OK)
        }
    }
}

fn print_rules(format: Format) -> anyhow::Result<u8> {
    match format {
        Format::Markdown => print!("{}", crate::diff::rules::markdown()),
        Format::Text => {
            for r in crate::diff::rules::RULES {
                println!("{:<24} {}", r.id, r.summary);
            }
        }
        _ => {
            return Err(Usage(
                "--rules prints the catalogue as text or markdown; --format json, junit and github are for a diff".into(),
            )
            .into());
        }
    }
    Ok(EXIT_OK)
}

fn migrate(api: &ValidApi, name: &str, schemas: &Path, cmds: &Commands) -> anyhow::Result<u8> {
    let plans = match migrate::plan(schemas, api, name, cmds) {
        Ok(plans) => plans,
        Err(
            e @ (MigrateError::BadName(_)
            | MigrateError::UnknownRename { .. }
            | MigrateError::Unsupported(_)),
        ) => {
            return Err(Usage(e.to_string()).into());
        }
        Err(MigrateError::Tampered { path, problem }) => {
            eprintln!(
                "error: {path} was {problem}; released files are never rewritten: restore it before making a new migration"
            );
            return Ok(EXIT_STALE);
        }
        Err(e) => return Err(e.into()),
    };
    if plans.is_empty() {
        let mut lasts = Vec::new();
        for model in api.resources() {
            let last = history::load(schemas, model)?
                .last()
                .map(Snapshot::stem)
                .unwrap_or_default();
            lasts.push(format!("{} {last}", model.name));
        }
        println!(
            "nothing to migrate: every model equals its last release ({})",
            lasts.join(", ")
        );
        return Ok(EXIT_OK);
    }
    for plan in &plans {
        crate::ensure::ensure(schemas, &plan.files, Mode::Write, false)
            .with_context(|| format!("writing into {}", schemas.display()))?;
        for f in &plan.files {
            println!("wrote {}", schemas.join(&f.path).display());
        }
        print!("{}", report::text(&plan.diff, "its last release"));
        for w in migrate::warnings(plan) {
            eprintln!("{w}");
        }
    }
    // The rest of the tree follows the models too.
    let report = crate::generate(schemas, api, cmds, Mode::Write, false)
        .with_context(|| format!("generating into {}", schemas.display()))?;
    println!(
        "{} artifacts regenerated in {}",
        report.written.len(),
        schemas.display()
    );
    Ok(EXIT_OK)
}

fn diff(api: &ValidApi, base: &str, schemas: &Path, format: Format) -> anyhow::Result<u8> {
    if format == Format::Markdown {
        return Err(Usage(
            "--format markdown is for --rules; a diff prints text, json, junit or github".into(),
        )
        .into());
    }
    let names: Vec<&str> = api.resources().iter().map(|m| m.name.as_str()).collect();
    let bases = crate::base::load_api(base, schemas, &names).map_err(|e| Usage(e.to_string()))?;
    let mut judged: Vec<report::Judged> = Vec::new();
    for model in api.resources() {
        let current = Snapshot::of(model, 0, "current");
        match bases.iter().find(|b| b.snapshot.model.name == model.name) {
            Some(b) => judged.push((crate::diff::diff(&b.snapshot, &current), b.label.clone())),
            None => judged.push((crate::diff::resource_added(model), base.to_owned())),
        }
    }
    for b in &bases {
        if api
            .resources()
            .iter()
            .all(|m| m.name != b.snapshot.model.name)
        {
            judged.push((
                crate::diff::resource_removed(&b.snapshot.model),
                b.label.clone(),
            ));
        }
    }
    let sources = |resource: &str| -> Sources {
        api.sources(resource)
            .iter()
            .map(|(f, file, line)| (f.clone(), (file.clone(), *line)))
            .collect()
    };
    match format {
        Format::Text => print!("{}", report::text_all(&judged)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::json_all(&judged, sources))?
        ),
        Format::Junit => print!("{}", report::junit_all(&judged)?),
        Format::Github => print!("{}", report::github_all(&judged, sources)),
        Format::Markdown => return Err(Usage("--format markdown is for --rules".into()).into()),
    }
    Ok(if report::gate_fails(&judged) {
        EXIT_STALE
    } else {
        EXIT_OK
    })
}
