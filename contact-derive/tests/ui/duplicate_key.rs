use contact_schema::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
#[resource(path = "/other")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
    /// Name.
    #[field(max_length = 10)]
    #[field(max_length = 20)]
    pub name: Option<String>,
}

fn main() {}
