//! The one schema builder, which lives beside the model in
//! [`contact_schema::json_schema`] (the runner uses it too).

pub use contact_schema::json_schema::*;
