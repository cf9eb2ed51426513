//! For people: live progress on a terminal, then a summary grouped by resource and family.

use crate::checks::Family;
use crate::run::{CheckReport, Outcome, Reporter, RunReport};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

/// Shows a progress bar on stderr while checks run (hidden when not a terminal).
pub struct Progress {
    bar: Mutex<Option<ProgressBar>>,
}

impl Progress {
    /// A progress display on stderr.
    pub fn new() -> Self {
        Progress {
            bar: Mutex::new(None),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.lock().expect("not poisoned").take() {
            bar.finish_and_clear();
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}

impl Reporter for Progress {
    fn started(&self, total: usize) {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::new(total as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        *self.bar.lock().expect("not poisoned") = Some(bar);
    }

    fn finished(&self, r: &CheckReport) {
        if let Some(bar) = self.bar.lock().expect("not poisoned").as_ref() {
            if r.outcome == Outcome::Fail {
                bar.println(format!("FAIL {} {}: {}", r.resource, r.id, r.message));
            }
            bar.set_message(r.id.clone());
            bar.inc(1);
        }
    }
}

fn paint(text: &str, code: &str, colour: bool) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// The summary for people.
pub fn render(report: &RunReport, colour: bool) -> String {
    let mut out = format!(
        "Conformance of {} ({} checks, {:.1} s)\n",
        report.target,
        report.checks.len(),
        report.duration.as_secs_f64()
    );
    for (resource, family) in report
        .resources()
        .into_iter()
        .flat_map(|r| Family::ALL.map(|f| (r, f)))
    {
        let cases: Vec<_> = report
            .checks
            .iter()
            .filter(|c| c.family == family && c.resource == resource)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let passed = cases.iter().filter(|c| c.outcome == Outcome::Pass).count();
        let applicable = cases
            .iter()
            .filter(|c| c.outcome != Outcome::NotApplicable)
            .count();
        out.push_str(&format!(
            "\n{resource} · {} ({passed}/{applicable})\n",
            family.name(),
        ));
        for c in cases {
            let tag = match c.outcome {
                Outcome::Pass => paint("PASS", "32", colour),
                Outcome::Fail => paint("FAIL", "31;1", colour),
                Outcome::Warn => paint("WARN", "33", colour),
                Outcome::Skip => paint("SKIP", "90", colour),
                Outcome::NotApplicable => paint("N/A ", "90", colour),
            };
            out.push_str(&format!("  {tag} {}  {}\n", c.id, c.description));
            if c.outcome != Outcome::Pass {
                out.push_str(&format!("       {}\n", c.message));
                if let Some(e) = &c.evidence {
                    for line in e.lines() {
                        out.push_str(&format!("       {line}\n"));
                    }
                }
            }
        }
    }
    let s = report.summary();
    if let Some(lost) = &report.lost_endpoint {
        out.push_str(&paint(&format!("\n{lost}\n"), "31;1", colour));
    }
    if !report.left_behind.is_empty() {
        out.push_str(&paint(
            &format!("\nwarning: {}\n", report.left_behind_message()),
            "33",
            colour,
        ));
    }
    let line = format!(
        "\n{}{} passed, {} failed, {} warned, {} skipped, {} not applicable; {} items created and soft-deleted{}\n",
        if report.interrupted {
            "INTERRUPTED: "
        } else {
            ""
        },
        s.passed,
        s.failed,
        s.warned,
        s.skipped,
        s.not_applicable,
        report.cleaned_up,
        if report.left_behind.is_empty() {
            String::new()
        } else {
            format!(", {} left behind", report.left_behind.len())
        }
    );
    out.push_str(&paint(
        &line,
        if report.passed() { "32" } else { "31" },
        colour,
    ));
    out
}
