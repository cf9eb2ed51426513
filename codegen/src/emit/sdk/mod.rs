//! `schemas/sdk/`: client libraries for TypeScript, Python and Rust, each
//! exposing the model's SDK namespace (`client.customer.contacts`) with the
//! five operations, typed models, typed errors and auto-pagination.
//!
//! Each language has its own module that turns the model into a view (types
//! already spelled in that language) and templates beside it that lay the
//! view out; this module holds what the three share: names, the namespace
//! chain, the enums and the field documentation.

mod python;
mod rust;
mod typescript;

use super::schema::describe;
use super::templates::Templates;
use super::{Artifact, preamble};
use crate::error::Error;
use contact_schema::ResourceModel;
use contact_schema::model::{Field, FieldType};
use serde::Serialize;
use std::sync::OnceLock;

/// The SDK renderer: every SDK template, parsed once per process.
pub struct Renderer {
    templates: &'static Templates,
}

/// Every SDK template, by name.
fn all_templates() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    typescript::TEMPLATES
        .iter()
        .chain(python::TEMPLATES)
        .chain(rust::TEMPLATES)
}

/// Parses every SDK template afresh (what [`Renderer::shared`] does once).
pub fn parse_templates() -> Result<Templates, Error> {
    Templates::parse(all_templates())
}

impl Renderer {
    /// The renderer, its templates parsed once per process.
    pub fn shared() -> Result<Self, Error> {
        static PARSED: OnceLock<Templates> = OnceLock::new();
        Ok(Renderer {
            templates: Templates::shared(&PARSED, all_templates())?,
        })
    }

    /// The TypeScript, Python and Rust SDKs of a model.
    pub fn emit(&self, model: &ResourceModel) -> Result<Vec<Artifact>, Error> {
        let sdk = Sdk::new(model)?;
        let mut out = typescript::emit(self, &sdk)?;
        out.extend(python::emit(self, &sdk)?);
        out.extend(rust::emit(self, &sdk)?);
        Ok(out)
    }

    fn render(&self, template: &str, view: &impl Serialize) -> Result<String, Error> {
        self.templates.render(template, view)
    }
}

/// What every language's view is built from: the model and the names derived from it.
struct Sdk<'a> {
    model: &'a ResourceModel,
    /// The namespace segments, e.g. `["customer", "contacts"]`; the last names
    /// the collection, the others are namespaces leading to it.
    segments: Vec<&'a str>,
    /// The enum fields with their type names.
    enums: Vec<EnumType<'a>>,
}

/// An enum field and the type the SDKs give it.
struct EnumType<'a> {
    /// The type name, e.g. `SourceType`.
    name: String,
    /// The field it types.
    field: &'a Field,
    /// The values, in declaration order.
    values: &'a [String],
}

impl<'a> Sdk<'a> {
    fn new(model: &'a ResourceModel) -> Result<Self, Error> {
        let segments: Vec<&str> = model.sdk_namespace.split('.').collect();
        if segments.iter().any(|s| !is_identifier(s)) {
            return Err(Error::Sdk {
                language: "all",
                message: format!(
                    "SDK namespace `{}` of {} is not dot-separated snake_case identifiers",
                    model.sdk_namespace, model.name
                ),
            });
        }
        for field in &model.fields {
            if !is_identifier(&field.name) {
                return Err(Error::Sdk {
                    language: "all",
                    message: format!(
                        "field `{}` of {} is not a snake_case identifier",
                        field.name, model.name
                    ),
                });
            }
            if let FieldType::Enum { values } = &field.ty
                && let Some(bad) = values.iter().find(|v| !is_enum_value(v))
            {
                return Err(Error::Sdk {
                    language: "all",
                    message: format!(
                        "enum value {bad:?} of {}.{} cannot name a constant: it must start with a letter and hold only letters, digits, `_` and `-`",
                        model.name, field.name
                    ),
                });
            }
        }
        let enums = model
            .fields
            .iter()
            .filter_map(|field| match &field.ty {
                FieldType::Enum { values } => Some(EnumType {
                    name: pascal(&field.name),
                    field,
                    values,
                }),
                _ => None,
            })
            .collect();
        Ok(Sdk {
            model,
            segments,
            enums,
        })
    }

