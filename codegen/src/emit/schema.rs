//! The one schema builder, which lives beside the model in
//! [`resource_model::json_schema`] (the runner uses it too).

pub use resource_model::json_schema::*;
