//! Benchmarks of rendering and of a warm `generate` over an up-to-date tree.
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
