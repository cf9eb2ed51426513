//! Derive macros that turn an annotated Rust struct into a runtime resource model.
//!
//! `#[derive(Resource)]` implements `resource_model::Resource` for a
//! struct with named fields; `#[derive(ResourceEnum)]` lists a unit enum's
//! wire values for enum fields. Nothing here knows about any particular
//! resource: the attributes say everything. See the workspace README for the
//! attribute reference.

mod emit;
mod internals;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `Resource` for a struct: `Type::model()` builds its resource model.
#[proc_macro_derive(Resource, attributes(resource, field))]
pub fn derive_resource(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    emit::expand_resource(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `ResourceEnum` for a unit enum: its wire values, as serde writes them.
#[proc_macro_derive(ResourceEnum)]
pub fn derive_resource_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    emit::expand_enum(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
