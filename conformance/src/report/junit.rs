//! JUnit XML for CI systems: a suite per resource and family (`contacts.stamping`), a case per check.

use crate::checks::Family;
use crate::run::{Outcome, RunReport};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The report as JUnit XML.
pub fn render(report: &RunReport) -> anyhow::Result<String> {
    let mut out = Report::new("conformance");
    out.set_time(report.duration);
    out.set_timestamp(report.started);
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
        let suite_name = format!("{resource}.{}", family.name());
        let mut suite = TestSuite::new(suite_name.as_str());
        for c in cases {
            let status = match c.outcome {
                Outcome::Pass => TestCaseStatus::success(),
                Outcome::Skip => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(c.message.as_str());
                    s
                }
                Outcome::NotApplicable => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("not applicable: {}", c.message));
                    s
                }
                Outcome::Fail | Outcome::Warn => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(c.message.as_str());
                    s.set_type(if c.outcome == Outcome::Warn {
                        "should"
                    } else {
                        "must"
                    });
                    if let Some(e) = &c.evidence {
                        s.set_description(e.lines().join("\n"));
                    }
                    s
                }
            };
            let mut case = TestCase::new(c.id.as_str(), status);
            case.set_classname(suite_name.as_str());
            case.set_time(c.duration);
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    Ok(out.to_string()?)
}
