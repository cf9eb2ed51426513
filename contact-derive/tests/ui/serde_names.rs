use resource_model::Resource;

/// Doc.
#[derive(serde::Serialize, serde::Deserialize, Resource)]
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
    /// Two names.
    #[serde(rename(serialize = "a", deserialize = "b"))]
    pub split: Option<String>,
    /// An alias.
    #[serde(alias = "older")]
    pub aliased: Option<String>,
    /// Not on the wire.
    #[serde(skip)]
    pub hidden: Option<String>,
    /// Renamed from itself.
    #[field(renamed_from = "same")]
    pub same: Option<String>,
    /// Renamed from a field that is still there.
    #[field(renamed_from = "aliased")]
    pub twin: Option<String>,
}

fn main() {}
