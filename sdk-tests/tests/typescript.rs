//! The TypeScript SDK (`schemas/sdk/typescript`): `tsc --strict --noEmit`
//! accepts it as generated, and, compiled with the scenario, it runs the
//! scenario under Node.js against the reference server.

use sdk_tests::{Harness, account, assert_steps, run_ok, scenario, sdk_dir, tool};
use tokio::process::Command;

fn tsc() -> Option<std::path::PathBuf> {
    tool("TSC", &[".node/node_modules/.bin/tsc"], "tsc")
}

#[tokio::test]
async fn tsc_strict_accepts_the_generated_package() {
    let Some(tsc) = tsc() else { return };
    run_ok(
        "tsc --strict --noEmit",
        Command::new(tsc)
            .args(["--strict", "--noEmit", "-p"])
            .arg(sdk_dir("typescript")),
    )
    .await;
}

#[tokio::test]
async fn scenario_runs_under_node_against_the_reference_server() {
    let Some(tsc) = tsc() else { return };
    let Some(node) = tool("NODE", &[], "node") else {
        return;
    };
    // The generated package as it is, plus the scenario in its `src/`.
    let dir = tempfile::tempdir().unwrap();
    let sdk = sdk_dir("typescript");
    std::fs::create_dir(dir.path().join("src")).unwrap();
    for file in ["package.json", "tsconfig.json", "src/index.ts"] {
        std::fs::copy(sdk.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::copy(scenario("scenario.ts"), dir.path().join("src/scenario.ts")).unwrap();
    run_ok(
        "tsc (SDK and scenario)",
        Command::new(tsc).arg("-p").arg(dir.path()),
    )
    .await;

    let harness = Harness::start().await;
    let output = run_ok(
        "node scenario.js",
        Command::new(node)
            .arg(dir.path().join("dist/scenario.js"))
            .env("SDK_BASE_URL", harness.base_url())
            .env("SDK_TOKEN", harness.token())
            .env("SDK_ACCOUNT", account()),
    )
    .await;
    assert_steps("TypeScript", &output.stdout);
    harness.finish().await;
}
