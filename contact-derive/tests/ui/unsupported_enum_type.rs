use resource_model::Resource;

pub struct Colour;

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
    /// A type that is not a ResourceEnum.
    pub colour: Colour,
}

fn main() {}
