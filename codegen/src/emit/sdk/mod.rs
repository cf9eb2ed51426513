//! `schemas/sdk/`: client libraries for TypeScript, Python and Rust, one
//! package per language for the whole API, exposing each resource's SDK
//! namespace (`client.customer.contacts`, `client.customer.accounts`) with
//! the five operations, typed models, typed errors and auto-pagination.
//!
//! Each language has its own module that turns the API into a view (types
//! already spelled in that language) and templates beside it that lay the
//! view out; this module holds what the three share: names, the namespace
//! tree, the enums and the field documentation.

mod python;
mod rust;
mod typescript;

use super::schema::{describe, enum_name};
use super::templates::Templates;
use super::{Artifact, api_preamble};
use crate::Commands;
use crate::error::Error;
use resource_model::validate::is_snake;
use resource_model::{Field, FieldType, ResourceModel, ValidApi};
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

    /// The TypeScript, Python and Rust SDKs of an API.
    pub fn emit(&self, api: &ValidApi, cmds: &Commands) -> Result<Vec<Artifact>, Error> {
        let sdk = Sdk::new(api, cmds)?;
        let mut out = typescript::emit(self, &sdk)?;
        out.extend(python::emit(self, &sdk)?);
        out.extend(rust::emit(self, &sdk)?);
        Ok(out)
    }

    fn render(&self, template: &str, view: &impl Serialize) -> Result<String, Error> {
        self.templates.render(template, view)
    }
}

/// What every language's view is built from: the API and the names derived from it.
struct Sdk<'a> {
    api: &'a ValidApi,
    cmds: &'a Commands,
    /// Each resource with its collection class name.
    resources: Vec<(&'a ResourceModel, String)>,
    /// The enums of the API, once each.
    enums: Vec<EnumType<'a>>,
}

/// An enum field and the type the SDKs give it.
struct EnumType<'a> {
    /// The type name, e.g. `SourceType`.
    name: String,
    /// A field it types (the first one declared).
    field: &'a Field,
    /// The values, in declaration order.
    values: &'a [String],
}

