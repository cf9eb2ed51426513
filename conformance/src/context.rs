//! What every check gets: the API, the identities, the model, the run's
//! account, and a record of every contact created so all can be cleaned up.

use crate::http::{Api, CheckResult, Exchange, Failure, ensure};
use crate::identity::{Identities, Role};
use futures::StreamExt;
use reqwest::Method;
use resource_model::{Format, ResourceModel};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// The field names checks need, taken from the model, so the catalogue follows
/// the resource instead of naming the Contact's fields.
#[derive(Debug, Clone)]
pub struct Names {
    /// The id stamp.
    pub id: String,
    /// The version stamp.
    pub version: String,
    /// The creation-time stamp.
    pub created_at: String,
    /// The update-time stamp.
    pub updated_at: String,
    /// The app stamp.
    pub app: String,
    /// The field that partitions the run's items (a client field holding a
    /// prefixed id, `acc-<uuid>` or `deal_<ULID>`, with an exact filter), and its format.
    pub account: Option<(String, Format)>,
    /// Plain client text fields (no format, default, rule, reference or
    /// uniqueness rule) for scratch writes: the nullable ones first.
    pub texts: Vec<String>,
    /// A client field an update may clear, and a value it takes: the first
    /// plain nullable text, else another nullable field with a valid value.
    pub clearable: Option<(String, Value)>,
    /// The required client fields: every create the runner sends carries a
    /// valid value for each (a fresh one for a unique field).
    pub required: Vec<resource_model::Field>,
    /// The first client field with the email format.
    pub email: Option<String>,
    id_prefix: String,
}

impl Names {
    /// The names of `model`.
    pub fn new(model: &ResourceModel) -> Self {
        use resource_model::{FieldType, Stamp};
        let stamp = |s| model.stamp(s).map(|f| f.name.clone()).unwrap_or_default();
        let account = model.fields.iter().find_map(|f| match &f.format {
            Some(format @ (Format::PrefixedUuid { .. } | Format::PrefixedUlid { .. }))
                if f.is_client() && f.filter.is_some() && f.references.is_none() =>
            {
                Some((f.name.clone(), format.clone()))
            }
            _ => None,
        });
        let texts = model
            .client_fields()
            .filter(|f| f.ty == FieldType::String && f.format.is_none() && f.default().is_none() && f.computed().is_none() && f.references.is_none())
            .filter(|f| !model.fields.iter().any(|g| matches!(g.computed(), Some(resource_model::Computed::JoinWhenBlank { from, .. }) if from.contains(&f.name))))
            .filter(|f| !model.unique.iter().any(|u| u.field == f.name))
            .filter(|f| f.limits.min_length.unwrap_or(0) <= 2)
            .collect::<Vec<_>>();
        let clearable = texts
            .iter()
            .find(|f| f.nullable)
            .map(|f| (f.name.clone(), Value::from("kept")))
            .or_else(|| {
                model
                    .client_fields()
                    .filter(|f| {
                        f.nullable
                            && f.default().is_none()
                            && f.computed().is_none()
                            && f.references.is_none()
                    })
                    .filter(|f| {
                        !model
                            .unique
                            .iter()
                            .any(|u| u.field == f.name || u.within.contains(&f.name))
                    })
                    .filter(|f| f.filter.is_none())
                    .map(|f| (f.name.clone(), valid_value(f)))
                    .next()
            });
        let mut texts: Vec<&resource_model::Field> = texts;
        texts.sort_by_key(|f| !f.nullable);
        let texts = texts.into_iter().map(|f| f.name.clone()).collect();
        Names {
            id: stamp(Stamp::Id),
            version: stamp(Stamp::Version),
            created_at: stamp(Stamp::CreatedAt),
            updated_at: stamp(Stamp::UpdatedAt),
            app: stamp(Stamp::App),
            email: model
                .client_fields()
                .find(|f| f.format == Some(Format::Email))
                .map(|f| f.name.clone()),
            account,
            texts,
            clearable,
            required: model
                .client_fields()
                .filter(|f| f.is_required())
                .cloned()
                .collect(),
            id_prefix: model.id_prefix.clone(),
        }
    }

