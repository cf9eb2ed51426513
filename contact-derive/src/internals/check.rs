//! Cross-field rules, checked once every attribute is parsed.

use super::ast::{Container, Field, TypeKind};
use super::attr::{ComputedAttr, DefaultLit, FormatAttr, Spanned};
use super::ctxt::Ctxt;

/// Records every broken rule of `cont` in `cx`.
pub fn check(cx: &Ctxt, cont: &Container) {
    check_container(cx, cont);
    let mut stamps: Vec<(&str, &Spanned<String>)> = Vec::new();
    for field in &cont.fields {
        check_type(cx, field);
        check_description(cx, field);
        check_limits(cx, field);
        check_default(cx, cont, field);
        check_required(cx, field);
        check_computed(cx, cont, field);
        check_unique(cx, cont, field);
        check_same(cx, cont, field);
        check_renamed_from(cx, cont, field);
        check_example(cx, cont, field);
        if let Some(stamp) = &field.attrs.stamp {
            check_stamp(cx, cont, field, stamp);
            if stamps.iter().any(|(s, _)| *s == stamp.value) {
                cx.error_spanned_by(
                    &stamp.tokens,
                    format!("stamp `{}` is already on another field", stamp.value),
                );
            }
            stamps.push((&stamp.value, stamp));
        }
    }
    for (stamp, help) in [
        ("id", "add #[field(stamp = id)] to the id field"),
        (
            "tenant",
            "every item belongs to the caller's tenant: add #[field(stamp = tenant)] to a String field",
        ),
        (
            "created_at",
            "lists are ordered by creation time: add #[field(stamp = created_at)] to a DateTime<Utc> field",
        ),
    ] {
        if !stamps.iter().any(|(s, _)| *s == stamp) {
            cx.error_spanned_by(
                cont.ident,
                format!("no field is stamped `{stamp}`\n  = help: {help}"),
            );
        }
    }
}

fn check_container(cx: &Ctxt, cont: &Container) {
    let attrs = &cont.attrs;
    if attrs.path.is_none() {
        cx.error_spanned_by(
            cont.ident,
            "missing #[resource(path = \"...\")]: the collection path",
        );
    }
    if attrs.id_prefix.is_none() {
        cx.error_spanned_by(
            cont.ident,
            "missing #[resource(id_prefix = \"...\")]: the prefix of ids",
        );
    }
    if attrs.description.is_none() && cont.doc.is_none() {
        cx.error_spanned_by(
            cont.ident,
            "the resource has no description\n  = help: add a doc comment or #[resource(description = \"...\")]",
        );
    }
    let max_page = attrs
        .max_page_size
        .as_ref()
        .map_or(contract_default_max_page(), |s| s.value);
    if let Some(p) = &attrs.page_size
        && p.value > max_page
    {
        cx.error_spanned_by(
            &p.tokens,
            format!(
                "`page_size` {} is above the largest page, {max_page}",
                p.value
            ),
        );
    }
}

/// The contract's largest page (`ApiLimits::default().max_page_size`; the
/// derive cannot depend on `resource-model`, which depends on it).
fn contract_default_max_page() -> u32 {
    100
}

fn check_type(cx: &Ctxt, field: &Field) {
    if let TypeKind::Unsupported(reason) = field.kind {
        cx.error_spanned_by(field.ty, reason);
    }
}

fn check_description(cx: &Ctxt, field: &Field) {
    if field.attrs.description.is_none() && field.doc.is_none() {
        cx.error_spanned_by(
            field.ident,
            format!(
                "field `{}` has no description\n  = help: add a doc comment or #[field(description = \"...\")]",
                field.name
            ),
        );
    }
}

/// A limit or format that only fits some field types.
fn needs(
    cx: &Ctxt,
    field: &Field,
    key: &str,
    tokens: &proc_macro2::TokenStream,
    ok: bool,
    what: &str,
) {
    if !ok {
        cx.error_spanned_by(
            tokens,
            format!(
                "`{key}` applies only to {what} fields; `{}` is {}",
                field.name,
                field.kind.describe()
            ),
        );
    }
}