    /// The lower-case package stem, e.g. `contacts` (packages are `contacts-sdk`, `contacts_sdk`).
    fn stem(&self) -> &str {
        &self.model.plural
    }

    /// The collection class name, e.g. `Contacts`.
    fn collection_class(&self) -> String {
        pascal(self.segments.last().copied().unwrap_or(&self.model.plural))
    }

    /// The namespace levels between the client and the collection: for each,
    /// its class name, the property it is reached by and what that property holds.
    fn namespaces(&self) -> Vec<NamespaceView> {
        let n = self.segments.len();
        (0..n.saturating_sub(1))
            .map(|i| NamespaceView {
                class: format!("{}Namespace", pascal(self.segments[i])),
                property: self.segments[i + 1].to_owned(),
                child: if i + 2 == n {
                    self.collection_class()
                } else {
                    format!("{}Namespace", pascal(self.segments[i + 1]))
                },
            })
            .collect()
    }

    /// The client's own property and the class it holds.
    fn root(&self) -> NamespaceView {
        NamespaceView {
            class: "Client".to_owned(),
            property: self.segments[0].to_owned(),
            child: if self.segments.len() == 1 {
                self.collection_class()
            } else {
                format!("{}Namespace", pascal(self.segments[0]))
            },
        }
    }

    /// The enum type of a field, when it has one.
    fn enum_of(&self, field: &Field) -> Option<&EnumType<'a>> {
        self.enums.iter().find(|e| e.field.name == field.name)
    }

    /// The name of the version field, the value `If-Match` carries.
    fn version_field(&self) -> String {
        self.model
            .version_field()
            .map_or_else(|| "version".to_owned(), |f| f.name.clone())
    }
}

/// A field as one language's template lays it out.
#[derive(Debug, Serialize)]
struct FieldView {
    /// The name in the language (escaped where it is a keyword).
    name: String,
    /// The name on the wire.
    wire: String,
    /// The documentation, one line.
    doc: String,
    /// The type in the language, without the nullability the position adds.
    ty: String,
    /// Whether every response carries a value (★).
    required: bool,
    /// A language-specific expression (a decoder call, serde attributes…), or empty.
    extra: String,
}

/// An enum as one language's template lays it out.
#[derive(Debug, Serialize)]
struct EnumView {
    /// The type name, e.g. `SourceType`.
    name: String,
    /// The documentation, one line.
    doc: String,
    /// The members: a constant name and the quoted wire value.
    members: Vec<MemberView>,
}

/// One enum member.
#[derive(Debug, Serialize)]
struct MemberView {
    /// The constant or variant name.
    name: String,
    /// The wire value, quoted as a string literal.
    value: String,
}

impl EnumType<'_> {
    /// The view of this enum, naming members with `member_name`.
    fn view(&self, member_name: fn(&str) -> String) -> EnumView {
        EnumView {
            name: self.name.clone(),
            doc: field_doc(self.field),
            members: self
                .values
                .iter()
                .map(|v| MemberView {
                    name: member_name(v),
                    value: quoted(v),
                })
                .collect(),
        }
    }
}

