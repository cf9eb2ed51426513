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
    let rows: Vec<&str> = md
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
        let name = if f.always_present {
            format!("{}\\*", f.name)
        } else {
            f.name.clone()
        };
        assert_eq!(cells[0], name);
        assert_eq!(cells[1], f.ty.label());
        assert!(!cells[2].is_empty());
    }
    // The seed's glitches: the nameless email row and the enum values that ran into the notes.
    assert!(md.contains("| email | string | Work email address."));
    assert!(md.contains("| source_type\\* | enum | Where the write originated. One of `frontend`, `backend`, `server`, `system`, `api`."));
    // Badges say at a glance what the notes say in words.
    let row = |name: &str| {
        md.lines()
            .find(|l| {
                l.starts_with(&format!("| {name} ")) || l.starts_with(&format!("| {name}\\*"))
            })
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
        "| update | `PATCH /api/v1/crm/contacts/{id}` | 200 | `client.customer.contacts.update` |",
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
    assert!(html.contains("<td>email</td>"));
    for external in ["<link", "<script", "src=", "http://", "@import"] {
        assert!(
            !html.contains(external),
            "external resource {external:?} in the page"
        );
    }
    assert_eq!(
        html.matches("<tr>").count(),
        5 + 1 + 32 + 1,
        "operations and fields tables"
    );
}
