//! Every SDK snippet on the generated docs pages (one per resource) compiles with its own
//! compiler: the Rust ones with this test (`build.rs` lifts them, as the page
//! shows them, into the functions below), the TypeScript ones with
//! `tsc --strict` and the Python ones with `mypy --strict`, each against the
//! generated SDK, with the same harness as the README's examples.

use crm_sdk::{Client, Error};
use sdk_tests::{mypy, mypy_strict, run_ok, tsc, typescript_project, workspace};
use tokio::process::Command;

#[allow(unused_imports)]
mod lifted {
    use super::*;
    use crm_sdk::*;
    include!(concat!(env!("OUT_DIR"), "/docs_snippets.rs"));
}

/// The resources' pages.
const PAGES: [&str; 2] = ["contacts", "accounts"];

/// A page's code blocks in `language` inside its SDK boxes, one per operation.
fn snippets(page: &str, language: &str) -> Vec<String> {
    let md = std::fs::read_to_string(workspace().join(format!("schemas/docs/{page}.md"))).unwrap();
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
fn assert_in_html(page: &str, code: &str) {
    let html =
        std::fs::read_to_string(workspace().join(format!("schemas/docs/{page}.html"))).unwrap();
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
    let lifted_pages: Vec<&str> = lifted::ALL.iter().map(|(p, _)| *p).collect();
    for page in PAGES {
        assert!(lifted_pages.contains(&page), "{page} was not lifted");
    }
    for (page, compiled) in lifted::ALL {
        if *page == "index" {
            assert!(compiled.is_empty(), "the index shows no snippet");
            continue;
        }
        let shown = snippets(page, "rust");
        assert_eq!(shown.len(), 5, "{page}: one per operation");
        assert_eq!(compiled.len(), shown.len());
        for (code, compiled) in shown.iter().zip(*compiled) {
            assert_eq!(
                code, compiled,
                "{page}: the compiled snippet differs from the page's"
            );
            assert_in_html(page, code);
        }
    }
    // The functions exist and take a client: they were compiled.
    let _ = lifted::contacts_1;
    let _ = lifted::accounts_5;
}

#[tokio::test]
async fn the_typescript_snippets_type_check() {
    let Some(tsc) = tsc() else { return };
    let mut source = String::from(
        "import { Client } from \"./index.js\";\ndeclare const token: string;\nconst client = new Client({ baseUrl: \"https://api.example.com\", token });\n",
    );
    for page in PAGES {
        for (i, code) in snippets(page, "ts").iter().enumerate() {
            assert_in_html(page, code);
            source.push_str(&format!("export async function {page}{i}() {{\n{code}}}\n"));
        }
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
        "from crm_sdk import *  # noqa: F403\nfrom crm_sdk import Client\n\nclient = Client(base_url=\"https://api.example.com\", token=\"<jwt>\")\n",
    );
    for page in PAGES {
        for (i, code) in snippets(page, "python").iter().enumerate() {
            assert_in_html(page, code);
            let body: String = code.lines().map(|l| format!("    {l}\n")).collect();
            source.push_str(&format!("\n\ndef {page}{i}() -> None:\n{body}"));
        }
    }
    std::fs::write(&file, source).unwrap();
    mypy_strict(&mypy, "the docs page's Python snippets", &[file]).await;
}
