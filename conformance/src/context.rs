//! What every check gets: the API, the identities, the model, the run's
//! account, and a record of every contact created so all can be cleaned up.

use crate::http::{Api, CheckResult, Exchange, Failure, ensure};
use crate::identity::{Identities, Role};
use futures::StreamExt;
use reqwest::Method;
use resource_model::{Field, Format, ResourceModel};
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
    /// The field that can partition the run's items when the runner cannot
    /// mint tenants of its own (given tokens): a client string with a list
    /// filter, no uniqueness rule and no reference, whose values the runner
    /// can make fresh (a prefixed id such as the Contact's `account_id`, or
    /// plain text); prefixed ids first.
    pub account: Option<resource_model::Field>,
    /// Plain client text fields (no format, default, rule, reference or
    /// uniqueness rule) for scratch writes: the nullable ones first.
    pub texts: Vec<String>,
    /// A client field an update may clear, and a value it takes: the first
    /// plain nullable text, else another nullable field with a valid value.
    pub clearable: Option<(String, Value)>,
    /// The required client fields: every create the runner sends carries a
    /// valid value for each (a fresh one for a unique field).
    pub required: Vec<resource_model::Field>,
    id_prefix: String,
}

impl Names {
    /// The names of `model`.
    pub fn new(model: &ResourceModel) -> Self {
        use resource_model::{FieldType, Stamp};
        let stamp = |s| model.stamp(s).map(|f| f.name.clone()).unwrap_or_default();
        let candidates = || {
            model.client_fields().filter(|f| {
                f.ty == FieldType::String
                    && f.filter.is_some()
                    && f.references.is_none()
                    && f.computed().is_none()
                    && !model.unique.iter().any(|u| u.field == f.name)
            })
        };
        let account = candidates()
            .find(|f| {
                matches!(
                    f.format,
                    Some(Format::PrefixedUuid { .. } | Format::PrefixedUlid { .. })
                )
            })
            .or_else(|| {
                candidates()
                    .find(|f| f.format.is_none() && f.limits.max_length.is_none_or(|m| m >= 26))
            })
            .cloned();
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

    /// The partition field's name (empty when the resource has none).
    pub fn account_field(&self) -> &str {
        self.account.as_ref().map_or("", |f| f.name.as_str())
    }

    /// A fresh value of the partition field (empty when there is none).
    pub fn fresh_partition(&self) -> String {
        match &self.account {
            Some(f) => match &f.format {
                Some(format) => fresh_id(format),
                None => valid_value(f).as_str().unwrap_or_default().to_owned(),
            },
            None => String::new(),
        }
    }
}

/// Where a check's items live, so that its lists hold only them: tenants of
/// its own (when the runner mints tokens), else a fresh value of the
/// partition field that every create carries and every list filters on.
#[derive(Clone)]
pub struct Iso {
    /// The identities its requests are made as.
    pub ids: Identities,
    /// The partition field and its value, when isolated by one.
    pub partition: Option<(String, String)>,
}

impl Iso {
    /// The token of `role`.
    pub fn token(&self, role: Role) -> &str {
        &self.ids.get(role).token
    }

    /// The fields of `fs` a check may give values of its own in a create:
    /// all but the partition field, whose value keeps the item in `self`.
    pub fn free(&self, fs: &[Field]) -> Vec<Field> {
        fs.iter()
            .filter(|f| self.partition.as_ref().is_none_or(|(p, _)| *p != f.name))
            .cloned()
            .collect()
    }

    /// `pairs` with the partition filter added (unless they filter on it).
    pub fn query<'a>(&'a self, pairs: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut q = pairs.to_vec();
        if let Some((f, v)) = &self.partition
            && !q.iter().any(|(k, _)| k == f)
        {
            q.push((f.as_str(), v.as_str()));
        }
        q
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
    /// The fresh random partition value of this run (empty without a partition field).
    pub account: String,
    /// Field names from the model.
    pub n: Names,
    /// The run's own identities and partition.
    base: Iso,
    cancelled: std::sync::atomic::AtomicBool,
    /// Every item created: the token that created it and its id.
    created: Mutex<Vec<(String, String)>>,
    deleted: std::sync::atomic::AtomicUsize,
    left_behind: Mutex<Vec<String>>,
    full_scope: tokio::sync::OnceCell<Result<Iso, Failure>>,
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
        let account = n.fresh_partition();
        let base = Iso {
            ids: ids.clone(),
            partition: n
                .account
                .as_ref()
                .map(|f| (f.name.clone(), account.clone())),
        };
        Ctx {
            api,
            ids,
            model,
            account,
            n,
            base,
            cancelled: std::sync::atomic::AtomicBool::new(false),
            created: Mutex::new(Vec::new()),
            deleted: std::sync::atomic::AtomicUsize::new(0),
            left_behind: Mutex::new(Vec::new()),
            full_scope: tokio::sync::OnceCell::new(),
        }
    }

