//! `schemas/sdk/typescript/`: an ES module package (`src/index.ts`,
//! `package.json`, `tsconfig.json`) built on the platform's `fetch`, with no
//! runtime dependencies. `tsc --strict` checks it; `index.ts.hbs` lays it out.

use super::{Renderer, Sdk, Spelling, no_extra, screaming, verbatim};
use crate::emit::{Artifact, to_json};
use crate::error::Error;
use resource_model::{Field, FieldType};
use serde_json::json;

const INDEX: &str = "typescript/index.ts";

/// The templates of this SDK, by name.
pub(super) const TEMPLATES: &[(&str, &str)] = &[(INDEX, include_str!("index.ts.hbs"))];

/// The TypeScript compiler version the package is checked with (a dev dependency).
const TYPESCRIPT: &str = "5.9.3";

/// How TypeScript spells the shared view.
const SPELLING: Spelling = Spelling {
    ty: ts_type,
    request_ty: ts_type,
    ident: verbatim,
    extra: no_extra,
    member: screaming,
    doc: comment,
    field_doc: comment,
};

/// The package's three files.
pub(super) fn emit(renderer: &Renderer, sdk: &Sdk<'_>) -> Result<Vec<Artifact>, Error> {
    let view = sdk.common(&SPELLING);
    let index = renderer.render(INDEX, &view)?;
    let package = json!({
        "name": format!("{}-sdk", sdk.api.name()),
        "version": "0.1.0",
        "description": format!("{} client. {}", sdk.api.title(), view.preamble),
        "license": "MIT OR Apache-2.0",
        "type": "module",
        "main": "dist/index.js",
        "types": "dist/index.d.ts",
        "exports": { ".": { "types": "./dist/index.d.ts", "import": "./dist/index.js" } },
        "files": ["dist", "src"],
        "engines": { "node": ">=18" },
        "scripts": { "build": "tsc -p .", "check": "tsc --strict --noEmit -p ." },
        "devDependencies": { "typescript": TYPESCRIPT },
    });
    let tsconfig = json!({
        "compilerOptions": {
            "target": "ES2022",
            "module": "NodeNext",
            "moduleResolution": "NodeNext",
            "lib": ["ES2022", "DOM", "DOM.Iterable"],
            "strict": true,
            "noUncheckedIndexedAccess": true,
            "noImplicitOverride": true,
            "noImplicitReturns": true,
            "noFallthroughCasesInSwitch": true,
            "declaration": true,
            "rootDir": "src",
            "outDir": "dist",
        },
        "include": ["src"],
    });
    Ok(vec![
        Artifact::new(
            "sdk/typescript/package.json",
            to_json("package.json", &package)?,
        ),
        Artifact::new(
            "sdk/typescript/tsconfig.json",
            to_json("tsconfig.json", &tsconfig)?,
        ),
        Artifact::new("sdk/typescript/src/index.ts", index),
    ])
}

/// The TypeScript type of a field's non-null values.
fn ts_type(sdk: &Sdk<'_>, field: &Field) -> String {
    match &field.ty {
        FieldType::String | FieldType::DateTime | FieldType::Date => "string".to_owned(),
        FieldType::Boolean => "boolean".to_owned(),
        FieldType::Integer => "number".to_owned(),
        FieldType::JsonObject => "JsonObject".to_owned(),
        FieldType::StringArray => "string[]".to_owned(),
        FieldType::Enum { .. } => sdk
            .enum_of(field)
            .map_or_else(|| "string".to_owned(), |e| e.name.clone()),
    }
}

/// Text safe inside a `/** … */` comment.
fn comment(text: &str) -> String {
    text.replace("*/", "*\\/")
}
