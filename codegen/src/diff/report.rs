//! `codegen diff` reports: text for people, JSON, JUnit XML and GitHub
//! workflow annotations for CI. Each reads the same [`Diff`]s, one per
//! resource of the API (an [`Judged`] each, with the base it was judged against).

use super::{Change, Diff, Level};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where each current field is declared: field → `file:line`.
pub type Sources = BTreeMap<String, (String, u32)>;

/// The gate's verdict in words.
pub fn verdict(d: &Diff) -> String {
    let n = d.breaking();
    if d.gate_fails() {
        format!(
            "FAIL: {n} breaking change{} and schema_version is still {} (raise it in #[resource(schema_version = {})])",
            plural(n),
            d.schema_version,
            d.base_schema_version + 1
        )
    } else if n > 0 {
        format!(
            "ok: {n} breaking change{}, and schema_version goes from {} to {}",
            plural(n),
            d.base_schema_version,
            d.schema_version
        )
    } else {
        format!(
            "ok: nothing breaking in {} change{}",
            d.changes.len(),
            plural(d.changes.len())
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn views(c: &Change) -> String {
    c.views()
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per change, then the verdict.
pub fn text(d: &Diff, base: &str) -> String {
    let mut out = format!("{} against {base}:\n", d.resource);
    if d.changes.is_empty() {
        out.push_str("  no changes\n");
    }
    let width = d.changes.iter().map(|c| c.rule.len()).max().unwrap_or(0);
    for c in &d.changes {
        out.push_str(&format!(
            "  {:<8}  {:<width$}  {:<22}  [{}] {}\n",
            c.level().as_str(),
            c.rule,
            c.field.as_deref().unwrap_or("(resource)"),
            views(c),
            c.message,
        ));
    }
    out.push_str(&verdict(d));
    out.push('\n');
    out
}

/// `{"changes": [{"rule", "level", "field", "views", "message", …}], "breaking": N, …}`.
pub fn json(d: &Diff, base: &str, sources: &Sources) -> Value {
    let changes: Vec<Value> = d
        .changes
        .iter()
        .map(|c| {
            let impacts: serde_json::Map<String, Value> = c
                .impacts
                .iter()
                .map(|(v, l)| (v.as_str().to_owned(), Value::from(l.as_str())))
                .collect();
            let mut v = json!({
                "rule": c.rule,
                "level": c.level().as_str(),
                "field": c.field,
                "views": c.views().iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                "impacts": impacts,
                "message": c.message,
            });
            if let Some((file, line)) = c.field.as_ref().and_then(|f| sources.get(f)) {
                v["source"] = json!({ "file": file, "line": line });
            }
            v
        })
        .collect();
    json!({
        "resource": d.resource,
        "base": base,
        "schema_version": { "base": d.base_schema_version, "current": d.schema_version },
        "changes": changes,
        "breaking": d.breaking(),
        "gate": if d.gate_fails() { "fail" } else { "pass" },
    })
}

/// One resource's diff and the base it was judged against, e.g. `main (0002_email_grammar)`.
pub type Judged = (Diff, String);

/// Whether the gate fails for any resource.
pub fn gate_fails(all: &[Judged]) -> bool {
    all.iter().any(|(d, _)| d.gate_fails())
}

/// The gate's verdict over the whole API, in words.
pub fn verdict_all(all: &[Judged]) -> String {
    let failing: Vec<&str> = all
        .iter()
        .filter(|(d, _)| d.gate_fails())
        .map(|(d, _)| d.resource.as_str())
        .collect();
    let breaking: usize = all.iter().map(|(d, _)| d.breaking()).sum();
    if failing.is_empty() {
        format!(
            "ok: the API passes the gate ({breaking} breaking change{} announced by a raised schema_version)",
            plural(breaking)
        )
    } else {
        format!(
            "FAIL: the gate fails for {} ({breaking} breaking change{} in all)",
            failing.join(", "),
            plural(breaking)
        )
    }
}

/// Each resource's [`text`], one after the other, then the API's verdict.
pub fn text_all(all: &[Judged]) -> String {
    let mut out: String = all.iter().map(|(d, base)| text(d, base)).collect();
    out.push_str(&verdict_all(all));
    out.push('\n');
    out
}

/// `{"resources": [<json>…], "breaking": N, "gate": "pass"|"fail"}`, each
/// resource as [`json`] gives it (its fields' sources from `sources`).
pub fn json_all(all: &[Judged], sources: impl Fn(&str) -> Sources) -> Value {
    json!({
        "resources": all.iter().map(|(d, base)| json(d, base, &sources(&d.resource))).collect::<Vec<_>>(),
        "breaking": all.iter().map(|(d, _)| d.breaking()).sum::<usize>(),
        "gate": if gate_fails(all) { "fail" } else { "pass" },
    })
}

/// One JUnit report with a suite per resource (see [`junit_suite`]).
pub fn junit_all(all: &[Judged]) -> Result<String, quick_junit::SerializeError> {
    let mut report = quick_junit::Report::new("codegen diff");
    for (d, base) in all {
        report.add_test_suite(junit_suite(d, base));
    }
    report.to_string()
}

/// Each resource's [`github`] annotations, then the API's verdict.
pub fn github_all(all: &[Judged], sources: impl Fn(&str) -> Sources) -> String {
    let mut out: String = all
        .iter()
        .map(|(d, _)| github(d, &sources(&d.resource)))
        .collect();
    let kind = if gate_fails(all) { "error" } else { "notice" };
    out.push_str(&format!(
        "::{kind} title=codegen diff::{}\n",
        escape_data(&verdict_all(all))
    ));
    out
}

/// A JUnit report of one resource: one test case per change; breaking
/// changes fail only when the gate does (a breaking change with
/// `schema_version` raised is allowed).
pub fn junit(d: &Diff, base: &str) -> Result<String, quick_junit::SerializeError> {
    let mut report = quick_junit::Report::new("codegen diff");
    report.add_test_suite(junit_suite(d, base));
    report.to_string()
}

/// One resource's JUnit suite.
fn junit_suite(d: &Diff, base: &str) -> quick_junit::TestSuite {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new(format!("codegen diff {} against {base}", d.resource));
    for c in &d.changes {
        let name = format!("{} {}", c.rule, c.field.as_deref().unwrap_or("(resource)"));
        let status = if c.level() == Level::Breaking && d.gate_fails() {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("{} [{}]", c.message, views(c)));
            s.set_type(c.rule);
            s
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(format!("{}.{}", d.resource, c.level().as_str()));
        case.set_system_out(format!(
            "{} [{}]: {}",
            c.level().as_str(),
            views(c),
            c.message
        ));
        suite.add_test_case(case);
    }
    if d.changes.is_empty() {
        suite.add_test_case(TestCase::new("no changes", TestCaseStatus::success()));
    }
    suite
}

/// GitHub workflow commands: `::error`, `::warning` and `::notice` lines,
/// pointing at the field's declaration when it is known.
pub fn github(d: &Diff, sources: &Sources) -> String {
    let mut out = String::new();
    for c in &d.changes {
        let kind = match c.level() {
            Level::Breaking if d.gate_fails() => "error",
            Level::Breaking | Level::Warning => "warning",
            Level::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some((file, line)) = c.field.as_ref().and_then(|f| sources.get(f)) {
            props.push(format!("file={}", escape_property(file)));
            props.push(format!("line={line}"));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} ({})", c.rule, c.level().as_str()))
        ));
        out.push_str(&format!(
            "::{kind} {}::{}\n",
            props.join(","),
            escape_data(&format!("{} [{}]", c.message, views(c)))
        ));
    }
    let kind = if d.gate_fails() { "error" } else { "notice" };
    out.push_str(&format!(
        "::{kind} title=codegen diff::{}\n",
        escape_data(&verdict(d))
    ));
    out
}

/// GitHub's escaping of a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a command's property.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
