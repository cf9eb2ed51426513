use contact_schema::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th", colour = "red")]
pub struct Thing {
    /// Id.
    #[field(stamp = id, shiny)]
    pub id: String,
}

fn main() {}
