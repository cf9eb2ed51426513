use resource_model::Resource;

#[derive(Resource)]
#[resource(path = "things")]
pub struct Thing {
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// Score.
    pub score: f64,
    /// Name.
    #[field(computed = join_when_blank(first, last))]
    pub name: Option<String>,
    /// Opted in at.
    #[field(computed = stamp_when_true(tenant_id))]
    pub opted_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn main() {}