    fn token(&self, role: Role) -> &str {
        &self.ids.get(role).token
    }

    /// A place of the check's own for items it lists: fresh tenants when
    /// the runner mints tokens, else a fresh value of the partition field;
    /// a skip saying why when it can do neither.
    pub fn isolate(&self) -> Result<Iso, Failure> {
        if let Some(ids) = self.ids.fresh() {
            return Ok(Iso {
                ids,
                partition: None,
            });
        }
        match &self.n.account {
            Some(f) => Ok(Iso {
                ids: self.ids.clone(),
                partition: Some((f.name.clone(), self.n.fresh_partition())),
            }),
            None => Err(Failure::skip(
                "its items must be alone in a list: give --jwt-secret (the runner then mints tenants of its own), or the resource needs a client text field with a filter and no uniqueness rule to partition them",
            )),
        }
    }

    /// `POST` `body` as `role` of `iso` with a valid value for each required
    /// field it lacks (not adding the partition); a 201 is recorded for cleanup.
    pub async fn create_in(
        &self,
        iso: &Iso,
        role: Role,
        body: &Value,
    ) -> Result<Exchange, Failure> {
        self.post(iso.token(role), &self.n.with_required(body))
            .await
    }

    /// `POST` in `iso` (the partition added when `body` lacks it); must
    /// answer 201 with the item.
    pub async fn created_in(
        &self,
        iso: &Iso,
        role: Role,
        mut body: Value,
    ) -> Result<Value, Failure> {
        if let Some((field, value)) = &iso.partition
            && body.get(field).is_none()
            && let Some(map) = body.as_object_mut()
        {
            map.insert(field.clone(), Value::from(value.clone()));
        }
        let ex = self.create_in(iso, role, &body).await?;
        ensure(ex.status == 201, &ex, "expected 201 Created")?;
        Ok(ex.body)
    }

    /// `GET` the collection as `role` of `iso`, filtered on its partition.
    pub async fn list_in(
        &self,
        iso: &Iso,
        role: Role,
        pairs: &[(&str, &str)],
    ) -> Result<Exchange, Failure> {
        let q = crate::http::query(&iso.query(pairs));
        self.api
            .json(
                Method::GET,
                &format!("{}?{q}", self.api.path),
                iso.token(role),
                None,
                &[],
            )
            .await
    }

    /// `GET` an item as `role` of `iso`.
    pub async fn get_in(&self, iso: &Iso, role: Role, id: &str) -> Result<Exchange, Failure> {
        self.api
            .json(Method::GET, &self.item(id), iso.token(role), None, &[])
            .await
    }

    /// `PATCH` an item as `role` of `iso`.
    pub async fn patch_in(
        &self,
        iso: &Iso,
        role: Role,
        id: &str,
        body: &Value,
    ) -> Result<Exchange, Failure> {
        self.api
            .json(
                Method::PATCH,
                &self.item(id),
                iso.token(role),
                Some(body),
                &[],
            )
            .await
    }

    /// `DELETE` an item as `role` of `iso`.
    pub async fn delete_in(&self, iso: &Iso, role: Role, id: &str) -> Result<Exchange, Failure> {
        self.api
            .json(Method::DELETE, &self.item(id), iso.token(role), None, &[])
            .await
    }

