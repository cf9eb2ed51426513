use resource_model::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th", schema_version = "one")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_stamp: String,
    /// Name.
    #[field(max_length = "10", default = 5)]
    pub name: Option<String>,
    /// Made at.
    #[field(stamp = created_at)]
    pub made: String,
}

fn main() {}
