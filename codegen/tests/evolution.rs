//! Schema evolution, proven: a corpus of model changes, each with the rule
//! ids, levels and views `diff` must give, and each migration `migrate`
//! writes applied to real SQLite, PostgreSQL and MariaDB after rows were
//! written under the old schema. On SQLite and PostgreSQL the rows are
//! written and read back through the reference server (old model before, new
//! model after); on MariaDB with SQL. Every upgraded database ends with the
//! schema of a database migrated fresh, which ends with the schema the new
//! model's first migration creates (their catalogs are compared).

use codegen::diff::{Diff, Level, View, diff, rules};
use codegen::emit::sql::{self, Dialect, alter::alter};
use codegen::history::Snapshot;
use contact_schema::{Contact, Resource};
use reference_server::migrations::MigrationFile;
use resource_model::{ApiModel, ResourceModel, ValidApi};
use resource_model::{Field, FieldType, Filter, Format, Stamp, Writer};
use serde_json::{Value, json};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// One model change: how the old and new models differ from the Contact, what
/// `diff` must say (rule, field, level, the views at that level), and, for
/// those applied to databases, a body written under the old model and what
/// must be read back under the new one.
struct Case {
    name: &'static str,
    old: fn(&mut ResourceModel),
    new: fn(&mut ResourceModel),
    expect: &'static [(&'static str, Option<&'static str>, Level, &'static [View])],
    apply: Option<Apply>,
}

struct Apply {
    /// The body of the contact created under the old model.
    seed: fn() -> Value,
    /// Checks the contact read back under the new model.
    check: fn(&Value),
}

const ALL: &[View] = &[
    View::Response,
    View::Create,
    View::Update,
    View::Table,
    View::Sdk,
];
const REQUESTS: &[View] = &[View::Create, View::Update];

fn unchanged(_: &mut ResourceModel) {}

fn field<'a>(m: &'a mut ResourceModel, name: &str) -> &'a mut Field {
    m.fields.iter_mut().find(|f| f.name == name).unwrap()
}

fn optional_string(name: &str, description: &str) -> Field {
    let mut f = Contact::model().field("first_name").unwrap().clone();
    f.name = name.into();
    f.description = description.into();
    f
}

fn bump(m: &mut ResourceModel) {
    m.schema_version = 2;
}

fn plain_seed() -> Value {
    json!({"first_name": "Ada", "job_title": "CTO", "seniority": "Senior", "email": "ada@example.com", "source_type": "backend"})
}

/// `job_title` made required: a String the client must send.
fn job_title_required(m: &mut ResourceModel) {
    let f = m.fields.iter_mut().find(|f| f.name == "job_title").unwrap();
    f.nullable = false;
    f.always_present = true;
    f.writer = Writer::Client {
        default: None,
        computed: None,
        required: true,
    };
}

