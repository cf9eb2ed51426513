//! `schemas/docs/`: a page for API designers, as Markdown and as one
//! self-contained HTML page rendered from that Markdown.
//!
//! The Markdown comes from `resource.md.hbs` over a [`DocsView`] built from
//! the model; the HTML wraps pulldown-cmark's rendering of it in `page.html.hbs`.

pub mod examples;
pub mod snippets;

use super::openapi::{error_meaning, statuses};
use super::schema::describe;
use super::templates::Templates;
use super::{Artifact, api_preamble, preamble};
use crate::Commands;
use crate::error::Error;
use examples::{Examples, Exchange};
use resource_model::problem;
use resource_model::{Computed, Field, FieldType, Filter, Format, OPERATIONS, Operation};
use resource_model::{ResourceModel, ValidApi};
use serde::Serialize;
use snippets::Snippet;
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
    /// The examples' token: `sub` and `tenant_id`.
    subject: &'static str,
    tenant: &'static str,
    /// One section per operation, in the examples' order.
    sections: Vec<SectionView>,
    /// One section per problem kind.
    errors: Vec<ErrorView>,
}

#[derive(Debug, Serialize)]
struct SectionView {
    heading: String,
    http_method: &'static str,
    path: String,
    summary: String,
    params: Vec<ParamView>,
    headers: Vec<HeaderView>,
    body: Option<String>,
    statuses: Vec<StatusView>,
    example: ExampleView,
    snippet: Snippet,
}

#[derive(Debug, Serialize)]
struct ParamView {
    name: String,
    place: &'static str,
    rule: String,
}

#[derive(Debug, Serialize)]
struct HeaderView {
    name: &'static str,
    rule: String,
}

#[derive(Debug, Serialize)]
struct StatusView {
    code: String,
    meaning: String,
}

#[derive(Debug, Serialize)]
struct ExampleView {
    step: u32,
    request: String,
    response: String,
}

#[derive(Debug, Serialize)]
struct ErrorView {
    status: u16,
    title: &'static str,
    anchor: String,
    type_uri: String,
    when: String,
    sent: bool,
    step: u32,
    request: String,
    /// What the page says in place of a request it cannot show being sent.
    unsent: String,
    response: String,
}

#[derive(Debug, Serialize)]
struct OperationView {
    method_name: &'static str,
    anchor: String,
    http_method: &'static str,
    path: String,
    success: &'static str,
    sdk_call: String,
}

#[derive(Debug, Serialize)]
struct FieldView {
    name: String,
    star: bool,
    type_cell: String,
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
struct IndexView<'a> {
    preamble: &'a str,
    title: &'a str,
    description: &'a str,
    count: usize,
    /// Whether there is one resource (no plural in the count).
    one: bool,
    /// The pages' file extension: `md` or `html`.
    ext: &'static str,
    resources: &'a [IndexEntry],
}

#[derive(Serialize)]
struct IndexEntry {
    name: String,
    page: String,
    path: String,
    sdk_namespace: String,
    description: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    preamble: &'a str,
    title: &'a str,
    body: &'a str,
}

const INDEX: &str = "index.md";

