//! The TypeScript SDK (`schemas/sdk/typescript`): `tsc --strict --noEmit`
//! accepts it as generated, and, compiled with the scenario, it runs the
//! scenario under Node.js against the reference server.

use sdk_tests::{Harness, run_ok, scenario, sdk_dir, tool, tsc, typescript_project};
use tokio::process::Command;

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
    let source = std::fs::read_to_string(scenario("scenario.ts")).unwrap();
    let dir = typescript_project(&[("src/scenario.ts", source)]);
    run_ok(
        "tsc (SDK and scenario)",
        Command::new(tsc).arg("-p").arg(dir.path()),
    )
    .await;

    let harness = Harness::start().await;
    harness
        .run_scenario(
            "TypeScript",
            Command::new(node).arg(dir.path().join("dist/scenario.js")),
        )
        .await;
    harness.finish().await;
}
