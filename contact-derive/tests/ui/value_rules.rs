use resource_model::Resource;

/// Every rule a field's values must keep, broken once: each is an error on its tokens.
#[derive(serde::Serialize, Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// The id, whose prefix is not the resource's.
    #[field(stamp = id, format = prefixed_uuid("xx"))]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// When it was made.
    #[field(stamp = created_at)]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Required, with a default that could never apply.
    #[field(required, default = "x")]
    pub a: String,
    /// Required, but may be null.
    #[field(required)]
    pub b: Option<String>,
    /// A bound a u8 cannot hold.
    #[field(minimum = -5)]
    pub c: u8,
    /// Another.
    #[field(maximum = 300)]
    pub d: Option<u8>,
    /// Bounds the wrong way round.
    #[field(minimum = 10, maximum = 1)]
    pub e: Option<i32>,
    /// A default its own format refuses.
    #[field(format = e164, default = "")]
    pub phone: String,
    /// A default over its length.
    #[field(max_length = 3, default = "abcd")]
    pub code: String,
    /// A default over its bound.
    #[field(maximum = 10, default = 11)]
    pub level: i32,
    /// A day February lacks.
    #[field(default = "2026-02-30")]
    pub since: chrono::NaiveDate,
    /// A computed field that could not be null.
    #[field(computed = join_when_blank(code))]
    pub label: String,
    /// An example its format refuses.
    #[field(format = email, example = "not an email")]
    pub email: Option<String>,
}

fn main() {}