fn check_limits(cx: &Ctxt, field: &Field) {
    let a = &field.attrs;
    let is_string = matches!(field.kind, TypeKind::String);
    if let Some(f) = &a.format {
        needs(
            cx,
            field,
            &format!("format = {}", f.value.name()),
            &f.tokens,
            is_string,
            "String",
        );
    }
    for (key, lim) in [("min_length", &a.min_length), ("max_length", &a.max_length)] {
        if let Some(l) = lim {
            needs(cx, field, key, &l.tokens, is_string, "String");
        }
    }
    if let (Some(min), Some(max)) = (&a.min_length, &a.max_length)
        && min.value > max.value
    {
        cx.error_spanned_by(&min.tokens, "`min_length` is greater than `max_length`");
    }
    let is_array = matches!(field.kind, TypeKind::StringArray);
    for (key, lim) in [
        ("max_items", &a.max_items),
        ("item_min_length", &a.item_min_length),
        ("item_max_length", &a.item_max_length),
    ] {
        if let Some(l) = lim {
            needs(cx, field, key, &l.tokens, is_array, "Vec<String>");
        }
    }
    let is_json = matches!(field.kind, TypeKind::JsonObject);
    for (key, lim) in [("max_bytes", &a.max_bytes), ("max_depth", &a.max_depth)] {
        if let Some(l) = lim {
            needs(cx, field, key, &l.tokens, is_json, "JSON object");
        }
    }
    for (key, bound) in [("minimum", &a.minimum), ("maximum", &a.maximum)] {
        let Some(b) = bound else { continue };
        match field.kind {
            TypeKind::Integer(ty, min, max) => {
                if b.value < min || b.value > max {
                    cx.error_spanned_by(
                        &b.tokens,
                        format!(
                            "`{key} = {}` is outside `{}`'s type `{ty}`, which holds {min} to {max}",
                            b.value, field.name
                        ),
                    );
                }
            }
            _ => needs(cx, field, key, &b.tokens, false, "integer"),
        }
    }
    if let (Some(min), Some(max)) = (&a.minimum, &a.maximum)
        && min.value > max.value
    {
        cx.error_spanned_by(&min.tokens, "`minimum` is greater than `maximum`");
    }
    if let Some(r) = &a.references_self {
        needs(cx, field, "references", &r.tokens, is_string, "String");
    }
    if let Some(f) = &a.filter {
        needs(
            cx,
            field,
            "filter",
            &f.tokens,
            matches!(field.kind, TypeKind::String | TypeKind::Enum(_)),
            "String or enum",
        );
    }
}

fn check_default(cx: &Ctxt, cont: &Container, field: &Field) {
    let Some(d) = &field.attrs.default else {
        return;
    };
    if let Some(stamp) = &field.attrs.stamp {
        cx.error_spanned_by(
            &d.tokens,
            format!(
                "`default` is for client fields; `{}` is stamped `{}` by the server",
                field.name, stamp.value
            ),
        );
        return;
    }
    if field.attrs.required.is_some() {
        cx.error_spanned_by(
            &d.tokens,
            format!(
                "`{}` is required and has a default: a default applies only when the field is left out, which a required field may not be",
                field.name
            ),
        );
        return;
    }
    let fits = match (&d.value, &field.kind) {
        (DefaultLit::Str(_), TypeKind::String | TypeKind::Enum(_) | TypeKind::Date) => true,
        (DefaultLit::Bool(_), TypeKind::Boolean) => true,
        (DefaultLit::Int(..), TypeKind::Integer(..)) => d.value.int().is_some(),
        _ => false,
    };
    if !fits {
        cx.error_spanned_by(
            &d.tokens,
            format!(
                "this default does not fit `{}`, which is {}",
                field.name,
                field.kind.describe()
            ),
        );
        return;
    }
    check_value_rules(cx, cont, field, d, "default");
}

