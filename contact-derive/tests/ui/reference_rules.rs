use resource_model::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th", page_size = 500)]
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
    /// Group.
    pub group: Option<String>,
    /// Not a reference, so `same` means nothing.
    #[field(same(group))]
    pub parent: Option<String>,
    /// A reference that must share a field that does not exist.
    #[field(references = self, same(nowhere))]
    pub sibling: Option<String>,
}

fn main() {}
