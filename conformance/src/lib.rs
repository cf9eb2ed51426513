//! The conformance runner: checks any deployed endpoint of an API, every
//! resource of its manifest, against CONTRACT.md. It needs no code of the
//! API's: the manifest says everything.
//!
//! The catalogue ([`checks::catalogue`]) is built from each resource's model,
//! so its checks follow the model's stamps, defaults, required fields,
//! formats, enums, bounds, filters and uniqueness rules. Every item a
//! response carries is validated against the JSON Schema `codegen` renders
//! from the same model. The runner only touches items it created, with
//! random values for unique fields, and soft-deletes them all at the end.

pub mod checks;
pub mod context;
pub mod contract;
pub mod explore;
pub mod http;
pub mod identity;
pub mod redact;
pub mod report;
pub mod run;

use crate::context::Ctx;
pub use crate::context::Iso;
use crate::http::Api;
use crate::identity::{Identities, Role};
use crate::redact::Redactor;
use crate::run::{RunOptions, RunReport};
use reqwest::Method;
use resource_model::{ApiModel, ResourceModel, ValidApi};
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
    /// The endpoint answers, but not with the contract's list at the collection path.
    #[error(
        "{url} answered, but does not serve the collection as the contract says: GET {path}?limit=1 answered {found}; check the endpoint, and give --base-url as the server's root (scheme, host, port, and any prefix before {path})"
    )]
    NotServed {
        /// The base URL.
        url: String,
        /// The collection path.
        path: String,
        /// What it answered instead.
        found: String,
    },
    /// `--only` or `--skip` names no check.
    #[error("{flag} names no check id or family: {}; see `conformance list`", .names.join(", "))]
    UnknownSelectors {
        /// The flag(s).
        flag: &'static str,
        /// The unknown names.
        names: Vec<String>,
    },
    /// The configuration is unusable.
    #[error("{0}")]
    Config(String),
}

/// The JSON Schema of `model` as returned (the one `codegen` writes to
/// `json-schema/<name>.schema.json`, from the same builder), compiled.
pub fn response_schema(model: &ResourceModel) -> Result<jsonschema::Validator, RunError> {
    use resource_model::json_schema::{Shape, document};
    let schema = serde_json::Value::Object(document(
        model,
        Shape::Response,
        &format!("{}.schema.json", model.name.to_lowercase()),
        None,
    ));
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| RunError::Config(format!("the model's JSON Schema does not compile: {e}")))
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

/// Checks that the endpoint answers, serves the collection, and accepts the credentials.
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
            .map_err(|f| {
                if f.transport {
                    RunError::Connection {
                        url: base_url.to_owned(),
                        reason: f.message,
                    }
                } else {
                    let shown = f
                        .evidence
                        .as_ref()
                        .map(|e| e.lines().join(" "))
                        .unwrap_or_default();
                    RunError::NotServed {
                        url: base_url.to_owned(),
                        path: ctx.api.path.clone(),
                        found: format!("{shown} ({})", f.message),
                    }
                }
            })?;
        if ex.status == 401 || ex.status == 403 {
            return Err(RunError::Credentials {
                role,
                status: ex.status,
            });
        }
        if ex.status != 200 || !ex.body["data"].is_array() {
            let mut body: String = ex.text.chars().take(120).collect();
            if ex.text.len() > body.len() {
                body.push('…');
            }
            return Err(RunError::NotServed {
                url: base_url.to_owned(),
                path: ctx.api.path.clone(),
                found: format!(
                    "{} {} ({:?}), not 200 with a `data` array",
                    ex.status,
                    ex.header("content-type").unwrap_or("no content type"),
                    body
                ),
            });
        }
    }
    Ok(())
}

/// Reads and validates an API manifest (`api.manifest.json`, or a single
/// resource's manifest), naming the file in any error.
pub fn read_manifest(path: &std::path::Path) -> Result<ValidApi, RunError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        RunError::Config(format!(
            "--manifest {}: cannot read it: {e} (generate it with your codegen command)",
            path.display()
        ))
    })?;
    let api = ApiModel::from_manifest(&text)
        .map_err(|e| RunError::Config(format!("--manifest {}: {e}", path.display())))?;
    ValidApi::new(api).map_err(|errs| {
        RunError::Config(format!(
            "--manifest {}: {}",
            path.display(),
            errs.into_iter().map(|e| e.0).collect::<Vec<_>>().join("; ")
        ))
    })
}

/// Runs the selected checks against one resource, then soft-deletes every
/// item created. Selectors that name nothing in this resource's catalogue
/// select nothing here (the caller checks them against the whole API).
pub async fn run(
    ctx: Arc<Ctx>,
    base_url: &str,
    options: &RunOptions,
    reporter: &dyn run::Reporter,
) -> Result<RunReport, RunError> {
    let catalogue = checks::catalogue(&ctx.model);
    preflight(&ctx, base_url).await?;
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let selected = run::select(catalogue, options);
    let results = run::run_checks(ctx.clone(), selected, options, reporter).await;
    ctx.cleanup().await;
    let lost_endpoint = lost_endpoint(&ctx, &results).await;
    Ok(RunReport {
        target: base_url.to_owned(),
        checks: results,
        duration: clock.elapsed(),
        started,
        cleaned_up: ctx.cleaned_up(),
        left_behind: ctx
            .left_behind()
            .into_iter()
            .map(|id| format!("{}/{id}", ctx.model.plural))
            .collect(),
        lost_endpoint,
        interrupted: false,
    })
}

/// When checks failed on a request that got no answer and the endpoint
/// still does not answer: what to tell the user.
pub async fn lost_endpoint(ctx: &Ctx, results: &[run::CheckReport]) -> Option<String> {
    let failed: Vec<&run::CheckReport> = results.iter().filter(|r| r.connection_failed).collect();
    let left = ctx.left_behind();
    let last = match (failed.last(), left.last()) {
        (Some(r), _) => r.message.clone(),
        (None, Some(l)) => format!("the cleanup's delete of {l}"),
        (None, None) => return None,
    };
    let probe = ctx
        .api
        .json(
            Method::GET,
            &format!("{}?limit=1", ctx.api.path),
            &ctx.ids.get(Role::A1).token,
            None,
            &[],
        )
        .await;
    match probe {
        Ok(_) => None,
        Err(f) => Some(format!(
            "the endpoint stopped answering during the run: {} checks of the {} failed on a request that got no answer, and {} items could not be cleaned up (the last failure: {last}); it still does not answer ({}), so what failed after that says nothing about the contract",
            failed.len(),
            ctx.model.plural,
            left.len(),
            f.message
        )),
    }
}