    /// Adds a valid value for each required field `body` lacks (a create
    /// the runner sends is about something else than the required fields).
    pub fn with_required(&self, body: &Value) -> Value {
        let mut body = body.clone();
        if let Some(map) = body.as_object_mut() {
            for f in &self.required {
                if !map.contains_key(&f.name) {
                    map.insert(f.name.clone(), valid_value(f));
                }
            }
        }
        body
    }

    /// Whether the resource has a plain text field for scratch writes; a
    /// skip saying so when it has none (a check writing text cannot run).
    pub fn need_text(&self) -> Result<(), Failure> {
        if self.texts.is_empty() {
            Err(Failure::skip(
                "the resource has no plain text field (a client string with no format, rule or uniqueness) to write scratch values into",
            ))
        } else {
            Ok(())
        }
    }

    /// The `i`-th plain text field (cycling when there are fewer).
    pub fn text(&self, i: usize) -> &str {
        self.texts
            .get(i % self.texts.len().max(1))
            .map_or("", String::as_str)
    }

    /// An id in the resource's format that no item has.
    pub fn never_id(&self) -> String {
        format!("{}_01BX5ZZKBKACTAV9WEVGEMMVRZ", self.id_prefix)
    }

    /// The email field's name (empty when the resource has none).
    pub fn email_field(&self) -> &str {
        self.email.as_deref().unwrap_or("")
    }

    /// The account field's name (empty when the resource has none).
    pub fn account_field(&self) -> &str {
        self.account.as_ref().map_or("", |(f, _)| f.as_str())
    }

    /// The field that isolates a check's items in lists, or a skip saying why
    /// the check needs one.
    pub fn partition(&self) -> Result<&str, Failure> {
        self.account.as_ref().map(|(f, _)| f.as_str()).ok_or_else(|| {
            Failure::skip(
                "the resource has no partition field (a client field with a prefixed-UUID format and an exact filter) to isolate this check's items in a list",
            )
        })
    }
}

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
    /// Field names from the model.
    pub n: Names,
    cancelled: std::sync::atomic::AtomicBool,
    created: Mutex<Vec<(Role, String)>>,
    deleted: std::sync::atomic::AtomicUsize,
    full_account: tokio::sync::OnceCell<Result<String, Failure>>,
}

