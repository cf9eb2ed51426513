//! Typed holders for `#[resource(...)]` and `#[field(...)]`, parsed strictly:
//! an unknown key, a duplicate key or a value of the wrong kind is an error
//! on the exact tokens, and parsing goes on so every mistake is reported.

use super::ctxt::Ctxt;
use super::symbol::*;
use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Ident, LitBool, LitInt, LitStr, Token};

/// A value and the tokens it was written with, for error spans.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub tokens: TokenStream,
}

/// An attribute key that may be set at most once.
struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    value: Option<Spanned<T>>,
}

impl<'c, T> Attr<'c, T> {
    fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Attr {
            cx,
            name,
            value: None,
        }
    }

    fn set<A: ToTokens>(&mut self, obj: A, value: T) {
        let tokens = obj.into_token_stream();
        if self.value.is_some() {
            self.cx
                .error_spanned_by(tokens, format!("duplicate attribute `{}`", self.name));
        } else {
            self.value = Some(Spanned { value, tokens });
        }
    }

    fn get(self) -> Option<Spanned<T>> {
        self.value
    }
}

/// Runs `each` on every `key = value` of a `#[name(...)]` attribute; an error
/// in one key is recorded and parsing resumes at the next comma.
fn parse_keys(
    cx: &Ctxt,
    attr: &syn::Attribute,
    mut each: impl FnMut(&ParseNestedMeta) -> syn::Result<()>,
) {
    let result = attr.parse_nested_meta(|meta| {
        if let Err(err) = each(&meta) {
            cx.syn_error(err);
            skip_value(meta.input)?;
        }
        Ok(())
    });
    if let Err(err) = result {
        cx.syn_error(err);
    }
}

