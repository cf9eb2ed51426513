//! Benchmarks of rendering, of a warm `generate` over an up-to-date tree,
//! and of `diff` and `migrate`, on the CRM API (the Contact and the Account).
#![allow(missing_docs)] // criterion_group! generates an undocumented function.

use codegen::{Commands, Mode};
use contact_schema::{Contact, Resource};
use criterion::{Criterion, criterion_group, criterion_main};
use resource_model::ValidApi;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let api = ValidApi::new(contact_schema::api()).unwrap();
    let cmds = Commands::cargo_bin("crm-api", "crm-api");
    c.bench_function("render all artifacts", |b| {
        b.iter(|| codegen::artifacts(black_box(&api), &cmds).unwrap())
    });
    c.bench_function("parse the SDK templates", |b| {
        b.iter(|| codegen::emit::sdk::parse_templates().unwrap())
    });
    let sdk = codegen::emit::sdk::Renderer::shared().unwrap();
    c.bench_function("render the SDKs (templates parsed)", |b| {
        b.iter(|| sdk.emit(black_box(&api), &cmds).unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &api, &cmds, Mode::Write, false).unwrap();
    c.bench_function("generate (warm, tree up to date)", |b| {
        b.iter(|| {
            codegen::generate(dir.path(), black_box(&api), &cmds, Mode::Write, false).unwrap()
        })
    });
    c.bench_function("generate --check (warm)", |b| {
        b.iter(|| {
            codegen::generate(dir.path(), black_box(&api), &cmds, Mode::Check, false).unwrap()
        })
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
    let mut changed_api = contact_schema::api();
    changed_api.resources[0] = changed.clone();
    let changed_api = ValidApi::new(changed_api).unwrap();
    c.bench_function("diff (read the base's history, classify)", |b| {
        b.iter(|| {
            let bases = codegen::base::load_api(
                dir.path().to_str().unwrap(),
                std::path::Path::new("schemas"),
                &["Contact", "Account"],
            )
            .unwrap();
            let current = codegen::history::Snapshot::of(black_box(&changed), 0, "current");
            let base = bases
                .iter()
                .find(|b| b.snapshot.model.name == "Contact")
                .unwrap();
            codegen::diff::diff(&base.snapshot, &current)
        })
    });
    c.bench_function("migrate (plan: diff and three migrations)", |b| {
        b.iter(|| {
            codegen::migrate::plan(dir.path(), black_box(&changed_api), "rename_and_add", &cmds)
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
