//! What every check gets: the API, the identities, the model, the run's
//! account, and a record of every contact created so all can be cleaned up.

use crate::http::{Api, CheckResult, Exchange, Failure, ensure};
use crate::identity::{Identities, Role};
use contact_schema::ResourceModel;
use reqwest::Method;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// The shared state of a run.
pub struct Ctx {
    /// Requests to the endpoint.
    pub api: Api,
    /// Who the runner acts as.
    pub ids: Identities,
    /// The resource model the checks derive from.
    pub model: Arc<ResourceModel>,
    /// The fresh random account of this run.
    pub account: String,
    created: Mutex<Vec<(Role, String)>>,
}

/// A fresh random `acc-<uuid>`.
pub fn fresh_account() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(rand::random::<u32>() % 16, 16).expect("hex digit"))
        .collect();
    format!(
        "acc-{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fresh random email address.
pub fn fresh_email() -> String {
    format!(
        "conformance-{}@example.com",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

impl Ctx {
    /// A context for one run.
    pub fn new(api: Api, ids: Identities, model: Arc<ResourceModel>) -> Self {
        Ctx {
            api,
            ids,
            model,
            account: fresh_account(),
            created: Mutex::new(Vec::new()),
        }
    }

    fn token(&self, role: Role) -> &str {
        &self.ids.get(role).token
    }

    /// The item path of `id`.
    pub fn item(&self, id: &str) -> String {
        format!("{}/{id}", self.api.path)
    }

    /// `POST` a body as `role`; a 201 is recorded for cleanup.
    pub async fn create(&self, role: Role, body: &Value) -> Result<Exchange, Failure> {
        let ex = self
            .api
            .json(
                Method::POST,
                &self.api.path,
                self.token(role),
                Some(body),
                &[],
            )
            .await?;
        if ex.status == 201
            && let Some(id) = ex.body.get("id").and_then(Value::as_str)
        {
            self.created
                .lock()
                .expect("not poisoned")
                .push((role, id.to_owned()));
        }
        Ok(ex)
    }

    /// `POST` in the run's account; must answer 201 with the contact.
    pub async fn created(&self, role: Role, mut body: Value) -> Result<Value, Failure> {
        if body.get("account_id").is_none()
            && let Some(map) = body.as_object_mut()
        {
            map.insert("account_id".into(), Value::from(self.account.clone()));
        }
        let ex = self.create(role, &body).await?;
        ensure(ex.status == 201, &ex, "expected 201 Created")?;
        Ok(ex.body)
    }

    /// `GET` an item as `role`.
    pub async fn get(&self, role: Role, id: &str) -> Result<Exchange, Failure> {
        self.api
            .json(Method::GET, &self.item(id), self.token(role), None, &[])
            .await
    }

    /// `PATCH` an item as `role`.
    pub async fn patch(
        &self,
        role: Role,
        id: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, Failure> {
        self.api
            .json(
                Method::PATCH,
                &self.item(id),
                self.token(role),
                Some(body),
                headers,
            )
            .await
    }

    /// `DELETE` an item as `role`.
    pub async fn delete(
        &self,
        role: Role,
        id: &str,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, Failure> {
        self.api
            .json(
                Method::DELETE,
                &self.item(id),
                self.token(role),
                None,
                headers,
            )
            .await
    }

    /// `GET` the collection with `query` as `role`.
    pub async fn list(&self, role: Role, query: &str) -> Result<Exchange, Failure> {
        self.api
            .json(
                Method::GET,
                &format!("{}?{query}", self.api.path),
                self.token(role),
                None,
                &[],
            )
            .await
    }

    /// Fails unless `id` reads back exactly as `expected` (a forbidden write changed nothing).
    pub async fn unchanged(&self, role: Role, id: &str, expected: &Value) -> CheckResult {
        let ex = self.get(role, id).await?;
        ensure(
            ex.status == 200 && &ex.body == expected,
            &ex,
            "the contact changed although the write was refused",
        )
    }

    /// Soft-deletes every contact the run created (404s are fine); returns how many it deleted.
    pub async fn cleanup(&self) -> usize {
        let created = std::mem::take(&mut *self.created.lock().expect("not poisoned"));
        let deletes = created.iter().map(|(role, id)| self.delete(*role, id, &[]));
        futures::future::join_all(deletes)
            .await
            .into_iter()
            .filter(|r| r.as_ref().is_ok_and(|ex| ex.status < 300))
            .count()
    }

    /// How many contacts the run has created so far.
    pub fn created_count(&self) -> usize {
        self.created.lock().expect("not poisoned").len()
    }
}
