//! `schemas/sdk/python/`: a package `<api>_sdk` on the standard library
//! alone (`urllib`, `json`, `dataclasses`), fully typed for `mypy --strict`.
//! Templates beside this file: one per module plus `pyproject.toml`.

use super::{CommonView, Renderer, Sdk, Spelling, screaming, verbatim};
use crate::emit::Artifact;
use crate::error::Error;
use resource_model::{Field, FieldType};
use serde::Serialize;

const PYPROJECT: &str = "python/pyproject.toml";
const INIT: &str = "python/__init__.py";
const MODELS: &str = "python/models.py";
const ERRORS: &str = "python/errors.py";
const CLIENT: &str = "python/client.py";

/// The templates of this SDK, by name.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (PYPROJECT, include_str!("pyproject.toml.hbs")),
    (INIT, include_str!("__init__.py.hbs")),
    (MODELS, include_str!("models.py.hbs")),
    (ERRORS, include_str!("errors.py.hbs")),
    (CLIENT, include_str!("client.py.hbs")),
];

/// Python's keywords: they cannot name a dataclass field or a `TypedDict` key
/// in class syntax.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

#[derive(Debug, Serialize)]
struct View {
    #[serde(flatten)]
    common: CommonView,
    package: String,
    distribution: String,
    decoders: Vec<DecoderView>,
}

/// How Python spells the shared view: descriptions and enum docs go into
/// docstrings, field docs into `#:` comments.
const SPELLING: Spelling = Spelling {
    ty: response_type,
    request_ty: request_type,
    ident: verbatim,
    extra: decoder,
    member: screaming,
    doc: docstring,
    field_doc: verbatim,
};

/// A decoder function for an enum: `_source_type(value, name) -> SourceType`.
#[derive(Debug, Serialize)]
struct DecoderView {
    function: String,
    ty: String,
}

/// The package's files.
pub(super) fn emit(renderer: &Renderer, sdk: &Sdk<'_>) -> Result<Vec<Artifact>, Error> {
    for model in sdk.api.resources() {
        if let Some(f) = model
            .fields
            .iter()
            .find(|f| KEYWORDS.contains(&f.name.as_str()))
        {
            return Err(Error::Sdk {
                language: "Python",
                message: format!(
                    "field `{}` of {} is a Python keyword and cannot name an attribute",
                    f.name, model.name
                ),
            });
        }
    }
    let view = View {
        common: sdk.common(&SPELLING),
        package: format!("{}_sdk", sdk.snake()),
        distribution: format!("{}-sdk", sdk.api.name()),
        decoders: sdk
            .enums
            .iter()
            .map(|e| DecoderView {
                function: decoder_name(&e.field.name),
                ty: e.name.clone(),
            })
            .collect(),
    };
    let base = format!("sdk/python/{}", view.package);
    Ok(vec![
        Artifact::new(
            "sdk/python/pyproject.toml",
            renderer.render(PYPROJECT, &view)?,
        ),
        Artifact::new(format!("{base}/__init__.py"), renderer.render(INIT, &view)?),
        Artifact::new(format!("{base}/models.py"), renderer.render(MODELS, &view)?),
        Artifact::new(format!("{base}/errors.py"), renderer.render(ERRORS, &view)?),
        Artifact::new(format!("{base}/client.py"), renderer.render(CLIENT, &view)?),
        // PEP 561: the package ships its own types. The marker's content is
        // read by type checkers (`partial`), so it carries no comment.
        Artifact::new(format!("{base}/py.typed"), ""),
    ])
}

/// The function that decodes a field's wire value.
fn decoder(f: &Field) -> String {
    match &f.ty {
        FieldType::String => "_str".to_owned(),
        FieldType::Boolean => "_bool".to_owned(),
        FieldType::Integer => "_int".to_owned(),
        FieldType::DateTime => "_datetime".to_owned(),
        FieldType::Date => "_date".to_owned(),
        FieldType::JsonObject => "_object".to_owned(),
        FieldType::StringArray => "_str_list".to_owned(),
        FieldType::Enum { .. } => decoder_name(&f.name),
    }
}

/// The Python type of a field's values in a response.
fn response_type(sdk: &Sdk<'_>, f: &Field) -> String {
    match &f.ty {
        FieldType::String => "str".to_owned(),
        FieldType::Boolean => "bool".to_owned(),
        FieldType::Integer => "int".to_owned(),
        FieldType::DateTime => "datetime".to_owned(),
        FieldType::Date => "date".to_owned(),
        FieldType::JsonObject => "JsonObject".to_owned(),
        FieldType::StringArray => "list[str]".to_owned(),
        FieldType::Enum { .. } => sdk
            .enum_of(f)
            .map_or_else(|| "str".to_owned(), |e| e.name.clone()),
    }
}

/// The Python type a request body accepts for a field: date-times as a
/// `datetime` or an RFC 3339 string, dates as a `date` or a full-date string.
fn request_type(sdk: &Sdk<'_>, f: &Field) -> String {
    match &f.ty {
        FieldType::DateTime => "datetime | str".to_owned(),
        FieldType::Date => "date | str".to_owned(),
        _ => response_type(sdk, f),
    }
}

/// Text safe inside a `"""…"""` docstring: backslashes and quotes escaped.
fn docstring(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The decoder function of an enum field, e.g. `_enum_source_type`.
fn decoder_name(field: &str) -> String {
    format!("_enum_{field}")
}

#[cfg(test)]
mod tests {
    use super::docstring;

    #[test]
    fn docstrings_escape_quotes_and_backslashes() {
        assert_eq!(docstring(r#"a "b" \ c"#), r#"a \"b\" \\ c"#);
    }
}