fn corpus() -> Vec<Case> {
    vec![
        Case {
            name: "make_field_required",
            old: unchanged,
            new: |m| {
                job_title_required(m);
                bump(m);
            },
            expect: &[
                (
                    "SCHEMA_VERSION_RAISED",
                    None,
                    Level::Info,
                    &[View::Response, View::Table],
                ),
                (
                    "NULLABLE_REMOVED",
                    Some("job_title"),
                    Level::Warning,
                    &[View::Table, View::Sdk],
                ),
                (
                    "REQUIRED_ADDED",
                    Some("job_title"),
                    Level::Breaking,
                    &[View::Create, View::Update, View::Sdk],
                ),
            ],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["job_title"], "CTO", "{c}"),
            }),
        },
        Case {
            name: "field_no_longer_required",
            old: job_title_required,
            new: unchanged,
            expect: &[
                (
                    "NULLABLE_ADDED",
                    Some("job_title"),
                    Level::Breaking,
                    &[View::Response, View::Sdk],
                ),
                (
                    "REQUIRED_REMOVED",
                    Some("job_title"),
                    Level::Warning,
                    &[View::Sdk],
                ),
            ],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["job_title"], "CTO", "{c}"),
            }),
        },
        Case {
            name: "add_optional_field",
            old: unchanged,
            new: |m| {
                m.fields.push(optional_string(
                    "nickname",
                    "What the contact likes to be called.",
                ))
            },
            expect: &[(
                "FIELD_ADDED",
                Some("nickname"),
                Level::Warning,
                &[View::Sdk],
            )],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert!(c.get("nickname").is_none_or(Value::is_null), "{c}"),
            }),
        },
        Case {
            name: "add_field_with_default",
            old: unchanged,
            new: |m| {
                let mut f = optional_string("locale", "The contact's language.");
                f.nullable = false;
                f.always_present = true;
                f.writer = Writer::Client {
                    default: Some(json!("en")),
                    computed: None,
                    required: false,
                };
                m.fields.push(f);
            },
            expect: &[("FIELD_ADDED", Some("locale"), Level::Warning, &[View::Sdk])],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["locale"], "en", "existing rows get the default: {c}"),
            }),
        },
        Case {
            name: "remove_field",
            old: unchanged,
            new: |m| {
                m.fields.retain(|f| f.name != "seniority");
                bump(m);
            },
            expect: &[
                (
                    "SCHEMA_VERSION_RAISED",
                    None,
                    Level::Info,
                    &[View::Response, View::Table],
                ),
                ("FIELD_REMOVED", Some("seniority"), Level::Breaking, ALL),
            ],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| {
                    assert!(c.get("seniority").is_none(), "{c}");
                    assert_eq!(c["job_title"], "CTO");
                    assert_eq!(c["schema_version"], 1, "written before: keeps its version");
                },
            }),
        },
        Case {
            name: "rename_field",
            old: unchanged,
            new: |m| {
                let f = field(m, "job_title");
                f.name = "title".into();
                f.renamed_from = Some("job_title".into());
                bump(m);
            },
            expect: &[
                (
                    "SCHEMA_VERSION_RAISED",
                    None,
                    Level::Info,
                    &[View::Response, View::Table],
                ),
                (
                    "FIELD_RENAMED",
                    Some("title"),
                    Level::Breaking,
                    &[View::Response, View::Create, View::Update, View::Sdk],
                ),
            ],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| {
                    assert_eq!(c["title"], "CTO", "the renamed column keeps its data: {c}");
                    assert!(c.get("job_title").is_none());
                },
            }),
        },
        Case {
            name: "narrow_max_length",
            old: unchanged,
            new: |m| field(m, "first_name").limits.max_length = Some(10),
            expect: &[(
                "MAX_LENGTH_DECREASED",
                Some("first_name"),
                Level::Breaking,
                REQUESTS,
            )],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["first_name"], "Ada"),
            }),
        },
        Case {
            name: "widen_max_length",
            old: unchanged,
            new: |m| field(m, "email").limits.max_length = Some(320),
            expect: &[(
                "MAX_LENGTH_INCREASED",
                Some("email"),
                Level::Warning,
                &[View::Response],
            )],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["email"], "ada@example.com"),
            }),
        },
        Case {
            name: "add_enum_value",
            old: unchanged,
            new: |m| {
                if let FieldType::Enum { values } = &mut field(m, "source_type").ty {
                    values.push("import".into());
                }
            },
            expect: &[(
                "ENUM_VALUE_ADDED",
                Some("source_type"),
                Level::Breaking,
                &[View::Response],
            )],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["source_type"], "backend"),
            }),
        },
        Case {
            name: "remove_enum_value",
            old: unchanged,
            new: |m| {
                if let FieldType::Enum { values } = &mut field(m, "source_type").ty {
                    values.retain(|v| v != "frontend");
                }
                bump(m);
            },
            expect: &[
                (
                    "SCHEMA_VERSION_RAISED",
                    None,
                    Level::Info,
                    &[View::Response, View::Table],
                ),
                (
                    "ENUM_VALUE_REMOVED",
                    Some("source_type"),
                    Level::Breaking,
                    &[View::Create, View::Update, View::Sdk],
                ),
            ],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["source_type"], "backend"),
            }),
        },
        Case {
            name: "remove_format",
            old: unchanged,
            new: |m| field(m, "linkedin_url").format = None,
            expect: &[(
                "FORMAT_REMOVED",
                Some("linkedin_url"),
                Level::Warning,
                &[View::Response],
            )],
            apply: Some(Apply {
                seed: || json!({"linkedin_url": "https://www.linkedin.com/in/ada"}),
                check: |c| assert_eq!(c["linkedin_url"], "https://www.linkedin.com/in/ada"),
            }),
        },
        Case {
            name: "add_format",
            old: |m| field(m, "linkedin_url").format = None,
            new: unchanged,
            expect: &[(
                "FORMAT_ADDED",
                Some("linkedin_url"),
                Level::Breaking,
                REQUESTS,
            )],
            apply: Some(Apply {
                seed: || json!({"linkedin_url": "https://www.linkedin.com/in/ada"}),
                check: |c| assert_eq!(c["linkedin_url"], "https://www.linkedin.com/in/ada"),
            }),
        },
        Case {
            name: "change_default",
            old: unchanged,
            new: |m| {
                field(m, "source").writer = Writer::Client {
                    default: Some(json!("crm")),
                    computed: None,
                    required: false,
                }
            },
            expect: &[(
                "DEFAULT_CHANGED",
                Some("source"),
                Level::Warning,
                &[View::Response, View::Create],
            )],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["source"], "edm", "stored rows keep their value: {c}"),
            }),
        },
        Case {
            name: "change_uniqueness_scope",
            old: unchanged,
            new: |m| {
                m.unique[0].within = vec!["tenant_id".into()];
                bump(m);
            },
            expect: &[
                (
                    "SCHEMA_VERSION_RAISED",
                    None,
                    Level::Info,
                    &[View::Response, View::Table],
                ),
                (
                    "UNIQUE_SCOPE_CHANGED",
                    Some("email"),
                    Level::Breaking,
                    REQUESTS,
                ),
            ],
            apply: Some(Apply {
                seed: plain_seed,
                check: |c| assert_eq!(c["email"], "ada@example.com"),
            }),
        },
        Case {
            name: "make_a_field_server_owned",
            old: |m| {
                let f = field(m, "app_id");
                f.writer = Writer::Client {
                    default: None,
                    computed: None,
                    required: false,
                };
            },
            new: bump,
            expect: &[
                (
                    "SCHEMA_VERSION_RAISED",
                    None,
                    Level::Info,
                    &[View::Response, View::Table],
                ),
                (
                    "SERVER_OWNED",
                    Some("app_id"),
                    Level::Breaking,
                    &[View::Create, View::Update, View::Sdk],
                ),
                // A client string had the resource's default limit; a server one has none.
                (
                    "MAX_LENGTH_INCREASED",
                    Some("app_id"),
                    Level::Warning,
                    &[View::Response],
                ),
            ],
            apply: Some(Apply {
                seed: || json!({"app_id": "app-set-by-client", "first_name": "Ada"}),
                check: |c| {
                    assert_eq!(
                        c["app_id"], "app-set-by-client",
                        "the stored value stays: {c}"
                    )
                },
            }),
        },
        // Verdicts only, for the rules the cases above do not reach.
        verdict(
            "type_changed",
            |m| field(m, "is_primary").ty = FieldType::String,
            &[("TYPE_CHANGED", Some("is_primary"), Level::Breaking, ALL)],
        ),
        verdict(
            "nullable_added",
            |m| {
                let f = field(m, "source");
                f.nullable = true;
                f.always_present = false;
            },
            &[(
                "NULLABLE_ADDED",
                Some("source"),
                Level::Breaking,
                &[View::Response, View::Sdk],
            )],
        ),
        Case {
            name: "nullable_removed",
            old: |m| {
                let f = field(m, "source");
                f.nullable = true;
                f.always_present = false;
            },
            new: unchanged,
            expect: &[(
                "NULLABLE_REMOVED",
                Some("source"),
                Level::Warning,
                &[View::Sdk],
            )],
            apply: None,
        },
        verdict(
            "format_changed",
            |m| field(m, "phone").format = Some(Format::Email),
            &[("FORMAT_CHANGED", Some("phone"), Level::Breaking, REQUESTS)],
        ),
        verdict(
            "client_owned",
            |m| {
                field(m, "created_by").writer = Writer::Client {
                    default: None,
                    computed: None,
                    required: false,
                }
            },
            &[
                (
                    "CLIENT_OWNED",
                    Some("created_by"),
                    Level::Warning,
                    &[View::Response],
                ),
                // A client string takes the resource's default limit: a new CHECK stored rows may break.
                (
                    "MAX_LENGTH_DECREASED",
                    Some("created_by"),
                    Level::Warning,
                    &[View::Table],
                ),
            ],
        ),
        verdict(
            "stamp_changed",
            |m| {
                field(m, "created_by").writer = Writer::Server {
                    stamp: Stamp::UpdatedBy,
                };
                field(m, "updated_by").writer = Writer::Server {
                    stamp: Stamp::CreatedBy,
                };
            },
            &[
                (
                    "STAMP_CHANGED",
                    Some("created_by"),
                    Level::Breaking,
                    &[View::Response],
                ),
                (
                    "STAMP_CHANGED",
                    Some("updated_by"),
                    Level::Breaking,
                    &[View::Response],
                ),
            ],
        ),
        verdict(
            "computed_changed",
            |m| {
                field(m, "display_name").writer = Writer::Client {
                    default: None,
                    computed: None,
                    required: false,
                }
            },
            &[(
                "COMPUTED_CHANGED",
                Some("display_name"),
                Level::Warning,
                &[View::Response, View::Create, View::Update],
            )],
        ),
        verdict(
            "reference_removed",
            |m| field(m, "reports_to_contact_id").references = None,
            &[(
                "REFERENCE_CHANGED",
                Some("reports_to_contact_id"),
                Level::Info,
                REQUESTS,
            )],
        ),
        verdict(
            "filter_added",
            |m| field(m, "phone").filter = Some(Filter::Exact),
            &[(
                "FILTER_ADDED",
                Some("phone"),
                Level::Info,
                &[View::Response, View::Table, View::Sdk],
            )],
        ),
        verdict(
            "filter_removed",
            |m| field(m, "email").filter = None,
            &[(
                "FILTER_REMOVED",
                Some("email"),
                Level::Breaking,
                &[View::Response, View::Sdk],
            )],
        ),
        verdict(
            "filter_changed",
            |m| field(m, "email").filter = Some(Filter::Exact),
            &[(
                "FILTER_CHANGED",
                Some("email"),
                Level::Warning,
                &[View::Response],
            )],
        ),
        verdict(
            "min_length_raised",
            |m| field(m, "source").limits.min_length = Some(3),
            &[(
                "MIN_LENGTH_INCREASED",
                Some("source"),
                Level::Breaking,
                REQUESTS,
            )],
        ),
        verdict(
            "items_narrowed",
            |m| {
                let l = &mut field(m, "tags").limits;
                l.max_items = Some(10);
                l.item_max_length = Some(20);
            },
            &[
                (
                    "MAX_ITEMS_DECREASED",
                    Some("tags"),
                    Level::Breaking,
                    REQUESTS,
                ),
                (
                    "ITEM_MAX_LENGTH_DECREASED",
                    Some("tags"),
                    Level::Breaking,
                    REQUESTS,
                ),
            ],
        ),
        verdict(
            "bytes_widened",
            |m| field(m, "custom_fields").limits.max_bytes = Some(131_072),
            &[(
                "MAX_BYTES_INCREASED",
                Some("custom_fields"),
                Level::Warning,
                &[View::Response],
            )],
        ),
        verdict(
            "path_changed",
            |m| m.path = "/api/v2/crm/contacts".into(),
            &[(
                "PATH_CHANGED",
                None,
                Level::Breaking,
                &[View::Response, View::Create, View::Update, View::Sdk],
            )],
        ),
        verdict(
            "id_prefix_changed",
            |m| m.id_prefix = "con".into(),
            &[(
                "ID_PREFIX_CHANGED",
                None,
                Level::Breaking,
                &[View::Response],
            )],
        ),
        verdict(
            "table_renamed",
            |m| m.table = "people".into(),
            &[("TABLE_RENAMED", None, Level::Info, &[View::Table])],
        ),
        verdict(
            "resource_renamed",
            |m| m.sdk_namespace = "crm.contacts".into(),
            &[("RESOURCE_RENAMED", None, Level::Breaking, &[View::Sdk])],
        ),
        Case {
            name: "schema_version_lowered",
            old: bump,
            new: unchanged,
            expect: &[(
                "SCHEMA_VERSION_LOWERED",
                None,
                Level::Breaking,
                &[View::Response],
            )],
            apply: None,
        },
        verdict(
            "needless_bump",
            bump,
            &[(
                "SCHEMA_VERSION_RAISED",
                None,
                Level::Warning,
                &[View::Response],
            )],
        ),
        verdict(
            "api_limits",
            |m| m.api.max_body_bytes = 65_536,
            &[("API_LIMIT_CHANGED", None, Level::Breaking, REQUESTS)],
        ),
        verdict(
            "description_changed",
            |m| field(m, "phone").description = "Mobile phone.".into(),
            &[(
                "DESCRIPTION_CHANGED",
                Some("phone"),
                Level::Info,
                &[View::Response, View::Table, View::Sdk],
            )],
        ),
    ]
}