/// A default or example that fits the field's type must also keep the
/// field's own rules: its format, lengths, bounds, a real calendar day. (An
/// enum's values are known only to its own derive: the emitted code checks
/// an enum default in a constant, which fails to compile when it is not one.)
fn check_value_rules(
    cx: &Ctxt,
    cont: &Container,
    field: &Field,
    v: &Spanned<DefaultLit>,
    what: &str,
) {
    let a = &field.attrs;
    let broken = |why: String| {
        cx.error_spanned_by(
            &v.tokens,
            format!("this {what} breaks `{}`'s own rules: {why}", field.name),
        );
    };
    match (&v.value, &field.kind) {
        (DefaultLit::Str(s), TypeKind::String) => {
            let s = s.value();
            let n = s.chars().count() as u64;
            let max = a.max_length.as_ref().map(|m| m.value).or_else(|| {
                (a.format.is_none())
                    .then(|| cont.attrs.max_length.as_ref().map(|m| m.value))
                    .flatten()
            });
            if let Some(max) = max
                && n > u64::from(max)
            {
                broken(format!(
                    "it is {n} characters long, over the limit of {max}"
                ));
            }
            if let Some(min) = &a.min_length
                && n < u64::from(min.value)
            {
                broken(format!(
                    "it is {n} characters long, under the minimum of {}",
                    min.value
                ));
            }
            if let Some(f) = &a.format {
                let pattern = format_pattern(&f.value);
                let ok = regex::Regex::new(&pattern).is_ok_and(|re| re.is_match(&s));
                if !ok {
                    broken(format!(
                        "it is not {} (`{pattern}`)",
                        format_words(&f.value)
                    ));
                }
            }
        }
        (DefaultLit::Str(s), TypeKind::Date) if !resource_formats::is_full_date(&s.value()) => {
            broken("it is not an RFC 3339 full-date (YYYY-MM-DD) naming a real day of the years 0001 to 9999".to_owned());
        }
        (DefaultLit::Int(..), TypeKind::Integer(ty, tmin, tmax)) => {
            let n = v.value.int().unwrap_or_default();
            let min = a.minimum.as_ref().map_or(*tmin, |m| m.value);
            let max = a.maximum.as_ref().map_or(*tmax, |m| m.value);
            if n < min || n > max {
                broken(format!(
                    "{n} is outside {min} to {max} (`{ty}` and the field's bounds)"
                ));
            }
        }
        _ => {}
    }
}

/// The regular expression of a format, from the patterns the model uses.
pub fn format_pattern(f: &FormatAttr) -> String {
    match f {
        FormatAttr::Email => resource_formats::email(),
        FormatAttr::E164 => resource_formats::e164().to_owned(),
        FormatAttr::HttpUrl => resource_formats::http_url().to_owned(),
        FormatAttr::Hostname => resource_formats::hostname(),
        FormatAttr::PrefixedUlid(p) => resource_formats::prefixed_ulid(p),
        FormatAttr::PrefixedUuid(p) => resource_formats::prefixed_uuid(p),
    }
}

fn format_words(f: &FormatAttr) -> &'static str {
    match f {
        FormatAttr::Email => "an email address",
        FormatAttr::E164 => "an E.164 phone number",
        FormatAttr::HttpUrl => "an absolute http(s) URL",
        FormatAttr::Hostname => "a host name",
        FormatAttr::PrefixedUlid(_) => "a prefixed ULID",
        FormatAttr::PrefixedUuid(_) => "a prefixed UUID",
    }
}

