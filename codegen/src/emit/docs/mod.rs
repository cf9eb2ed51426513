//! `schemas/docs/`: a page for API designers, as Markdown and as one
//! self-contained HTML page rendered from that Markdown.
//!
//! The Markdown comes from `resource.md.hbs` over a [`DocsView`] built from
//! the model; the HTML wraps pulldown-cmark's rendering of it in `page.html.hbs`.

use super::schema::describe;
use super::templates::Templates;
use super::{Artifact, preamble};
use crate::error::Error;
use contact_schema::ResourceModel;
use contact_schema::model::{Computed, Field, FieldType, Filter, OPERATIONS, Operation};
use serde::Serialize;
use std::sync::OnceLock;

const MARKDOWN: &str = "resource.md";
const HTML: &str = "page.html";

/// The docs renderer: its templates are parsed once and reused per model.
pub struct Renderer {
    templates: &'static Templates,
}

/// Everything the Markdown template reads.
#[derive(Debug, Serialize)]
pub struct DocsView {
    preamble: String,
    name: String,
    lower_name: String,
    plural: String,
    description: String,
    path: String,
    item_path: String,
    sdk_namespace: String,
    operations: Vec<OperationView>,
    fields: Vec<FieldView>,
    stamping: Vec<RuleView>,
    defaults: Vec<DefaultView>,
    computed: Vec<RuleView>,
    soft_delete: Option<SoftDeleteView>,
    versioning: Option<VersioningView>,
    unique: Vec<UniqueView>,
    filters: Vec<FilterView>,
    /// The page size of a list without `limit`.
    page_size: u32,
    /// The largest page.
    max_page_size: u32,
    example: String,
}

#[derive(Debug, Serialize)]
struct OperationView {
    method_name: &'static str,
    http_method: &'static str,
    path: String,
    success: &'static str,
    sdk_call: String,
}

#[derive(Debug, Serialize)]
struct FieldView {
    name: String,
    star: bool,
    type_label: &'static str,
    notes: String,
}

#[derive(Debug, Serialize)]
struct RuleView {
    name: String,
    rule: String,
}

#[derive(Debug, Serialize)]
struct DefaultView {
    name: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct SoftDeleteView {
    flag: String,
    at: Option<String>,
    by: Option<String>,
}

#[derive(Debug, Serialize)]
struct VersioningView {
    field: String,
}

#[derive(Debug, Serialize)]
struct UniqueView {
    sentence: String,
}

#[derive(Debug, Serialize)]
struct FilterView {
    name: String,
    how: &'static str,
}

#[derive(Serialize)]
struct PageView<'a> {
    preamble: &'a str,
    title: &'a str,
    body: &'a str,
}

const TEMPLATES: [(&str, &str); 2] = [
    (MARKDOWN, include_str!("resource.md.hbs")),
    (HTML, include_str!("page.html.hbs")),
];

impl Renderer {
    /// The renderer, its templates parsed once per process.
    pub fn shared() -> Result<Self, Error> {
        static PARSED: OnceLock<Templates> = OnceLock::new();
        Ok(Renderer {
            templates: Templates::shared(&PARSED, &TEMPLATES)?,
        })
    }

    /// The Markdown and HTML pages of a model.
    pub fn emit(&self, model: &ResourceModel) -> Result<Vec<Artifact>, Error> {
        let md = self.templates.render(MARKDOWN, &view(model))?;
        let body = html_body(&md);
        let html = self.templates.render(
            HTML,
            &PageView {
                preamble: &preamble(model),
                title: &format!("{} API", model.name),
                body: &body,
            },
        )?;
        let base = format!("docs/{}", model.plural);
        Ok(vec![
            Artifact::new(format!("{base}.md"), md),
            Artifact::new(format!("{base}.html"), html),
        ])
    }
}

