//! The Python SDK (`schemas/sdk/python`): `mypy --strict` accepts the package
//! and the scenario that uses it, and CPython runs the scenario against the
//! reference server with nothing but the standard library.

use sdk_tests::{Harness, mypy, mypy_strict, scenario, sdk_dir, tool};
use tokio::process::Command;

#[tokio::test]
async fn mypy_strict_accepts_the_package_and_its_use() {
    let Some(mypy) = mypy() else { return };
    let files = [sdk_dir("python").join("crm_sdk"), scenario("scenario.py")];
    mypy_strict(&mypy, "the package and the scenario", &files).await;
}

#[tokio::test]
async fn scenario_runs_on_cpython_against_the_reference_server() {
    let Some(python) = tool("PYTHON", &[], "python3") else {
        return;
    };
    let harness = Harness::start().await;
    harness
        .run_scenario(
            "Python",
            Command::new(python)
                // -S: no `site`, so no site-packages: the standard library and
                // the SDK (on PYTHONPATH) are all there is. -B: no .pyc files
                // written under schemas/.
                .args(["-S", "-B"])
                .arg(scenario("scenario.py"))
                .env("PYTHONPATH", sdk_dir("python")),
        )
        .await;
    harness.finish().await;
}
