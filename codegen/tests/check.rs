//! `generate` keeps `schemas/` in step with the model, and `--check` catches
//! drift. (The command line's own tests are the `crm-api` binary's.)

mod support;

use codegen::Mode;
use contact_schema::{Contact, Resource};
use resource_model::{ApiModel, ResourceModel, ValidApi, Writer};
use std::fs;
use std::path::{Path, PathBuf};
use support::{cmds, crm, crm_with};

fn committed_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

#[test]
fn the_committed_schemas_tree_is_up_to_date() {
    let report = codegen::generate(&committed_tree(), &crm(), &cmds(), Mode::Check, false).unwrap();
    let stale: Vec<_> = report
        .stale
        .iter()
        .map(|s| format!("{}\n{}", s.path.display(), s.diff))
        .collect();
    assert!(
        report.is_clean(),
        "schemas/ is out of date; run `{}`.\nstale: {stale:#?}\norphaned: {:?}",
        cmds().generate,
        report.orphaned
    );
    // 29 rendered from the API (the manifest, one OpenAPI document in two
    // forms, one SDK per language, the docs index, a page and three JSON
    // Schemas per resource), and each resource's releases: 3 migrations and
    // a snapshot each, and its lock.
    let releases = |resource: &str| {
        fs::read_dir(committed_tree().join("history").join(resource))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count()
    };
    assert_eq!(
        releases("contact"),
        2,
        "0001_create_contacts and 0002_email_grammar"
    );
    assert_eq!(releases("account"), 1, "0003_create_accounts");
    assert_eq!(report.unchanged.len(), 29 + 4 * 3 + 2);
}

#[test]
fn the_committed_manifest_reads_back_as_the_api() {
    let text = fs::read_to_string(committed_tree().join("api.manifest.json")).unwrap();
    let api = ApiModel::from_manifest(&text).unwrap();
    let current = contact_schema::api();
    assert_eq!(api.resources, current.resources);
    assert_eq!((api.name, api.title), (current.name, current.title));
    ValidApi::new(ApiModel::from_manifest(&text).unwrap()).unwrap();
}

#[test]
fn the_migrations_are_one_sequence_across_tables() {
    for dialect in ["postgres", "mysql", "sqlite"] {
        let mut files: Vec<String> =
            fs::read_dir(committed_tree().join("migrations").join(dialect))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        files.sort();
        assert_eq!(
            files,
            [
                "0001_create_contacts.sql",
                "0002_email_grammar.sql",
                "0003_create_accounts.sql"
            ],
            "{dialect}"
        );
    }
}

fn changed_model() -> ResourceModel {
    let mut m = Contact::model();
    let phone = m.fields.iter_mut().find(|f| f.name == "phone").unwrap();
    phone.description = "Mobile phone number.".into();
    m
}

#[test]
fn a_model_change_makes_check_fail_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    let clean = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Check, false).unwrap();
    assert!(clean.is_clean());

    let report = codegen::generate(
        dir.path(),
        &crm_with(changed_model()),
        &cmds(),
        Mode::Check,
        false,
    )
    .unwrap();
    assert!(!report.is_clean());
    let stale: Vec<String> = report
        .stale
        .iter()
        .map(|s| s.path.display().to_string())
        .collect();
    // The description reaches every artifact but the OpenAPI docs-free parts.
    assert!(
        stale.contains(&"json-schema/contact.schema.json".to_owned()),
        "{stale:?}"
    );
    assert!(stale.contains(&"api.manifest.json".to_owned()), "{stale:?}");
    assert!(stale.contains(&"docs/contacts.md".to_owned()), "{stale:?}");
    let diff = &report
        .stale
        .iter()
        .find(|s| s.path.ends_with("contact.schema.json"))
        .unwrap()
        .diff;
    assert!(
        diff.contains("+      \"description\": \"Mobile phone number.\""),
        "{diff}"
    );
    assert!(
        diff.contains("-      \"description\": \"Phone number.\""),
        "{diff}"
    );
    // Check mode wrote nothing.
    let again = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Check, false).unwrap();
    assert!(again.is_clean());
}

