//! `generate` keeps `schemas/` in step with the model, and `--check` catches drift.

use codegen::{Mode, REGENERATE};
use contact_schema::model::Writer;
use contact_schema::{Contact, Resource, ResourceModel};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn committed_tree() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

#[test]
fn the_committed_schemas_tree_is_up_to_date() {
    let report =
        codegen::generate(&committed_tree(), &[Contact::model()], Mode::Check, false).unwrap();
    let stale: Vec<_> = report
        .stale
        .iter()
        .map(|s| format!("{}\n{}", s.path.display(), s.diff))
        .collect();
    assert!(
        report.is_clean(),
        "schemas/ is out of date; run `{REGENERATE}`.\nstale: {stale:#?}\norphaned: {:?}",
        report.orphaned
    );
    // 22 rendered from the model, and the releases: 3 migrations and a snapshot
    // each, and the lock.
    let releases = fs::read_dir(committed_tree().join("history/contact"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert_eq!(releases, 2, "0001_create_contacts and 0002_email_grammar");
    assert_eq!(report.unchanged.len(), 22 + 4 * releases + 1);
}

#[test]
fn the_committed_manifest_reads_back_as_the_model() {
    let text = fs::read_to_string(committed_tree().join("contact.manifest.json")).unwrap();
    let model: ResourceModel = serde_json::from_str(&text).unwrap();
    assert_eq!(model, Contact::model());
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
    codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    let clean = codegen::generate(dir.path(), &[Contact::model()], Mode::Check, false).unwrap();
    assert!(clean.is_clean());

    let report = codegen::generate(dir.path(), &[changed_model()], Mode::Check, false).unwrap();
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
    assert!(
        stale.contains(&"contact.manifest.json".to_owned()),
        "{stale:?}"
    );
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
    let again = codegen::generate(dir.path(), &[Contact::model()], Mode::Check, false).unwrap();
    assert!(again.is_clean());
}

#[test]
fn a_rule_change_reaches_the_schemas() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    let mut m = Contact::model();
    let source = m.fields.iter_mut().find(|f| f.name == "source").unwrap();
    source.writer = Writer::Client {
        default: Some("crm".into()),
        computed: None,
    };
    let report = codegen::generate(dir.path(), &[m], Mode::Check, false).unwrap();
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
    let first = codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    assert_eq!(first.written.len(), 27);
    let second = codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    assert!(second.written.is_empty());
    assert_eq!(second.unchanged.len(), 27);
    assert!(
        second.orphaned.is_empty(),
        "temporary files would show as orphans: {:?}",
        second.orphaned
    );
}

#[test]
fn orphans_are_reported_and_pruned_only_on_request() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    fs::write(dir.path().join("json-schema/old.schema.json"), "{}").unwrap();
    let check = codegen::generate(dir.path(), &[Contact::model()], Mode::Check, false).unwrap();
    assert_eq!(
        check.orphaned,
        [PathBuf::from("json-schema/old.schema.json")]
    );
    assert!(!check.is_clean());
    let write = codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    assert!(
        dir.path().join("json-schema/old.schema.json").exists(),
        "no prune, no delete"
    );
    assert!(!write.is_clean());
    let pruned = codegen::generate(dir.path(), &[Contact::model()], Mode::Write, true).unwrap();
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
    codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    let md = dir.path().join("docs/contacts.md");
    let before = fs::read_to_string(&md).unwrap();
    // A directory where the HTML page should go makes its rename fail.
    let html = dir.path().join("docs/contacts.html");
    fs::remove_file(&html).unwrap();
    fs::create_dir_all(html.join("blocker")).unwrap();
    let err = codegen::generate(dir.path(), &[changed_model()], Mode::Write, false).unwrap_err();
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
fn an_invalid_model_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = Contact::model();
    m.fields.retain(|f| f.name != "account_id");
    let err = codegen::generate(dir.path(), &[m], Mode::Write, false).unwrap_err();
    assert!(err.to_string().contains("no field `account_id`"), "{err}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

fn codegen_cli(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn cli_check_exits_1_naming_what_is_stale() {
    let dir = tempfile::tempdir().unwrap();
    let out = codegen_cli(&["generate"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        dir.path()
            .join("schemas/json-schema/contact.schema.json")
            .exists()
    );
    let out = codegen_cli(&["generate", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    fs::write(dir.path().join("schemas/docs/contacts.md"), "hand edited\n").unwrap();
    fs::remove_file(dir.path().join("schemas/openapi/contacts.openapi.yaml")).unwrap();
    fs::write(dir.path().join("schemas/extra.txt"), "x").unwrap();
    let out = codegen_cli(&["generate", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("stale: schemas/docs/contacts.md"), "{err}");
    assert!(
        err.contains("missing: schemas/openapi/contacts.openapi.yaml"),
        "{err}"
    );
    assert!(err.contains("orphaned: schemas/extra.txt"), "{err}");
    assert!(err.lines().last().unwrap().contains(REGENERATE), "{err}");
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("-hand edited"), "{diff}");
    assert_eq!(
        fs::read_to_string(dir.path().join("schemas/docs/contacts.md")).unwrap(),
        "hand edited\n"
    );
}

#[test]
fn cli_bad_flag_is_a_one_line_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = codegen_cli(&["generate", "--chek"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--chek"), "{err}");
    let out = codegen_cli(&["generate", "--check", "--prune"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--prune"), "{}", stderr(&out));
}

#[test]
fn cli_unwritable_output_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a-file"), "").unwrap();
    let out = codegen_cli(&["generate", "--out", "a-file"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("a-file") && err.contains("not a directory"),
        "{err}"
    );

    let out = codegen_cli(&["generate", "--out", "a-file/schemas"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("a-file/schemas"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn cli_list_names_every_artifact() {
    let dir = tempfile::tempdir().unwrap();
    let out = codegen_cli(&["list"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listed.lines().count(), 27);
    assert!(
        listed
            .lines()
            .any(|l| l == "history/contact/0001_create_contacts.json")
    );
    assert!(listed.lines().any(|l| l == "openapi/contacts.openapi.yaml"));
}

#[test]
fn files_git_ignores_are_not_orphans() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &[Contact::model()], Mode::Write, false).unwrap();
    fs::write(dir.path().join(".gitignore"), ".mypy_cache/\n*.pyc\n").unwrap();
    let cache = dir.path().join("sdk/python/.mypy_cache/3.11");
    fs::create_dir_all(&cache).unwrap();
    fs::write(cache.join("models.data.json"), "{}").unwrap();
    fs::write(dir.path().join("sdk/python/contacts_sdk/models.pyc"), "x").unwrap();
    fs::write(dir.path().join("sdk/python/stray.txt"), "x").unwrap();
    let report = codegen::generate(dir.path(), &[Contact::model()], Mode::Check, false).unwrap();
    assert_eq!(
        report.orphaned,
        [
            PathBuf::from(".gitignore"),
            PathBuf::from("sdk/python/stray.txt")
        ],
        "ignored files are not artifacts, nor orphans"
    );
}
