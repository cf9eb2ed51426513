//! `schemas/sdk/rust/`: a crate `<api>-sdk` on reqwest and serde, async,
//! with a `Stream` for auto-pagination. The output is laid out exactly as
//! rustfmt would, so the crate can be a workspace member under
//! `cargo fmt --check`. Templates beside this file: one per source file plus
//! `Cargo.toml`.

use super::{CommonView, Renderer, ResourceView, Sdk, Spelling, no_extra, pascal, verbatim};
use crate::emit::Artifact;
use crate::error::Error;
use resource_model::{Field, FieldType};
use serde::Serialize;

const CARGO: &str = "rust/Cargo.toml";
const LIB: &str = "rust/lib.rs";
const MODELS: &str = "rust/models.rs";
const ERROR: &str = "rust/error.rs";
const CLIENT: &str = "rust/client.rs";

/// The templates of this SDK, by name.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (CARGO, include_str!("Cargo.toml.hbs")),
    (LIB, include_str!("lib.rs.hbs")),
    (MODELS, include_str!("models.rs.hbs")),
    (ERROR, include_str!("error.rs.hbs")),
    (CLIENT, include_str!("client.rs.hbs")),
];

/// Strict and reserved keywords that a raw identifier (`r#type`) can stand for.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers.
const UNUSABLE: &[&str] = &["crate", "self", "super", "_"];

#[derive(Debug, Serialize)]
struct View {
    #[serde(flatten)]
    common: CommonView,
    /// The resources, each with what Rust alone needs.
    resources: Vec<RustResource>,
    krate: String,
    module: String,
    /// `lib.rs`'s `pub use` lines.
    exports: String,
    /// `client.rs`'s `use crate::models::…` line.
    client_models: String,
    /// `models.rs`'s `use chrono::…` line (only what the fields use).
    chrono_use: String,
}

/// A resource as the Rust templates read it.
#[derive(Debug, Serialize)]
struct RustResource {
    #[serde(flatten)]
    common: ResourceView,
    /// The signature line(s) of the create body's `new`, laid out as rustfmt would.
    new_fn: String,
}

/// How Rust spells the shared view.
const SPELLING: Spelling = Spelling {
    ty: rust_type,
    request_ty: rust_type,
    ident,
    extra: no_extra,
    member: pascal,
    doc: verbatim,
    field_doc: verbatim,
};

