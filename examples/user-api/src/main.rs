//! The sales API's codegen command: `cargo run -- generate` writes its tree.

codegen::main!(user_api::api());
