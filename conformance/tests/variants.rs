//! The model decides what runs: a matrix of model variants, each served by the
//! reference server, each passing the runner with no failure, every check
//! either run or not applicable with its reason; and for each variant a server
//! that breaks what the variant has, which the checks that apply catch.
#![cfg(feature = "reference")]

mod support {
    pub mod db;
    pub mod proxy;
}

use chrono::{DateTime, NaiveDate, Utc};
use conformance::identity::Identities;
use conformance::run::{Outcome, RunOptions, Silent};
use resource_model::{ApiModel, Resource, ResourceEnum, ResourceModel, ValidApi};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use support::proxy::{self, Behaviour, Req, Resp, Up};

const SECRET: &str = "variants-secret-0123456789abcdef012";

/// A resource with the standard stamps (the app stamp when asked), its own
/// id attribute, and the given client fields.
macro_rules! resource {
    ($(#[$doc:meta])* $name:ident, $path:literal, $prefix:literal, $sdk:literal,
     id($($id:tt)*), app, { $($fields:tt)* }) => {
        $(#[$doc])*
        #[derive(Serialize, Deserialize, Resource)]
        #[resource(path = $path, id_prefix = $prefix, sdk = $sdk)]
        pub struct $name {
            /// The id.
            #[field(stamp = id $($id)*)]
            pub id: String,
            /// The app.
            #[field(stamp = app)]
            pub app_id: Option<String>,
            /// The tenant.
            #[field(stamp = tenant)]
            pub tenant_id: String,
            /// Created.
            #[field(stamp = created_at)]
            pub created_at: DateTime<Utc>,
            /// Updated.
            #[field(stamp = updated_at)]
            pub updated_at: DateTime<Utc>,
            /// Creator.
            #[field(stamp = created_by)]
            pub created_by: String,
            /// Last writer.
            #[field(stamp = updated_by)]
            pub updated_by: String,
            /// Deleted?
            #[field(stamp = deleted_flag)]
            pub is_deleted: bool,
            /// When.
            #[field(stamp = deleted_at)]
            pub deleted_at: Option<DateTime<Utc>>,
            /// Revision.
            #[field(stamp = version)]
            pub version: i64,
            $($fields)*
        }
    };
    ($(#[$doc:meta])* $name:ident, $path:literal, $prefix:literal, $sdk:literal,
     id($($id:tt)*), { $($fields:tt)* }) => {
        $(#[$doc])*
        #[derive(Serialize, Deserialize, Resource)]
        #[resource(path = $path, id_prefix = $prefix, sdk = $sdk)]
        pub struct $name {
            /// The id.
            #[field(stamp = id $($id)*)]
            pub id: String,
            /// The tenant.
            #[field(stamp = tenant)]
            pub tenant_id: String,
            /// Created.
            #[field(stamp = created_at)]
            pub created_at: DateTime<Utc>,
            /// Updated.
            #[field(stamp = updated_at)]
            pub updated_at: DateTime<Utc>,
            /// Creator.
            #[field(stamp = created_by)]
            pub created_by: String,
            /// Last writer.
            #[field(stamp = updated_by)]
            pub updated_by: String,
            /// Deleted?
            #[field(stamp = deleted_flag)]
            pub is_deleted: bool,
            /// When.
            #[field(stamp = deleted_at)]
            pub deleted_at: Option<DateTime<Utc>>,
            /// Revision.
            #[field(stamp = version)]
            pub version: i64,
            $($fields)*
        }
    };
}

/// A colour.
#[derive(Serialize, Deserialize, ResourceEnum)]
#[serde(rename_all = "snake_case")]
pub enum Hue {
    /// Red.
    Red,
    /// Blue.
    Blue,
}

resource!(
    /// No app stamp: no app scope.
    NoApp, "/v/a/no-apps", "noa", "v.no_apps", id(), {
        /// A note.
        pub note: Option<String>,
        /// A code, unique within the tenant.
        #[field(filter = exact, unique(within(tenant_id), ignore_deleted))]
        pub code: Option<String>,
    }
);

resource!(
    /// No uniqueness rule.
    NoUnique, "/v/a/no-uniques", "nou", "v.no_uniques", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// A label, filtered.
        #[field(filter = exact)]
        pub label: Option<String>,
    }
);

resource!(
    /// Unique within the tenant only, case-insensitively, with a filter.
    TenantUnique, "/v/a/tenant-uniques", "tnu", "v.tenant_uniques", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// A handle.
        #[field(max_length = 64, filter = case_insensitive, unique(within(tenant_id), case_insensitive, ignore_deleted))]
        pub handle: Option<String>,
    }
);

resource!(
    /// Unique within the tenant and a partition field.
    PartitionUnique, "/v/a/partition-uniques", "ptu", "v.partition_uniques", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// The group.
        #[field(format = prefixed_uuid("grp"), filter = exact)]
        pub group_id: Option<String>,
        /// A slot, unique in its group.
        #[field(unique(within(tenant_id, group_id), ignore_deleted))]
        pub slot: Option<i64>,
    }
);

resource!(
    /// Required fields.
    Required, "/v/a/requireds", "req", "v.requireds", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// A title (required).
        #[field(min_length = 1, max_length = 80)]
        pub title: String,
        /// A count (required).
        pub count: u16,
    }
);

