//! The docs page's examples cannot lie: every request the page shows is sent
//! to the reference server in step order, and its answer must be the one the
//! page shows (status, the headers shown, the body), ids and times aside.
//! Every example body fits the published JSON Schemas, and the examples the
//! tests cannot send (a stalled body, a storage outage) are the bodies the
//! server's own constructors make.

mod support;

use codegen::emit::docs::examples::{SUBJECT, TENANT, TOKEN};
use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

const SECRET: &str = "docs-examples-secret-0123456789abcdef";

fn schemas() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

/// One example of the page: its step and the two HTTP texts.
#[derive(Debug)]
struct Shown {
    step: u32,
    request: String,
    response: String,
}

/// The fenced `http` blocks of `md`, in order.
fn http_blocks(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(start) = md[at..].find("```http\n") {
        let begin = at + start + "```http\n".len();
        let end = begin + md[begin..].find("```").expect("a closed block");
        out.push((at + start, md[begin..end].to_owned()));
        at = end + 3;
    }
    out
}

/// Every sent example: a `<!-- step N -->` then a request and a response block.
fn shown(md: &str) -> Vec<Shown> {
    let blocks = http_blocks(md);
    let re = Regex::new(r"<!-- step (\d+) -->\n").unwrap();
    let mut out: Vec<Shown> = re
        .captures_iter(md)
        .map(|c| {
            let at = c.get(0).unwrap().end();
            let i = blocks
                .iter()
                .position(|(pos, _)| *pos == at)
                .expect("a request block right after the step mark");
            Shown {
                step: c[1].parse().unwrap(),
                request: blocks[i].1.clone(),
                response: blocks[i + 1].1.clone(),
            }
        })
        .collect();
    out.sort_by_key(|s| s.step);
    out
}

struct Http {
    status: u16,
    head: Vec<(String, String)>,
    body: String,
}

