//! The conformance runner: checks any deployed contacts endpoint against
//! CONTRACT.md.
//!
//! The catalogue ([`checks::catalogue`]) is built from the resource model, so
//! its checks follow the model's stamps, defaults, formats, enums, filters
//! and uniqueness rules. Every contact a response carries is validated
//! against the JSON Schema `codegen` renders from the same model. The runner
//! only touches contacts it created, under a fresh random account, and
//! soft-deletes them all at the end.

pub mod checks;
pub mod context;
pub mod http;
pub mod identity;
pub mod redact;
pub mod report;
pub mod run;

use crate::context::Ctx;
use crate::http::Api;
use crate::identity::{Identities, Role};
use crate::redact::Redactor;
use crate::run::{RunOptions, RunReport};
use contact_schema::ResourceModel;
use reqwest::Method;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The endpoint could not be reached.
    #[error("cannot reach {url}: {reason}")]
    Connection {
        /// The base URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The endpoint rejected the credentials.
    #[error(
        "the endpoint rejected the {role} credentials (HTTP {status}): check the token or the signing secret"
    )]
    Credentials {
        /// The role whose token was refused.
        role: Role,
        /// The status.
        status: u16,
    },
    /// The configuration is unusable.
    #[error("{0}")]
    Config(String),
}

/// The generated JSON Schema of `model` (as returned), compiled.
pub fn response_schema(model: &ResourceModel) -> Result<jsonschema::Validator, RunError> {
    let file = format!("json-schema/{}.schema.json", model.name.to_lowercase());
    let artifacts = codegen::artifacts(std::slice::from_ref(model))
        .map_err(|e| RunError::Config(e.to_string()))?;
    let text = artifacts
        .iter()
        .find(|a| a.path.to_str() == Some(file.as_str()))
        .map(|a| a.contents.clone())
        .ok_or_else(|| RunError::Config(format!("codegen rendered no {file}")))?;
    let schema: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| RunError::Config(e.to_string()))?;
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| RunError::Config(e.to_string()))
}

/// Builds the shared context of a run against `base_url`.
pub fn context(
    model: ResourceModel,
    base_url: &str,
    ids: Identities,
    secret: Option<&str>,
    timeout: Duration,
) -> Result<Arc<Ctx>, RunError> {
    let schema = response_schema(&model)?;
    let mut secrets = ids.tokens();
    secrets.extend(secret.map(str::to_owned));
    let redactor = Redactor::new(secrets);
    let api = Api::new(base_url, &model.path, schema, timeout, redactor)
        .map_err(|e| RunError::Config(e.to_string()))?;
    Ok(Arc::new(Ctx::new(api, ids, Arc::new(model))))
}

/// Checks that the endpoint answers and accepts the credentials.
pub async fn preflight(ctx: &Ctx, base_url: &str) -> Result<(), RunError> {
    for role in Role::ALL {
        let ex = ctx
            .api
            .json(
                Method::GET,
                &format!("{}?limit=1", ctx.api.path),
                &ctx.ids.get(role).token,
                None,
                &[],
            )
            .await
            .map_err(|f| RunError::Connection {
                url: base_url.to_owned(),
                reason: f.message,
            })?;
        if ex.status == 401 || ex.status == 403 {
            return Err(RunError::Credentials {
                role,
                status: ex.status,
            });
        }
    }
    Ok(())
}

/// Runs the selected checks, then soft-deletes every contact created.
pub async fn run(
    ctx: Arc<Ctx>,
    base_url: &str,
    options: &RunOptions,
    reporter: &dyn run::Reporter,
) -> Result<RunReport, RunError> {
    preflight(&ctx, base_url).await?;
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let selected = run::select(checks::catalogue(&ctx.model), options);
    let results = run::run_checks(ctx.clone(), selected, options, reporter).await;
    let cleaned_up = ctx.cleanup().await;
    Ok(RunReport {
        target: base_url.to_owned(),
        checks: results,
        duration: clock.elapsed(),
        started,
        cleaned_up,
    })
}
