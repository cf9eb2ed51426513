//! Embeds every migration of `schemas/migrations/{postgres,sqlite}/`, in
//! version order, so a new `codegen migrate` reaches the server on its next
//! build with no list to edit.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/migrations");
    let mut out = String::new();
    for (constant, dialect) in [("POSTGRES", "postgres"), ("SQLITE", "sqlite")] {
        let dir = root.join(dialect);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files: Vec<(i64, String, String)> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .filter_map(|e| {
                let path = e.ok()?.path();
                let name = path.file_name()?.to_str()?.to_owned();
                let stem = name.strip_suffix(".sql")?;
                let (version, description) = stem.split_once('_')?;
                Some((
                    version.parse().ok()?,
                    description.replace('_', " "),
                    path.canonicalize().ok()?.display().to_string(),
                ))
            })
            .collect();
        files.sort();
        writeln!(
            out,
            "/// The migrations of `schemas/migrations/{dialect}/`: (version, description, SQL).\npub const {constant}: &[(i64, &str, &str)] = &["
        )
        .unwrap();
        for (version, description, path) in files {
            writeln!(
                out,
                "    ({version}, {description:?}, include_str!({path:?})),"
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
    std::fs::write(dest, out).unwrap();
}
