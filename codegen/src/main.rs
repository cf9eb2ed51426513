//! The `codegen` command: renders the Contact model's artifacts into
//! `schemas/`, releases model changes as migrations, and judges them.

use anyhow::Context;
use clap::{Parser, Subcommand};
use codegen::diff::report::{self, Sources};
use codegen::history::{self, Snapshot};
use codegen::migrate::{self, MigrateError};
use codegen::{MIGRATE, Mode, REGENERATE};
use contact_schema::{Contact, Resource, ResourceModel};
use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code: success, or the tree is up to date.
const EXIT_OK: u8 = 0;
/// Exit code: `--check` found stale, missing or orphaned files, a released
/// file changed or a model change without a migration; `diff`'s gate failed.
const EXIT_STALE: u8 = 1;
/// Exit code: bad command-line usage.
const EXIT_USAGE: u8 = 2;
/// Exit code: an I/O or rendering error.
const EXIT_ERROR: u8 = 3;

/// Generates JSON Schema, OpenAPI, SQL migrations, SDKs, docs and the model manifest from the Contact resource model, releases its changes as migrations, and says whom they break.
#[derive(Parser)]
#[command(
    name = "codegen",
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
    List,
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

fn main() -> ExitCode {
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
    match run(cli) {
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

fn run(cli: Cli) -> anyhow::Result<u8> {
    let models = [Contact::model()];
    match cli.command {
        Command::Migrate { name, schemas } => migrate(&models[0], &name, &schemas),
        Command::Diff {
            base,
            format,
            schemas,
            rules,
        } => {
            if rules {
                return print_rules(format);
            }
            let base = base.expect("clap requires --base without --rules");
            let sources = Contact::field_sources()
                .into_iter()
                .map(|(f, file, line)| (f.to_owned(), (file.to_owned(), line)))
                .collect();
            diff(&models[0], &base, &schemas, format, &sources)
        }
        Command::List => {
            let mut out = std::io::stdout().lock();
            for a in codegen::ensure::planned(Path::new("schemas"), &models)?.artifacts {
                writeln!(out, "{}", a.path.display())?;
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
            let report = codegen::generate(&out, &models, mode, prune)
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
                        "error: the {} model differs from its last release, {}; run `{MIGRATE}`{}",
                        u.resource,
                        u.last,
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
                        "error: {} is out of date: {} stale or missing, {} orphaned; run `{REGENERATE}`",
                        out.display(),
                        report.stale.len(),
                        left.len()
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
        Format::Markdown => print!("{}", codegen::diff::rules::markdown()),
        Format::Text => {
            for r in codegen::diff::rules::RULES {
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

fn migrate(model: &ResourceModel, name: &str, schemas: &Path) -> anyhow::Result<u8> {
    let plan = match migrate::plan(schemas, model, name) {
        Ok(Some(plan)) => plan,
        Ok(None) => {
            let last = history::load(schemas, model)?
                .last()
                .map(Snapshot::stem)
                .unwrap_or_default();
            println!(
                "nothing to migrate: the {} model equals its last release, {last}",
                model.name
            );
            return Ok(EXIT_OK);
        }
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
    codegen::ensure::ensure(schemas, &plan.files, Mode::Write, false)
        .with_context(|| format!("writing into {}", schemas.display()))?;
    for f in &plan.files {
        println!("wrote {}", schemas.join(&f.path).display());
    }
    print!("{}", report::text(&plan.diff, "its last release"));
    for w in migrate::warnings(&plan) {
        eprintln!("{w}");
    }
    // The rest of the tree follows the model too.
    let report = codegen::generate(schemas, std::slice::from_ref(model), Mode::Write, false)
        .with_context(|| format!("generating into {}", schemas.display()))?;
    println!(
        "{} artifacts regenerated in {}",
        report.written.len(),
        schemas.display()
    );
    Ok(EXIT_OK)
}

fn diff(
    model: &ResourceModel,
    base: &str,
    schemas: &Path,
    format: Format,
    sources: &Sources,
) -> anyhow::Result<u8> {
    if format == Format::Markdown {
        return Err(Usage(
            "--format markdown is for --rules; a diff prints text, json, junit or github".into(),
        )
        .into());
    }
    let base_state = codegen::base::load(base, schemas, model).map_err(|e| Usage(e.to_string()))?;
    let current = Snapshot::of(model, 0, "current");
    let d = codegen::diff::diff(&base_state.snapshot, &current);
    let label = base_state.label;
    match format {
        Format::Text => print!("{}", report::text(&d, &label)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report::json(&d, &label, sources))?
        ),
        Format::Junit => print!("{}", report::junit(&d, &label)?),
        Format::Github => print!("{}", report::github(&d, sources)),
        Format::Markdown => unreachable!("refused above"),
    }
    Ok(if d.gate_fails() { EXIT_STALE } else { EXIT_OK })
}
