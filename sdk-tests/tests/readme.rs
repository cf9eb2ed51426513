//! The README's usage examples are real: the TypeScript one type-checks with
//! `tsc --strict` and the Python one with `mypy --strict` against the
//! generated SDKs, and the Rust one is the body of `example` below, compiled
//! with this test (the test checks the README shows exactly that body).

use crm_sdk::{Client, ContactCreate, ContactListParams, ContactUpdate, Error, Patch};
use futures::TryStreamExt;
use sdk_tests::{mypy, mypy_strict, run_ok, tsc, typescript_project, workspace};
use tokio::process::Command;

// Kept as the README shows it, one statement per line.
#[rustfmt::skip]
#[allow(dead_code, unused_variables)]
async fn example(token: String) -> Result<(), Error> {
    // readme:start
    let client = Client::new("https://api.example.com", &token)?;
    let contacts = &client.customer.contacts;
    let ada = contacts.create(&ContactCreate { email: Some("ada@example.com".into()), ..Default::default() }).await?;
    let all: Vec<_> = contacts.list_all(ContactListParams { limit: Some(100), ..Default::default() }).try_collect().await?;
    let patch = ContactUpdate { job_title: Patch::Set("CTO".into()), phone: Patch::Clear, ..Default::default() };
    match contacts.update(&ada.id, &patch, Some(ada.version)).await {
        Err(Error::PreconditionFailed(p)) => eprintln!("changed meanwhile: {}", p.detail),
        other => { other?; }
    }
    // readme:end
    Ok(())
}

/// The README's fenced block in `language` that mentions `marker`.
fn block(language: &str, marker: &str) -> String {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let fence = format!("```{language}\n");
    readme
        .split(&fence)
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|code| code.contains(marker))
        .unwrap_or_else(|| panic!("README has no {language} block with {marker}"))
        .to_owned()
}

#[test]
fn the_rust_example_is_the_compiled_one() {
    let source = include_str!("readme.rs");
    let body: Vec<&str> = source
        .split("// readme:start\n")
        .nth(1)
        .unwrap()
        .split("    // readme:end")
        .next()
        .unwrap()
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    let shown = block("rust", "crm_sdk");
    let shown_body: Vec<&str> = shown
        .lines()
        .filter(|l| !l.starts_with("use ") && !l.is_empty())
        .collect();
    assert_eq!(
        shown_body, body,
        "README's Rust example differs from tests/readme.rs"
    );
    assert!(shown.contains(
        "use crm_sdk::{Client, ContactCreate, ContactListParams, ContactUpdate, Error, Patch};"
    ));
}

#[tokio::test]
async fn the_typescript_example_type_checks() {
    let Some(tsc) = tsc() else { return };
    let example = block("ts", "new Client(").replace("from \"crm-sdk\"", "from \"./index.js\"");
    // The example reads a token from Node's `process`; the SDK's own lib
    // settings (ES2022 + DOM) do not declare it.
    let source = format!(
        "declare const process: {{ env: Record<string, string | undefined> }};\n{example}\nexport {{}};\n"
    );
    let dir = typescript_project(&[("src/example.ts", source)]);
    run_ok(
        "tsc --strict --noEmit (README example)",
        Command::new(tsc)
            .args(["--strict", "--noEmit", "-p"])
            .arg(dir.path()),
    )
    .await;
}

#[tokio::test]
async fn the_python_example_type_checks() {
    let Some(mypy) = mypy() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("example.py");
    let example = block("python", "from crm_sdk import");
    std::fs::write(&file, format!("token = \"<jwt>\"\n{example}")).unwrap();
    mypy_strict(&mypy, "README example", &[file]).await;
}

/// The last TypeScript block of a generated docs page: its SDK section's
/// example (the operations' snippets are checked by `docs_snippets.rs`).
fn docs_block(file: &str) -> String {
    let page = std::fs::read_to_string(workspace().join("schemas/docs").join(file)).unwrap();
    page.split("```ts\n")
        .skip(1)
        .last()
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_else(|| panic!("{file} has no ts block"))
        .to_owned()
}

#[tokio::test]
async fn the_docs_page_typescript_example_type_checks() {
    let Some(tsc) = tsc() else { return };
    let example = docs_block("contacts.md");
    let html = std::fs::read_to_string(workspace().join("schemas/docs/contacts.html")).unwrap();
    for line in example.lines() {
        let escaped = line
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(
            html.contains(line) || html.contains(&escaped),
            "the HTML page shows another example than the Markdown one: {line}"
        );
    }
    // The page shows the calls; the declarations around them are what a reader has.
    let source = format!(
        "import {{ Client }} from \"./index.js\";\ndeclare const token: string;\n{example}\nexport {{}};\n"
    );
    let dir = typescript_project(&[("src/docs_example.ts", source)]);
    run_ok(
        "tsc --strict --noEmit (the docs page's example)",
        Command::new(tsc)
            .args(["--strict", "--noEmit", "-p"])
            .arg(dir.path()),
    )
    .await;
}
