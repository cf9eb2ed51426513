//! The `codegen` command line as users run it, through this repository's own
//! one-line binary (`crm-api`, `codegen::main!(contact_schema::api())`):
//! `generate` and `--check`, `list`, `migrate` on released history, `diff`
//! with its formats and gate, and bad input.

use codegen::history::{self, Snapshot};
use codegen::migrate::{self, MigrateError};
use codegen::{Commands, Mode};
use contact_schema::{Contact, Resource};
use resource_model::{ResourceModel, ValidApi};
use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn codegen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crm-api"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// The commands the binary's files and messages name.
fn cmds() -> Commands {
    Commands::cargo_bin("crm-api", "crm-api")
}

/// The CRM API with its Contact replaced by `contact`.
fn crm_with(contact: ResourceModel) -> ValidApi {
    let mut api = contact_schema::api();
    api.resources[0] = contact;
    ValidApi::new(api).unwrap()
}

fn crm() -> ValidApi {
    ValidApi::new(contact_schema::api()).unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The Contact as it was before a field was added: what an older release held.
fn older() -> ResourceModel {
    let mut m = Contact::model();
    m.fields.retain(|f| f.name != "decision_role");
    m
}

/// A schemas tree whose Contact's only release is `older()`, as if the
/// Contact had since gained `decision_role` without a migration (the Account's
/// first release is 0002).
fn tree_released_before_a_change() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    codegen::generate(&schemas, &crm_with(older()), &cmds(), Mode::Write, false).unwrap();
    codegen::generate(&schemas, &crm(), &cmds(), Mode::Write, false).unwrap();
    dir
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir);
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(format!(
                "{} {}",
                p.display(),
                fs::read_to_string(&p).unwrap_or_default().len()
            ));
        }
    }
    out
}

