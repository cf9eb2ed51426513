use contact_schema::Resource;

pub struct Colour;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
    /// A type that is not a ResourceEnum.
    pub colour: Colour,
}

fn main() {}
