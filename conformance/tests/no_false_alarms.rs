//! The runner passes a server that uses every freedom the contract leaves:
//! 204 deletes, omitted nulls, extra members in items, pages and problems
//! (a per-request trace id too), its own problem types, titles and details
//! (naming the requested path), another text form of the same UTC instant,
//! standard-base64 cursors with `+`, `/` and `=`,
//! parameters on media types and on `WWW-Authenticate`. The server here is
//! the reference server behind a proxy that makes each of those choices.

mod support {
    pub mod proxy;
}

use base64::Engine;
use conformance::identity::Identities;
use conformance::run::{Outcome, RunOptions, Silent};
use contact_schema::{Contact, Resource};
use serde_json::{Value, json};
use std::time::Duration;
use support::proxy::{self, Resp};

const SECRET: &str = "no-false-alarms-secret";
const STD: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// Bytes whose standard base64 starts `+/`.
const MARK: [u8; 2] = [0xfb, 0xff];

fn wrap_cursor(c: &str) -> String {
    let mut bytes = MARK.to_vec();
    bytes.extend_from_slice(c.as_bytes());
    STD.encode(bytes)
}

fn unwrap_cursor(c: &str) -> String {
    match STD.decode(c) {
        Ok(b) if b.starts_with(&MARK) => String::from_utf8_lossy(&b[2..]).into_owned(),
        _ => "not-a-cursor!".to_owned(),
    }
}

/// The same instant in another text form: `+00:00`, trailing zeros of the fraction dropped.
fn retime(t: &str) -> Option<String> {
    let d = chrono::DateTime::parse_from_rfc3339(t)
        .ok()?
        .with_timezone(&chrono::Utc);
    let frac = format!("{:06}", d.timestamp_subsec_micros());
    let frac = frac.trim_end_matches('0');
    let frac = if frac.is_empty() {
        String::new()
    } else {
        format!(".{frac}")
    };
    Some(format!("{}{frac}+00:00", d.format("%Y-%m-%dT%H:%M:%S")))
}

fn vary(resp: &mut Resp, path: &str, is_delete: bool) {
    if is_delete && resp.status == 200 {
        resp.status = 204;
        resp.body.clear();
        resp.headers.remove("content-type");
        return;
    }
    let ct = resp.header("content-type").unwrap_or("").to_owned();
    if ct.starts_with("application/json") && !resp.body.is_empty() {
        resp.each_contact(|c| {
            c.retain(|_, v| !v.is_null());
            for k in [
                "created_at",
                "updated_at",
                "deleted_at",
                "last_interaction_at",
                "opted_in_at",
            ] {
                if let Some(t) = c.get(k).and_then(Value::as_str).and_then(retime) {
                    c.insert(k.into(), json!(t));
                }
            }
            c.insert(
                "_links".into(),
                json!({"self": format!("{}/{}", proxy::COLLECTION, c["id"].as_str().unwrap_or(""))}),
            );
            c.insert("x_score".into(), json!(0.5));
        });
        resp.edit(|v| {
            if let Some(o) = v.as_object_mut()
                && o.contains_key("data")
            {
                if let Some(c) = o.get("next_cursor").and_then(Value::as_str) {
                    let w = wrap_cursor(c);
                    o.insert("next_cursor".into(), json!(w));
                }
                o.insert("total_estimate".into(), Value::Null);
            }
        });
        resp.set_header("content-type", "application/json; charset=utf-8");
    } else if ct.starts_with("application/problem+json") {
        let status = resp.status;
        resp.edit(|v| {
            v["type"] = json!(format!("https://problems.example.net/http-{status}"));
            v["title"] = json!(format!("Problem {status}"));
            v["detail"] = json!(format!(
                "{} (you asked for {path})",
                v["detail"].as_str().unwrap_or("")
            ));
            v["trace_id"] = json!(ulid::Ulid::generate().to_string());
        });
        resp.set_header("content-type", "application/problem+json; charset=utf-8");
    }
    if resp.status == 401 {
        resp.set_header(
            "www-authenticate",
            "Bearer realm=\"contacts\", error=\"invalid_token\"",
        );
    }
    resp.set_header("x-request-id", &ulid::Ulid::generate().to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_using_every_freedom_of_the_contract_passes() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = reference_server::start(
        reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            SECRET,
        )
        .expect("the workspace's generated tree"),
    )
    .await
    .unwrap();
    let behaviour = behaviour!(|req, up| {
        // An empty cursor is the first page (revision 3): it passes as it is.
        if let Some(c) = req
            .param("cursor")
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
        {
            req.set_param("cursor", Some(&unwrap_cursor(&c)));
        }
        let is_delete = req.method == axum::http::Method::DELETE;
        let is_head = req.method == axum::http::Method::HEAD;
        if is_head {
            // HEAD answers as the varied GET would, without its body.
            req.method = axum::http::Method::GET;
        }
        let path = req.path.clone();
        let mut resp = up.forward(req).await;
        vary(&mut resp, &path, is_delete);
        if is_head {
            let len = resp.body.len().to_string();
            resp.body.clear();
            resp.set_header("content-length", &len);
        }
        resp
    });
    let p = proxy::start(&server.base_url(), SECRET, behaviour).await;
    let ctx = conformance::context(
        Contact::model(),
        &p.base_url,
        Identities::mint(SECRET.as_bytes()).unwrap(),
        Some(SECRET),
        Duration::from_secs(10),
    )
    .unwrap();
    let report = conformance::run(ctx, &p.base_url, &RunOptions::default(), &Silent)
        .await
        .unwrap();
    let failed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass && c.outcome != Outcome::NotApplicable)
        .map(|c| {
            format!(
                "{}: {}\n{}",
                c.id,
                c.message,
                c.evidence
                    .as_ref()
                    .map(|e| e.lines().join("\n"))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert!(failed.is_empty(), "false alarms:\n{}", failed.join("\n\n"));
    server.shutdown().await;
}