fn verdict(
    name: &'static str,
    new: fn(&mut ResourceModel),
    expect: &'static [(&'static str, Option<&'static str>, Level, &'static [View])],
) -> Case {
    Case {
        name,
        old: unchanged,
        new,
        expect,
        apply: None,
    }
}

fn models(c: &Case) -> (ResourceModel, ResourceModel) {
    let (mut old, mut new) = (Contact::model(), Contact::model());
    (c.old)(&mut old);
    (c.new)(&mut new);
    (old, new)
}

fn states(c: &Case) -> (Snapshot, Snapshot, Diff) {
    let (old, new) = models(c);
    let (a, b) = (
        Snapshot::of(&old, 1, "create_contacts"),
        Snapshot::of(&new, 2, c.name),
    );
    let d = diff(&a, &b);
    (a, b, d)
}

#[test]
fn every_case_gets_exactly_its_rules_levels_and_views() {
    for c in corpus() {
        let (_, _, d) = states(&c);
        let got: Vec<(&str, Option<&str>, Level, Vec<View>)> = d
            .changes
            .iter()
            .map(|ch| (ch.rule, ch.field.as_deref(), ch.level(), ch.views()))
            .collect();
        let want: Vec<(&str, Option<&str>, Level, Vec<View>)> = c
            .expect
            .iter()
            .map(|(r, f, l, v)| (*r, *f, *l, v.to_vec()))
            .collect();
        assert_eq!(got, want, "case {}: {:#?}", c.name, d.changes);
    }
}

