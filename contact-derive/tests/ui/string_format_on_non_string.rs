use resource_model::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_stamp: String,
    /// When it was made.
    #[field(stamp = created_at)]
    pub made_at: chrono::DateTime<chrono::Utc>,
    /// Phone.
    #[field(format = e164)]
    pub phone: Option<bool>,
    /// Count.
    #[field(max_length = 3, max_items = 2)]
    pub count: i64,
}

fn main() {}