/// The page body from the Markdown: headings get stable ids (their text,
/// lower-cased, runs of other characters as `-`), a table of contents links
/// them, and each table sits in a box that scrolls sideways on a narrow
/// screen instead of widening the page.
fn html_body(md: &str) -> String {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
    let events: Vec<Event> = Parser::new_ext(md, Options::ENABLE_TABLES).collect();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut toc: Vec<(HeadingLevel, String, String)> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading {
            level,
            classes,
            attrs,
            ..
        }) = &events[i]
        {
            let end = (i..events.len())
                .find(|&j| matches!(events[j], Event::End(TagEnd::Heading(_))))
                .unwrap_or(events.len() - 1);
            let text: String = events[i + 1..end]
                .iter()
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let id = slug(&text);
            if *level != HeadingLevel::H1 {
                toc.push((*level, id.clone(), text));
            }
            out.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(id.into()),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
            out.extend(events[i + 1..=end].iter().cloned());
            i = end + 1;
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, out.into_iter());
    let body = body
        .replace(
            "<table>",
            "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"table\"><table>",
        )
        .replace("</table>", "</table></div>")
        // A code block wider than a phone scrolls; keyboards must reach it.
        .replace("<pre>", "<pre tabindex=\"0\">");
    let mut nav = String::from(
        "<nav class=\"toc\" aria-label=\"Contents\"><h2 id=\"contents\">Contents</h2><ul>\n",
    );
    for (level, id, text) in &toc {
        let class = if *level == HeadingLevel::H2 {
            ""
        } else {
            " class=\"sub\""
        };
        nav.push_str(&format!(
            "<li{class}><a href=\"#{id}\">{}</a></li>\n",
            text.replace('&', "&amp;").replace('<', "&lt;")
        ));
    }
    nav.push_str("</ul></nav>\n");
    // The contents go after the title (the first heading's end).
    match body.find("</h1>\n") {
        Some(at) => format!("{}{nav}{}", &body[..at + 6], &body[at + 6..]),
        None => format!("{nav}{body}"),
    }
}

/// A heading's id: lower case, every run of other characters one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// Builds the template's view of a model.
pub fn view(model: &ResourceModel) -> DocsView {
    let operations = OPERATIONS
        .iter()
        .map(|&op| OperationView {
            method_name: op.method_name(),
            http_method: op.http_method(),
            path: if op.on_item() {
                model.item_path()
            } else {
                model.path.clone()
            },
            success: match op {
                Operation::List => "200, a page",
                Operation::Get => "200",
                Operation::Create => "201, `Location`",
                Operation::Update => "200",
                Operation::Delete => "200 or 204",
            },
            sdk_call: model.sdk_call(op),
        })
        .collect();
    let fields = model
        .fields
        .iter()
        .map(|f| FieldView {
            name: f.name.clone(),
            star: f.always_present,
            type_label: f.ty.label(),
            notes: cell(&format!("{} {}", notes(model, f), badges(model, f))),
        })
        .collect();
    let stamping = model
        .server_fields()
        .filter_map(|f| {
            Some(RuleView {
                name: f.name.clone(),
                rule: f.stamp()?.rule().to_owned(),
            })
        })
        .collect();
    let defaults = model
        .client_fields()
        .filter_map(|f| {
            Some(DefaultView {
                name: f.name.clone(),
                value: format!("`{}`", f.default()?),
            })
        })
        .collect();
    let computed = model
        .client_fields()
        .filter_map(|f| {
            let rule = match f.computed()? {
                Computed::JoinWhenBlank { from, separator } => format!(
                    "after every write, if it is blank (null or only white space), the server sets it to the trimmed non-empty {} joined by {:?}, or null when all are empty. A stored value is never recomputed.",
                    join_and(from),
                    separator
                ),
                Computed::StampWhenTrue { flag } => format!(
                    "when a write turns `{flag}` true (from false or null) and does not set `{}`, it becomes that write's update time. Turning `{flag}` off leaves it unchanged.",
                    f.name
                ),
            };
            Some(RuleView { name: f.name.clone(), rule })
        })
        .collect();
    let unique = model
        .unique
        .iter()
        .map(|u| {
            let mut s = format!("`{}` is unique", u.field);
            if !u.within.is_empty() {
                s.push_str(&format!(" within ({})", join_code(&u.within)));
            }
            if u.case_insensitive {
                s.push_str(", compared after ASCII lower-casing");
            }
            if u.ignore_deleted {
                s.push_str(", among items that are not soft-deleted");
            }
            s.push_str(". A null in the scope is a group of its own. A write that would break it is a 409 and changes nothing.");
            UniqueView { sentence: s }
        })
        .collect();
    let filters = model
        .filters()
        .map(|(f, k)| FilterView {
            name: f.name.clone(),
            how: match k {
                Filter::Exact => "exact",
                Filter::CaseInsensitive => "case-insensitive",
            },
        })
        .collect();
    DocsView {
        preamble: preamble(model),
        name: model.name.clone(),
        lower_name: model.name.to_lowercase(),
        plural: model.plural.clone(),
        description: model.description.clone(),
        path: model.path.clone(),
        item_path: model.item_path(),
        sdk_namespace: model.sdk_namespace.clone(),
        operations,
        fields,
        stamping,
        defaults,
        computed,
        soft_delete: model.soft_delete().map(|sd| SoftDeleteView {
            flag: sd.flag.name.clone(),
            at: sd.at.map(|f| f.name.clone()),
            by: sd.by.map(|f| f.name.clone()),
        }),
        versioning: model.version_field().map(|f| VersioningView {
            field: f.name.clone(),
        }),
        unique,
        filters,
        page_size: model.api.default_page_size,
        max_page_size: model.api.max_page_size,
        example: example(model),
    }
}