fn skip_value(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

fn unknown(meta: &ParseNestedMeta, namespace: Symbol, known: &[Symbol]) -> syn::Error {
    let key = meta.path.to_token_stream().to_string().replace(' ', "");
    let list = known.iter().map(|s| s.0).collect::<Vec<_>>().join(", ");
    meta.error(format!(
        "unknown {namespace} attribute `{key}`\n  = help: expected one of: {list}"
    ))
}

fn lit_str(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    meta.value()?.parse()
}

fn lit_u32(meta: &ParseNestedMeta) -> syn::Result<(LitInt, u32)> {
    let lit: LitInt = meta.value()?.parse()?;
    let n = lit.base10_parse::<u32>()?;
    Ok((lit, n))
}

/// `#[resource(...)]` on the struct.
pub struct Container {
    pub name: Option<Spanned<String>>,
    pub plural: Option<Spanned<String>>,
    pub description: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub id_prefix: Option<Spanned<String>>,
    pub sdk: Option<Spanned<String>>,
    pub table: Option<Spanned<String>>,
    pub schema_version: Option<Spanned<u32>>,
    pub max_length: Option<Spanned<u32>>,
    pub page_size: Option<Spanned<u32>>,
    pub max_page_size: Option<Spanned<u32>>,
    pub max_body_bytes: Option<Spanned<u32>>,
}

const CONTAINER_KEYS: &[Symbol] = &[
    NAME,
    PLURAL,
    DESCRIPTION,
    PATH,
    ID_PREFIX,
    SDK,
    TABLE,
    SCHEMA_VERSION,
    MAX_LENGTH,
    PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_BODY_BYTES,
];

impl Container {
    /// Reads every `#[resource(...)]` of the struct.
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut name = Attr::none(cx, NAME);
        let mut plural = Attr::none(cx, PLURAL);
        let mut description = Attr::none(cx, DESCRIPTION);
        let mut path = Attr::none(cx, PATH);
        let mut id_prefix = Attr::none(cx, ID_PREFIX);
        let mut sdk = Attr::none(cx, SDK);
        let mut table = Attr::none(cx, TABLE);
        let mut schema_version = Attr::none(cx, SCHEMA_VERSION);
        let mut max_length = Attr::none(cx, MAX_LENGTH);
        let mut page_size = Attr::none(cx, PAGE_SIZE);
        let mut max_page_size = Attr::none(cx, MAX_PAGE_SIZE);
        let mut max_body_bytes = Attr::none(cx, MAX_BODY_BYTES);
        for attr in attrs.iter().filter(|a| a.path() == RESOURCE) {
            parse_keys(cx, attr, |meta| {
                let p = &meta.path;
                if p == NAME {
                    let s = lit_str(meta)?;
                    name.set(&s, s.value());
                } else if p == PLURAL {
                    let s = lit_str(meta)?;
                    plural.set(&s, s.value());
                } else if p == DESCRIPTION {
                    let s = lit_str(meta)?;
                    description.set(&s, s.value());
                } else if p == PATH {
                    let s = lit_str(meta)?;
                    if !s.value().starts_with('/') || s.value().ends_with('/') {
                        cx.error_spanned_by(
                            &s,
                            "`path` must start with `/` and not end with one, e.g. \"/api/v1/contacts\"",
                        );
                    }
                    path.set(&s, s.value());
                } else if p == ID_PREFIX {
                    let s = lit_str(meta)?;
                    if s.value().is_empty()
                        || !s
                            .value()
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    {
                        cx.error_spanned_by(
                            &s,
                            "`id_prefix` must be lowercase ASCII letters and digits, e.g. \"per\"",
                        );
                    }
                    id_prefix.set(&s, s.value());
                } else if p == SDK {
                    let s = lit_str(meta)?;
                    let ok = s.value().split('.').all(|part| {
                        !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                    if !ok {
                        cx.error_spanned_by(
                            &s,
                            "`sdk` must be dotted lowercase names, e.g. \"customer.contacts\"",
                        );
                    }
                    sdk.set(&s, s.value());
                } else if p == TABLE {
                    let s = lit_str(meta)?;
                    table.set(&s, s.value());
                } else if p == SCHEMA_VERSION {
                    let (lit, n) = lit_u32(meta)?;
                    if n == 0 {
                        return Err(syn::Error::new_spanned(
                            &lit,
                            "`schema_version` starts at 1",
                        ));
                    }
                    schema_version.set(&lit, n);
                } else if p == MAX_LENGTH {
                    let (lit, n) = lit_u32(meta)?;
                    max_length.set(&lit, n);
                } else if p == PAGE_SIZE || p == MAX_PAGE_SIZE || p == MAX_BODY_BYTES {
                    let (lit, n) = lit_u32(meta)?;
                    if n == 0 {
                        return Err(syn::Error::new_spanned(&lit, "a limit is at least 1"));
                    }
                    if p == PAGE_SIZE {
                        page_size.set(&lit, n);
                    } else if p == MAX_PAGE_SIZE {
                        max_page_size.set(&lit, n);
                    } else {
                        max_body_bytes.set(&lit, n);
                    }
                } else {
                    return Err(unknown(meta, RESOURCE, CONTAINER_KEYS));
                }
                Ok(())
            });
        }
        Container {
            name: name.get(),
            plural: plural.get(),
            description: description.get(),
            path: path.get(),
            id_prefix: id_prefix.get(),
            sdk: sdk.get(),
            table: table.get(),
            schema_version: schema_version.get(),
            max_length: max_length.get(),
            page_size: page_size.get(),
            max_page_size: max_page_size.get(),
            max_body_bytes: max_body_bytes.get(),
        }
    }
}

/// A default value literal.
#[derive(Clone)]
pub enum DefaultLit {
    Str(LitStr),
    Bool(LitBool),
    /// An integer literal, negated when written with a leading `-`.
    Int(LitInt, bool),
}

impl DefaultLit {
    /// The integer's value, when it is one that fits an `i64`.
    pub fn int(&self) -> Option<i64> {
        match self {
            DefaultLit::Int(lit, neg) => {
                let n = lit.base10_parse::<i128>().ok()?;
                i64::try_from(if *neg { -n } else { n }).ok()
            }
            _ => None,
        }
    }
}

/// The string, boolean or (possibly negative) integer literal of `key = <literal>`.
fn value_lit(meta: &ParseNestedMeta, key: Symbol) -> syn::Result<(TokenStream, DefaultLit)> {
    let input = meta.value()?;
    let neg: Option<Token![-]> = input.parse()?;
    let lit: syn::Lit = input.parse()?;
    let value = match (&lit, neg.is_some()) {
        (syn::Lit::Str(s), false) => DefaultLit::Str(s.clone()),
        (syn::Lit::Bool(b), false) => DefaultLit::Bool(b.clone()),
        (syn::Lit::Int(i), neg) => DefaultLit::Int(i.clone(), neg),
        _ => {
            return Err(syn::Error::new_spanned(
                quote::quote!(#neg #lit),
                format!("`{key}` takes a string, boolean or integer literal"),
            ));
        }
    };
    Ok((quote::quote!(#neg #lit), value))
}

/// A (possibly negative) integer literal: `minimum = -5`.
fn lit_i64(meta: &ParseNestedMeta) -> syn::Result<(TokenStream, i64)> {
    let input = meta.value()?;
    let neg: Option<Token![-]> = input.parse()?;
    let lit: LitInt = input.parse()?;
    let n = lit.base10_parse::<i128>()?;
    let n = if neg.is_some() { -n } else { n };
    let tokens = quote::quote!(#neg #lit);
    let n = i64::try_from(n)
        .map_err(|_| syn::Error::new_spanned(&tokens, "the bound does not fit a 64-bit integer"))?;
    Ok((tokens, n))
}

/// A `format = ...` value.
#[derive(Clone)]
pub enum FormatAttr {
    Email,
    E164,
    HttpUrl,
    Hostname,
    PrefixedUlid(String),
    PrefixedUuid(String),
}

impl FormatAttr {
    pub fn name(&self) -> &'static str {
        match self {
            FormatAttr::Email => "email",
            FormatAttr::E164 => "e164",
            FormatAttr::HttpUrl => "http_url",
            FormatAttr::Hostname => "hostname",
            FormatAttr::PrefixedUlid(_) => "prefixed_ulid",
            FormatAttr::PrefixedUuid(_) => "prefixed_uuid",
        }
    }
}

/// A `computed = ...` value.
#[derive(Clone)]
pub enum ComputedAttr {
    JoinWhenBlank(Vec<Ident>),
    StampWhenTrue(Ident),
}

/// A `unique(...)` value.
#[derive(Clone)]
pub struct UniqueAttr {
    pub within: Vec<Ident>,
    pub case_insensitive: bool,
    pub ignore_deleted: bool,
}

/// The stamp kinds, by attribute name.
pub const STAMPS: &[&str] = &[
    "id",
    "tenant",
    "app",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "deleted_flag",
    "deleted_at",
    "deleted_by",
    "version",
    "schema_version",
];

/// `#[field(...)]` on a field.
pub struct Field {
    pub description: Option<Spanned<String>>,
    pub stamp: Option<Spanned<String>>,
    pub default: Option<Spanned<DefaultLit>>,
    pub format: Option<Spanned<FormatAttr>>,
    pub min_length: Option<Spanned<u32>>,
    pub max_length: Option<Spanned<u32>>,
    pub minimum: Option<Spanned<i64>>,
    pub maximum: Option<Spanned<i64>>,
    /// `required`: a create must set the field, an update may not clear it
    /// (what a non-`Option` client field without a default already is).
    pub required: Option<Spanned<()>>,
    pub max_items: Option<Spanned<u32>>,
    pub item_min_length: Option<Spanned<u32>>,
    pub item_max_length: Option<Spanned<u32>>,
    pub max_bytes: Option<Spanned<u32>>,
    pub max_depth: Option<Spanned<u32>>,
    pub computed: Option<Spanned<ComputedAttr>>,
    pub references_self: Option<Spanned<()>>,
    /// `same(f, …)`: fields a referenced item must share with this one.
    pub same: Option<Spanned<Vec<Ident>>>,
    pub filter: Option<Spanned<String>>,
    pub unique: Option<Spanned<UniqueAttr>>,
    /// `renamed_from = "old"`: the field's name in the last released snapshot.
    pub renamed_from: Option<Spanned<String>>,
    /// `example = <literal>`: a value the docs show in example requests (a
    /// string of JSON for an object or array field).
    pub example: Option<Spanned<DefaultLit>>,
}

const FIELD_KEYS: &[Symbol] = &[
    DESCRIPTION,
    STAMP,
    DEFAULT,
    FORMAT,
    MIN_LENGTH,
    MAX_LENGTH,
    MINIMUM,
    MAXIMUM,
    REQUIRED,
    MAX_ITEMS,
    ITEM_MIN_LENGTH,
    ITEM_MAX_LENGTH,
    MAX_BYTES,
    MAX_DEPTH,
    COMPUTED,
    REFERENCES,
    SAME,
    FILTER,
    UNIQUE,
    RENAMED_FROM,
    EXAMPLE,
];

impl Field {
    /// Reads every `#[field(...)]` of a field (serde's own attributes are read
    /// by `serde_derive_internals`, in `ast`).
    pub fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut description = Attr::none(cx, DESCRIPTION);
        let mut stamp = Attr::none(cx, STAMP);
        let mut default = Attr::none(cx, DEFAULT);
        let mut format = Attr::none(cx, FORMAT);
        let mut min_length = Attr::none(cx, MIN_LENGTH);
        let mut max_length = Attr::none(cx, MAX_LENGTH);
        let mut minimum = Attr::none(cx, MINIMUM);
        let mut maximum = Attr::none(cx, MAXIMUM);
        let mut required = Attr::none(cx, REQUIRED);
        let mut max_items = Attr::none(cx, MAX_ITEMS);
        let mut item_min_length = Attr::none(cx, ITEM_MIN_LENGTH);
        let mut item_max_length = Attr::none(cx, ITEM_MAX_LENGTH);
        let mut max_bytes = Attr::none(cx, MAX_BYTES);
        let mut max_depth = Attr::none(cx, MAX_DEPTH);
        let mut computed = Attr::none(cx, COMPUTED);
        let mut references_self = Attr::none(cx, REFERENCES);
        let mut same = Attr::none(cx, SAME);
        let mut filter = Attr::none(cx, FILTER);
        let mut unique = Attr::none(cx, UNIQUE);
        let mut renamed_from = Attr::none(cx, RENAMED_FROM);
        let mut example = Attr::none(cx, EXAMPLE);
        for attr in attrs {
            if attr.path() != FIELD {
                continue;
            }
            parse_keys(cx, attr, |meta| {
                let p = &meta.path;
                if p == DESCRIPTION {
                    let s = lit_str(meta)?;
                    description.set(&s, s.value());
                } else if p == STAMP {
                    let ident: Ident = meta.value()?.parse()?;
                    let name = ident.to_string();
                    if !STAMPS.contains(&name.as_str()) {
                        return Err(syn::Error::new_spanned(
                            &ident,
                            format!(
                                "unknown stamp `{name}`\n  = help: expected one of: {}",
                                STAMPS.join(", ")
                            ),
                        ));
                    }
                    stamp.set(&ident, name);
                } else if p == DEFAULT {
                    let (lit, value) = value_lit(meta, DEFAULT)?;
                    default.set(&lit, value);
                } else if p == FORMAT {
                    let (tokens, value) = parse_format(meta.value()?)?;
                    format.set(tokens, value);
                } else if p == MIN_LENGTH {
                    let (lit, n) = lit_u32(meta)?;
                    min_length.set(&lit, n);
                } else if p == MAX_LENGTH {
                    let (lit, n) = lit_u32(meta)?;
                    max_length.set(&lit, n);
                } else if p == MINIMUM {
                    let (tokens, n) = lit_i64(meta)?;
                    minimum.set(tokens, n);
                } else if p == MAXIMUM {
                    let (tokens, n) = lit_i64(meta)?;
                    maximum.set(tokens, n);
                } else if p == REQUIRED {
                    if meta.input.peek(Token![=]) {
                        return Err(
                            meta.error("`required` takes no value: write #[field(required)]")
                        );
                    }
                    required.set(&meta.path, ());
                } else if p == MAX_ITEMS {
                    let (lit, n) = lit_u32(meta)?;
                    max_items.set(&lit, n);
                } else if p == ITEM_MIN_LENGTH {
                    let (lit, n) = lit_u32(meta)?;
                    item_min_length.set(&lit, n);
                } else if p == ITEM_MAX_LENGTH {
                    let (lit, n) = lit_u32(meta)?;
                    item_max_length.set(&lit, n);
                } else if p == MAX_BYTES {
                    let (lit, n) = lit_u32(meta)?;
                    max_bytes.set(&lit, n);
                } else if p == MAX_DEPTH {
                    let (lit, n) = lit_u32(meta)?;
                    max_depth.set(&lit, n);
                } else if p == COMPUTED {
                    let (tokens, value) = parse_computed(meta.value()?)?;
                    computed.set(tokens, value);
                } else if p == REFERENCES {
                    let this: Token![self] = meta.value()?.parse().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            "`references` takes `self` (an id of the same resource)",
                        )
                    })?;
                    references_self.set(this, ());
                } else if p == SAME {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let names: Punctuated<Ident, Token![,]> =
                        Punctuated::parse_terminated(&content)?;
                    let names: Vec<Ident> = names.into_iter().collect();
                    if names.is_empty() {
                        return Err(meta.error("`same` takes one or more field names"));
                    }
                    same.set(&meta.path, names);
                } else if p == FILTER {
                    let ident: Ident = meta.value()?.parse()?;
                    let name = ident.to_string();
                    if name != "exact" && name != "case_insensitive" {
                        return Err(syn::Error::new_spanned(
                            &ident,
                            "unknown filter\n  = help: expected `exact` or `case_insensitive`",
                        ));
                    }
                    filter.set(&ident, name);
                } else if p == UNIQUE {
                    let value = parse_unique(cx, meta)?;
                    unique.set(&meta.path, value);
                } else if p == RENAMED_FROM {
                    let s = lit_str(meta)?;
                    if s.value().is_empty() {
                        return Err(syn::Error::new_spanned(
                            &s,
                            "`renamed_from` names the field's previous wire name",
                        ));
                    }
                    renamed_from.set(&s, s.value());
                } else if p == EXAMPLE {
                    let (lit, value) = value_lit(meta, EXAMPLE)?;
                    example.set(&lit, value);
                } else {
                    return Err(unknown(meta, FIELD, FIELD_KEYS));
                }
                Ok(())
            });
        }
        Field {
            description: description.get(),
            stamp: stamp.get(),
            default: default.get(),
            format: format.get(),
            min_length: min_length.get(),
            max_length: max_length.get(),
            minimum: minimum.get(),
            maximum: maximum.get(),
            required: required.get(),
            max_items: max_items.get(),
            item_min_length: item_min_length.get(),
            item_max_length: item_max_length.get(),
            max_bytes: max_bytes.get(),
            max_depth: max_depth.get(),
            computed: computed.get(),
            references_self: references_self.get(),
            same: same.get(),
            filter: filter.get(),
            unique: unique.get(),
            renamed_from: renamed_from.get(),
            example: example.get(),
        }
    }
}

fn parse_format(input: ParseStream) -> syn::Result<(TokenStream, FormatAttr)> {
    let ident: Ident = input.parse()?;
    let name = ident.to_string();
    let prefix = |input: ParseStream| -> syn::Result<(LitStr, String)> {
        let content;
        syn::parenthesized!(content in input);
        let lit: LitStr = content.parse()?;
        let v = lit.value();
        if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(syn::Error::new_spanned(
                &lit,
                "a prefix is ASCII letters and digits",
            ));
        }
        Ok((lit, v))
    };
    let value = match name.as_str() {
        "email" => FormatAttr::Email,
        "e164" => FormatAttr::E164,
        "http_url" => FormatAttr::HttpUrl,
        "hostname" => FormatAttr::Hostname,
        "prefixed_ulid" => {
            let (lit, v) = prefix(input)?;
            // The ident and the literal: tokens of the input, so errors point at them.
            return Ok((quote::quote!(#ident #lit), FormatAttr::PrefixedUlid(v)));
        }
        "prefixed_uuid" => {
            let (lit, v) = prefix(input)?;
            return Ok((quote::quote!(#ident #lit), FormatAttr::PrefixedUuid(v)));
        }
        _ => {
            return Err(syn::Error::new_spanned(
                &ident,
                format!(
                    "unknown format `{name}`\n  = help: expected one of: email, e164, http_url, hostname, prefixed_ulid(\"pfx\"), prefixed_uuid(\"pfx\")"
                ),
            ));
        }
    };
    Ok((ident.into_token_stream(), value))
}

fn parse_computed(input: ParseStream) -> syn::Result<(TokenStream, ComputedAttr)> {
    let ident: Ident = input.parse()?;
    let content;
    let paren = syn::parenthesized!(content in input);
    let args: Punctuated<Ident, Token![,]> = Punctuated::parse_terminated(&content)?;
    let args: Vec<Ident> = args.into_iter().collect();
    // The input's own tokens (no new group), so errors point at the rule.
    let tokens = quote::quote!(#ident #(#args)*);
    match ident.to_string().as_str() {
        "join_when_blank" if !args.is_empty() => Ok((tokens, ComputedAttr::JoinWhenBlank(args))),
        "stamp_when_true" if args.len() == 1 => Ok((
            tokens,
            ComputedAttr::StampWhenTrue(args.into_iter().next().expect("one argument")),
        )),
        "join_when_blank" | "stamp_when_true" => Err(syn::Error::new(
            paren.span.join(),
            "`join_when_blank` takes one or more field names; `stamp_when_true` takes exactly one",
        )),
        other => Err(syn::Error::new_spanned(
            &ident,
            format!(
                "unknown computed rule `{other}`\n  = help: expected `join_when_blank(field, ...)` or `stamp_when_true(flag)`"
            ),
        )),
    }
}

fn parse_unique(cx: &Ctxt, meta: &ParseNestedMeta) -> syn::Result<UniqueAttr> {
    let mut within: Option<Vec<Ident>> = None;
    let mut case_insensitive = false;
    let mut ignore_deleted = false;
    meta.parse_nested_meta(|inner| {
        if inner.path == WITHIN {
            let content;
            syn::parenthesized!(content in inner.input);
            let names: Punctuated<Ident, Token![,]> = Punctuated::parse_terminated(&content)?;
            if within.is_some() {
                cx.error_spanned_by(&inner.path, "duplicate attribute `within`");
            }
            within = Some(names.into_iter().collect());
        } else if inner.path == CASE_INSENSITIVE {
            if case_insensitive {
                cx.error_spanned_by(&inner.path, "duplicate attribute `case_insensitive`");
            }
            case_insensitive = true;
        } else if inner.path == IGNORE_DELETED {
            if ignore_deleted {
                cx.error_spanned_by(&inner.path, "duplicate attribute `ignore_deleted`");
            }
            ignore_deleted = true;
        } else {
            return Err(unknown(
                &inner,
                UNIQUE,
                &[WITHIN, CASE_INSENSITIVE, IGNORE_DELETED],
            ));
        }
        Ok(())
    })?;
    Ok(UniqueAttr {
        within: within.unwrap_or_default(),
        case_insensitive,
        ignore_deleted,
    })
}