/// Splits an HTTP text into its first line's parts, headers and body.
fn parse(text: &str) -> (String, Vec<(String, String)>, String) {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let first = lines.next().unwrap().to_owned();
    let headers = lines
        .map(|l| {
            let (k, v) = l.split_once(": ").expect("a header line");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (first, headers, body.to_owned())
}

/// Ids and times, each replaced by its order of first appearance over the
/// whole walk (the page's and the server's are counted apart).
struct Normaliser {
    ids: HashMap<String, usize>,
    times: HashMap<String, usize>,
    id: Regex,
    time: Regex,
}

impl Normaliser {
    fn new(prefix: &str) -> Self {
        Normaliser {
            ids: HashMap::new(),
            times: HashMap::new(),
            id: Regex::new(&format!(r"{prefix}_[0-7][0-9A-HJKMNP-TV-Z]{{25}}")).unwrap(),
            time: Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)").unwrap(),
        }
    }

    fn apply(&mut self, text: &str) -> String {
        let mut out = text.to_owned();
        for m in self.id.find_iter(text) {
            let n = self.ids.len();
            self.ids.entry(m.as_str().to_owned()).or_insert(n);
        }
        for m in self.time.find_iter(text) {
            let n = self.times.len();
            self.times.entry(m.as_str().to_owned()).or_insert(n);
        }
        for (id, n) in &self.ids {
            out = out.replace(id, &format!("<id {n}>"));
        }
        for (t, n) in &self.times {
            out = out.replace(t, &format!("<time {n}>"));
        }
        out
    }

    fn id_for(&self, n: usize) -> Option<&String> {
        self.ids.iter().find(|(_, v)| **v == n).map(|(k, _)| k)
    }
}

fn validator(path: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schemas().join(path)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn problem_validator() -> jsonschema::Validator {
    let openapi: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas().join("openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    jsonschema::validator_for(&openapi["components"]["schemas"]["Problem"]).unwrap()
}

fn assert_valid(v: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not fit its schema: {errors:?}\n{value:#}"
    );
}

fn page() -> (String, String) {
    (
        std::fs::read_to_string(schemas().join("docs/contacts.md")).unwrap(),
        std::fs::read_to_string(schemas().join("docs/contacts.html")).unwrap(),
    )
}

#[tokio::test]
async fn every_example_on_the_page_is_what_the_reference_server_answers() {
    let (md, html) = page();
    walk(md, html, "sqlite::memory:".into()).await;
}

/// The same walk with the server on PostgreSQL (whose gets are batched):
/// the page holds for either backend. PostgreSQL is required.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_holds_on_postgresql_too() {
    let db = support::ThrowawayDb::create("docs_walk").await;
    let (md, html) = page();
    let outcome = tokio::spawn(walk(md, html, db.url.clone())).await;
    db.drop_now().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Negative control: a page whose example shows another value than the
/// server answers (in both its Markdown and its HTML) fails the walk.
#[tokio::test]
async fn a_page_whose_example_lies_fails() {
    let md = std::fs::read_to_string(schemas().join("docs/contacts.md")).unwrap();
    let html = std::fs::read_to_string(schemas().join("docs/contacts.html")).unwrap();
    for (from, to) in [
        (
            "\"display_name\": \"Ada Lovelace\"",
            "\"display_name\": \"Ada L\"",
        ),
        ("\"version\": 2", "\"version\": 3"),
        ("ETag: \"2\"", "ETag: \"1\""),
    ] {
        assert!(md.contains(from), "{from}");
        let (md, html) = (md.replacen(from, to, 1), html.replacen(from, to, 1));
        let outcome = tokio::spawn(walk(md, html, "sqlite::memory:".into())).await;
        assert!(
            outcome.is_err(),
            "a page showing {to} instead of {from} passed"
        );
    }
}

/// Sends every example of the page in step order to a reference server on
/// `database_url` and compares the answers.
async fn walk(md: String, html: String, database_url: String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let examples = shown(&md);
    assert!(
        examples.len() >= 13,
        "the page shows {} sent examples",
        examples.len()
    );
    let steps: Vec<u32> = examples.iter().map(|e| e.step).collect();
    assert_eq!(steps, (1..=steps.len() as u32).collect::<Vec<_>>());

    let server = reference_server::start(reference_server::Config {
        database_url,
        ..reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            SECRET,
        )
        .expect("the workspace's generated tree")
    })
    .await
    .unwrap();
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
    let claims = serde_json::json!({"sub": SUBJECT, "tenant_id": TENANT, "exp": chrono::Utc::now().timestamp() + 600});
    let token = jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let contact = validator("json-schema/contact.schema.json");
    let create = validator("json-schema/contact.create.schema.json");
    let update = validator("json-schema/contact.update.schema.json");
    let problem = problem_validator();

    let mut page_n = Normaliser::new("per");
    let mut real_n = Normaliser::new("per");
    let mut statuses_seen = Vec::new();
    for ex in &examples {
        // The HTML page shows the same blocks.
        for text in [&ex.request, &ex.response] {
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            assert!(
                html.contains(&escaped) || html.contains(&escaped.replace('"', "&quot;")),
                "the HTML page lacks step {}'s block:\n{text}",
                ex.step
            );
        }
        let (line, headers, body) = parse(&ex.request);
        let mut parts = line.split(' ');
        let method = parts.next().unwrap();
        let mut target = parts.next().unwrap().to_owned();
        // The page's ids, as the server knows them.
        for m in page_n.id.clone().find_iter(&ex.request) {
            if let Some(&n) = page_n.ids.get(m.as_str())
                && let Some(real) = real_n.id_for(n)
            {
                target = target.replace(m.as_str(), real);
            }
        }
        let mut req = client.request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}{target}", server.base_url()),
        );
        let mut length = None;
        for (k, v) in &headers {
            if k == "Content-Length" {
                length = Some(v.parse::<usize>().unwrap());
                continue;
            }
            req = req.header(k, v.replace(TOKEN, &token));
        }
        let media = headers
            .iter()
            .find(|(k, _)| k == "Content-Type")
            .map(|(_, v)| v.as_str());
        let sent_body = match length {
            // A shortened body: its member padded to the length shown.
            Some(n) if body.contains('…') => {
                let head = body.split('x').next().unwrap();
                let head = head.trim_start();
                let pad = n - head.len() - 2;
                Some(format!("{head}{}\"}}", "x".repeat(pad)))
            }
            _ if body.is_empty() => None,
            _ => Some(body.trim_end().to_owned()),
        };
        if let Some(b) = &sent_body {
            if let Some(n) = length {
                assert_eq!(b.len(), n, "step {}: the padded body", ex.step);
            }
            if media == Some("application/json") && method == "POST" && length.is_none() {
                let v: Value = serde_json::from_str(b).unwrap();
                // A create body that the page shows being accepted fits the
                // create schema; a refused one must not.
                let (resp_line, _, _) = parse(&ex.response);
                if resp_line.starts_with("HTTP/1.1 201") {
                    assert_valid(&create, &v, "the create example");
                } else if resp_line.starts_with("HTTP/1.1 422") {
                    assert!(
                        !create.is_valid(&v),
                        "the 422 example fits the create schema"
                    );
                }
            }
            if method == "PATCH" {
                let v: Value = serde_json::from_str(b).unwrap();
                assert_valid(&update, &v, "the update example");
            }
            req = req.body(b.clone());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let real_headers = res.headers().clone();
        let real_body = res.text().await.unwrap();
        let real = Http {
            status,
            head: real_headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                .collect(),
            body: real_body,
        };

        let (first, shown_headers, shown_body) = parse(&ex.response);
        let shown_status: u16 = first.split(' ').nth(1).unwrap().parse().unwrap();
        assert_eq!(
            real.status, shown_status,
            "step {}: {method} {target} answered {}: {}",
            ex.step, real.status, real.body
        );
        statuses_seen.push(shown_status);
        for (k, v) in &shown_headers {
            let actual = real
                .head
                .iter()
                .find(|(rk, _)| rk.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("step {}: no {k} header in the answer", ex.step));
            assert_eq!(
                real_n.apply(&actual),
                page_n.apply(v),
                "step {}: header {k}",
                ex.step
            );
        }
        if shown_body.trim().is_empty() {
            assert!(
                real.body.is_empty(),
                "step {}: a body the page does not show",
                ex.step
            );
            continue;
        }
        let shown_value: Value = serde_json::from_str(&shown_body).unwrap();
        let real_value: Value = serde_json::from_str(&real.body).unwrap();
        let norm = |n: &mut Normaliser, v: &Value| -> Value {
            serde_json::from_str(&n.apply(&serde_json::to_string(v).unwrap())).unwrap()
        };
        assert_eq!(
            norm(&mut real_n, &real_value),
            norm(&mut page_n, &shown_value),
            "step {}: {method} {target}: the page shows another body than the server's",
            ex.step
        );
        // The shown body fits the published schemas.
        if shown_status >= 400 {
            assert_valid(&problem, &shown_value, "a problem example");
        } else if let Some(items) = shown_value.get("data").and_then(Value::as_array) {
            for item in items {
                assert_valid(&contact, item, "a listed contact");
            }
        } else {
            assert_valid(&contact, &shown_value, "a contact example");
        }
    }
    for status in [200, 201, 400, 401, 404, 405, 409, 412, 413, 415, 422] {
        assert!(
            statuses_seen.contains(&status),
            "no example of {status} was sent"
        );
    }
    server.shutdown().await;
}

#[test]
fn the_examples_that_cannot_be_sent_are_the_servers_own_problems() {
    use reference_server::problem::Problem;
    let md = std::fs::read_to_string(schemas().join("docs/contacts.md")).unwrap();
    for (status, problem) in [
        (503, Problem::unavailable()),
        (
            408,
            Problem::new(
                reqwest::StatusCode::REQUEST_TIMEOUT,
                resource_model::problem::body_timeout(
                    reference_server::handlers::BODY_TIMEOUT.as_secs(),
                ),
            ),
        ),
    ] {
        let block = http_blocks(&md)
            .into_iter()
            .map(|(_, b)| b)
            .find(|b| b.starts_with(&format!("HTTP/1.1 {status} ")))
            .unwrap_or_else(|| panic!("no {status} example"));
        let (_, _, body) = parse(&block);
        let shown: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            shown,
            serde_json::to_value(&problem).unwrap(),
            "the {status} example"
        );
    }
}
