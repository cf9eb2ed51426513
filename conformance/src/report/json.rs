//! The JSON report: `{"summary": {...}, "checks": [...]}`.

use crate::run::RunReport;
use serde_json::{Value, json};

/// The report as JSON.
pub fn render(report: &RunReport) -> Value {
    let checks: Vec<Value> = report
        .checks
        .iter()
        .map(|c| {
            let mut v = json!({
                "resource": c.resource, "id": c.id, "family": c.family, "level": c.level, "outcome": c.outcome,
                "message": c.message, "description": c.description,
            });
            for (key, value) in [("expected", &c.expected), ("actual", &c.actual)] {
                if let Some(x) = value {
                    v[key] = json!(x);
                }
            }
            if let Some(e) = &c.evidence {
                v["exchange"] = json!(e);
            }
            v
        })
        .collect();
    json!({
        "target": report.target,
        "summary": report.summary(),
        "checks": checks,
        "duration_ms": report.duration.as_millis() as u64,
        "cleaned_up": report.cleaned_up,
        "left_behind": report.left_behind,
        "lost_endpoint": report.lost_endpoint,
        "interrupted": report.interrupted,
        "passed": report.passed(),
    })
}