#[test]
fn check_names_the_fix_for_a_change_without_a_migration_and_passes_after_migrate() {
    let dir = tree_released_before_a_change();
    let out = codegen(&["generate", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    // The last line names the fix.
    let line = err.lines().last().unwrap();
    assert!(line.contains("differs from its last release"), "{err}");
    assert!(
        line.contains("0001_create_contacts") && line.contains(&cmds().migrate),
        "{line}"
    );

    let out = codegen(&["migrate", "--name", "add_decision_role"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("wrote schemas/migrations/postgres/0003_add_decision_role.sql"),
        "{said}"
    );
    assert!(
        said.contains("FIELD_ADDED") && said.contains("decision_role"),
        "{said}"
    );
    for d in ["postgres", "mysql", "sqlite"] {
        let sql = fs::read_to_string(
            dir.path()
                .join(format!("schemas/migrations/{d}/0003_add_decision_role.sql")),
        )
        .unwrap();
        assert!(sql.contains("decision_role"), "{d}: {sql}");
    }
    let out = codegen(&["generate", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // Migrating again: nothing to do, one line, nothing written.
    let before = files_under(dir.path());
    let out = codegen(&["migrate", "--name", "again"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("nothing to migrate"));
    assert_eq!(files_under(dir.path()), before);
}

#[test]
fn an_edited_released_migration_fails_check_naming_it_and_is_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(codegen(&["generate"], dir.path()).status.code(), Some(0));
    let file = dir
        .path()
        .join("schemas/migrations/sqlite/0001_create_contacts.sql");
    let edited = fs::read_to_string(&file).unwrap().replace("STRICT", "");
    fs::write(&file, &edited).unwrap();
    for args in [&["generate", "--check"][..], &["generate"][..]] {
        let out = codegen(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("schemas/migrations/sqlite/0001_create_contacts.sql was edited after it was released"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(&file).unwrap(),
            edited,
            "{args:?} rewrote a released file"
        );
    }
    // And migrate refuses to build on it.
    let out = codegen(&["migrate", "--name", "anything"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("0001_create_contacts.sql was edited"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_input_is_one_line_exit_2_and_writes_nothing() {
    let dir = tree_released_before_a_change();
    let before = files_under(dir.path());
    for (args, says) in [
        (
            &["migrate", "--name", "Add Field"][..],
            "--name `Add Field` is not a slug",
        ),
        (&["migrate", "--name", "x__y"][..], "is not a slug"),
        (&["migrate"][..], "--name"),
        (
            &["diff", "--base", "no-such-ref-or-dir"][..],
            "neither a directory nor a git ref",
        ),
        (
            &["diff", "--base", "/"][..],
            "holds no released history and no manifest",
        ),
        (&["diff", "--base", ".", "--format", "yaml"][..], "yaml"),
        (
            &["diff", "--rules", "--format", "json"][..],
            "--rules prints the catalogue",
        ),
    ] {
        let out = codegen(args, dir.path());
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(files_under(dir.path()), before);
}

#[test]
fn a_rename_from_a_field_that_never_existed_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &crm(), &cmds(), Mode::Write, false).unwrap();
    let mut m = Contact::model();
    let f = m.fields.iter_mut().find(|f| f.name == "job_title").unwrap();
    f.name = "title".into();
    f.renamed_from = Some("jobtitle".into());
    let err = migrate::plan(dir.path(), &crm_with(m), "rename_title", &cmds()).unwrap_err();
    assert!(matches!(err, MigrateError::UnknownRename { .. }), "{err}");
    assert!(err.to_string().contains("`jobtitle`"), "{err}");
    // A type change cannot keep data: refused too.
    let mut m = Contact::model();
    m.fields
        .iter_mut()
        .find(|f| f.name == "is_primary")
        .unwrap()
        .ty = resource_model::FieldType::String;
    let err = migrate::plan(dir.path(), &crm_with(m), "retype", &cmds()).unwrap_err();
    assert!(matches!(err, MigrateError::Unsupported(_)), "{err}");
    // A rename already released stays valid in the source.
    let mut m = Contact::model();
    let f = m.fields.iter_mut().find(|f| f.name == "job_title").unwrap();
    f.name = "title".into();
    f.renamed_from = Some("job_title".into());
    let plans = migrate::plan(dir.path(), &crm_with(m.clone()), "rename_title", &cmds()).unwrap();
    assert_eq!(plans.len(), 1, "the Account did not change");
    assert_eq!(plans[0].snapshot.stem(), "0003_rename_title");
    codegen::ensure::ensure(dir.path(), &plans[0].files, Mode::Write, false).unwrap();
    let h = history::load(dir.path(), &m).unwrap();
    assert!(h.last().unwrap().same_state(&Snapshot::of(&m, 0, "")));
    assert!(
        migrate::plan(dir.path(), &crm_with(m), "noop", &cmds())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn diff_reports_in_every_format_and_gates_on_schema_version() {
    let dir = tree_released_before_a_change();
    let schemas = dir.path().join("schemas");
    // The base: the tree as released (a directory), before `decision_role`.
    let base = schemas.to_str().unwrap();
    let out = codegen(&["diff", "--base", base], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "adding a field breaks nobody: {}",
        text(&out.stdout)
    );
    let said = text(&out.stdout);
    assert!(
        said.contains("FIELD_ADDED") && said.contains("decision_role"),
        "{said}"
    );
    assert!(said.lines().last().unwrap().starts_with("ok:"), "{said}");

    let out = codegen(&["diff", "--base", base, "--format", "json"], dir.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["breaking"], 0);
    assert_eq!(v["resources"][1]["resource"], "Account");
    assert_eq!(v["resources"][1]["changes"], serde_json::json!([]));
    let c = &v["resources"][0]["changes"][0];
    assert_eq!(
        (c["rule"].as_str(), c["level"].as_str(), c["field"].as_str()),
        (Some("FIELD_ADDED"), Some("warning"), Some("decision_role"))
    );
    assert_eq!(c["views"], serde_json::json!(["sdk"]), "{c}");
    assert_eq!(c["impacts"]["create"], "info", "{c}");
    assert!(
        c["source"]["file"]
            .as_str()
            .unwrap()
            .ends_with("contact.rs"),
        "{c}"
    );

    // A breaking change without a raised schema_version: exit 1 in every
    // format. The base is a release of a model with a field the Contact lacks.
    let mut extra = Contact::model();
    let mut f = extra
        .fields
        .iter()
        .find(|f| f.name == "seniority")
        .unwrap()
        .clone();
    f.name = "retired_field".into();
    extra.fields.push(f);
    let old = tempfile::tempdir().unwrap();
    codegen::generate(
        &old.path().join("schemas"),
        &crm_with(extra),
        &cmds(),
        Mode::Write,
        false,
    )
    .unwrap();
    let old_base = old.path().join("schemas");
    for format in ["text", "json", "junit", "github"] {
        let out = codegen(
            &[
                "diff",
                "--base",
                old_base.to_str().unwrap(),
                "--format",
                format,
            ],
            dir.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            text(&out.stdout)
        );
        let said = text(&out.stdout);
        assert!(said.contains("FIELD_REMOVED"), "{format}: {said}");
        match format {
            "json" => {
                let v: Value = serde_json::from_str(&said).unwrap();
                assert_eq!(v["gate"], "fail");
                assert_eq!(v["breaking"], 1);
            }
            "junit" => assert!(
                said.contains("<failure") && said.contains("FIELD_REMOVED"),
                "{said}"
            ),
            "github" => {
                assert!(
                    said.lines()
                        .any(|l| l.starts_with("::error ") && l.contains("FIELD_REMOVED")),
                    "{said}"
                );
                assert!(
                    said.lines()
                        .last()
                        .unwrap()
                        .starts_with("::error title=codegen diff::FAIL"),
                    "{said}"
                );
            }
            _ => assert!(said.lines().last().unwrap().starts_with("FAIL:"), "{said}"),
        }
    }
}

#[test]
fn diff_takes_a_git_ref() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    git(&["init", "-q"]);
    codegen::generate(
        &dir.path().join("schemas"),
        &crm_with(older()),
        &cmds(),
        Mode::Write,
        false,
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-qm", "release 1"]);
    git(&["tag", "v1"]);
    let out = codegen(&["diff", "--base", "v1"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("v1 (0001_create_contacts)") && said.contains("decision_role"),
        "{said}"
    );
    let out = codegen(&["diff", "--base", "HEAD~3"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn the_readme_rule_catalogue_is_the_rules_output() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("README has a rules section")
        + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").unwrap();
    let out = codegen(&["diff", "--rules", "--format", "markdown"], Path::new("."));
    assert_eq!(
        &readme[start..end],
        text(&out.stdout),
        "README's rule catalogue is stale: paste `cargo run -p crm-api -- diff --rules --format markdown`"
    );
}

fn codegen_cli(args: &[&str], cwd: &Path) -> Output {
    codegen(args, cwd)
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
    fs::remove_file(dir.path().join("schemas/openapi/openapi.yaml")).unwrap();
    fs::write(dir.path().join("schemas/extra.txt"), "x").unwrap();
    let out = codegen_cli(&["generate", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("stale: schemas/docs/contacts.md"), "{err}");
    assert!(
        err.contains("missing: schemas/openapi/openapi.yaml"),
        "{err}"
    );
    assert!(err.contains("orphaned: schemas/extra.txt"), "{err}");
    assert!(
        err.lines().last().unwrap().contains(&cmds().generate),
        "{err}"
    );
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
    assert_eq!(listed.lines().count(), 39);
    assert!(
        listed
            .lines()
            .any(|l| l == "history/contact/0001_create_contacts.json")
    );
    assert!(listed.lines().any(|l| l == "openapi/openapi.yaml"));
    assert!(
        listed
            .lines()
            .any(|l| l == "migrations/sqlite/0002_create_accounts.sql"),
        "a new tree numbers the Account after the Contact: {listed}"
    );
}

#[test]
fn generated_headers_name_the_command_that_regenerates_them() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(codegen(&["generate"], dir.path()).status.code(), Some(0));
    let schema =
        fs::read_to_string(dir.path().join("schemas/json-schema/account.schema.json")).unwrap();
    assert!(
        schema.contains("run `cargo run -p crm-api -- generate`"),
        "{schema}"
    );
    let sdk = fs::read_to_string(dir.path().join("schemas/sdk/typescript/src/index.ts")).unwrap();
    assert!(sdk.starts_with("// Generated by codegen from the CRM API model (Contact, Account). Do not edit; run `cargo run -p crm-api -- generate`."), "{sdk}");
}

#[test]
fn an_invalid_api_is_a_usage_error_naming_every_rule_and_writes_nothing() {
    // The binary's own API is valid; a broken one is refused the same way by
    // any user's binary: `cli::main` validates before it runs a command.
    let mut api = contact_schema::api();
    api.resources[1].path = api.resources[0].path.clone();
    api.resources[1].table = api.resources[0].table.clone();
    let errors = ValidApi::new(api).unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|e| e.contains("Contact and Account have the same path `/api/v1/crm/contacts`")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|e| e.contains("the same table `contacts`")),
        "{text:?}"
    );
}