#[test]
fn every_rule_of_the_catalogue_is_reported_by_some_case() {
    let mut seen: BTreeSet<&str> = corpus()
        .iter()
        .flat_map(|c| states(c).2.changes.into_iter().map(|ch| ch.rule))
        .collect();
    // A resource joining or leaving the API is judged between APIs, not states.
    let whole = [
        codegen::diff::resource_added(&Contact::model()),
        codegen::diff::resource_removed(&Contact::model()),
    ];
    assert!(!whole[0].gate_fails() && whole[1].gate_fails());
    seen.extend(whole.iter().flat_map(|d| d.changes.iter().map(|c| c.rule)));
    for r in rules::RULES {
        assert!(seen.contains(r.id), "no case reports {}", r.id);
    }
    for id in seen {
        assert!(rules::rule(id).is_some(), "{id} is not in the catalogue");
    }
}

#[test]
fn a_response_only_or_server_field_never_breaks_a_request() {
    for c in corpus() {
        let (a, b, d) = states(&c);
        for ch in &d.changes {
            let Some(name) = &ch.field else { continue };
            let client = |s: &Snapshot| {
                s.model.field(name).is_some_and(Field::is_client)
                    || s.model
                        .fields
                        .iter()
                        .any(|f| f.renamed_from.as_deref() == Some(name))
            };
            let was_client = a.model.field(name).is_some_and(Field::is_client)
                || b.model
                    .field(name)
                    .and_then(|f| f.renamed_from.as_deref())
                    .and_then(|o| a.model.field(o))
                    .is_some_and(Field::is_client);
            if !client(&b) && !was_client {
                for v in REQUESTS {
                    assert!(
                        ch.impacts.get(v).is_none_or(|l| *l != Level::Breaking),
                        "case {}: {} on server field {name} breaks {v:?}",
                        c.name,
                        ch.rule
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Applying the migrations.

fn migration_files(
    c: &Case,
    d: Dialect,
) -> (Vec<MigrationFile>, Vec<MigrationFile>, MigrationFile) {
    let (old, new) = models(c);
    let (a, b, diff) = states(c);
    let file = |v: i64, desc: &str, sql: String| MigrationFile {
        version: v,
        description: Cow::Owned(desc.to_owned()),
        sql: Cow::Owned(sql),
    };
    let first = file(
        1,
        "create contacts",
        sql::create(&old, d, &codegen::Commands::build_script()).unwrap(),
    );
    let (second, _) = alter(&a, &b, &diff, d).unwrap();
    let fresh_new = file(
        1,
        "create contacts",
        sql::create(&new, d, &codegen::Commands::build_script()).unwrap(),
    );
    (
        vec![first.clone()],
        vec![first, file(2, c.name, second)],
        fresh_new,
    )
}

fn token() -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "evolver", "tenant_id": "evolution", "exp": chrono::Utc::now().timestamp() + 3600}),
        &jsonwebtoken::EncodingKey::from_secret(b"evolution-secret").unwrap(),
    )
    .unwrap()
}

async fn serve(
    url: &str,
    model: ResourceModel,
    files: Vec<MigrationFile>,
) -> reference_server::Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let api =
        ValidApi::new(ApiModel::new("evolution", "Evolution", "One model.").with_model(model))
            .expect("a valid model");
    // Only the dialect of `url` is read.
    let migrations = reference_server::migrations::Migrations {
        postgres: files.clone(),
        sqlite: files,
    };
    let mut config = reference_server::Config::in_memory(api, migrations, "evolution-secret");
    config.database_url = url.to_owned();
    reference_server::start(config)
        .await
        .unwrap_or_else(|e| panic!("server on {url}: {e:#}"))
}

/// Writes a contact under the old model and its manager, stops; starts the
/// new model (which applies the new migration), reads it back and checks it,
/// then writes it again and sees the new schema_version stamped.
async fn through_the_server(c: &Case, url: &str, d: Dialect) {
    let (old, new) = models(c);
    let (first, both, _) = migration_files(c, d);
    let apply = c.apply.as_ref().unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let t = token();
    let server = serve(url, old, first).await;
    let res = http
        .post(format!("{}{}", server.base_url(), "/api/v1/crm/contacts"))
        .bearer_auth(&t)
        .json(&(apply.seed)())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        201,
        "case {}: {}",
        c.name,
        res.text().await.unwrap()
    );
    let created: Value = res.json().await.unwrap();
    server.shutdown().await;

    let server = serve(url, new.clone(), both).await;
    let item = format!(
        "{}{}/{}",
        server.base_url(),
        new.path,
        created["id"].as_str().unwrap()
    );
    let res = http.get(&item).bearer_auth(&t).send().await.unwrap();
    assert_eq!(res.status(), 200, "case {}", c.name);
    let read: Value = res.json().await.unwrap();
    (apply.check)(&read);
    assert_eq!(read["created_at"], created["created_at"], "case {}", c.name);
    assert_eq!(
        read["schema_version"], 1,
        "case {}: written before the migration",
        c.name
    );
    let res = http
        .patch(&item)
        .bearer_auth(&t)
        .header("content-type", "application/merge-patch+json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "case {}: {}",
        c.name,
        res.text().await.unwrap()
    );
    let rewritten: Value = res.json().await.unwrap();
    assert_eq!(
        rewritten["schema_version"], new.schema_version,
        "case {}",
        c.name
    );
    server.shutdown().await;
}