/// `required` restates what a non-`Option` client field without a default
/// is; on anything else it is a contradiction.
fn check_required(cx: &Ctxt, field: &Field) {
    let Some(r) = &field.attrs.required else {
        return;
    };
    if field.attrs.stamp.is_some() {
        cx.error_spanned_by(
            &r.tokens,
            "`required` is for client fields, not server stamps",
        );
    } else if field.nullable {
        cx.error_spanned_by(
            &r.tokens,
            format!(
                "`{}` is an Option, so it may be null; a required field is never null\n  = help: drop the Option<…>",
                field.name
            ),
        );
    } else if field.attrs.computed.is_some() {
        cx.error_spanned_by(
            &r.tokens,
            "`required` and `computed` contradict: the server fills a computed field in when it is blank",
        );
    }
}

fn check_computed(cx: &Ctxt, cont: &Container, field: &Field) {
    let Some(c) = &field.attrs.computed else {
        return;
    };
    if field.attrs.stamp.is_some() {
        cx.error_spanned_by(
            &c.tokens,
            "`computed` is for client fields, not server stamps",
        );
    }
    if !field.nullable {
        cx.error_spanned_by(
            &c.tokens,
            format!(
                "`{}` is computed, and a computed field may be null (when its sources are empty)\n  = help: make it Option<…>",
                field.name
            ),
        );
    }
    match &c.value {
        ComputedAttr::JoinWhenBlank(from) => {
            needs(
                cx,
                field,
                "join_when_blank",
                &c.tokens,
                matches!(field.kind, TypeKind::String),
                "String",
            );
            for ident in from {
                match cont.field(&ident.to_string()) {
                    Some(src) if matches!(src.kind, TypeKind::String) => {}
                    Some(_) => {
                        cx.error_spanned_by(ident, format!("`{ident}` is not a String field"))
                    }
                    None => cx.error_spanned_by(ident, format!("no field named `{ident}`")),
                }
            }
        }
        ComputedAttr::StampWhenTrue(flag) => {
            needs(
                cx,
                field,
                "stamp_when_true",
                &c.tokens,
                matches!(field.kind, TypeKind::DateTime),
                "date-time",
            );
            match cont.field(&flag.to_string()) {
                Some(src) if matches!(src.kind, TypeKind::Boolean) => {}
                Some(_) => cx.error_spanned_by(flag, format!("`{flag}` is not a bool field")),
                None => cx.error_spanned_by(flag, format!("no field named `{flag}`")),
            }
        }
    }
}

fn check_unique(cx: &Ctxt, cont: &Container, field: &Field) {
    let Some(u) = &field.attrs.unique else { return };
    for ident in &u.value.within {
        if cont.field(&ident.to_string()).is_none() {
            cx.error_spanned_by(
                ident,
                format!(
                    "the uniqueness scope of `{}` names `{ident}`, which is not a field",
                    field.name
                ),
            );
        }
    }
    if u.value.ignore_deleted
        && !cont.fields.iter().any(|f| {
            f.attrs
                .stamp
                .as_ref()
                .is_some_and(|s| s.value == "deleted_flag")
        })
    {
        cx.error_spanned_by(
            &u.tokens,
            "`ignore_deleted` needs a soft-delete flag\n  = help: add #[field(stamp = deleted_flag)] to a bool field",
        );
    }
    if u.value.case_insensitive && !matches!(field.kind, TypeKind::String) {
        cx.error_spanned_by(
            &u.tokens,
            "`case_insensitive` applies only to String fields",
        );
    }
}

fn check_same(cx: &Ctxt, cont: &Container, field: &Field) {
    let Some(same) = &field.attrs.same else {
        return;
    };
    if field.attrs.references_self.is_none() {
        cx.error_spanned_by(
            &same.tokens,
            "`same` applies to a reference\n  = help: add `references = self`",
        );
    }
    for ident in &same.value {
        if cont.field(&ident.to_string()).is_none() {
            cx.error_spanned_by(
                ident,
                format!(
                    "`{}` must share `{ident}` with the item it references, but `{ident}` is not a field",
                    field.name
                ),
            );
        }
    }
}