const TEMPLATES: [(&str, &str); 3] = [
    (MARKDOWN, include_str!("resource.md.hbs")),
    (INDEX, include_str!("index.md.hbs")),
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

    /// The index of the API's pages (`docs/index.md` and `docs/index.html`),
    /// linking one page per resource.
    pub fn index(&self, api: &ValidApi, cmds: &Commands) -> Result<Vec<Artifact>, Error> {
        let resources: Vec<IndexEntry> = api
            .resources()
            .iter()
            .map(|m| IndexEntry {
                name: m.name.clone(),
                page: m.plural.clone(),
                path: m.path.clone(),
                sdk_namespace: m.sdk_namespace.clone(),
                description: cell(&m.description),
            })
            .collect();
        let preamble = api_preamble(api, cmds);
        // The Markdown links the Markdown pages, the HTML the HTML ones.
        let render = |ext: &'static str| {
            self.templates.render(
                INDEX,
                &IndexView {
                    preamble: &preamble,
                    title: api.title(),
                    description: api.description(),
                    count: resources.len(),
                    one: resources.len() == 1,
                    ext,
                    resources: &resources,
                },
            )
        };
        let md = render("md")?;
        let html = self.templates.render(
            HTML,
            &PageView {
                preamble: &preamble,
                title: api.title(),
                body: &html_body(&render("html")?, &[]),
            },
        )?;
        Ok(vec![
            Artifact::new("docs/index.md", md),
            Artifact::new("docs/index.html", html),
        ])
    }

    /// The Markdown and HTML pages of a model.
    pub fn emit(&self, model: &ResourceModel, cmds: &Commands) -> Result<Vec<Artifact>, Error> {
        let md = self.templates.render(MARKDOWN, &view(model, cmds))?;
        let fields: Vec<&str> = model.fields.iter().map(|f| f.name.as_str()).collect();
        let body = html_body(&md, &fields);
        let html = self.templates.render(
            HTML,
            &PageView {
                preamble: &preamble(model, cmds),
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
/// them (and, under the schema, each field's anchor), and each table sits in
/// a box that scrolls sideways on a narrow screen instead of widening the page.
fn html_body(md: &str, fields: &[&str]) -> String {
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
        if id == "schema" && !fields.is_empty() {
            let links: Vec<String> = fields
                .iter()
                .map(|f| format!("<a href=\"#field-{f}\"><code>{f}</code></a>"))
                .collect();
            nav.push_str(&format!(
                "<li class=\"sub fields\">{}</li>\n",
                links.join(" ")
            ));
        }
    }
    nav.push_str("</ul></nav>\n");
    if toc.is_empty() {
        nav.clear();
    }
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
pub fn view(model: &ResourceModel, cmds: &Commands) -> DocsView {
    let ex = examples::examples(model);
    let operations = OPERATIONS
        .iter()
        .map(|&op| OperationView {
            method_name: op.method_name(),
            anchor: slug(&heading(model, op)),
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
            type_cell: type_cell(f),
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
        preamble: preamble(model, cmds),
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
        subject: examples::SUBJECT,
        tenant: examples::TENANT,
        sections: sections(model, &ex),
        errors: errors(model, &ex),
    }
}

/// An operation's heading: "Create a contact", "List contacts".
fn heading(model: &ResourceModel, op: Operation) -> String {
    let one = model.name.to_lowercase();
    match op {
        Operation::List => format!("List {}", model.plural),
        Operation::Get => format!("Get a {one}"),
        Operation::Create => format!("Create a {one}"),
        Operation::Update => format!("Update a {one}"),
        Operation::Delete => format!("Delete a {one}"),
    }
}

/// A field's type in monospace, with its format when it has one.
fn type_cell(f: &Field) -> String {
    let format = f.format.as_ref().map(|format| match format {
        Format::Email => "email".to_owned(),
        Format::E164 => "e164".to_owned(),
        Format::HttpUrl => "http(s) URL".to_owned(),
        Format::Hostname => "host name".to_owned(),
        Format::PrefixedUlid { prefix } => format!("{prefix}_<ULID>"),
        Format::PrefixedUuid { prefix } => format!("{prefix}-<uuid>"),
    });
    match format {
        Some(x) => format!("`{}`<br>`{x}`", f.ty.label()),
        None => format!("`{}`", f.ty.label()),
    }
}

fn example_view(e: &Exchange) -> ExampleView {
    ExampleView {
        step: e.step,
        request: examples::request_text(&e.request),
        response: examples::response_text(&e.response),
    }
}

/// A status's cell: the code and reason, linked to its error section.
fn status_code(code: u16) -> String {
    let text = format!("{code} {}", examples::reason(code));
    match problem::kind(code) {
        Some(k) => format!("[{text}](#{})", slug(&format!("{} {}", k.status, k.title))),
        None => text,
    }
}

/// The operations' sections, in the order of the examples' walk.
fn sections(model: &ResourceModel, ex: &Examples) -> Vec<SectionView> {
    let one = model.name.to_lowercase();
    let versioned = model.version_field().map(|f| f.name.clone());
    let id_param = || ParamView {
        name: "id".into(),
        place: "path",
        rule: format!(
            "The {one}'s id, `{}_` + an uppercase ULID. Another tenant's or app's id answers as one that never existed.",
            model.id_prefix
        ),
    };
    let auth = || HeaderView {
        name: "Authorization",
        rule: "Required: `Bearer <JWT>`, the scheme in any case.".into(),
    };
    let content_type = |patch: bool| HeaderView {
        name: "Content-Type",
        rule: if patch {
            "`application/merge-patch+json` or `application/json`; anything else is a 415.".into()
        } else {
            "`application/json` or `application/merge-patch+json`; anything else is a 415.".into()
        },
    };
    let if_match = || HeaderView {
        name: "If-Match",
        rule: format!(
            "Optional: `\"<{}>\"` (or a list, or `*`); when no tag matches the current version the write is a 412 and changes nothing.",
            versioned.as_deref().unwrap_or("version")
        ),
    };
    let body_limit = format!(
        "At most {} bytes of I-JSON: no repeated member names, no U+0000.",
        model.api.max_body_bytes
    );
    ex.operations
        .iter()
        .map(|(op, e)| {
            let op = *op;
            let mut params = Vec::new();
            let mut headers = vec![auth()];
            let mut body = None;
            let summary = match op {
                Operation::Create => {
                    headers.push(content_type(false));
                    body = Some(format!(
                        "a JSON object of [client fields](#schema), each optional; server-owned fields are ignored, unknown ones a 422. {body_limit}"
                    ));
                    format!(
                        "Creates a {one} and answers with it as stored: stamps, defaults and computed fields filled in, `Location` naming it{}.",
                        if versioned.is_some() { ", `ETag` its version" } else { "" }
                    )
                }
                Operation::Get => {
                    params.push(id_param());
                    format!(
                        "Answers with the {one}, also when it is soft-deleted{}.",
                        if versioned.is_some() { ", and its `ETag`" } else { "" }
                    )
                }
                Operation::List => {
                    params.push(ParamView {
                        name: "limit".into(),
                        place: "query",
                        rule: format!(
                            "Decimal digits: 1 to {max} (larger means {max}); default {}; 0 or anything else is a 400.",
                            model.api.default_page_size,
                            max = model.api.max_page_size
                        ),
                    });
                    params.push(ParamView {
                        name: "cursor".into(),
                        place: "query",
                        rule: "A previous page's `next_cursor`, as it came; empty is the first page; anything else is a 400.".into(),
                    });
                    if model.soft_delete().is_some() {
                        params.push(ParamView {
                            name: "include_deleted".into(),
                            place: "query",
                            rule: "`true` or `false` (default); anything else is a 400.".into(),
                        });
                    }
                    for (f, how) in model.filters() {
                        params.push(ParamView {
                            name: f.name.clone(),
                            place: "query",
                            rule: format!(
                                "Only {} whose [`{}`](#field-{}) equals it{}.",
                                model.plural,
                                f.name,
                                f.name,
                                match how {
                                    // The server refuses a malformed exact filter on a formatted field.
                                    Filter::Exact if f.format.is_some() => {
                                        "; a malformed value is a 400"
                                    }
                                    Filter::Exact => "",
                                    Filter::CaseInsensitive => ", ignoring ASCII case",
                                }
                            ),
                        });
                    }
                    format!(
                        "Answers with one page of the {} the caller can see, oldest first; follow `next_cursor` until it is null. Unknown parameters are ignored.",
                        model.plural
                    )
                }
                Operation::Update => {
                    params.push(id_param());
                    headers.push(content_type(true));
                    if versioned.is_some() {
                        headers.push(if_match());
                    }
                    body = Some(format!(
                        "a JSON Merge Patch (RFC 7396) of [client fields](#schema): an absent member keeps a field, null clears it, objects merge, arrays are replaced.{} {body_limit}",
                        versioned
                            .as_deref()
                            .map(|v| format!(" It may carry `{v}`, the version the client expects: another is a 409."))
                            .unwrap_or_default()
                    ));
                    format!("Changes the {one} and answers with it as stored.")
                }
                Operation::Delete => {
                    params.push(id_param());
                    if versioned.is_some() {
                        headers.push(if_match());
                    }
                    if model.soft_delete().is_some() {
                        format!(
                            "Soft-deletes the {one} ([soft delete](#soft-delete)) and answers with it, or with 204 and no body."
                        )
                    } else {
                        format!("Deletes the {one}.")
                    }
                }
            };
            let statuses = statuses(op, model)
                .into_iter()
                .map(|code| StatusView {
                    code: status_code(code),
                    meaning: match code {
                        200 if op == Operation::List => "A page: `data` and `next_cursor`.".into(),
                        200 if op == Operation::Delete => format!("The soft-deleted {one}."),
                        200 => format!("The {one}."),
                        201 => format!("The stored {one}."),
                        204 => "Deleted; no body (a server may answer 200 or 204).".into(),
                        code => cell(&error_meaning(op, code, model)),
                    },
                })
                .collect();
            SectionView {
                heading: heading(model, op),
                http_method: op.http_method(),
                path: if op.on_item() {
                    model.item_path()
                } else {
                    model.path.clone()
                },
                summary,
                params,
                headers,
                body,
                statuses,
                example: example_view(e),
                snippet: snippets::snippet(model, ex, op),
            }
        })
        .collect()
}

/// One section per problem kind, with its example.
fn errors(model: &ResourceModel, ex: &Examples) -> Vec<ErrorView> {
    problem::KINDS
        .iter()
        .filter(|k| k.status != 412 || model.version_field().is_some())
        .filter_map(|k| {
            let (_, e) = ex.errors.iter().find(|(s, _)| *s == k.status)?;
            let when = if k.status == 413 {
                format!("The body is over {} bytes.", model.api.max_body_bytes)
            } else {
                k.when.to_owned()
            };
            Some(ErrorView {
                status: k.status,
                title: k.title,
                anchor: slug(&format!("{} {}", k.status, k.title)),
                type_uri: k.type_uri(),
                when: cell(&when),
                sent: e.sent,
                step: e.step,
                request: examples::request_text(&e.request),
                unsent: match k.status {
                    408 => "A client that sends its headers and then stalls its body meets it; the example body is the one the reference server sends (its words come from `resource_model::problem`).".into(),
                    _ => "A storage outage causes it; the reference server's outage tests prove the answer, and its words come from `resource_model::problem`, as the server's do.".into(),
                },
                response: examples::response_text(&e.response),
            })
        })
        .collect()
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
