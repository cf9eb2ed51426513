use contact_schema::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
    /// Phone.
    #[field(format = e164)]
    pub phone: Option<bool>,
    /// Count.
    #[field(max_length = 3, max_items = 2)]
    pub count: i64,
}

fn main() {}
