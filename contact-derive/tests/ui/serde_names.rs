use contact_schema::Resource;

/// Doc.
#[derive(serde::Serialize, serde::Deserialize, Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
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
