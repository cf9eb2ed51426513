//! The Python SDK (`schemas/sdk/python`): `mypy --strict` accepts the package
//! and the scenario that uses it, and CPython runs the scenario against the
//! reference server with nothing but the standard library.

use sdk_tests::{Harness, account, assert_steps, run_ok, scenario, sdk_dir, tool};
use tokio::process::Command;

#[tokio::test]
async fn mypy_strict_accepts_the_package_and_its_use() {
    let Some(mypy) = tool("MYPY", &[".venv/bin/mypy"], "mypy") else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let sdk = sdk_dir("python");
    run_ok(
        "mypy --strict",
        Command::new(mypy)
            .arg("--strict")
            .arg("--cache-dir")
            .arg(cache.path())
            .arg(sdk.join("contacts_sdk"))
            .arg(scenario("scenario.py"))
            .env("MYPYPATH", &sdk),
    )
    .await;
}

#[tokio::test]
async fn scenario_runs_on_cpython_against_the_reference_server() {
    let Some(python) = tool("PYTHON", &[], "python3") else {
        return;
    };
    let harness = Harness::start().await;
    let output = run_ok(
        "python3 scenario.py",
        Command::new(python)
            // -S: no `site`, so no site-packages: the standard library and
            // the SDK (on PYTHONPATH) are all there is. -B: no .pyc files
            // written under schemas/.
            .args(["-S", "-B"])
            .arg(scenario("scenario.py"))
            .env("PYTHONPATH", sdk_dir("python"))
            .env("SDK_BASE_URL", harness.base_url())
            .env("SDK_TOKEN", harness.token())
            .env("SDK_ACCOUNT", account()),
    )
    .await;
    assert_steps("Python", &output.stdout);
    harness.finish().await;
}
