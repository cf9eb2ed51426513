//! The attribute names, as constants, so every key is spelled once.

use std::fmt::{self, Display};
use syn::{Ident, Path};

/// An attribute key.
#[derive(Copy, Clone)]
pub struct Symbol(pub &'static str);

/// The container attribute namespace.
pub const RESOURCE: Symbol = Symbol("resource");
/// The field attribute namespace.
pub const FIELD: Symbol = Symbol("field");
/// Doc comments.
pub const DOC: Symbol = Symbol("doc");

pub const NAME: Symbol = Symbol("name");
pub const PLURAL: Symbol = Symbol("plural");
pub const DESCRIPTION: Symbol = Symbol("description");
pub const PATH: Symbol = Symbol("path");
pub const ID_PREFIX: Symbol = Symbol("id_prefix");
pub const SDK: Symbol = Symbol("sdk");
pub const TABLE: Symbol = Symbol("table");
pub const SCHEMA_VERSION: Symbol = Symbol("schema_version");
pub const MAX_LENGTH: Symbol = Symbol("max_length");
pub const PAGE_SIZE: Symbol = Symbol("page_size");
pub const MAX_PAGE_SIZE: Symbol = Symbol("max_page_size");
pub const MAX_BODY_BYTES: Symbol = Symbol("max_body_bytes");

pub const STAMP: Symbol = Symbol("stamp");
pub const DEFAULT: Symbol = Symbol("default");
pub const FORMAT: Symbol = Symbol("format");
pub const MIN_LENGTH: Symbol = Symbol("min_length");
pub const MINIMUM: Symbol = Symbol("minimum");
pub const MAXIMUM: Symbol = Symbol("maximum");
pub const REQUIRED: Symbol = Symbol("required");
pub const MAX_ITEMS: Symbol = Symbol("max_items");
pub const ITEM_MIN_LENGTH: Symbol = Symbol("item_min_length");
pub const ITEM_MAX_LENGTH: Symbol = Symbol("item_max_length");
pub const MAX_BYTES: Symbol = Symbol("max_bytes");
pub const MAX_DEPTH: Symbol = Symbol("max_depth");
pub const COMPUTED: Symbol = Symbol("computed");
pub const REFERENCES: Symbol = Symbol("references");
pub const SAME: Symbol = Symbol("same");
pub const FILTER: Symbol = Symbol("filter");
pub const UNIQUE: Symbol = Symbol("unique");
pub const RENAMED_FROM: Symbol = Symbol("renamed_from");
pub const EXAMPLE: Symbol = Symbol("example");

pub const WITHIN: Symbol = Symbol("within");
pub const CASE_INSENSITIVE: Symbol = Symbol("case_insensitive");
pub const IGNORE_DELETED: Symbol = Symbol("ignore_deleted");

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for &Ident {
    fn eq(&self, word: &Symbol) -> bool {
        *self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
