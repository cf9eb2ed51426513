use contact_schema::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id, example = "th_01")]
    pub id: String,
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
