//! Turns the Rust snippets of the generated docs pages into functions the
//! `docs_snippets` test compiles: each page's ```rust blocks inside its SDK
//! boxes become one `async fn` each, exactly as the page shows them.

use std::path::Path;

fn main() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/docs");
    println!("cargo:rerun-if-changed={}", docs.display());
    let mut out = String::new();
    let mut table = String::from(
        "/// Every page's Rust snippets as lifted: (page stem, snippets).\npub const ALL: &[(&str, &[&str])] = &[\n",
    );
    let mut pages: Vec<_> = std::fs::read_dir(&docs)
        .expect("schemas/docs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    for page in pages {
        println!("cargo:rerun-if-changed={}", page.display());
        let md = std::fs::read_to_string(&page).expect("a docs page");
        let stem = page
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('-', "_");
        for (i, snippet) in rust_snippets(&md).iter().enumerate() {
            let body: String = snippet.lines().map(|l| format!("    {l}\n")).collect();
            out.push_str(&format!(
                "/// Rust snippet {n} of `schemas/docs/{file}`.\n\
                 #[allow(dead_code, unused_variables)]\n\
                 pub async fn {stem}_{n}(client: &Client) -> Result<(), Error> {{\n{body}    Ok(())\n}}\n\n\
                 pub const {upper}_{n}: &str = {snippet:?};\n\n",
                n = i + 1,
                file = page.file_name().unwrap().to_string_lossy(),
                upper = stem.to_uppercase(),
            ));
        }
        table.push_str(&format!(
            "    ({stem:?}, &[{}]),\n",
            (1..=rust_snippets(&md).len())
                .map(|n| format!("{}_{n}", stem.to_uppercase()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    table.push_str("];\n");
    out.push_str(&table);
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("docs_snippets.rs");
    std::fs::write(dest, out).unwrap();
}

/// The ```rust blocks inside the page's `<div class="sdk">` boxes.
fn rust_snippets(md: &str) -> Vec<String> {
    md.split("<div class=\"sdk\">")
        .skip(1)
        .filter_map(|group| {
            let group = group.split("\n</div>\n</div>").next()?;
            let code = group.split("```rust\n").nth(1)?;
            Some(code.split("```").next()?.to_owned())
        })
        .collect()
}
