//! Every SDK snippet on the generated docs page compiles with its own
//! compiler: the Rust ones with this test (`build.rs` lifts them, as the page
//! shows them, into the functions below), the TypeScript ones with
//! `tsc --strict` and the Python ones with `mypy --strict`, each against the
//! generated SDK, with the same harness as the README's examples.

use contacts_sdk::{Client, ContactCreate, ContactUpdate, Error, ListParams, Patch};
use sdk_tests::{mypy, mypy_strict, run_ok, tsc, typescript_project, workspace};
use tokio::process::Command;

#[allow(unused_imports)]
mod lifted {
    use super::*;
    include!(concat!(env!("OUT_DIR"), "/docs_snippets.rs"));
}

/// The page's code blocks in `language` inside its SDK boxes, one per operation.
fn snippets(language: &str) -> Vec<String> {
    let md = std::fs::read_to_string(workspace().join("schemas/docs/contacts.md")).unwrap();
    md.split("<div class=\"sdk\">")
        .skip(1)
        .map(|group| {
            let group = group.split("\n</div>\n</div>").next().unwrap();
            group
                .split(&format!("```{language}\n"))
                .nth(1)
                .and_then(|c| c.split("```").next())
                .unwrap_or_else(|| panic!("an SDK box without a {language} block"))
                .to_owned()
        })
        .collect()
}

/// The page shows each snippet in HTML exactly as in Markdown.
fn assert_in_html(code: &str) {
    let html = std::fs::read_to_string(workspace().join("schemas/docs/contacts.html")).unwrap();
    let escaped = code
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    assert!(
        html.contains(&escaped) || html.contains(&escaped.replace('"', "&quot;")),
        "the HTML page shows another snippet than the Markdown one:\n{code}"
    );
}

#[test]
fn the_rust_snippets_are_the_compiled_ones() {
    let shown = snippets("rust");
    assert_eq!(shown.len(), 5, "one per operation");
    assert_eq!(lifted::CONTACTS_COUNT, shown.len());
    let compiled = [
        lifted::CONTACTS_1,
        lifted::CONTACTS_2,
        lifted::CONTACTS_3,
        lifted::CONTACTS_4,
        lifted::CONTACTS_5,
    ];
    for (code, compiled) in shown.iter().zip(compiled) {
        assert_eq!(
            code, compiled,
            "the compiled snippet differs from the page's"
        );
        assert_in_html(code);
    }
    // The functions exist and take a client: they were compiled.
    let _ = lifted::contacts_1;
    let _ = lifted::contacts_5;
    let _: fn(ContactCreate, ContactUpdate, ListParams, Patch<String>) = |_, _, _, _| {};
}

#[tokio::test]
async fn the_typescript_snippets_type_check() {
    let Some(tsc) = tsc() else { return };
    let mut source = String::from(
        "import { Client } from \"./index.js\";\ndeclare const token: string;\nconst client = new Client({ baseUrl: \"https://api.example.com\", token });\n",
    );
    for (i, code) in snippets("ts").iter().enumerate() {
        assert_in_html(code);
        source.push_str(&format!("export async function step{i}() {{\n{code}}}\n"));
    }
    let dir = typescript_project(&[("src/docs_snippets.ts", source)]);
    run_ok(
        "tsc --strict --noEmit (the docs page's TypeScript snippets)",
        Command::new(tsc)
            .args(["--strict", "--noEmit", "-p"])
            .arg(dir.path()),
    )
    .await;
}

#[tokio::test]
async fn the_python_snippets_type_check() {
    let Some(mypy) = mypy() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docs_snippets.py");
    let mut source = String::from(
        "from contacts_sdk import *  # noqa: F403\nfrom contacts_sdk import Client\n\nclient = Client(base_url=\"https://api.example.com\", token=\"<jwt>\")\n",
    );
    for (i, code) in snippets("python").iter().enumerate() {
        assert_in_html(code);
        let body: String = code.lines().map(|l| format!("    {l}\n")).collect();
        source.push_str(&format!("\n\ndef step{i}() -> None:\n{body}"));
    }
    std::fs::write(&file, source).unwrap();
    mypy_strict(&mypy, "the docs page's Python snippets", &[file]).await;
}
