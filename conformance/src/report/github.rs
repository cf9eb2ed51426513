//! GitHub Actions workflow commands: an `::error` annotation per failed check,
//! a `::warning` per SHOULD broken, and a `::notice` with the summary.

use crate::run::{Outcome, RunReport};

/// Escapes a message (`%`, CR, LF), as the workflow-command syntax requires.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The report as workflow commands, one per line.
pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    for c in &report.checks {
        let kind = match c.outcome {
            Outcome::Fail => "error",
            Outcome::Warn => "warning",
            Outcome::Pass | Outcome::Skip | Outcome::NotApplicable => continue,
        };
        let mut message = c.message.clone();
        if let Some(e) = &c.evidence {
            for line in e.lines() {
                message.push('\n');
                message.push_str(&line);
            }
        }
        out.push_str(&format!(
            "::{kind} title={}::{}\n",
            property(&format!("{} {} ({})", c.resource, c.id, c.description)),
            data(&message)
        ));
    }
    let s = report.summary();
    out.push_str(&format!(
        "::notice title=conformance of {}::{}\n",
        property(&report.target),
        data(&format!(
            "{}{} passed, {} failed, {} warned, {} skipped, {} not applicable",
            if report.interrupted {
                "interrupted: "
            } else {
                ""
            },
            s.passed,
            s.failed,
            s.warned,
            s.skipped,
            s.not_applicable
        ))
    ));
    if let Some(lost) = &report.lost_endpoint {
        out.push_str(&format!(
            "::error title=conformance of {}::{}\n",
            property(&report.target),
            data(lost)
        ));
    }
    if !report.left_behind.is_empty() {
        out.push_str(&format!(
            "::warning title=conformance of {}::{}\n",
            property(&report.target),
            data(&report.left_behind_message())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_the_syntax_reserves() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a: b, c"), "a%3A b%2C c");
    }
}