/// A fresh random `<prefix>-<uuid>`.
pub fn fresh_prefixed_uuid(prefix: &str) -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(rand::random::<u32>() % 16, 16).expect("hex digit"))
        .collect();
    format!(
        "{prefix}-{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A valid value of a client field, fresh where the format allows it (so a
/// unique field never collides): the smallest the bounds allow for numbers,
/// the first value of an enum, empty objects and arrays.
pub fn valid_value(f: &resource_model::Field) -> Value {
    use resource_model::FieldType;
    let fresh = || ulid::Ulid::generate().to_string().to_lowercase();
    match &f.ty {
        FieldType::String => {
            let s = match &f.format {
                Some(Format::Email) => fresh_email(),
                Some(Format::Hostname) => format!("c{}.example.com", fresh()),
                Some(Format::E164) => "+14155550123".to_owned(),
                Some(Format::HttpUrl) => format!("https://example.com/{}", fresh()),
                Some(Format::PrefixedUlid { prefix }) => {
                    format!("{prefix}_{}", ulid::Ulid::generate())
                }
                Some(Format::PrefixedUuid { prefix }) => fresh_prefixed_uuid(prefix),
                None => {
                    let mut s = format!("conformance-{}", fresh());
                    let min = f.limits.min_length.unwrap_or(0) as usize;
                    while s.chars().count() < min {
                        s.push('x');
                    }
                    if let Some(max) = f.limits.max_length {
                        // The ULID's random tail is what keeps it fresh: keep the end.
                        let n = s.chars().count();
                        s = s.chars().skip(n.saturating_sub(max as usize)).collect();
                    }
                    s
                }
            };
            Value::from(s)
        }
        FieldType::Boolean => Value::from(false),
        FieldType::Integer => {
            let (min, max) = (f.limits.minimum, f.limits.maximum);
            Value::from(
                0i64.max(min.unwrap_or(i64::MIN))
                    .min(max.unwrap_or(i64::MAX)),
            )
        }
        FieldType::DateTime => Value::from("2024-02-29T12:00:00Z"),
        FieldType::Date => Value::from("2024-02-29"),
        FieldType::JsonObject => Value::Object(serde_json::Map::new()),
        FieldType::StringArray => Value::Array(Vec::new()),
        FieldType::Enum { values } => Value::from(values.first().cloned().unwrap_or_default()),
    }
}

/// A fresh id of a prefixed format: `acc-<uuid>` or `deal_<ULID>`.
pub fn fresh_id(format: &Format) -> String {
    match format {
        Format::PrefixedUlid { prefix } => format!("{prefix}_{}", ulid::Ulid::generate()),
        Format::PrefixedUuid { prefix } => fresh_prefixed_uuid(prefix),
        other => format!("{other:?}"),
    }
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
        let n = Names::new(&model);
        let account = n
            .account
            .as_ref()
            .map(|(_, format)| fresh_id(format))
            .unwrap_or_default();
        Ctx {
            api,
            ids,
            model,
            account,
            n,
            cancelled: std::sync::atomic::AtomicBool::new(false),
            created: Mutex::new(Vec::new()),
            deleted: std::sync::atomic::AtomicUsize::new(0),
            full_account: tokio::sync::OnceCell::new(),
        }
    }

    fn token(&self, role: Role) -> &str {
        &self.ids.get(role).token
    }

    /// The item path of `id`.
    pub fn item(&self, id: &str) -> String {
        format!("{}/{id}", self.api.path)
    }

    /// Stops new creates (the run was interrupted); requests in flight finish
    /// so that what they create is recorded and cleaned up.
    pub fn cancel(&self) {
        self.cancelled
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Records a contact created outside [`Ctx::create`], for cleanup.
    pub fn register(&self, role: Role, id: &str) {
        self.created
            .lock()
            .expect("not poisoned")
            .push((role, id.to_owned()));
    }

    /// `POST` a body as `role`, with a valid value for each required field
    /// it lacks ([`Names::with_required`]); a 201 is recorded for cleanup.
    pub async fn create(&self, role: Role, body: &Value) -> Result<Exchange, Failure> {
        self.create_exactly(role, &self.n.with_required(body)).await
    }

    /// `POST` exactly `body` as `role` (required fields left as they are);
    /// a 201 is recorded for cleanup.
    pub async fn create_exactly(&self, role: Role, body: &Value) -> Result<Exchange, Failure> {
        if self.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Failure::new("interrupted"));
        }
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
            && let Some(id) = ex.body.get(&self.n.id).and_then(Value::as_str)
        {
            self.created
                .lock()
                .expect("not poisoned")
                .push((role, id.to_owned()));
        }
        Ok(ex)
    }

    /// A fresh random account (another partition than the run's).
    pub fn fresh_account(&self) -> String {
        self.n
            .account
            .as_ref()
            .map(|(_, format)| fresh_id(format))
            .unwrap_or_default()
    }

    /// `POST` in the run's account; must answer 201 with the contact.
    pub async fn created(&self, role: Role, mut body: Value) -> Result<Value, Failure> {
        if let Some((field, _)) = &self.n.account
            && body.get(field).is_none()
            && let Some(map) = body.as_object_mut()
        {
            map.insert(field.clone(), Value::from(self.account.clone()));
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

    /// `GET` the collection with these query parameters (percent-encoded here) as `role`.
    pub async fn list_q<K: AsRef<str>, V: AsRef<str>>(
        &self,
        role: Role,
        pairs: &[(K, V)],
    ) -> Result<Exchange, Failure> {
        self.list(role, &crate::http::query(pairs)).await
    }

    /// An account of its own holding one more item than the largest page,
    /// created once per run (concurrently) for the checks on page sizes.
    pub async fn full_account(&self) -> Result<String, Failure> {
        self.n.partition()?;
        self.full_account
            .get_or_init(|| async {
                let acc = self.fresh_account();
                let n = self.model.api.max_page_size as usize + 1;
                let creates = futures::stream::iter(0..n)
                    .map(|_| {
                        self.created(Role::A1, serde_json::json!({self.n.account_field(): acc}))
                    })
                    .buffer_unordered(8);
                let results: Vec<_> = creates.collect().await;
                results.into_iter().collect::<Result<Vec<_>, _>>()?;
                Ok(acc)
            })
            .await
            .clone()
    }

    /// `v` as the contract compares items: only the model's fields, a
    /// missing field as null, date-times as instants in one canonical form.
    /// Extra response fields and the text form of a time are the server's choice.
    pub fn normal(&self, v: &Value) -> Value {
        use resource_model::FieldType;
        let mut out = serde_json::Map::new();
        for f in &self.model.fields {
            let value = v.get(&f.name).cloned().unwrap_or(Value::Null);
            let value = match (&f.ty, &value) {
                (FieldType::DateTime, Value::String(t)) => chrono::DateTime::parse_from_rfc3339(t)
                    .map(|d| {
                        Value::from(
                            d.with_timezone(&chrono::Utc)
                                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                        )
                    })
                    .unwrap_or(value),
                _ => value,
            };
            out.insert(f.name.clone(), value);
        }
        Value::Object(out)
    }

    /// A list page's items, each [`Ctx::normal`], and whether it has a next cursor.
    pub fn normal_page(&self, page: &Value) -> (Vec<Value>, bool) {
        let items = page["data"]
            .as_array()
            .map(|d| d.iter().map(|c| self.normal(c)).collect())
            .unwrap_or_default();
        (items, page["next_cursor"].is_string())
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
        crate::http::status(&ex, &[200], "reading the contact back")?;
        let (now, before) = (self.normal(&ex.body), self.normal(expected));
        if now == before {
            return Ok(());
        }
        let changed: Vec<String> = self
            .model
            .fields
            .iter()
            .filter(|f| now.get(&f.name) != before.get(&f.name))
            .map(|f| {
                format!(
                    "`{}` {} → {}",
                    f.name,
                    before.get(&f.name).unwrap_or(&Value::Null),
                    now.get(&f.name).unwrap_or(&Value::Null)
                )
            })
            .collect();
        Err(Failure::at(
            &ex,
            format!(
                "the contact changed although the write was refused: {}",
                changed.join(", ")
            ),
        ))
    }

    /// Soft-deletes every contact the run created and has not cleaned up yet
    /// (404s are fine: a check deleted it); returns how many it deleted now.
    pub async fn cleanup(&self) -> usize {
        let created = std::mem::take(&mut *self.created.lock().expect("not poisoned"));
        let deletes = futures::stream::iter(created)
            .map(|(role, id)| async move { self.delete(role, &id, &[]).await })
            .buffer_unordered(16);
        let n = deletes
            .filter(|r| std::future::ready(r.as_ref().is_ok_and(|ex| ex.status < 300)))
            .count()
            .await;
        self.deleted
            .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        n
    }

    /// How many contacts every cleanup of this run has soft-deleted so far.
    pub fn cleaned_up(&self) -> usize {
        self.deleted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many contacts the run has created so far.
    pub fn created_count(&self) -> usize {
        self.created.lock().expect("not poisoned").len()
    }
}
