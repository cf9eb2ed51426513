//! The docs page follows the seed's layout without its glitches, and the HTML stands alone.

mod support;

use contact_schema::{Contact, Resource};
use std::path::Path;

fn artifact(path: &str) -> String {
    let artifacts = codegen::artifacts(&support::crm(), &support::cmds()).unwrap();
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
fn every_link_of_the_pages_resolves_inside_the_generated_tree() {
    // A user's tree has no CONTRACT.md of this repository's: the pages link
    // each other and their own sections only.
    let artifacts = codegen::artifacts(&support::crm(), &support::cmds()).unwrap();
    let pages: Vec<_> = artifacts
        .iter()
        .filter(|a| a.path.starts_with("docs") && a.path.extension().is_some_and(|x| x == "md"))
        .collect();
    assert_eq!(pages.len(), 3, "the index and a page per resource");
    let mut links = 0;
    for page in &pages {
        let md = &page.contents;
        let anchors: Vec<String> = md
            .lines()
            .filter_map(|l| {
                l.trim_start_matches('#')
                    .strip_prefix(' ')
                    .filter(|_| l.starts_with('#'))
            })
            .map(github_anchor)
            .chain(
                md.split("id=\"")
                    .skip(1)
                    .map(|r| r.split('"').next().unwrap().to_owned()),
            )
            .collect();
        for target in md
            .split("](")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap())
        {
            links += 1;
            assert!(
                !target.contains("://"),
                "{}: an outside link {target}",
                page.path.display()
            );
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            if !file.is_empty() {
                let path = page.path.parent().unwrap().join(file);
                assert!(
                    artifacts.iter().any(|a| a.path == path),
                    "{}: links {target}, which is not generated",
                    page.path.display()
                );
            } else {
                assert!(
                    anchors.iter().any(|a| a == anchor),
                    "{}: links #{anchor}, which is no heading or anchor of the page",
                    page.path.display()
                );
            }
        }
    }
    assert!(links > 20, "{links} links");
}