resource!(
    /// Bounded integers.
    Bounded, "/v/a/boundeds", "bnd", "v.boundeds", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// A percentage.
        #[field(maximum = 100)]
        pub pct: Option<u8>,
        /// A delta.
        pub delta: Option<i16>,
        /// A signed amount with bounds.
        #[field(minimum = -500, maximum = 500)]
        pub amount: Option<i64>,
    }
);

resource!(
    /// A date, and an enum with a default.
    Dated, "/v/a/dateds", "dtd", "v.dateds", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// A day.
        pub day: Option<NaiveDate>,
        /// A colour.
        #[field(default = "red", filter = exact)]
        pub hue: Option<Hue>,
    }
);

resource!(
    /// No filters at all.
    NoFilter, "/v/a/no-filters", "nof", "v.no_filters", id(), app, {
        /// A note.
        pub note: Option<String>,
        /// Tags.
        #[field(max_items = 5)]
        pub tags: Option<Vec<String>>,
    }
);

resource!(
    /// Ids that are prefixed UUIDs.
    UuidId, "/v/a/uuid-ids", "uid", "v.uuid_ids", id(, format = prefixed_uuid("uid")), app, {
        /// A note.
        pub note: Option<String>,
        /// A colour.
        #[field(filter = exact)]
        pub hue: Option<Hue>,
    }
);

fn api() -> ValidApi {
    ValidApi::new(
        ApiModel::new("variants", "Variants", "Model variants.")
            .resource::<NoApp>()
            .resource::<NoUnique>()
            .resource::<TenantUnique>()
            .resource::<PartitionUnique>()
            .resource::<Required>()
            .resource::<Bounded>()
            .resource::<Dated>()
            .resource::<NoFilter>()
            .resource::<UuidId>(),
    )
    .expect("a valid API")
}

/// The API's tree, as its codegen command would write it.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(
        dir.path(),
        &api(),
        &codegen::Commands::build_script(),
        codegen::Mode::Write,
        false,
    )
    .unwrap();
    dir
}

async fn serve(tree: &std::path::Path, url: Option<&str>) -> reference_server::Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = reference_server::Config::from_schemas(tree, SECRET).unwrap();
    if let Some(u) = url {
        config.database_url = u.to_owned();
    }
    reference_server::start(config).await.unwrap()
}

/// Runs `model`'s catalogue against `base`; the (id, outcome, message) of each check.
async fn run(model: &ResourceModel, base: &str) -> Vec<(String, Outcome, String)> {
    let ctx = conformance::context(
        model.clone(),
        base,
        Identities::mint(SECRET.as_bytes()).unwrap(),
        Some(SECRET),
        Duration::from_secs(10),
    )
    .unwrap();
    let report = conformance::run(ctx, base, &RunOptions::default(), &Silent)
        .await
        .unwrap();
    assert!(report.left_behind.is_empty(), "{:?}", report.left_behind);
    report
        .checks
        .into_iter()
        .map(|c| (c.id, c.outcome, c.message))
        .collect()
}

