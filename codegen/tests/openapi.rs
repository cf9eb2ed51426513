//! The OpenAPI document: its shape, checked here, and its validity, checked by
//! an independent validator (PyPI's openapi-spec-validator).

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn document() -> (Value, String) {
    let artifacts = codegen::artifacts(&support::crm(), &support::cmds()).unwrap();
    let get = |p: &str| {
        artifacts
            .iter()
            .find(|a| a.path == Path::new(p))
            .unwrap()
            .contents
            .clone()
    };
    let json: Value = serde_json::from_str(&get("openapi/openapi.json")).unwrap();
    (json, get("openapi/openapi.yaml"))
}

#[test]
fn json_and_yaml_are_the_same_document() {
    let (json, yaml) = document();
    let from_yaml: Value = yaml_serde::from_str(&yaml).unwrap();
    assert_eq!(from_yaml, json);
}

#[test]
fn five_operations_with_sdk_operation_ids_and_contract_statuses() {
    let (doc, _) = document();
    let ops = [
        (
            "/api/v1/crm/contacts",
            "get",
            "customer.contacts.list",
            vec!["200", "400", "401", "503"],
        ),
        (
            "/api/v1/crm/contacts",
            "post",
            "customer.contacts.create",
            vec![
                "201", "400", "401", "408", "409", "413", "415", "422", "503",
            ],
        ),
        (
            "/api/v1/crm/contacts/{id}",
            "get",
            "customer.contacts.get",
            vec!["200", "401", "404", "503"],
        ),
        (
            "/api/v1/crm/contacts/{id}",
            "patch",
            "customer.contacts.update",
            vec![
                "200", "400", "401", "404", "408", "409", "412", "413", "415", "422", "503",
            ],
        ),
        (
            "/api/v1/crm/contacts/{id}",
            "delete",
            "customer.contacts.delete",
            vec!["200", "204", "401", "404", "412", "503"],
        ),
    ];
    for (path, method, id, statuses) in ops {
        let op = &doc["paths"][path][method];
        assert_eq!(op["operationId"], id);
        let got: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert_eq!(got, statuses, "{id}");
        for (code, resp) in op["responses"].as_object().unwrap() {
            if code.starts_with('4') || code.starts_with('5') {
                let target = resp["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned();
                let content = &doc["components"]["responses"][&target]["content"];
                assert!(
                    content.get("application/problem+json").is_some(),
                    "{id} {code}"
                );
                // A 503 tells when to try again.
                if code == "503" {
                    assert!(
                        doc["components"]["responses"][&target]["headers"]
                            .get("Retry-After")
                            .is_some(),
                        "{id} 503 without Retry-After"
                    );
                }
            }
        }
    }
    let list_params: Vec<String> = doc["paths"]["/api/v1/crm/contacts"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["$ref"].as_str().unwrap().rsplit('/').next().unwrap();
            doc["components"]["parameters"][name]["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        list_params,
        ["limit", "cursor", "account_id", "email", "include_deleted"]
    );
    let patch = &doc["paths"]["/api/v1/crm/contacts/{id}"]["patch"];
    let types: Vec<&String> = patch["requestBody"]["content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(types, ["application/merge-patch+json", "application/json"]);
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    let created = &doc["paths"]["/api/v1/crm/contacts"]["post"]["responses"]["201"]["headers"];
    assert!(created.get("Location").is_some() && created.get("ETag").is_some());
}

#[test]
fn every_get_has_its_head_and_every_example_fits_its_schema() {
    let (doc, _) = document();
    let mut examples = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let get = &item["get"];
        let head = &item["head"];
        // CONTRACT.md §3: HEAD answers as GET, without a body.
        assert_eq!(head["parameters"], get["parameters"], "{path}");
        let codes = |op: &Value| {
            op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(head), codes(get), "{path}");
        for (code, r) in head["responses"].as_object().unwrap() {
            assert!(
                r.get("content").is_none() && r.get("$ref").is_none(),
                "{path} HEAD {code}: {r}"
            );
        }
        for (method, op) in item.as_object().unwrap() {
            let mut media: Vec<&Value> = op["requestBody"]["content"]
                .as_object()
                .map(|c| c.values().collect())
                .unwrap_or_default();
            for r in op["responses"]
                .as_object()
                .into_iter()
                .flat_map(|r| r.values())
            {
                media.extend(
                    r["content"]
                        .as_object()
                        .into_iter()
                        .flat_map(|c| c.values()),
                );
            }
            for m in media.into_iter().filter(|m| m.get("example").is_some()) {
                let schema = serde_json::json!({
                    "$ref": m["schema"]["$ref"],
                    "components": doc["components"],
                });
                let v = jsonschema::validator_for(&schema).unwrap();
                let errors: Vec<String> = v
                    .iter_errors(&m["example"])
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{method} {path}: {errors:?}");
                examples += 1;
            }
        }
    }
    // Both resources: create (two media types), update (two), and the
    // responses of list, get, create, update and delete.
    assert!(examples >= 2 * 9, "{examples} examples");
    // An id that fits the pattern, and the version the server starts at.
    let contact = &doc["paths"]["/api/v1/crm/contacts"]["post"]["responses"]["201"]["content"]["application/json"]
        ["example"];
    assert!(
        contact["id"].as_str().unwrap().starts_with("per_"),
        "{contact}"
    );
    assert_eq!(contact["version"], 1);
}

/// Finds openapi-spec-validator: `$OPENAPI_SPEC_VALIDATOR`, the workspace's
/// `.venv` (which `.ci/run` creates), or `PATH`.
fn validator() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("OPENAPI_SPEC_VALIDATOR") {
        return Some(p.into());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/openapi-spec-validator");
    if venv.exists() {
        return Some(venv);
    }
    let on_path = Command::new("openapi-spec-validator")
        .arg("--help")
        .output();
    on_path
        .is_ok_and(|o| o.status.success())
        .then(|| "openapi-spec-validator".into())
}

#[test]
fn an_independent_validator_accepts_the_document() {
    let Some(bin) = validator() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "openapi-spec-validator is required in CI (.ci/run installs it into .venv)"
        );
        eprintln!(
            "SKIPPED: openapi-spec-validator not found; set OPENAPI_SPEC_VALIDATOR or run .ci/run once to create .venv"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (json, yaml) = document();
    let json_path = dir.path().join("contacts.openapi.json");
    let yaml_path = dir.path().join("contacts.openapi.yaml");
    std::fs::write(&json_path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    std::fs::write(&yaml_path, yaml).unwrap();
    for path in [&json_path, &yaml_path] {
        let out = Command::new(&bin).arg(path).output().unwrap();
        assert!(
            out.status.success(),
            "openapi-spec-validator rejected {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The validator is not a rubber stamp: a broken document fails.
    let mut broken = json.clone();
    broken["paths"]["/api/v1/crm/contacts"]["get"]["responses"] = serde_json::json!({"200": {}});
    let broken_path = dir.path().join("broken.json");
    std::fs::write(&broken_path, serde_json::to_string(&broken).unwrap()).unwrap();
    let out = Command::new(&bin).arg(&broken_path).output().unwrap();
    assert!(
        !out.status.success(),
        "a response without a description must be rejected"
    );
}
