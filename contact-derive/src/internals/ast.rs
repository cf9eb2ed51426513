//! The typed form of the derive input: the struct, its fields, their attributes
//! and what their Rust types mean on the wire, keeping the syntax for spans.

use super::attr;
use super::ctxt::Ctxt;
use super::symbol::DOC;
use syn::{Data, DeriveInput, Fields, GenericArgument, PathArguments, Type};

/// The struct being derived.
pub struct Container<'a> {
    pub ident: &'a syn::Ident,
    pub attrs: attr::Container,
    pub doc: Option<String>,
    pub fields: Vec<Field<'a>>,
}

/// One named field.
pub struct Field<'a> {
    /// The wire name, as serde writes and reads it (`rename`, `rename_all`, …).
    pub name: String,
    pub ident: &'a syn::Ident,
    pub ty: &'a Type,
    pub attrs: attr::Field,
    pub doc: Option<String>,
    pub kind: TypeKind<'a>,
    /// `Option<T>`: null allowed, may be omitted.
    pub nullable: bool,
}

/// What a Rust field type means on the wire.
pub enum TypeKind<'a> {
    String,
    Boolean,
    /// An integer, with its Rust type's name and bounds as stored (a `u64`
    /// is stored as a signed 64-bit integer, so its maximum is `i64::MAX`).
    Integer(&'static str, i64, i64),
    DateTime,
    /// `chrono::NaiveDate`: an RFC 3339 full-date.
    Date,
    JsonObject,
    StringArray,
    /// Any other type: a unit enum implementing `ResourceEnum` (checked by the compiler).
    Enum(&'a Type),
    /// A type that cannot be a field, with the reason.
    Unsupported(&'static str),
}

impl TypeKind<'_> {
    /// A short name for error messages.
    pub fn describe(&self) -> &'static str {
        match self {
            TypeKind::String => "a String",
            TypeKind::Boolean => "a bool",
            TypeKind::Integer(..) => "an integer",
            TypeKind::DateTime => "a date-time",
            TypeKind::Date => "a date",
            TypeKind::JsonObject => "a JSON object",
            TypeKind::StringArray => "a Vec<String>",
            TypeKind::Enum(_) => "an enum",
            TypeKind::Unsupported(_) => "an unsupported type",
        }
    }
}

impl<'a> Container<'a> {
    /// Reads the derive input; problems are recorded in `cx`. `None` when the
    /// input is not a struct with named fields.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let fields = match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => &named.named,
                _ => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Resource)] needs a struct with named fields",
                    );
                    return None;
                }
            },
            _ => {
                cx.error_spanned_by(&input.ident, "#[derive(Resource)] works on structs only");
                return None;
            }
        };
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "#[derive(Resource)] does not support generic parameters",
            );
        }
        let wire = serde_names(cx, input);
        let fields = fields
            .iter()
            .map(|f| {
                let ident = f.ident.as_ref().expect("named field");
                let attrs = attr::Field::from_ast(cx, &f.attrs);
                let (nullable, inner) = match option_inner(&f.ty) {
                    Some(inner) => (true, inner),
                    None => (false, &f.ty),
                };
                let name = wire
                    .iter()
                    .find(|(i, _)| i == ident)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
                Field {
                    name,
                    ident,
                    ty: &f.ty,
                    doc: doc_text(&f.attrs),
                    kind: classify(inner),
                    nullable,
                    attrs,
                }
            })
            .collect();
        Some(Container {
            ident: &input.ident,
            attrs: attr::Container::from_ast(cx, &input.attrs),
            doc: doc_text(&input.attrs),
            fields,
        })
    }

    /// The field with wire name `name`.
    pub fn field(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Each field's wire name as serde itself reads the struct's `#[serde]`
/// attributes (`rename`, `rename_all`, `rename(serialize = …)`), through
/// `serde_derive_internals`, so the model and the wire cannot disagree. What
/// a resource cannot express is refused on its tokens: different names for
/// writing and reading, aliases, skipped and flattened fields. serde's own
/// attribute errors are left to serde's derive to report.
fn serde_names(cx: &Ctxt, input: &DeriveInput) -> Vec<(syn::Ident, String)> {
    use serde_derive_internals::{Ctxt as SerdeCtxt, Derive, ast};
    let scx = SerdeCtxt::new();
    let parsed = ast::Container::from_ast(&scx, input, Derive::Serialize);
    let mut out = Vec::new();
    if let Some(ast::Container {
        data: ast::Data::Struct(_, fields),
        ..
    }) = &parsed
    {
        for f in fields {
            let syn::Member::Named(ident) = &f.member else {
                continue;
            };
            let name = f.attrs.name();
            let (ser, de) = (name.serialize_name(), name.deserialize_name());
            if ser != de {
                cx.error_spanned_by(
                    f.original,
                    format!(
                        "`{ident}` is written as `{ser}` and read as `{de}`: a resource field has one wire name"
                    ),
                );
            }
            if !f.attrs.aliases().iter().all(|a| a == de) {
                cx.error_spanned_by(
                    f.original,
                    format!("`{ident}` has a serde alias: a resource field has one wire name"),
                );
            }
            if f.attrs.skip_serializing() || f.attrs.skip_deserializing() {
                cx.error_spanned_by(
                    f.original,
                    format!("`{ident}` is skipped by serde, so it is not on the wire: leave it out of the resource"),
                );
            }
            if f.attrs.flatten() {
                cx.error_spanned_by(
                    f.original,
                    format!("`{ident}` is flattened by serde: a resource field is one value"),
                );
            }
            out.push((ident.clone(), ser.to_owned()));
        }
    }
    // serde's derive reports its own attribute errors; these are not ours to repeat.
    let _ = scx.check();
    out
}

/// The doc comment as one paragraph-preserving text.
pub fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path() == DOC) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            lines.push(s.value().trim().to_owned());
        }
    }
    let mut text = String::new();
    for line in lines {
        if line.is_empty() {
            if !text.ends_with("\n\n") && !text.is_empty() {
                text.push_str("\n\n");
            }
        } else {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(&line);
        }
    }
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