async fn every_variant_passes_on(url: Option<&str>) {
    let dir = tree();
    let server = serve(dir.path(), url).await;
    let api = api();
    let mut not_applicable = BTreeSet::new();
    for model in api.resources() {
        for (id, outcome, message) in run(model, &server.base_url()).await {
            match outcome {
                Outcome::Pass => {}
                Outcome::NotApplicable => {
                    assert!(!message.is_empty(), "{}: {id} says no reason", model.plural);
                    not_applicable.insert(format!("{} {id}", model.plural));
                }
                other => panic!("{}: {id} {other:?}: {message}", model.plural),
            }
        }
    }
    server.shutdown().await;
    // What each variant lacks is not applicable there, and only there.
    for expected in [
        "noapps app_scope.lists_are_app_scoped",
        "noapps stamping.app_id_stamped",
        "nouniques uniqueness.duplicate_is_409",
        "nouniques races.concurrent_creates_one_value",
        "tenantuniques uniqueness.orphans_are_one_group",
        "nofilters pagination.filters_hold_on_every_page",
        "boundeds validation.required_fields",
    ] {
        assert!(
            not_applicable.contains(expected),
            "{expected}: {not_applicable:?}"
        );
    }
    for applies in [
        "noapps app_scope.no_app_scope",
        "partitionuniques uniqueness.orphans_are_one_group",
        "requireds validation.required_fields",
        "tenantuniques pagination.filters_hold_on_every_page",
    ] {
        assert!(!not_applicable.contains(applies), "{applies} must run");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variant_passes_with_every_check_run_or_not_applicable_on_sqlite() {
    every_variant_passes_on(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_variant_passes_with_every_check_run_or_not_applicable_on_postgres() {
    let Some(db) = support::db::Db::create("variants").await else {
        return;
    };
    every_variant_passes_on(Some(&db.url)).await;
    db.drop_now().await;
}

fn pre(f: impl Fn(&mut Req) -> Option<Resp> + Send + Sync + 'static) -> Behaviour {
    let f = Arc::new(f);
    Arc::new(move |mut req: Req, up: Up| {
        let short = f(&mut req);
        Box::pin(async move {
            match short {
                Some(r) => r,
                None => up.forward(req).await,
            }
        })
    })
}

fn post(f: impl Fn(&Req, &mut Resp) + Send + Sync + 'static) -> Behaviour {
    let f = Arc::new(f);
    Arc::new(move |req: Req, up: Up| {
        let f = f.clone();
        Box::pin(async move {
            let seen = req.clone();
            let mut resp = up.forward(req).await;
            f(&seen, &mut resp);
            resp
        })
    })
}

fn claims(req: &Req) -> Value {
    req.claims().unwrap_or(Value::Null)
}

/// For each variant, a server that breaks what the variant has: (resource,
/// what it breaks, the checks that must catch it, the behaviour).
fn mutants() -> Vec<(&'static str, &'static str, Vec<&'static str>, Behaviour)> {
    vec![
        (
            "noapps",
            "app scope enforced on a resource without one",
            vec!["app_scope.no_app_scope"],
            {
                // An app reading an item a person made gets a 404.
                let people: Arc<std::sync::Mutex<BTreeSet<String>>> = Arc::default();
                Arc::new(move |req: Req, up: Up| {
                    let people = people.clone();
                    Box::pin(async move {
                        let app = claims(&req)["app_id"].is_string();
                        if let Some(id) = req.item_id().map(str::to_owned)
                            && app
                            && people.lock().unwrap().contains(&id)
                        {
                            return proxy::problem(404, "not found");
                        }
                        let create = req.is_collection() && req.method == "POST";
                        let resp = up.forward(req).await;
                        if create
                            && !app
                            && resp.status == 201
                            && let Some(id) = resp.json()["id"].as_str()
                        {
                            people.lock().unwrap().insert(id.to_owned());
                        }
                        resp
                    })
                })
            },
        ),
        (
            "nouniques",
            "updates do not raise the version",
            vec!["versioning.every_update_is_a_write"],
            post(|req, r| {
                if req.method == "PATCH" && r.status == 200 {
                    r.edit(|v| {
                        if let Some(n) = v["version"].as_i64() {
                            v["version"] = json!(n - 1);
                        }
                    });
                }
            }),
        ),
        (
            "tenantuniques",
            "a duplicate handle in another case is accepted",
            vec!["uniqueness.duplicate_is_409"],
            pre(|req| {
                if req.is_write() {
                    req.edit(|o| {
                        if let Some(h) = o.get("handle").and_then(Value::as_str)
                            && h.chars().any(|c| c.is_ascii_uppercase())
                        {
                            let fresh = format!("x{}", ulid::Ulid::generate()).to_lowercase();
                            o.insert("handle".into(), json!(fresh));
                        }
                    });
                }
                None
            }),
        ),
        (
            "partitionuniques",
            "the slot is unique across groups",
            vec!["uniqueness.scope_is_the_group"],
            {
                let slots: Arc<std::sync::Mutex<BTreeSet<(String, i64)>>> = Arc::default();
                Arc::new(move |req: Req, up: Up| {
                    let slots = slots.clone();
                    Box::pin(async move {
                        let tenant = claims(&req)["tenant_id"].as_str().unwrap_or("").to_owned();
                        let slot = (req.is_collection() && req.method == "POST")
                            .then(|| req.member("slot").and_then(|v| v.as_i64()))
                            .flatten();
                        if let Some(s) = slot
                            && slots.lock().unwrap().contains(&(tenant.clone(), s))
                        {
                            return proxy::problem(409, "taken");
                        }
                        let resp = up.forward(req).await;
                        if let Some(s) = slot.filter(|_| resp.status == 201) {
                            slots.lock().unwrap().insert((tenant, s));
                        }
                        resp
                    })
                })
            },
        ),
        (
            "requireds",
            "a missing title is filled in",
            vec!["validation.required_fields"],
            pre(|req| {
                if req.is_collection() && req.method == "POST" {
                    req.edit(|o| {
                        if o.get("title").is_none_or(Value::is_null) {
                            o.insert("title".into(), json!("filled in"));
                        }
                    });
                }
                None
            }),
        ),
        (
            "boundeds",
            "pct above its maximum is accepted",
            vec!["validation.integer_bounds_pct"],
            pre(|req| {
                if req.is_write() {
                    req.edit(|o| {
                        if o.get("pct")
                            .and_then(Value::as_i64)
                            .is_some_and(|p| p > 100)
                        {
                            o.remove("pct");
                        }
                    });
                }
                None
            }),
        ),
        (
            "dateds",
            "days the month lacks are accepted",
            vec!["validation.date_rejects_day"],
            pre(|req| {
                if req.is_write() {
                    req.edit(|o| {
                        if o.get("day").and_then(Value::as_str).is_some_and(|d| {
                            d.len() == 10 && NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
                        }) {
                            o.remove("day");
                        }
                    });
                }
                None
            }),
        ),
        (
            "nofilters",
            "lists show soft-deleted items",
            vec!["soft_delete.lists_hide_deleted"],
            pre(|req| {
                if req.is_collection()
                    && req.method == "GET"
                    && req.param("include_deleted").is_none()
                {
                    req.set_param("include_deleted", Some("true"));
                }
                None
            }),
        ),
        (
            "uuidids",
            "ids come back in upper case",
            vec!["stamping.id_format"],
            post(|req, r| {
                if req.is_collection() && req.method == "POST" && r.status == 201 {
                    r.edit(|v| {
                        if let Some(id) = v["id"].as_str() {
                            v["id"] = json!(id.to_uppercase());
                        }
                    });
                }
            }),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn for_each_variant_a_server_breaking_what_it_has_fails_the_checks_that_apply() {
    let dir = tree();
    let server = serve(dir.path(), None).await;
    let api = api();
    for m in api.resources() {
        proxy::register_collection(&m.path);
    }
    let mut covered = BTreeSet::new();
    for (resource, what, kills, behaviour) in mutants() {
        covered.insert(resource);
        let model = api
            .resources()
            .iter()
            .find(|m| m.plural == resource)
            .expect("a variant");
        let p = proxy::start(&server.base_url(), SECRET, behaviour).await;
        let results = run(model, &p.base_url).await;
        let failed: BTreeSet<&str> = results
            .iter()
            .filter(|(_, o, _)| *o == Outcome::Fail)
            .map(|(id, _, _)| id.as_str())
            .collect();
        for k in kills {
            assert!(
                failed.contains(k),
                "{resource}: {what}: {k} passed (failed: {failed:?})"
            );
            let applies = results
                .iter()
                .any(|(id, o, _)| id == k && *o != Outcome::NotApplicable);
            assert!(applies, "{resource}: {k} must apply");
        }
    }
    assert_eq!(
        covered.len(),
        api.resources().len(),
        "every variant has a mutant"
    );
    server.shutdown().await;
}
