//! Benchmarks of rendering, of a warm `generate` over an up-to-date tree,
//! and of `diff` and `migrate` on the Contact.
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use codegen::Mode;
use contact_schema::{Contact, Resource};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let models = [Contact::model()];
    c.bench_function("render all artifacts", |b| {
        b.iter(|| codegen::artifacts(black_box(&models)).unwrap())
    });
    c.bench_function("parse the SDK templates", |b| {
        b.iter(|| codegen::emit::sdk::parse_templates().unwrap())
    });
    let sdk = codegen::emit::sdk::Renderer::shared().unwrap();
    c.bench_function("render the SDKs (templates parsed)", |b| {
        b.iter(|| sdk.emit(black_box(&models[0])).unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &models, Mode::Write, false).unwrap();
    c.bench_function("generate (warm, tree up to date)", |b| {
        b.iter(|| codegen::generate(dir.path(), black_box(&models), Mode::Write, false).unwrap())
    });
    c.bench_function("generate --check (warm)", |b| {
        b.iter(|| codegen::generate(dir.path(), black_box(&models), Mode::Check, false).unwrap())
    });
    // A change to release: a field renamed, one added, one removed.
    let mut changed = Contact::model();
    let f = changed
        .fields
        .iter_mut()
        .find(|f| f.name == "job_title")
        .unwrap();
    f.name = "title".into();
    f.renamed_from = Some("job_title".into());
    changed.fields.retain(|f| f.name != "seniority");
    let mut nick = changed.field("first_name").unwrap().clone();
    nick.name = "nickname".into();
    changed.fields.push(nick);
    changed.schema_version = 2;
    c.bench_function("diff (read the base's history, classify)", |b| {
        b.iter(|| {
            let base = codegen::base::load(
                dir.path().to_str().unwrap(),
                std::path::Path::new("schemas"),
                &changed,
            )
            .unwrap();
            let current = codegen::history::Snapshot::of(black_box(&changed), 0, "current");
            codegen::diff::diff(&base.snapshot, &current)
        })
    });
    c.bench_function("migrate (plan: diff and three migrations)", |b| {
        b.iter(|| {
            codegen::migrate::plan(dir.path(), black_box(&changed), "rename_and_add")
                .unwrap()
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