/// The Notes cell: the description, then every rule that applies.
fn notes(model: &ResourceModel, f: &Field) -> String {
    let mut parts = vec![match f.stamp() {
        // The stamp's rule is in the Behaviour section; the table stays short.
        Some(_) => sentence(&f.description) + " Set by the server.",
        None => describe(f),
    }];
    if let FieldType::Enum { values } = &f.ty {
        parts.push(format!("One of {}.", join_code(values)));
    }
    if let Some(d) = f.default() {
        parts.push(format!("Defaults to `{d}`."));
    }
    if let Some(format) = &f.format {
        parts.push(format!("Format: {}.", format.describe()));
    }
    let l = &f.limits;
    match (l.min_length, model.max_length(f)) {
        (Some(min), Some(max)) => parts.push(format!("{min} to {max} characters.")),
        (Some(min), None) => parts.push(format!("At least {min} character(s).")),
        (None, Some(max)) => parts.push(format!("At most {max} characters.")),
        (None, None) => {}
    }
    if let Some(min) = l.minimum {
        parts.push(format!("At least {min}."));
    }
    if let Some(n) = l.max_items {
        let each = match (l.item_min_length, l.item_max_length) {
            (Some(a), Some(b)) => format!(" of {a} to {b} characters"),
            _ => String::new(),
        };
        parts.push(format!(
            "At most {n} items{each}; order and duplicates kept."
        ));
    }
    if let (Some(bytes), Some(depth)) = (l.max_bytes, l.max_depth) {
        parts.push(format!(
            "At most {} KiB serialised, nested at most {depth} deep.",
            bytes / 1024
        ));
    }
    for u in model.unique.iter().filter(|u| u.field == f.name) {
        parts.push(format!(
            "Unique within ({}){}{}.",
            u.within.join(", "),
            if u.case_insensitive {
                ", case-insensitive"
            } else {
                ""
            },
            if u.ignore_deleted {
                ", ignoring soft-deleted"
            } else {
                ""
            },
        ));
    }
    parts.join(" ")
}

/// The field's properties at a glance, as badges after its notes (a `span`
/// in Markdown, which the HTML page styles; other renderers show the words).
fn badges(model: &ResourceModel, f: &Field) -> String {
    let mut b: Vec<String> = Vec::new();
    if f.always_present {
        b.push("always present".into());
    } else {
        b.push("nullable".into());
    }
    if !f.is_client() {
        b.push("read-only".into());
    }
    if let Some(d) = f.default() {
        b.push(format!("default {d}"));
    }
    if f.computed().is_some() {
        b.push("computed".into());
    }
    if model.unique.iter().any(|u| u.field == f.name) {
        b.push("unique".into());
    }
    if f.filter.is_some() {
        b.push("filterable".into());
    }
    b.iter()
        .map(|t| {
            format!(
                "<span class=\"badge\">{}</span>",
                t.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('"', "&quot;")
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text ending with a full stop.
fn sentence(text: &str) -> String {
    let mut s = text.trim_end().to_owned();
    if !s.ends_with(['.', '?', '!', ')']) {
        s.push('.');
    }
    s
}

/// `a`, `b` and `c`.
fn join_and(names: &[String]) -> String {
    let coded: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match coded.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => coded.join(""),
    }
}

/// Makes text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn join_code(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A short TypeScript example using the SDK namespace and two client fields.
fn example(model: &ResourceModel) -> String {
    let ns = &model.sdk_namespace;
    let sample: Vec<String> = model
        .client_fields()
        .filter(|f| {
            f.ty == FieldType::String
                && f.format.is_none()
                && f.computed().is_none()
                && f.default().is_none()
        })
        .take(2)
        .map(|f| format!("{}: \"…\"", f.name))
        .collect();
    let lower = model.name.to_lowercase();
    let version = model
        .version_field()
        .map(|v| format!(", {{ expectedVersion: {lower}.{} }}", v.name))
        .unwrap_or_default();
    format!(
        "const client = new Client({{ baseUrl: \"https://api.example.com\", token }});\n\
         const {lower} = await client.{ns}.create({{ {} }});\n\
         const page = await client.{ns}.list({{ limit: 50 }});\n\
         await client.{ns}.update({lower}.id, {{ {} }}{version});\n\
         await client.{ns}.delete({lower}.id);",
        sample.join(", "),
        sample.first().cloned().unwrap_or_default(),
    )
}
