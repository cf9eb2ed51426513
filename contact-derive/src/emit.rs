//! Emission: reads only the checked, typed form and writes an impl that
//! builds the resource model at run time.

use crate::internals::ast::{Container, Field, TypeKind};
use crate::internals::attr::{ComputedAttr, DefaultLit, FormatAttr};
use crate::internals::{check, ctxt::Ctxt};
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

/// The `#[derive(Resource)]` expansion.
pub fn expand_resource(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let Some(cont) = Container::from_ast(&cx, input) else {
        cx.check()?;
        unreachable!("from_ast returns None only after an error");
    };
    check::check(&cx, &cont);
    cx.check()?;

    let ident = cont.ident;
    let a = &cont.attrs;
    let name = a
        .name
        .as_ref()
        .map_or_else(|| ident.to_string(), |s| s.value.clone());
    let plural = a
        .plural
        .as_ref()
        .map_or_else(|| format!("{}s", name.to_lowercase()), |s| s.value.clone());
    let description = a
        .description
        .as_ref()
        .map(|s| s.value.clone())
        .or_else(|| cont.doc.clone())
        .unwrap_or_default();
    let path = a.path.as_ref().map(|s| s.value.clone()).unwrap_or_default();
    let id_prefix = a
        .id_prefix
        .as_ref()
        .map(|s| s.value.clone())
        .unwrap_or_default();
    let sdk = a
        .sdk
        .as_ref()
        .map_or_else(|| plural.clone(), |s| s.value.clone());
    let table = a
        .table
        .as_ref()
        .map_or_else(|| plural.clone(), |s| s.value.clone());
    let schema_version = a.schema_version.as_ref().map_or(1, |s| s.value);
    let default_max_length = opt_u32(a.max_length.as_ref().map(|s| s.value));
    let api = {
        let d = |v: &Option<crate::internals::attr::Spanned<u32>>, field: &str| match v {
            Some(s) => {
                let n = s.value;
                quote!(#n)
            }
            None => {
                let f = syn::Ident::new(field, proc_macro2::Span::call_site());
                quote!(m::ApiLimits::default().#f)
            }
        };
        let (p, mp, mb) = (
            d(&a.page_size, "default_page_size"),
            d(&a.max_page_size, "max_page_size"),
            d(&a.max_body_bytes, "max_body_bytes"),
        );
        quote!(m::ApiLimits { default_page_size: #p, max_page_size: #mp, max_body_bytes: #mb })
    };

    let fields = cont.fields.iter().map(|f| field_model(f, &id_prefix));
    let unique = cont.fields.iter().filter_map(|f| {
        let u = &f.attrs.unique.as_ref()?.value;
        let field = &f.name;
        let within = u.within.iter().map(|i| i.to_string());
        let (ci, del) = (u.case_insensitive, u.ignore_deleted);
        Some(quote! {
            m::UniqueScope {
                field: #field.to_owned(),
                within: ::std::vec![#(#within.to_owned()),*],
                case_insensitive: #ci,
                ignore_deleted: #del,
            }
        })
    });

    // An enum's values are known to its own derive only: a default or an
    // example is checked in a constant, which fails to compile when the
    // value is not one of them.
    let enum_checks = cont.fields.iter().flat_map(|f| {
        let TypeKind::Enum(ty) = &f.kind else {
            return Vec::new();
        };
        [("default", &f.attrs.default), ("example", &f.attrs.example)]
            .into_iter()
            .filter_map(|(what, v)| {
                let v = v.as_ref()?;
                let DefaultLit::Str(lit) = &v.value else {
                    return None;
                };
                let message = format!(
                    "the {what} {:?} of `{}` is not a value of its enum",
                    lit.value(),
                    f.name
                );
                let span = syn::spanned::Spanned::span(&v.tokens);
                Some(quote::quote_spanned! {span=>
                    const _: () = {
                        if !::resource_model::__private::contains(
                            <#ty as m::ResourceEnum>::VALUES,
                            #lit,
                        ) {
                            ::core::panic!(#message);
                        }
                    };
                })
            })
            .collect()
    });

    let sources = cont.fields.iter().map(|f| {
        let name = &f.name;
        // `line!()` spanned at the field's identifier names the field's line.
        let line = quote::quote_spanned!(f.ident.span()=> ::std::line!());
        quote!((#name, ::std::file!(), #line))
    });

    Ok(quote! {
        const _: () = {
            use ::resource_model::model as m;
            #(#enum_checks)*
            #[automatically_derived]
            impl m::Resource for #ident {
                fn field_sources() -> ::std::vec::Vec<(&'static str, &'static str, u32)> {
                    ::std::vec![#(#sources),*]
                }

                fn model() -> m::ResourceModel {
                    m::ResourceModel {
                        name: #name.to_owned(),
                        plural: #plural.to_owned(),
                        description: #description.to_owned(),
                        path: #path.to_owned(),
                        id_prefix: #id_prefix.to_owned(),
                        sdk_namespace: #sdk.to_owned(),
                        table: #table.to_owned(),
                        schema_version: #schema_version,
                        default_max_length: #default_max_length,
                        fields: ::std::vec![#(#fields),*],
                        unique: ::std::vec![#(#unique),*],
                        api: #api,
                    }
                }
            }
        };
    })
}

fn opt_u32(v: Option<u32>) -> TokenStream {
    match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    }
}

fn field_model(f: &Field, id_prefix: &str) -> TokenStream {
    let a = &f.attrs;
    let name = &f.name;
    let description = a
        .description
        .as_ref()
        .map(|s| s.value.clone())
        .or_else(|| f.doc.clone())
        .unwrap_or_default();
    let ty = match &f.kind {
        TypeKind::String => quote!(m::FieldType::String),
        TypeKind::Boolean => quote!(m::FieldType::Boolean),
        TypeKind::Integer(..) => quote!(m::FieldType::Integer),
        TypeKind::DateTime => quote!(m::FieldType::DateTime),
        TypeKind::Date => quote!(m::FieldType::Date),
        TypeKind::JsonObject => quote!(m::FieldType::JsonObject),
        TypeKind::StringArray => quote!(m::FieldType::StringArray),
        TypeKind::Enum(ty) => {
            // The span of the type, so an enum without ResourceEnum is reported there.
            let span = syn::spanned::Spanned::span(ty);
            quote::quote_spanned! {span=>
                m::FieldType::Enum { values: <#ty as m::ResourceEnum>::values() }
            }
        }
        TypeKind::Unsupported(_) => unreachable!("rejected by check"),
    };
    let nullable = f.nullable;
    let always_present = !f.nullable;
    let writer = match &a.stamp {
        Some(stamp) => {
            let variant = syn::Ident::new(&camel(&stamp.value), proc_macro2::Span::call_site());
            quote!(m::Writer::Server { stamp: m::Stamp::#variant })
        }
        None => {
            let default = match a.default.as_ref().map(|d| &d.value) {
                None => quote!(::std::option::Option::None),
                Some(DefaultLit::Str(s)) => {
                    quote!(::std::option::Option::Some(::resource_model::__private::serde_json::Value::from(#s)))
                }
                Some(DefaultLit::Bool(b)) => {
                    quote!(::std::option::Option::Some(::resource_model::__private::serde_json::Value::from(#b)))
                }
                Some(d @ DefaultLit::Int(..)) => {
                    let n: i64 = d.int().unwrap_or_default();
                    quote!(::std::option::Option::Some(::resource_model::__private::serde_json::Value::from(#n)))
                }
            };
            let computed = match a.computed.as_ref().map(|c| &c.value) {
                None => quote!(::std::option::Option::None),
                Some(ComputedAttr::JoinWhenBlank(from)) => {
                    let from = from.iter().map(|i| i.to_string());
                    quote!(::std::option::Option::Some(m::Computed::JoinWhenBlank {
                        from: ::std::vec![#(#from.to_owned()),*],
                        separator: " ".to_owned(),
                    }))
                }
                Some(ComputedAttr::StampWhenTrue(flag)) => {
                    let flag = flag.to_string();
                    quote!(::std::option::Option::Some(m::Computed::StampWhenTrue { flag: #flag.to_owned() }))
                }
            };
            // Rust's own reading: a field that is never None, that the server
            // does not default or compute, is the client's to give.
            let required = !f.nullable && a.default.is_none() && a.computed.is_none();
            quote!(m::Writer::Client { default: #default, computed: #computed, required: #required })
        }
    };
    let is_id = a.stamp.as_ref().is_some_and(|s| s.value == "id");
    let format = match a.format.as_ref().map(|f| &f.value) {
        Some(FormatAttr::Email) => quote!(::std::option::Option::Some(m::Format::Email)),
        Some(FormatAttr::E164) => quote!(::std::option::Option::Some(m::Format::E164)),
        Some(FormatAttr::HttpUrl) => quote!(::std::option::Option::Some(m::Format::HttpUrl)),
        Some(FormatAttr::Hostname) => quote!(::std::option::Option::Some(m::Format::Hostname)),
        Some(FormatAttr::PrefixedUlid(p)) => {
            quote!(::std::option::Option::Some(m::Format::PrefixedUlid { prefix: #p.to_owned() }))
        }
        Some(FormatAttr::PrefixedUuid(p)) => {
            quote!(::std::option::Option::Some(m::Format::PrefixedUuid { prefix: #p.to_owned() }))
        }
        // The id's format follows from the resource's id prefix.
        None if is_id => {
            quote!(::std::option::Option::Some(m::Format::PrefixedUlid { prefix: #id_prefix.to_owned() }))
        }
        None => quote!(::std::option::Option::None),
    };
    let lim =
        |v: &Option<crate::internals::attr::Spanned<u32>>| opt_u32(v.as_ref().map(|s| s.value));
    let (min_length, max_length) = (lim(&a.min_length), lim(&a.max_length));
    let (max_items, item_min_length, item_max_length) = (
        lim(&a.max_items),
        lim(&a.item_min_length),
        lim(&a.item_max_length),
    );
    let (max_bytes, max_depth) = (lim(&a.max_bytes), lim(&a.max_depth));
    // An integer's bounds: the field's own, else its Rust type's where they
    // are narrower than the 64-bit column (an i64 states none).
    let (type_min, type_max) = match f.kind {
        TypeKind::Integer(_, min, max) => (
            (min != i64::MIN).then_some(min),
            (max != i64::MAX).then_some(max),
        ),
        _ => (None, None),
    };
    let opt_i64 = |v: Option<i64>| match v {
        Some(n) => quote!(::std::option::Option::Some(#n)),
        None => quote!(::std::option::Option::None),
    };
    let minimum = opt_i64(a.minimum.as_ref().map(|m| m.value).or(type_min));
    let maximum = opt_i64(a.maximum.as_ref().map(|m| m.value).or(type_max));
    let references = if a.references_self.is_some() {
        let same = a
            .same
            .iter()
            .flat_map(|s| s.value.iter().map(|i| i.to_string()));
        quote!(::std::option::Option::Some(m::Reference::SameResource {
            same: ::std::vec![#(#same.to_owned()),*],
        }))
    } else {
        quote!(::std::option::Option::None)
    };
    let filter = match a.filter.as_ref().map(|f| f.value.as_str()) {
        Some("exact") => quote!(::std::option::Option::Some(m::Filter::Exact)),
        Some(_) => quote!(::std::option::Option::Some(m::Filter::CaseInsensitive)),
        None => quote!(::std::option::Option::None),
    };
    let renamed_from = match &a.renamed_from {
        Some(s) => {
            let old = &s.value;
            quote!(::std::option::Option::Some(#old.to_owned()))
        }
        None => quote!(::std::option::Option::None),
    };
    let json = quote!(::resource_model::__private::serde_json);
    let example = match (a.example.as_ref().map(|e| &e.value), &f.kind) {
        (None, _) => quote!(::std::option::Option::None),
        (Some(DefaultLit::Str(s)), TypeKind::JsonObject | TypeKind::StringArray) => {
            quote!(::std::option::Option::Some(#json::from_str(#s).expect("checked by the derive")))
        }
        (Some(DefaultLit::Str(s)), _) => {
            quote!(::std::option::Option::Some(#json::Value::from(#s)))
        }
        (Some(DefaultLit::Bool(b)), _) => {
            quote!(::std::option::Option::Some(#json::Value::from(#b)))
        }
        (Some(e @ DefaultLit::Int(..)), _) => {
            let n: i64 = e.int().unwrap_or_default();
            quote!(::std::option::Option::Some(#json::Value::from(#n)))
        }
    };
    quote! {
        m::Field {
            name: #name.to_owned(),
            description: #description.to_owned(),
            ty: #ty,
            nullable: #nullable,
            always_present: #always_present,
            writer: #writer,
            format: #format,
            limits: m::Limits {
                min_length: #min_length,
                max_length: #max_length,
                minimum: #minimum,
                maximum: #maximum,
                max_items: #max_items,
                item_min_length: #item_min_length,
                item_max_length: #item_max_length,
                max_bytes: #max_bytes,
                max_depth: #max_depth,
            },
            references: #references,
            filter: #filter,
            renamed_from: #renamed_from,
            example: #example,
        }
    }
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// The `#[derive(ResourceEnum)]` expansion: the wire values as serde
/// writes them, read from the enum's `#[serde]` attributes at compile time
/// (through `serde_derive_internals`, as serde's own derive reads them).
pub fn expand_enum(input: &DeriveInput) -> syn::Result<TokenStream> {
    use serde_derive_internals::{Ctxt as SerdeCtxt, Derive, ast, attr::TagType};
    let cx = Ctxt::new();
    let ident = &input.ident;
    match &input.data {
        Data::Enum(e) => {
            if e.variants.is_empty() {
                cx.error_spanned_by(ident, "#[derive(ResourceEnum)] needs at least one variant");
            }
            for v in &e.variants {
                if !matches!(v.fields, Fields::Unit) {
                    cx.error_spanned_by(
                        v,
                        "#[derive(ResourceEnum)] needs unit variants: a field's value is one string",
                    );
                }
            }
        }
        _ => cx.error_spanned_by(ident, "#[derive(ResourceEnum)] works on enums only"),
    }
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "#[derive(ResourceEnum)] does not support generic parameters",
        );
    }
    let scx = SerdeCtxt::new();
    let mut values = Vec::new();
    if let Some(parsed) = ast::Container::from_ast(&scx, input, Derive::Serialize) {
        if !matches!(parsed.attrs.tag(), TagType::External) {
            cx.error_spanned_by(
                ident,
                "#[derive(ResourceEnum)] needs serde's default (external) tagging: a tagged or untagged enum is not written as one string",
            );
        }
        if let ast::Data::Enum(variants) = &parsed.data {
            for v in variants {
                let name = v.attrs.name();
                if name.serialize_name() != name.deserialize_name()
                    || v.attrs.skip_serializing()
                    || v.attrs.skip_deserializing()
                    || !v
                        .attrs
                        .aliases()
                        .iter()
                        .all(|a| a == name.deserialize_name())
                {
                    cx.error_spanned_by(
                        v.original,
                        "a ResourceEnum variant has one wire name: no skip, alias or different names for writing and reading",
                    );
                }
                values.push(name.serialize_name().to_owned());
            }
        }
    }
    // serde's derive reports its own attribute errors.
    let _ = scx.check();
    cx.check()?;
    Ok(quote! {
        const _: () = {
            #[automatically_derived]
            impl ::resource_model::model::ResourceEnum for #ident {
                const VALUES: &'static [&'static str] = &[#(#values),*];
            }
        };
    })
}
