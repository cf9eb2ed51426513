//! The emitters on a model other than the Contact, snapshotted with insta, so
//! each change to an emitter shows in review. (The Contact's artifacts need no
//! snapshots of their own: they are committed in `schemas/`, and
//! `the_committed_schemas_tree_is_up_to_date` fails on any drift.)

use chrono::{DateTime, Utc};
use codegen::diff::diff;
use codegen::emit::sql::{Dialect, alter::alter};
use codegen::history::Snapshot;
use contact_schema::{Resource, ResourceEnum};
use resource_model::{ApiModel, ValidApi};
use serde::Serialize;

/// The support API: the ticket alone.
fn support() -> ApiModel {
    ApiModel::new("support", "Support API", "Tickets people open.").resource::<Ticket>()
}

/// The commands a build script's tree names.
fn cmds() -> codegen::Commands {
    codegen::Commands::build_script()
}

/// How a ticket is going.
#[derive(Serialize, ResourceEnum)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Nobody has looked yet.
    Open,
    /// Someone is on it.
    InProgress,
    /// Done.
    Closed,
}

/// A support ticket.
#[derive(Serialize, Resource)]
#[resource(
    path = "/api/v1/support/tickets",
    id_prefix = "tkt",
    sdk = "support.tickets",
    page_size = 20,
    max_page_size = 50,
    max_length = 500
)]
pub struct Ticket {
    /// The ticket's id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// When it was opened.
    #[field(stamp = created_at)]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[field(stamp = updated_at)]
    pub updated_at: DateTime<Utc>,
    /// Whether it was deleted.
    #[field(stamp = deleted_flag)]
    pub deleted: bool,
    /// The revision.
    #[field(stamp = version, minimum = 1)]
    pub revision: i64,
    /// A one-line summary.
    #[field(min_length = 1, max_length = 120)]
    pub subject: String,
    /// Where it stands.
    #[field(default = "open", filter = exact)]
    pub state: Option<State>,
    /// Who reported it.
    #[field(format = email, filter = case_insensitive, unique(within(tenant_id), case_insensitive, ignore_deleted))]
    pub reporter: Option<String>,
    /// Labels.
    #[field(max_items = 10, item_min_length = 1, item_max_length = 30)]
    pub labels: Option<Vec<String>>,
    /// The ticket it duplicates.
    #[field(references = self)]
    pub duplicate_of: Option<String>,
}

#[test]
fn every_artifact_of_another_resource_is_snapshotted() {
    let api = ValidApi::new(support()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    codegen::generate(dir.path(), &api, &cmds(), codegen::Mode::Write, false).unwrap();
    let plan = codegen::ensure::planned(dir.path(), &api, &cmds()).unwrap();
    assert!(plan.unmigrated.is_empty() && plan.released.is_empty());
    for a in plan.artifacts {
        let name = a.path.display().to_string().replace('/', "__");
        insta::assert_snapshot!(name, a.contents);
    }
}

#[test]
fn a_later_migration_of_another_resource_is_snapshotted() {
    let old = Ticket::model();
    let mut new = old.clone();
    // Rename `subject` to `title`, widen it, drop `labels`, add a nullable `priority`.
    let subject = new.fields.iter_mut().find(|f| f.name == "subject").unwrap();
    subject.name = "title".into();
    subject.renamed_from = Some("subject".into());
    subject.limits.max_length = Some(200);
    new.fields.retain(|f| f.name != "labels");
    let mut priority = new
        .fields
        .iter()
        .find(|f| f.name == "subject" || f.name == "title")
        .unwrap()
        .clone();
    priority.name = "priority".into();
    priority.renamed_from = None;
    priority.nullable = true;
    priority.always_present = false;
    priority.limits = Default::default();
    priority.description = "How urgent it is.".into();
    new.fields.push(priority);
    new.schema_version = 2;
    let (a, b) = (
        Snapshot::of(&old, 1, "create_tickets"),
        Snapshot::of(&new, 2, "title_and_priority"),
    );
    let d = diff(&a, &b);
    insta::assert_snapshot!(
        "diff__tickets",
        codegen::diff::report::text(&d, "create_tickets")
    );
    for dialect in Dialect::ALL {
        let (sql, _) = alter(&a, &b, &d, dialect).unwrap();
        insta::assert_snapshot!(format!("alter__{}", dialect.dir()), sql);
    }
}

#[test]
fn several_resources_get_an_index_page_linking_each() {
    let api = ValidApi::new(
        ApiModel::new("crm-and-support", "CRM and support", "Both.")
            .resource::<contact_schema::Contact>()
            .resource::<Ticket>(),
    )
    .unwrap();
    let models: Vec<_> = api.resources().iter().map(|m| m.model().clone()).collect();
    let artifacts = codegen::artifacts(&api, &cmds()).unwrap();
    let find = |path: &str| {
        artifacts
            .iter()
            .find(|a| a.path == std::path::Path::new(path))
            .unwrap_or_else(|| panic!("no {path}"))
    };
    let html = &find("docs/index.html").contents;
    let md = &find("docs/index.md").contents;
    for m in &models {
        // Each link names a page that is generated beside the index.
        assert!(html.contains(&format!("<a href=\"{}.html\">{}</a>", m.plural, m.name)));
        assert!(md.contains(&format!("[{}]({}.md)", m.name, m.plural)));
        find(&format!("docs/{}.html", m.plural));
        find(&format!("docs/{}.md", m.plural));
    }
    insta::assert_snapshot!("docs__index__two_resources.html", html);
    // One SDK per language holds both resources' namespaces.
    let ts = &find("sdk/typescript/src/index.ts").contents;
    assert!(
        ts.contains("readonly contacts: Contacts;") && ts.contains("readonly tickets: Tickets;")
    );
    // One resource gets an index of one page too.
    let one = codegen::artifacts(&ValidApi::new(support()).unwrap(), &cmds()).unwrap();
    let index = &one
        .iter()
        .find(|a| a.path == std::path::Path::new("docs/index.md"))
        .unwrap()
        .contents;
    assert!(
        index.contains("1 resource, each on its own page")
            && index.contains("[Ticket](tickets.md)")
    );
}
