//! The `codegen` command: renders the Contact model's artifacts into `schemas/`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use codegen::{Mode, REGENERATE};
use contact_schema::{Contact, Resource};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code: success, or the tree is up to date.
const EXIT_OK: u8 = 0;
/// Exit code: `--check` found stale, missing or orphaned files.
const EXIT_STALE: u8 = 1;
/// Exit code: bad command-line usage.
const EXIT_USAGE: u8 = 2;
/// Exit code: an I/O or rendering error.
const EXIT_ERROR: u8 = 3;

/// Generates JSON Schema, OpenAPI, SQL migrations, docs and the model manifest from the Contact resource model.
#[derive(Parser)]
#[command(
    name = "codegen",
    version,
    after_help = "Exit codes: 0 ok, 1 stale tree under --check, 2 usage error, 3 I/O or rendering error."
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
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid usage");
            eprintln!("{first} (see `codegen --help`)");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let models = [Contact::model()];
    match cli.command {
        Command::List => {
            let mut out = std::io::stdout().lock();
            for a in codegen::artifacts(&models)? {
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