/// The table's schema as the database reports it, order-free, comments aside.
async fn catalog(pool: &AnyPool, d: Dialect, table: &str) -> BTreeSet<String> {
    let q = |sql: String| async move {
        let rows = sqlx::query(&sql).fetch_all(pool).await.unwrap();
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<Option<String>, _>(i)
                            .ok()
                            .flatten()
                            .or_else(|| {
                                r.try_get::<Option<i64>, _>(i)
                                    .ok()
                                    .flatten()
                                    .map(|n| n.to_string())
                            })
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect::<Vec<String>>()
    };
    let mut out = BTreeSet::new();
    match d {
        Dialect::Postgres => {
            for r in q(format!("SELECT 'column'::text, column_name::text, data_type::text, is_nullable::text, COALESCE(column_default, '')::text FROM information_schema.columns WHERE table_name = '{table}'")).await {
                out.insert(r);
            }
            for r in q(format!("SELECT 'constraint'::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{table}'::regclass")).await {
                out.insert(r);
            }
            for r in q(format!("SELECT 'index'::text, indexname::text, indexdef::text FROM pg_indexes WHERE tablename = '{table}'")).await {
                out.insert(r);
            }
        }
        Dialect::Mysql => {
            for r in q(format!("SELECT 'column', COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, ''), COALESCE(GENERATION_EXPRESSION, ''), COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'")).await {
                out.insert(r);
            }
            for r in q(format!("SELECT 'check', c.CONSTRAINT_NAME, c.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS c WHERE c.CONSTRAINT_SCHEMA = DATABASE() AND c.TABLE_NAME = '{table}'")).await {
                out.insert(r);
            }
            for r in q(format!("SELECT 'index', INDEX_NAME, CAST(SEQ_IN_INDEX AS CHAR), COLUMN_NAME, CAST(NON_UNIQUE AS CHAR) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'")).await {
                out.insert(r);
            }
        }
        Dialect::Sqlite => {
            for r in q(format!("SELECT 'column', name, type, CAST(\"notnull\" AS TEXT), COALESCE(dflt_value, ''), CAST(pk AS TEXT) FROM pragma_table_xinfo('{table}')")).await {
                out.insert(r);
            }
            for r in q(format!("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = '{table}' AND sql IS NOT NULL")).await {
                // The table's text without its comments, quotes and layout.
                let normal: String = r
                    .lines()
                    .map(|l| l.split(" -- ").next().unwrap_or(l).trim())
                    .collect::<Vec<_>>()
                    .join(" ")
                    .replace('"', "");
                out.insert(normal);
            }
        }
    }
    out
}