impl<'a> Sdk<'a> {
    fn new(api: &'a ValidApi, cmds: &'a Commands) -> Result<Self, Error> {
        for model in api.resources() {
            for field in &model.fields {
                if !is_snake(&field.name) {
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
        }
        // A collection is named after its namespace's last segment, or its
        // whole namespace where two resources end alike.
        let last =
            |m: &ResourceModel| pascal(m.sdk_namespace.rsplit('.').next().unwrap_or(&m.plural));
        let resources = api
            .resources()
            .iter()
            .map(|m| {
                let short = last(m);
                let clash = api.resources().iter().filter(|o| last(o) == short).count() > 1;
                let class = if clash {
                    pascal(&m.sdk_namespace.replace('.', "_"))
                } else {
                    short
                };
                (m.model(), class)
            })
            .collect();
        let enums = api
            .enums()
            .into_iter()
            .filter_map(|(name, field)| match &field.ty {
                FieldType::Enum { values } => Some(EnumType {
                    name,
                    field,
                    values,
                }),
                _ => None,
            })
            .collect();
        Ok(Sdk {
            api,
            cmds,
            resources,
            enums,
        })
    }

    /// The package stem in snake case, e.g. `crm` (packages are `crm-sdk`, `crm_sdk`).
    fn snake(&self) -> String {
        self.api.name().replace('-', "_")
    }

    /// The enum type of a field, when it has one.
    fn enum_of(&self, field: &Field) -> Option<&EnumType<'a>> {
        let name = enum_name(field);
        self.enums.iter().find(|e| e.name == name)
    }

    /// The namespace tree: the client's own properties, and each namespace
    /// class with its properties, in declaration order.
    fn tree(&self) -> (Vec<PropertyView>, Vec<NamespaceView>) {
        let mut root: Vec<PropertyView> = Vec::new();
        let mut namespaces: Vec<NamespaceView> = Vec::new();
        for (model, class) in &self.resources {
            let segments: Vec<&str> = model.sdk_namespace.split('.').collect();
            let n = segments.len();
            for i in 0..n {
                let child = if i + 1 == n {
                    class.clone()
                } else {
                    namespace_class(&segments[..=i])
                };
                let property = PropertyView {
                    property: segments[i].to_owned(),
                    child,
                };
                let holder = if i == 0 {
                    &mut root
                } else {
                    let class = namespace_class(&segments[..i]);
                    let at = match namespaces.iter().position(|ns| ns.class == class) {
                        Some(at) => at,
                        None => {
                            namespaces.push(NamespaceView {
                                class,
                                path: segments[..i].join("."),
                                properties: Vec::new(),
                            });
                            namespaces.len() - 1
                        }
                    };
                    &mut namespaces[at].properties
                };
                if !holder.iter().any(|p| p.property == property.property) {
                    holder.push(property);
                }
            }
        }
        (root, namespaces)
    }

    /// The version field's name of a resource, the value `If-Match` carries.
    fn version_field(model: &ResourceModel) -> String {
        model
            .version_field()
            .map_or_else(|| "version".to_owned(), |f| f.name.clone())
    }
}

/// A namespace class name from its path: `customer` → `CustomerNamespace`.
fn namespace_class(path: &[&str]) -> String {
    format!("{}Namespace", pascal(&path.join("_")))
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
    /// Whether a create must set it and an update may not clear it.
    required_in_request: bool,
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

/// One resource of the API as every language's template reads it.
#[derive(Debug, Serialize)]
struct ResourceView {
    name: String,
    lower: String,
    /// `CONTACT`, for module-level constants.
    screaming: String,
    plural: String,
    description: String,
    path: String,
    path_literal: String,
    sdk_prefix: String,
    version_field: String,
    soft_delete: bool,
    fields: Vec<FieldView>,
    /// The always-present fields' wire names as string literals, comma-separated.
    always_present: String,
    client_fields: Vec<FieldView>,
    /// Whether a create must set some field (no default create body then).
    has_required: bool,
    filters: Vec<FieldView>,
    api: resource_model::ApiLimits,
    collection: String,
}

/// What every language's template reads; each language adds its own.
#[derive(Debug, Serialize)]
struct CommonView {
    preamble: String,
    /// The API's title, e.g. `CRM API`.
    title: String,
    enums: Vec<EnumView>,
    /// Left out when a language moves them into a view of its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<ResourceView>,
    /// The first resource: the one the package docs show in examples.
    example: ResourceExample,
    root: Vec<PropertyView>,
    namespaces: Vec<NamespaceView>,
}

/// What the package docs' example names.
#[derive(Debug, Serialize)]
struct ResourceExample {
    lower: String,
    sdk_prefix: String,
    name: String,
}

impl Sdk<'_> {
    /// The shared view, spelled for one language.
    fn common(&self, spell: &Spelling) -> CommonView {
        let field = |f: &Field, ty: fn(&Sdk<'_>, &Field) -> String| FieldView {
            name: (spell.ident)(&f.name),
            wire: quoted(&f.name),
            doc: (spell.field_doc)(&field_doc(f)),
            ty: ty(self, f),
            required: f.always_present,
            required_in_request: f.is_required(),
            extra: (spell.extra)(f),
        };
        let (root, namespaces) = self.tree();
        let first = self.resources[0].0;
        CommonView {
            preamble: api_preamble(self.api, self.cmds),
            title: self.api.title().to_owned(),
            enums: self
                .enums
                .iter()
                .map(|e| {
                    let mut view = e.view(spell.member);
                    view.doc = (spell.doc)(&view.doc);
                    view
                })
                .collect(),
            resources: self
                .resources
                .iter()
                .map(|(model, class)| ResourceView {
                    name: model.name.clone(),
                    lower: model.name.to_lowercase(),
                    screaming: screaming(&model.name),
                    plural: model.plural.clone(),
                    description: (spell.doc)(&model.description),
                    path: model.path.clone(),
                    path_literal: quoted(&model.path),
                    sdk_prefix: format!("client.{}", model.sdk_namespace),
                    version_field: Self::version_field(model),
                    soft_delete: model.soft_delete().is_some(),
                    fields: model.fields.iter().map(|f| field(f, spell.ty)).collect(),
                    always_present: model
                        .fields
                        .iter()
                        .filter(|f| f.always_present)
                        .map(|f| quoted(&f.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    client_fields: model
                        .client_fields()
                        .map(|f| field(f, spell.request_ty))
                        .collect(),
                    has_required: model.client_fields().any(Field::is_required),
                    filters: model.filters().map(|(f, _)| field(f, spell.ty)).collect(),
                    api: model.api,
                    collection: class.clone(),
                })
                .collect(),
            example: ResourceExample {
                lower: first.name.to_lowercase(),
                sdk_prefix: format!("client.{}", first.sdk_namespace),
                name: first.name.clone(),
            },
            root,
            namespaces,
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

/// One property of the client or of a namespace: its name and the class it holds.
#[derive(Debug, Serialize)]
struct PropertyView {
    property: String,
    child: String,
}

/// A namespace level between the client and the collections, e.g.
/// `CustomerNamespace` with `contacts: Contacts` and `accounts: Accounts`.
#[derive(Debug, Serialize)]
struct NamespaceView {
    class: String,
    /// The dotted path, e.g. `customer`.
    path: String,
    properties: Vec<PropertyView>,
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
    fn quoted_escapes_quotes_and_backslashes() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
