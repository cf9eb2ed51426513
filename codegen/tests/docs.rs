//! The docs page follows the seed's layout without its glitches, and the HTML stands alone.

use contact_schema::{Contact, Resource};
use std::path::Path;

fn artifact(path: &str) -> String {
    let artifacts = codegen::artifacts(&[Contact::model()]).unwrap();
    artifacts
        .into_iter()
        .find(|a| a.path == Path::new(path))
        .unwrap()
        .contents
}

#[test]
fn the_field_table_has_every_field_once_with_stars_on_always_present_ones() {
    let md = artifact("docs/contacts.md");
    let m = Contact::model();
    // The Schema section's table.
    let schema = md
        .split("\n## Schema\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Schema section");
    let rows: Vec<&str> = schema
        .lines()
        .filter(|l| l.starts_with("| ") && l.matches(" | ").count() == 2)
        .collect();
    assert_eq!(
        rows.len(),
        m.fields.len() + 1,
        "a header and a row per field"
    );
    for (row, f) in rows[1..].iter().zip(&m.fields) {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        // Each name is an anchor the contents link to.
        let anchor = format!("<span id=\"field-{0}\">{0}</span>", f.name);
        let name = if f.always_present {
            format!("{anchor}\\*")
        } else {
            anchor
        };
        assert_eq!(cells[0], name);
        // The type, and the format when there is one, in monospace.
        assert!(
            cells[1].starts_with(&format!("`{}`", f.ty.label())),
            "{}: {}",
            f.name,
            cells[1]
        );
        assert_eq!(f.format.is_some(), cells[1].contains("<br>`"), "{}", f.name);
        assert!(!cells[2].is_empty());
    }
    // The seed's glitches: the nameless email row and the enum values that ran into the notes.
    assert!(md.contains(
        "| <span id=\"field-email\">email</span> | `string`<br>`email` | Work email address."
    ));
    assert!(md.contains("| <span id=\"field-source_type\">source_type</span>\\* | `enum` | Where the write originated. One of `frontend`, `backend`, `server`, `system`, `api`."));
    // Badges say at a glance what the notes say in words.
    let row = |name: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| <span id=\"field-{name}\">")))
            .unwrap_or_else(|| panic!("no row for {name}"))
            .to_owned()
    };
    let badge = |t: &str| format!("<span class=\"badge\">{t}</span>");
    for (field, has, lacks) in [
        (
            "id",
            vec!["always present", "read-only"],
            vec!["nullable", "filterable"],
        ),
        (
            "email",
            vec!["nullable", "unique", "filterable"],
            vec!["read-only", "always present"],
        ),
        (
            "source_type",
            vec!["always present", "default &quot;api&quot;"],
            vec!["read-only"],
        ),
        ("display_name", vec!["nullable", "computed"], vec!["unique"]),
        ("account_id", vec!["nullable", "filterable"], vec!["unique"]),
    ] {
        let r = row(field);
        for b in has {
            assert!(r.contains(&badge(b)), "{field} lacks the {b} badge: {r}");
        }
        for b in lacks {
            assert!(!r.contains(&badge(b)), "{field} has the {b} badge: {r}");
        }
    }
}

#[test]
fn the_page_covers_operations_sdk_and_behaviour() {
    let md = artifact("docs/contacts.md");
    for needle in [
        "# Contact",
        "| [update](#update-a-contact) | `PATCH /api/v1/crm/contacts/{id}` | 200 | `client.customer.contacts.update` |",
        "### Create a contact",
        "### List contacts",
        "### 412 Precondition Failed",
        "| `If-Match` | Optional:",
        "| `limit` | query | Decimal digits: 1 to 100 (larger means 100); default 25;",
        "### Soft delete",
        "### Versioning (optimistic concurrency)",
        "### Uniqueness",
        "`email` is unique within (`tenant_id`, `account_id`)",
        "client.customer.contacts.create(",
        "- `source` is `\"edm\"` when absent or null.",
    ] {
        assert!(md.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn the_html_page_is_self_contained() {
    let html = artifact("docs/contacts.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<table>") && html.contains("<style>"));
    assert!(html.contains("<td><span id=\"field-email\">email</span></td>"));
    for external in ["<link", "<script", "src=", "http://", "@import"] {
        assert!(
            !html.contains(external),
            "external resource {external:?} in the page"
        );
    }
    assert_eq!(
        html.matches("<span id=\"field-").count(),
        Contact::model().fields.len(),
        "one anchored row per field"
    );
}

/// GitHub's anchor of a Markdown heading: lower case, spaces as `-`, other
/// punctuation dropped.
fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn links_into_the_contract_document_name_its_headings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let contract = std::fs::read_to_string(root.join("docs/CONTRACT.md")).unwrap();
    let anchors: Vec<String> = contract
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(github_anchor)
        .collect();
    let md = artifact("docs/contacts.md");
    let link = "](../../docs/CONTRACT.md#";
    let targets: Vec<&str> = md
        .split(link)
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap())
        .collect();
    assert!(
        targets.len() >= 7,
        "the page links the contract {} times",
        targets.len()
    );
    for t in &targets {
        assert!(
            anchors.iter().any(|a| a == t),
            "no heading #{t} in docs/CONTRACT.md: {anchors:?}"
        );
    }
    // The relative path is right from where the page is.
    assert!(
        root.join("schemas/docs")
            .join("../../docs/CONTRACT.md")
            .exists()
    );
    // Every section the page links exists (a renamed heading breaks this).
    for section in [
        "2-who-may-see-what",
        "5-versions-and-preconditions",
        "7-errors-and-robustness",
    ] {
        assert!(
            targets.contains(&section),
            "the page does not link {section}"
        );
    }
}