/// How one language spells what the shared view holds.
struct Spelling {
    /// The type of a field's values in a response, without the nullability.
    ty: fn(&Sdk<'_>, &Field) -> String,
    /// The type a request body accepts for a field, without the nullability.
    request_ty: fn(&Sdk<'_>, &Field) -> String,
    /// A field name as an identifier.
    ident: fn(&str) -> String,
    /// The language-specific extra of a field (see [`FieldView::extra`]).
    extra: fn(&Field) -> String,
    /// An enum member's constant name from its value.
    member: fn(&str) -> String,
    /// Text made safe where descriptions and enum docs go.
    doc: fn(&str) -> String,
    /// Text made safe where field docs go.
    field_doc: fn(&str) -> String,
}

/// What every language's template reads; each language flattens it into its own view.
#[derive(Debug, Serialize)]
struct CommonView {
    preamble: String,
    name: String,
    lower: String,
    plural: String,
    description: String,
    path: String,
    path_literal: String,
    sdk_prefix: String,
    version_field: String,
    soft_delete: bool,
    enums: Vec<EnumView>,
    fields: Vec<FieldView>,
    client_fields: Vec<FieldView>,
    filters: Vec<FieldView>,
    api: contact_schema::model::ApiLimits,
    collection: String,
    root: NamespaceView,
    namespaces: Vec<NamespaceView>,
}

impl Sdk<'_> {
    /// The shared view, spelled for one language.
    fn common(&self, spell: &Spelling) -> CommonView {
        let model = self.model;
        let field = |f: &Field, ty: fn(&Sdk<'_>, &Field) -> String| FieldView {
            name: (spell.ident)(&f.name),
            wire: quoted(&f.name),
            doc: (spell.field_doc)(&field_doc(f)),
            ty: ty(self, f),
            required: f.always_present,
            extra: (spell.extra)(f),
        };
        CommonView {
            preamble: preamble(model),
            name: model.name.clone(),
            lower: model.name.to_lowercase(),
            plural: model.plural.clone(),
            description: (spell.doc)(&model.description),
            path: model.path.clone(),
            path_literal: quoted(&model.path),
            sdk_prefix: format!("client.{}", model.sdk_namespace),
            version_field: self.version_field(),
            soft_delete: model.soft_delete().is_some(),
            enums: self
                .enums
                .iter()
                .map(|e| {
                    let mut view = e.view(spell.member);
                    view.doc = (spell.doc)(&view.doc);
                    view
                })
                .collect(),
            fields: model.fields.iter().map(|f| field(f, spell.ty)).collect(),
            client_fields: model
                .client_fields()
                .map(|f| field(f, spell.request_ty))
                .collect(),
            filters: model.filters().map(|(f, _)| field(f, spell.ty)).collect(),
            api: model.api,
            collection: self.collection_class(),
            root: self.root(),
            namespaces: self.namespaces(),
        }
    }
}

/// Leaves text as it is, for places that need no escaping.
fn verbatim(text: &str) -> String {
    text.to_owned()
}

/// No extra for a field.
fn no_extra(_: &Field) -> String {
    String::new()
}

/// One step of the namespace chain, e.g. `CustomerNamespace.contacts: Contacts`.
#[derive(Debug, Serialize)]
struct NamespaceView {
    class: String,
    property: String,
    child: String,
}

/// The documentation of a field, one sentence run, without line breaks.
fn field_doc(field: &Field) -> String {
    let mut text = describe(field);
    if let Some(default) = field.default() {
        if !text.ends_with('.') {
            text.push('.');
        }
        text.push_str(&format!(" Defaults to `{default}` when absent or null."));
    }
    if let Some(format) = &field.format {
        if !text.ends_with('.') {
            text.push('.');
        }
        text.push_str(&format!(" Format: {}.", format.describe()));
    }
    one_line(&text)
}

/// Collapses whitespace runs (newlines included) to single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `source_type` → `SourceType`, `contacts` → `Contacts`.
pub(crate) fn pascal(snake: &str) -> String {
    snake
        .split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            cs.next()
                .map(|c| c.to_uppercase().chain(cs).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// `frontend` → `FRONTEND`, `with-dash` → `WITH_DASH`.
pub(crate) fn screaming(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether `s` is a snake_case identifier every SDK language accepts as a name.
fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && cs.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether an enum value can be turned into a constant name in every SDK language.
fn is_enum_value(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A double-quoted string literal valid in TypeScript, Python and Rust
/// (JSON's escaping is a subset all three read the same way).
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_joins_snake_and_kebab_words() {
        assert_eq!(pascal("source_type"), "SourceType");
        assert_eq!(pascal("contacts"), "Contacts");
        assert_eq!(pascal("a-b_c"), "ABC");
    }

    #[test]
    fn screaming_replaces_non_alphanumerics() {
        assert_eq!(screaming("frontend"), "FRONTEND");
        assert_eq!(screaming("sub-type.x"), "SUB_TYPE_X");
    }

    #[test]
    fn identifiers_are_snake_case() {
        assert!(is_identifier("customer"));
        assert!(is_identifier("crm_v2"));
        assert!(!is_identifier("Customer"));
        assert!(!is_identifier("2fa"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a-b"));
    }

    #[test]
    fn quoted_escapes_quotes_and_backslashes() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