fn generic_args(seg: &syn::PathSegment) -> Vec<&Type> {
    match &seg.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|arg| match arg {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn option_inner(ty: &Type) -> Option<&Type> {
    let seg = last_segment(ty)?;
    if seg.ident != "Option" {
        return None;
    }
    match generic_args(seg).as_slice() {
        [inner] => Some(inner),
        _ => None,
    }
}

fn is_ident(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name && s.arguments.is_none())
}

fn classify(ty: &Type) -> TypeKind<'_> {
    let Some(seg) = last_segment(ty) else {
        return TypeKind::Unsupported("only named types are supported");
    };
    let name = seg.ident.to_string();
    let args = generic_args(seg);
    match name.as_str() {
        "String" if args.is_empty() => TypeKind::String,
        "bool" => TypeKind::Boolean,
        "i8" => TypeKind::Integer("i8", i8::MIN.into(), i8::MAX.into()),
        "i16" => TypeKind::Integer("i16", i16::MIN.into(), i16::MAX.into()),
        "i32" => TypeKind::Integer("i32", i32::MIN.into(), i32::MAX.into()),
        "i64" => TypeKind::Integer("i64", i64::MIN, i64::MAX),
        "u8" => TypeKind::Integer("u8", 0, u8::MAX.into()),
        "u16" => TypeKind::Integer("u16", 0, u16::MAX.into()),
        "u32" => TypeKind::Integer("u32", 0, u32::MAX.into()),
        // Stored as a signed 64-bit integer in every dialect.
        "u64" => TypeKind::Integer("u64", 0, i64::MAX),
        "i128" | "u128" | "isize" | "usize" => TypeKind::Unsupported(
            "use i8 … i64 or u8 … u64: integers are stored as 64-bit columns and their width must not depend on the platform",
        ),
        "NaiveDate" => TypeKind::Date,
        "f32" | "f64" => TypeKind::Unsupported(
            "floating-point fields are not supported (NaN and Infinity are not JSON)",
        ),
        "DateTime" => TypeKind::DateTime,
        "Map" if args.len() == 2 && is_ident(args[0], "String") && is_ident(args[1], "Value") => {
            TypeKind::JsonObject
        }
        "Vec" if args.len() == 1 && is_ident(args[0], "String") => TypeKind::StringArray,
        "Vec" => TypeKind::Unsupported("the only supported array is Vec<String>"),
        "Option" => TypeKind::Unsupported("nested Option is not supported"),
        "Value" => {
            TypeKind::Unsupported("use serde_json::Map<String, Value> for a JSON object field")
        }
        _ if !args.is_empty() => TypeKind::Unsupported("generic field types are not supported"),
        _ => TypeKind::Enum(ty),
    }
}
