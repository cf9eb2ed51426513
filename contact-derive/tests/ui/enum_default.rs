use resource_model::{Resource, ResourceEnum};

/// A colour.
#[derive(serde::Serialize, ResourceEnum)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Red.
    Red,
    /// Dark blue.
    DarkBlue,
}

/// An enum default outside the enum's values is a compile error.
#[derive(serde::Serialize, Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// The id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// When it was made.
    #[field(stamp = created_at)]
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The default is the Rust name, not the wire value `dark_blue`.
    #[field(default = "DarkBlue")]
    pub colour: Colour,
}

fn main() {}
