use resource_model::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id, example = "th_01")]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_stamp: String,
    /// When it was made.
    #[field(stamp = created_at)]
    pub made_at: chrono::DateTime<chrono::Utc>,
    /// Name.
    #[field(example = 5)]
    pub name: Option<String>,
    /// Flag.
    #[field(example = "yes")]
    pub flag: Option<bool>,
    /// Labels.
    #[field(example = r#"{"not": "an array"}"#)]
    pub labels: Option<Vec<String>>,
    /// Extra.
    #[field(example = "{not json")]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
    /// Made at.
    #[field(example = 1.5)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

fn main() {}