/// The crate's files.
pub(super) fn emit(renderer: &Renderer, sdk: &Sdk<'_>) -> Result<Vec<Artifact>, Error> {
    for model in sdk.api.resources() {
        if let Some(f) = model
            .fields
            .iter()
            .find(|f| UNUSABLE.contains(&f.name.as_str()))
        {
            return Err(Error::Sdk {
                language: "Rust",
                message: format!(
                    "field `{}` of {} cannot name a Rust struct field",
                    f.name, model.name
                ),
            });
        }
    }
    let mut common = sdk.common(&SPELLING);
    let resources: Vec<RustResource> = std::mem::take(&mut common.resources)
        .into_iter()
        .map(|r| {
            let params: Vec<String> = r
                .client_fields
                .iter()
                .filter(|f| f.required_in_request)
                .map(|f| format!("{}: {}", f.name, f.ty))
                .collect();
            let one = format!("    pub fn new({}) -> Self {{", params.join(", "));
            let new_fn = if one.len() <= 100 {
                one
            } else {
                format!(
                    "    pub fn new(\n{}    ) -> Self {{",
                    params
                        .iter()
                        .map(|p| format!("        {p},\n"))
                        .collect::<String>()
                )
            };
            RustResource { common: r, new_fn }
        })
        .collect();
    let mut client_items: Vec<String> = vec!["Client".to_owned()];
    let (_, namespaces) = sdk.tree();
    client_items.extend(namespaces.into_iter().map(|n| n.class));
    let mut model_items: Vec<String> = vec!["JsonObject".to_owned(), "Patch".to_owned()];
    model_items.extend(sdk.enums.iter().map(|e| e.name.clone()));
    // What client.rs names: the models of the operations and the enums the filters take.
    let mut client_models: Vec<String> = Vec::new();
    for (model, class) in &sdk.resources {
        client_items.push(class.clone());
        client_items.push(format!("{}ListParams", model.name));
        for s in ["Create", "Page", "Update", ""] {
            model_items.push(format!("{}{s}", model.name));
            client_models.push(format!("{}{s}", model.name));
        }
        client_models.extend(
            model
                .filters()
                .filter_map(|(f, _)| sdk.enum_of(f).map(|e| e.name.clone())),
        );
    }
    client_items.sort();
    model_items.sort();
    client_models.sort();
    client_models.dedup();
    let types = sdk.api.resources().iter().flat_map(|m| &m.fields);
    let mut chrono: Vec<&str> = Vec::new();
    if types.clone().any(|f| f.ty == FieldType::DateTime) {
        chrono.extend(["DateTime", "Utc"]);
    }
    if types.clone().any(|f| f.ty == FieldType::Date) {
        chrono.push("NaiveDate");
    }
    chrono.sort_unstable();
    let view = View {
        common,
        resources,
        krate: format!("{}-sdk", sdk.api.name()),
        module: format!("{}_sdk", sdk.snake()),
        exports: [
            use_line("pub use", "client", &client_items),
            use_line(
                "pub use",
                "error",
                &["Error", "FieldError", "Problem"].map(String::from),
            ),
            use_line("pub use", "models", &model_items),
        ]
        .join("\n"),
        client_models: use_line("use", "crate::models", &client_models),
        chrono_use: match chrono.as_slice() {
            [] => String::new(),
            [one] => format!("use chrono::{one};\n"),
            many => format!("use chrono::{{{}}};\n", many.join(", ")),
        },
    };
    Ok(vec![
        Artifact::new("sdk/rust/Cargo.toml", renderer.render(CARGO, &view)?),
        Artifact::new("sdk/rust/src/lib.rs", renderer.render(LIB, &view)?),
        Artifact::new("sdk/rust/src/models.rs", renderer.render(MODELS, &view)?),
        Artifact::new("sdk/rust/src/error.rs", renderer.render(ERROR, &view)?),
        Artifact::new("sdk/rust/src/client.rs", renderer.render(CLIENT, &view)?),
    ])
}

/// The Rust type of a field's non-null values.
fn rust_type(sdk: &Sdk<'_>, f: &Field) -> String {
    match &f.ty {
        FieldType::String => "String".to_owned(),
        FieldType::Boolean => "bool".to_owned(),
        FieldType::Integer => "i64".to_owned(),
        FieldType::DateTime => "DateTime<Utc>".to_owned(),
        FieldType::Date => "NaiveDate".to_owned(),
        FieldType::JsonObject => "JsonObject".to_owned(),
        FieldType::StringArray => "Vec<String>".to_owned(),
        FieldType::Enum { .. } => sdk
            .enum_of(f)
            .map_or_else(|| "String".to_owned(), |e| e.name.clone()),
    }
}

/// A field name as a Rust identifier: raw where it is a keyword.
fn ident(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// A `use module::{…};` line (`keyword` is `use` or `pub use`) as rustfmt
/// lays it out: one line when it fits in 100 columns, else the items filled
/// into indented lines.
fn use_line(keyword: &str, module: &str, items: &[String]) -> String {
    let one = format!("{keyword} {module}::{{{}}};", items.join(", "));
    if one.len() < 100 {
        return one;
    }
    let mut s = format!("{keyword} {module}::{{\n");
    let mut line = String::from("   ");
    for item in items {
        if line.len() + 1 + item.len() + 1 > 100 {
            s.push_str(line.trim_end());
            s.push('\n');
            line = String::from("   ");
        }
        line.push(' ');
        line.push_str(item);
        line.push(',');
    }
    s.push_str(&line);
    s.push_str("\n};");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("email"), "email");
    }

    #[test]
    fn short_use_lines_stay_on_one_line() {
        let items = ["A", "B"].map(String::from);
        assert_eq!(use_line("pub use", "m", &items), "pub use m::{A, B};");
    }

    #[test]
    fn long_use_lines_wrap_as_rustfmt_does() {
        let items: Vec<String> = (0..12).map(|i| format!("Item{i:02}Name")).collect();
        let text = use_line("pub use", "models", &items);
        assert!(text.starts_with("pub use models::{\n    Item00Name, "));
        assert!(text.ends_with(",\n};"));
        assert!(text.lines().all(|l| l.len() <= 100));
    }
}