async fn applied(url: &str, files: Vec<MigrationFile>) -> AnyPool {
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap();
    reference_server::migrations::run(&pool, files)
        .await
        .unwrap();
    pool
}

/// On one dialect, for every applied case: the upgraded database, one
/// migrated fresh through 0001..0002, and one created by the new model's
/// first migration have the same catalog.
async fn same_schemas(c: &Case, d: Dialect, upgraded: &AnyPool, fresh: &str, created: &str) {
    let (_, both, create_new) = migration_files(c, d);
    let fresh = applied(fresh, both).await;
    let created = applied(created, vec![create_new]).await;
    let table = &models(c).1.table;
    let (u, f, n) = (
        catalog(upgraded, d, table).await,
        catalog(&fresh, d, table).await,
        catalog(&created, d, table).await,
    );
    assert!(!u.is_empty(), "case {}: empty catalog", c.name);
    assert_eq!(u, f, "case {} on {d:?}: upgraded and fresh differ", c.name);
    assert_eq!(
        f, n,
        "case {} on {d:?}: migrated and created differ",
        c.name
    );
    fresh.close().await;
    created.close().await;
}

fn applied_cases() -> Vec<Case> {
    corpus().into_iter().filter(|c| c.apply.is_some()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_upgrades_keep_every_row() {
    for c in applied_cases() {
        let dir = tempfile::tempdir().unwrap();
        let url = |n: &str| format!("sqlite:{}?mode=rwc", dir.path().join(n).display());
        through_the_server(&c, &url("up.db"), Dialect::Sqlite).await;
        let upgraded = AnyPoolOptions::new().connect(&url("up.db")).await.unwrap();
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&upgraded)
            .await
            .unwrap();
        assert_eq!(check, "ok");
        same_schemas(
            &c,
            Dialect::Sqlite,
            &upgraded,
            &url("fresh.db"),
            &url("new.db"),
        )
        .await;
        upgraded.close().await;
    }
}

/// A server of the tests' own: `TEST_POSTGRES_URL` or `TEST_MYSQL_URL`; in
/// CI a missing one fails, elsewhere the test says it skipped.
async fn admin(var: &str, default: &str) -> Option<(String, AnyPool)> {
    sqlx::any::install_default_drivers();
    let url = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    match AnyPoolOptions::new().max_connections(2).connect(&url).await {
        Ok(p) => Some((url, p)),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("{var}: no database server at {url}: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: no database server at {url} ({e}); set {var}");
            None
        }
    }
}