#[test]
fn a_rule_change_reaches_the_schemas() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    let mut m = Contact::model();
    let source = m.fields.iter_mut().find(|f| f.name == "source").unwrap();
    source.writer = Writer::Client {
        default: Some("crm".into()),
        computed: None,
        required: false,
    };
    let report = codegen::generate(dir.path(), &crm_with(m), &cmds(), Mode::Check, false).unwrap();
    let create = report
        .stale
        .iter()
        .find(|s| s.path.ends_with("contact.schema.json"))
        .unwrap();
    assert!(
        create.diff.contains("+      \"default\": \"crm\""),
        "{}",
        create.diff
    );
}

#[test]
fn write_is_idempotent_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let first = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    // 29 rendered, and a first release per resource: 3 migrations, a snapshot, a lock.
    assert_eq!(first.written.len(), 29 + 2 * 5);
    let second = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    assert!(second.written.is_empty());
    assert_eq!(second.unchanged.len(), 39);
    assert!(
        second.orphaned.is_empty(),
        "temporary files would show as orphans: {:?}",
        second.orphaned
    );
}

#[test]
fn orphans_are_reported_and_pruned_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    fs::write(dir.path().join("json-schema/old.schema.json"), "{}").unwrap();
    let check = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Check, false).unwrap();
    assert_eq!(
        check.orphaned,
        [PathBuf::from("json-schema/old.schema.json")]
    );
    assert!(!check.is_clean());
    let write = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    assert!(
        dir.path().join("json-schema/old.schema.json").exists(),
        "no prune, no delete"
    );
    assert!(!write.is_clean());
    let pruned = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, true).unwrap();
    assert_eq!(
        pruned.pruned,
        [PathBuf::from("json-schema/old.schema.json")]
    );
    assert!(!dir.path().join("json-schema/old.schema.json").exists());
    assert!(pruned.is_clean());
}

#[test]
fn a_failed_write_leaves_the_old_files_whole() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    let md = dir.path().join("docs/contacts.md");
    let before = fs::read_to_string(&md).unwrap();
    // A directory where the HTML page should go makes its rename fail.
    let html = dir.path().join("docs/contacts.html");
    fs::remove_file(&html).unwrap();
    fs::create_dir_all(html.join("blocker")).unwrap();
    let err = codegen::generate(
        dir.path(),
        &crm_with(changed_model()),
        &cmds(),
        Mode::Write,
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("docs/contacts.html"), "{err}");
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".codegen-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );
    let after = fs::read_to_string(&md).unwrap();
    assert!(
        after == before || after.contains("Mobile phone number."),
        "the markdown is whole, old or new"
    );
}

#[test]
fn an_invalid_model_cannot_reach_codegen() {
    // Only validation builds the ValidApi codegen takes: a broken model stops there.
    let mut m = Contact::model();
    m.fields.retain(|f| f.name != "account_id");
    let mut api = contact_schema::api();
    api.resources[0] = m;
    let errors = ValidApi::new(api).unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.to_string().contains("no field `account_id`")),
        "{errors:?}"
    );
}

#[test]
fn written_files_have_the_modes_every_other_file_gets() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    // A file any program writes here gets 0666 less the umask: so must ours.
    fs::write(dir.path().join("plain.txt"), "x").unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let expected = mode(&dir.path().join("plain.txt"));
    assert_ne!(
        expected & 0o044,
        0,
        "the test runs under a umask that lets others read"
    );
    for rel in [
        "api.manifest.json",
        "sdk/rust/src/lib.rs",
        "migrations/sqlite/0002_create_accounts.sql",
        "history/account/released.sha256",
    ] {
        assert_eq!(mode(&dir.path().join(rel)), expected, "{rel}");
    }
}

#[test]
fn files_git_ignores_are_not_orphans() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    fs::write(dir.path().join(".gitignore"), ".mypy_cache/\n*.pyc\n").unwrap();
    let cache = dir.path().join("sdk/python/.mypy_cache/3.11");
    fs::create_dir_all(&cache).unwrap();
    fs::write(cache.join("models.data.json"), "{}").unwrap();
    fs::write(dir.path().join("sdk/python/crm_sdk/models.pyc"), "x").unwrap();
    fs::write(dir.path().join("sdk/python/stray.txt"), "x").unwrap();
    let report = codegen::generate(dir.path(), &crm(), &cmds(), Mode::Check, false).unwrap();
    assert_eq!(
        report.orphaned,
        [
            PathBuf::from(".gitignore"),
            PathBuf::from("sdk/python/stray.txt")
        ],
        "ignored files are not artifacts, nor orphans"
    );
}
