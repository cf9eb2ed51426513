use resource_model::Resource;

/// Doc.
#[derive(Resource)]
#[resource(path = "/things", id_prefix = "th")]
pub struct Thing {
    /// Id.
    #[field(stamp = id)]
    pub id: String,
    /// When it was made.
    #[field(stamp = created_at)]
    pub made_at: chrono::DateTime<chrono::Utc>,
    /// Tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// Email.
    #[field(unique(within(tenant_id, acount_id), ignore_deleted))]
    pub email: Option<String>,
}

fn main() {}