fn with_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    u.set_path(db);
    u.to_string()
}

fn db_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

/// Three throwaway databases: upgraded, migrated fresh, created from the new model.
async fn create_databases(admin: &AnyPool) -> [String; 3] {
    let names = [db_name("evo_up"), db_name("evo_fresh"), db_name("evo_new")];
    for n in &names {
        admin
            .execute(format!("CREATE DATABASE {n}").as_str())
            .await
            .unwrap();
    }
    names
}

/// Drops `names`; `suffix` is the dialect's `DROP DATABASE` tail (` WITH (FORCE)` on PostgreSQL).
async fn drop_databases(admin: &AnyPool, names: &[String], suffix: &str) {
    for n in names {
        admin
            .execute(format!("DROP DATABASE IF EXISTS {n}{suffix}").as_str())
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_upgrades_keep_every_row() {
    let Some((url, admin)) = admin(
        "TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
    .await
    else {
        return;
    };
    for c in applied_cases() {
        let names = create_databases(&admin).await;
        through_the_server(&c, &with_db(&url, &names[0]), Dialect::Postgres).await;
        let upgraded = AnyPoolOptions::new()
            .connect(&with_db(&url, &names[0]))
            .await
            .unwrap();
        same_schemas(
            &c,
            Dialect::Postgres,
            &upgraded,
            &with_db(&url, &names[1]),
            &with_db(&url, &names[2]),
        )
        .await;
        upgraded.close().await;
        drop_databases(&admin, &names, " WITH (FORCE)").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_upgrades_keep_every_row() {
    let Some((url, admin)) = admin("TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/mysql").await
    else {
        return;
    };
    for c in applied_cases() {
        let names = create_databases(&admin).await;
        let (first, both, _) = migration_files(&c, Dialect::Mysql);
        let up = with_db(&url, &names[0]);
        let pool = applied(&up, first).await;
        // A row written under the old schema, with SQL: every seeded field.
        let seed = (c.apply.as_ref().unwrap().seed)();
        let mut cols = vec![
            "id",
            "tenant_id",
            "created_at",
            "updated_at",
            "created_by",
            "updated_by",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        let mut vals = vec![
            "'per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD'".to_owned(),
            "'evolution'".into(),
            "'2026-11-29 12:00:00.000000'".into(),
            "'2026-11-29 12:00:00.000000'".into(),
            "'evolver'".into(),
            "'evolver'".into(),
        ];
        for (k, v) in seed.as_object().unwrap() {
            cols.push(k.clone());
            vals.push(format!("'{}'", v.as_str().unwrap()));
        }
        pool.execute(
            format!(
                "INSERT INTO contacts ({}) VALUES ({})",
                cols.join(", "),
                vals.join(", ")
            )
            .as_str(),
        )
        .await
        .unwrap();
        pool.close().await;
        let upgraded = applied(&up, both).await;
        // Read back every column of the row as the new model names them.
        let (_, new) = models(&c);
        let mut read = serde_json::Map::new();
        for f in new
            .fields
            .iter()
            .filter(|f| matches!(f.ty, FieldType::String | FieldType::Enum { .. }))
        {
            // varchar columns under utf8mb4_bin reach sqlx as binary, text ones as text.
            let row = sqlx::query(&format!("SELECT {} FROM contacts", f.name))
                .fetch_one(&upgraded)
                .await
                .unwrap();
            let v = row.try_get::<Option<String>, _>(0).unwrap_or_else(|_| {
                row.try_get::<Option<Vec<u8>>, _>(0)
                    .unwrap()
                    .map(|b| String::from_utf8(b).unwrap())
            });
            if let Some(v) = v {
                read.insert(f.name.clone(), Value::from(v));
            }
        }
        read.insert("schema_version".into(), Value::from(1));
        read.insert("created_at".into(), Value::Null);
        (c.apply.as_ref().unwrap().check)(&Value::Object(read));
        same_schemas(
            &c,
            Dialect::Mysql,
            &upgraded,
            &with_db(&url, &names[1]),
            &with_db(&url, &names[2]),
        )
        .await;
        upgraded.close().await;
        drop_databases(&admin, &names, "").await;
    }
}

/// A new CHECK that stored rows break: `migrate` says so before anything is
/// applied, and applying it fails, leaving the database at its last version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_existing_rows_break_is_reported_then_refused() {
    let case = corpus()
        .into_iter()
        .find(|c| c.name == "narrow_max_length")
        .unwrap();
    let (_, _, d) = states(&case);
    let risks = d.table_risks();
    assert_eq!(risks.len(), 1, "{risks:?}");
    assert!(risks[0].2.contains("first_name"), "{risks:?}");
    for dialect in Dialect::ALL {
        let (_, both, _) = migration_files(&case, dialect);
        assert!(
            both[1]
                .sql
                .contains("-- May fail on existing rows: the CHECK on `first_name`"),
            "{dialect:?}: {}",
            both[1].sql
        );
    }
    let long = "A".repeat(40);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}?mode=rwc", dir.path().join("c.db").display());
    let (first, both, _) = migration_files(&case, Dialect::Sqlite);
    let pool = applied(&url, first).await;
    pool.execute(format!("INSERT INTO contacts (id, tenant_id, created_at, updated_at, created_by, updated_by, first_name) VALUES ('per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD', 't', 'x', 'x', 'u', 'u', '{long}')").as_str())
        .await
        .unwrap();
    let err = reference_server::migrations::run(&pool, both)
        .await
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("check"), "{err}");
    let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(version, 1, "the failed migration left no trace");
    let still: String = sqlx::query_scalar("SELECT first_name FROM contacts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(still, long);
    pool.close().await;
    if let Some((url, admin)) = admin(
        "TEST_POSTGRES_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    )
    .await
    {
        let name = db_name("evo_fail");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let (first, both, _) = migration_files(&case, Dialect::Postgres);
        let pool = applied(&with_db(&url, &name), first).await;
        pool.execute(format!("INSERT INTO contacts (id, tenant_id, created_at, updated_at, created_by, updated_by, first_name) VALUES ('per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD', 't', now(), now(), 'u', 'u', '{long}')").as_str())
            .await
            .unwrap();
        let err = reference_server::migrations::run(&pool, both)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("contacts_first_name_length"),
            "{err}"
        );
        let version: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(version, 1);
        pool.close().await;
        admin
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await
            .unwrap();
    }
}

#[test]
fn a_pattern_changed_in_code_rewrites_the_check_from_the_released_pattern() {
    let model = Contact::model();
    let old = Snapshot {
        patterns: [("email".to_owned(), "^old-pattern$".to_owned())].into(),
        ..Snapshot::of(&model, 1, "create_contacts")
    };
    let new = Snapshot::of(&model, 2, "email_grammar");
    let d = diff(&old, &new);
    assert!(
        d.changes.iter().any(|c| c.rule == "FORMAT_CHANGED"),
        "{d:?}"
    );
    for dialect in [Dialect::Postgres, Dialect::Mysql] {
        let (text, _) = alter(&old, &new, &d, dialect).unwrap();
        assert!(
            text.contains("DROP CONSTRAINT contacts_email_format"),
            "{dialect:?}: {text}"
        );
        assert!(
            text.contains("ADD CONSTRAINT contacts_email_format")
                && text.contains("[A-Za-z0-9]([A-Za-z0-9-]{0,61}"),
            "{dialect:?}: {text}"
        );
    }
}
