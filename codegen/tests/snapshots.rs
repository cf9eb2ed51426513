//! Every artifact is snapshotted, so each change to one shows in review.

use contact_schema::{Contact, Resource};

#[test]
fn every_artifact_is_snapshotted() {
    let artifacts = codegen::artifacts(&[Contact::model()]).unwrap();
    let mut paths: Vec<String> = artifacts
        .iter()
        .map(|a| a.path.display().to_string())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "contact.manifest.json",
            "docs/contacts.html",
            "docs/contacts.md",
            "json-schema/contact.create.schema.json",
            "json-schema/contact.schema.json",
            "json-schema/contact.update.schema.json",
            "migrations/mysql/0001_create_contacts.sql",
            "migrations/postgres/0001_create_contacts.sql",
            "migrations/sqlite/0001_create_contacts.sql",
            "openapi/contacts.openapi.json",
            "openapi/contacts.openapi.yaml",
            "sdk/python/contacts_sdk/__init__.py",
            "sdk/python/contacts_sdk/client.py",
            "sdk/python/contacts_sdk/errors.py",
            "sdk/python/contacts_sdk/models.py",
            "sdk/python/contacts_sdk/py.typed",
            "sdk/python/pyproject.toml",
            "sdk/rust/Cargo.toml",
            "sdk/rust/src/client.rs",
            "sdk/rust/src/error.rs",
            "sdk/rust/src/lib.rs",
            "sdk/rust/src/models.rs",
            "sdk/typescript/package.json",
            "sdk/typescript/src/index.ts",
            "sdk/typescript/tsconfig.json",
        ]
    );
    for a in artifacts {
        let name = a.path.display().to_string().replace('/', "__");
        insta::assert_snapshot!(name, a.contents);
    }
}