fn check_renamed_from(cx: &Ctxt, cont: &Container, field: &Field) {
    let Some(old) = &field.attrs.renamed_from else {
        return;
    };
    if old.value == field.name {
        cx.error_spanned_by(
            &old.tokens,
            format!("`{}` is renamed from its own name", field.name),
        );
    } else if cont.field(&old.value).is_some() {
        cx.error_spanned_by(
            &old.tokens,
            format!(
                "`{}` is renamed from `{}`, which is still a field",
                field.name, old.value
            ),
        );
    }
}

fn check_stamp(cx: &Ctxt, cont: &Container, field: &Field, stamp: &Spanned<String>) {
    if stamp.value == "id"
        && let Some(f) = &field.attrs.format
    {
        let prefix = cont.attrs.id_prefix.as_ref().map(|p| p.value.as_str());
        match &f.value {
            FormatAttr::PrefixedUlid(p) | FormatAttr::PrefixedUuid(p)
                if Some(p.as_str()) == prefix => {}
            FormatAttr::PrefixedUlid(_) | FormatAttr::PrefixedUuid(_) => cx.error_spanned_by(
                &f.tokens,
                "the id's prefix must be the resource's `id_prefix`",
            ),
            _ => cx.error_spanned_by(
                &f.tokens,
                "an id is `prefixed_ulid(\"…\")` (the default) or `prefixed_uuid(\"…\")`",
            ),
        }
    }
    let (ok, what) = match stamp.value.as_str() {
        "id" | "tenant" | "app" | "created_by" | "updated_by" | "deleted_by" => {
            (matches!(field.kind, TypeKind::String), "String")
        }
        "created_at" | "updated_at" | "deleted_at" => {
            (matches!(field.kind, TypeKind::DateTime), "DateTime")
        }
        "deleted_flag" => (matches!(field.kind, TypeKind::Boolean), "bool"),
        _ => (matches!(field.kind, TypeKind::Integer(..)), "integer"),
    };
    if !ok {
        cx.error_spanned_by(
            &stamp.tokens,
            format!(
                "stamp `{}` needs a {what} field; `{}` is {}",
                stamp.value,
                field.name,
                field.kind.describe()
            ),
        );
    }
}

/// An example is a client field's value: a literal of its type, or for an
/// object or array field a string of JSON of that shape.
fn check_example(cx: &Ctxt, cont: &Container, field: &Field) {
    let Some(e) = &field.attrs.example else {
        return;
    };
    if let Some(stamp) = &field.attrs.stamp {
        cx.error_spanned_by(
            &e.tokens,
            format!(
                "`example` is for client fields; the server writes `{}` (stamp `{}`)",
                field.name, stamp.value
            ),
        );
        return;
    }
    let fits = match (&e.value, &field.kind) {
        (
            DefaultLit::Str(_),
            TypeKind::String | TypeKind::Enum(_) | TypeKind::DateTime | TypeKind::Date,
        ) => true,
        (DefaultLit::Str(s), TypeKind::JsonObject) => {
            matches!(
                serde_json::from_str(&s.value()),
                Ok(serde_json::Value::Object(_))
            )
        }
        (DefaultLit::Str(s), TypeKind::StringArray) => {
            matches!(serde_json::from_str(&s.value()), Ok(serde_json::Value::Array(items)) if items.iter().all(|i| i.is_string()))
        }
        (DefaultLit::Bool(_), TypeKind::Boolean) => true,
        (DefaultLit::Int(..), TypeKind::Integer(..)) => e.value.int().is_some(),
        _ => false,
    };
    if fits {
        check_value_rules(cx, cont, field, e, "example");
    }
    if !fits {
        let shape = match field.kind {
            TypeKind::JsonObject => " (give a string holding a JSON object)",
            TypeKind::StringArray => " (give a string holding a JSON array of strings)",
            _ => "",
        };
        cx.error_spanned_by(
            &e.tokens,
            format!(
                "this example does not fit `{}`, which is {}{shape}",
                field.name,
                field.kind.describe()
            ),
        );
    }
}