    /// Every page of a list as `role` of `iso`, following `next_cursor`
    /// (at most `max_pages`): the pages' exchanges, in order.
    pub async fn walk_in(
        &self,
        iso: &Iso,
        role: Role,
        pairs: &[(&str, &str)],
        max_pages: usize,
    ) -> Result<Vec<Exchange>, Failure> {
        let mut pages = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..max_pages {
            let mut q = pairs.to_vec();
            if let Some(c) = &cursor {
                q.push(("cursor", c.as_str()));
            }
            let ex = self.list_in(iso, role, &q).await?;
            crate::http::status(&ex, &[200], "a page of the walk")?;
            let next = ex.body["next_cursor"].as_str().map(str::to_owned);
            pages.push(ex);
            match next {
                Some(c) => cursor = Some(c),
                None => return Ok(pages),
            }
        }
        Err(Failure::new(format!(
            "the walk did not end after {max_pages} pages"
        )))
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

    /// Records an item created outside [`Ctx::create`], for cleanup.
    pub fn register(&self, role: Role, id: &str) {
        self.created
            .lock()
            .expect("not poisoned")
            .push((self.token(role).to_owned(), id.to_owned()));
    }

    /// `POST` a body as `role`, with a valid value for each required field
    /// it lacks ([`Names::with_required`]); a 201 is recorded for cleanup.
    pub async fn create(&self, role: Role, body: &Value) -> Result<Exchange, Failure> {
        self.create_exactly(role, &self.n.with_required(body)).await
    }

    /// `POST` exactly `body` as `role` (required fields left as they are);
    /// a 201 is recorded for cleanup.
    pub async fn create_exactly(&self, role: Role, body: &Value) -> Result<Exchange, Failure> {
        self.post(self.token(role), body).await
    }

    /// `POST` exactly `body` with `token`; a 201 is recorded for cleanup.
    async fn post(&self, token: &str, body: &Value) -> Result<Exchange, Failure> {
        if self.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(Failure::new("interrupted"));
        }
        let ex = self
            .api
            .json(Method::POST, &self.api.path, token, Some(body), &[])
            .await?;
        if ex.status == 201
            && let Some(id) = ex.body.get(&self.n.id).and_then(Value::as_str)
        {
            self.created
                .lock()
                .expect("not poisoned")
                .push((token.to_owned(), id.to_owned()));
        }
        Ok(ex)
    }

    /// A fresh random partition value (another than the run's).
    pub fn fresh_account(&self) -> String {
        self.n.fresh_partition()
    }

    /// `POST` in the run's partition; must answer 201 with the item.
    pub async fn created(&self, role: Role, body: Value) -> Result<Value, Failure> {
        self.created_in(&self.base, role, body).await
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

    /// A place of its own ([`Ctx::isolate`]) holding one more item than the
    /// largest page, made once per run (concurrently) for the checks on page sizes.
    pub async fn full_scope(&self) -> Result<Iso, Failure> {
        self.full_scope
            .get_or_init(|| async {
                let iso = self.isolate()?;
                let n = self.model.api.max_page_size as usize + 1;
                let creates = futures::stream::iter(0..n)
                    .map(|_| self.created_in(&iso, Role::A1, serde_json::json!({})))
                    .buffer_unordered(8);
                let results: Vec<_> = creates.collect().await;
                results.into_iter().collect::<Result<Vec<_>, _>>()?;
                Ok(iso)
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

    /// Soft-deletes every item the run created and has not cleaned up yet
    /// (a 404 is fine: a check deleted it); returns how many it deleted now.
    /// Those it could not delete are kept in [`Ctx::left_behind`].
    pub async fn cleanup(&self) -> usize {
        let created = std::mem::take(&mut *self.created.lock().expect("not poisoned"));
        let deletes = futures::stream::iter(created)
            .map(|(token, id)| async move {
                let r = self
                    .api
                    .json(Method::DELETE, &self.item(&id), &token, None, &[])
                    .await;
                (id, r)
            })
            .buffer_unordered(16);
        let results: Vec<(String, Result<Exchange, Failure>)> = deletes.collect().await;
        let mut n = 0;
        let mut left = Vec::new();
        for (id, r) in results {
            match r {
                Ok(ex) if ex.status < 300 => n += 1,
                Ok(ex) if ex.status == 404 => {}
                Ok(ex) => left.push(format!("{id} (delete answered {})", ex.status)),
                Err(f) => left.push(format!("{id} ({})", f.message)),
            }
        }
        self.deleted
            .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
        self.left_behind.lock().expect("not poisoned").extend(left);
        n
    }

    /// How many items every cleanup of this run has soft-deleted so far.
    pub fn cleaned_up(&self) -> usize {
        self.deleted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The items cleanup could not soft-delete, each with why.
    pub fn left_behind(&self) -> Vec<String> {
        self.left_behind.lock().expect("not poisoned").clone()
    }

    /// How many items the run has created and not yet cleaned up.
    pub fn created_count(&self) -> usize {
        self.created.lock().expect("not poisoned").len()
    }
}
