//! Exploration: seeded random sequences of operations by several callers,
//! each answer compared with what the model predicts. The prediction comes
//! from `resource_model::write` (the stamps, defaults, computed fields and
//! merge the reference server writes with and the docs' examples show) and
//! the contract's rules of visibility, soft delete, versions and uniqueness.
//! A disagreement is shrunk to the shortest sequence that still shows it and
//! written as a replay file (`conformance replay`).
//!
//! Every sequence runs in tenants of its own, so its lists hold exactly its
//! items and every answer is predictable: it needs the signing secret.

use crate::checks::lists::{distinct_value, matches, query_value};
use crate::context::{Ctx, Iso};
use crate::http::{Exchange, Failure};
use crate::identity::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use resource_model::write::{self, Actor, Item, WriteKind};
use resource_model::{Field, FieldType, ResourceModel, Stamp};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// The page size of the walks a list step makes.
const PAGE: usize = 3;

/// An `If-Match` a write sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tag {
    /// The item's current version.
    Current,
    /// A version it never had.
    Stale,
}

/// One operation of a sequence. Items are named by the index of the create
/// step that made them (a step naming one that was refused is skipped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    /// `POST` the body.
    Create {
        /// Who.
        role: Role,
        /// The body.
        body: Map<String, Value>,
    },
    /// `GET` an item.
    Get {
        /// Who.
        role: Role,
        /// Which create made it.
        item: usize,
    },
    /// `PATCH` an item.
    Update {
        /// Who.
        role: Role,
        /// Which create made it.
        item: usize,
        /// The merge patch.
        patch: Map<String, Value>,
        /// The `If-Match` sent, if any.
        if_match: Option<Tag>,
    },
    /// `DELETE` an item.
    Delete {
        /// Who.
        role: Role,
        /// Which create made it.
        item: usize,
        /// The `If-Match` sent, if any.
        if_match: Option<Tag>,
    },
    /// Walk the list in pages of three.
    List {
        /// Who.
        role: Role,
        /// A filter (field, value).
        filter: Option<(String, String)>,
        /// `include_deleted=true`.
        include_deleted: bool,
    },
}

/// Where a sequence and the model disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The step (0-based).
    pub step: usize,
    /// What disagreed.
    pub what: String,
    /// What the model predicts.
    pub expected: String,
    /// What the endpoint answered.
    pub actual: String,
}

/// A replayable sequence: what `--replay-file` writes and `conformance
/// replay` reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Replay {
    /// The resource (its plural).
    pub resource: String,
    /// The seed that found it.
    pub seed: u64,
    /// The steps.
    pub steps: Vec<Step>,
    /// What they showed when found.
    pub mismatch: Mismatch,
}

/// What an exploration found.
#[derive(Debug, Clone)]
pub struct Explored {
    /// Sequences run (before shrinking).
    pub sequences: usize,
    /// Requests sent, shrinking included.
    pub requests: usize,
    /// The shrunk disagreement, if one was found.
    pub found: Option<Replay>,
    /// How long before the first sequence that disagreed, had one.
    pub elapsed: Duration,
}

/// One item as the model sees it.
#[derive(Debug, Clone)]
struct Slot {
    id: String,
    item: Item,
    created_at: String,
}

/// A sequence's state: the items its creates made (`None` for a refused create).
struct State<'a> {
    ctx: &'a Ctx,
    iso: Iso,
    slots: Vec<Option<Slot>>,
    requests: usize,
    /// The last list step, which exploration likes to repeat after writes
    /// (a list is worth looking at again once something changed).
    last_list: Option<Step>,
    /// The item last written to, which exploration likes to read again,
    /// as someone who read it before the write.
    last_written: Option<usize>,
    /// Who read which item.
    readers: Vec<(usize, Role)>,
}

/// The fields exploration writes, with the values it picks from: plain
/// texts (two values and null), the unique fields and the filter fields
/// (two values each, so writes collide and filters match), and the
/// required fields.
struct Palette {
    fields: Vec<(Field, Vec<Value>)>,
}

impl Palette {
    fn of(m: &ResourceModel) -> Palette {
        let names = crate::context::Names::new(m);
        let mut fields: Vec<(Field, Vec<Value>)> = Vec::new();
        let mut add = |f: &Field, values: Vec<Value>| {
            if !fields.iter().any(|(g, _)| g.name == f.name) {
                fields.push((f.clone(), values));
            }
        };
        for f in m.client_fields() {
            let usable = f.references.is_none()
                && f.computed().is_none()
                && matches!(
                    f.ty,
                    FieldType::String
                        | FieldType::Integer
                        | FieldType::Enum { .. }
                        | FieldType::Date
                );
            if !usable {
                continue;
            }
            let interesting = names.texts.contains(&f.name)
                || f.filter.is_some()
                || f.is_required()
                || m.unique
                    .iter()
                    .any(|u| u.field == f.name || u.within.contains(&f.name));
            if interesting {
                add(f, vec![distinct_value(f, 0), distinct_value(f, 1)]);
            }
        }
        Palette { fields }
    }

    fn body(&self, rng: &mut StdRng, create: bool) -> Map<String, Value> {
        let mut body = Map::new();
        for (f, values) in &self.fields {
            if create && f.is_required() {
                body.insert(
                    f.name.clone(),
                    values[rng.random_range(0..values.len())].clone(),
                );
            } else if rng.random_bool(0.4) {
                let v = if f.nullable && !f.is_required() && rng.random_bool(0.2) {
                    Value::Null
                } else {
                    values[rng.random_range(0..values.len())].clone()
                };
                body.insert(f.name.clone(), v);
            }
        }
        body
    }
}

fn tenant(role: Role) -> u8 {
    if role == Role::B { 1 } else { 0 }
}

impl<'a> State<'a> {
    fn new(ctx: &'a Ctx) -> Result<State<'a>, Failure> {
        let ids = ctx.ids.fresh().ok_or_else(|| {
            Failure::skip(
                "exploration needs --jwt-secret: each sequence runs in tenants of its own",
            )
        })?;
        Ok(State {
            ctx,
            iso: Iso {
                ids,
                partition: None,
            },
            slots: Vec::new(),
            requests: 0,
            last_list: None,
            last_written: None,
            readers: Vec::new(),
        })
    }

    fn model(&self) -> &ResourceModel {
        &self.ctx.model
    }

    fn actor(&self, role: Role) -> Actor<'_> {
        let c = &self.iso.ids.get(role).claims;
        Actor {
            sub: &c.sub,
            tenant_id: &c.tenant_id,
            app_id: c.app_id.as_deref(),
        }
    }

    /// Whether `role` sees the item (its tenant, and its app for app tokens
    /// where the resource has app scope).
    fn visible(&self, role: Role, slot: &Slot) -> bool {
        let m = self.model();
        let field = |s: Stamp| {
            m.stamp(s)
                .map(|f| slot.item.get(&f.name).cloned().unwrap_or(Value::Null))
        };
        let a = self.actor(role);
        if field(Stamp::Tenant) != Some(Value::from(a.tenant_id)) {
            return false;
        }
        match (field(Stamp::App), a.app_id) {
            (Some(owner), Some(app)) => owner == app,
            _ => true,
        }
    }

    fn deleted(&self, slot: &Slot) -> bool {
        self.model()
            .stamp(Stamp::DeletedFlag)
            .is_some_and(|f| slot.item.get(&f.name) == Some(&Value::Bool(true)))
    }

    fn version(&self, slot: &Slot) -> i64 {
        self.model()
            .stamp(Stamp::Version)
            .and_then(|f| slot.item.get(&f.name))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }

    /// Whether `item`, in `role`'s tenant, would break a uniqueness rule
    /// against the other live items (`except` is the item being updated).
    fn conflicts(&self, role: Role, item: &Item, except: Option<usize>) -> bool {
        let m = self.model();
        for rule in &m.unique {
            let value = item.get(&rule.field).filter(|v| !v.is_null());
            let Some(value) = value else { continue };
            let key = |it: &Item| -> Vec<Value> {
                rule.within
                    .iter()
                    .map(|w| it.get(w).cloned().unwrap_or(Value::Null))
                    .collect()
            };
            let fold = |v: &Value| match (rule.case_insensitive, v) {
                (true, Value::String(s)) => Value::from(s.to_ascii_lowercase()),
                _ => v.clone(),
            };
            for (i, slot) in self.slots.iter().enumerate() {
                let Some(slot) = slot else { continue };
                if Some(i) == except
                    || tenant(role) != self.slot_tenant(slot)
                    || (rule.ignore_deleted && self.deleted(slot))
                {
                    continue;
                }
                if slot
                    .item
                    .get(&rule.field)
                    .is_some_and(|v| fold(v) == fold(value))
                    && key(&slot.item) == key(item)
                {
                    return true;
                }
            }
        }
        false
    }

    /// The tenant the item is in: B's (1) or A's (0).
    fn slot_tenant(&self, slot: &Slot) -> u8 {
        // B is a person, so it sees every item of its tenant.
        if self.visible(Role::B, slot) { 1 } else { 0 }
    }

    /// The fields a response is compared on: everything but the id and the
    /// server's clock.
    fn compared(&self, v: &Value) -> Value {
        let m = self.model();
        let normal = self.ctx.normal(v);
        let mut out = Map::new();
        for f in &m.fields {
            let clock = matches!(
                f.stamp(),
                Some(Stamp::Id | Stamp::CreatedAt | Stamp::UpdatedAt | Stamp::DeletedAt)
            ) || matches!(
                f.computed(),
                Some(resource_model::Computed::StampWhenTrue { .. })
            );
            if !clock {
                out.insert(
                    f.name.clone(),
                    normal.get(&f.name).cloned().unwrap_or(Value::Null),
                );
            }
        }
        Value::Object(out)
    }

    fn same_item(
        &self,
        step: usize,
        what: &str,
        expected: &Item,
        ex: &Exchange,
    ) -> Result<(), Mismatch> {
        self.same_body(step, what, expected, &ex.body)
    }

    fn same_body(
        &self,
        step: usize,
        what: &str,
        expected: &Item,
        body: &Value,
    ) -> Result<(), Mismatch> {
        let (want, got) = (
            self.compared(&Value::Object(expected.clone())),
            self.compared(body),
        );
        if want == got {
            return Ok(());
        }
        let differing: Vec<&str> = self
            .model()
            .fields
            .iter()
            .filter(|f| want.get(&f.name) != got.get(&f.name))
            .map(|f| f.name.as_str())
            .collect();
        // Only the members that differ, so the report shows the point.
        let only = |v: &Value| {
            Value::Object(
                differing
                    .iter()
                    .map(|n| ((*n).to_owned(), v.get(*n).cloned().unwrap_or(Value::Null)))
                    .collect(),
            )
        };
        let names: Vec<String> = differing.iter().map(|n| format!("`{n}`")).collect();
        Err(Mismatch {
            step,
            what: format!(
                "{what}: {} {}",
                names.join(", "),
                if names.len() == 1 {
                    "differs"
                } else {
                    "differ"
                }
            ),
            expected: only(&want).to_string(),
            actual: only(&got).to_string(),
        })
    }

    fn status(&self, step: usize, what: &str, want: &[u16], ex: &Exchange) -> Result<(), Mismatch> {
        if want.contains(&ex.status) {
            Ok(())
        } else {
            Err(Mismatch {
                step,
                what: what.to_owned(),
                expected: want
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(" or "),
                actual: format!("{} {}", ex.status, crate::http::excerpt_json(&ex.body)),
            })
        }
    }

    /// Runs `step`: `Err` when the endpoint and the model disagree.
    async fn run(&mut self, n: usize, step: &Step) -> Result<Result<(), Mismatch>, Failure> {
        let ctx = self.ctx;
        let now = "";
        match step {
            Step::Create { role, body } => {
                let mut predicted = write::blank(self.model());
                if write::apply(self.model(), &mut predicted, body).is_err() {
                    self.slots.push(None);
                    return Ok(Ok(()));
                }
                write::fill_in(self.model(), &mut predicted, body, &Map::new(), now);
                write::stamp(
                    self.model(),
                    &mut predicted,
                    &self.actor(*role),
                    now,
                    WriteKind::Create,
                );
                let conflict = self.conflicts(*role, &predicted, None);
                let ex = ctx
                    .create_in(&self.iso, *role, &Value::Object(body.clone()))
                    .await?;
                self.requests += 1;
                let what = format!("{role} creating {}", Value::Object(body.clone()));
                if conflict {
                    self.slots.push(None);
                    return Ok(self.status(n, &what, &[409], &ex));
                }
                if let Err(m) = self.status(n, &what, &[201], &ex) {
                    self.slots.push(None);
                    return Ok(Err(m));
                }
                let id = crate::checks::s(&ex.body, &ctx.n.id).to_owned();
                let created_at = crate::checks::s(&ex.body, &ctx.n.created_at).to_owned();
                let r = self.same_item(n, &what, &predicted, &ex);
                self.slots.push(Some(Slot {
                    id,
                    item: predicted,
                    created_at,
                }));
                Ok(r)
            }
            Step::Get { role, item } => {
                let Some(Some(slot)) = self.slots.get(*item).cloned() else {
                    return Ok(Ok(()));
                };
                self.readers.push((*item, *role));
                let ex = ctx.get_in(&self.iso, *role, &slot.id).await?;
                self.requests += 1;
                let what = format!("{role} reading item {item}");
                if !self.visible(*role, &slot) {
                    return Ok(self.status(n, &what, &[404], &ex));
                }
                if let Err(m) = self.status(n, &what, &[200], &ex) {
                    return Ok(Err(m));
                }
                Ok(self.same_item(n, &what, &slot.item, &ex))
            }
            Step::Update {
                role,
                item,
                patch,
                if_match,
            } => {
                let Some(Some(slot)) = self.slots.get(*item).cloned() else {
                    return Ok(Ok(()));
                };
                self.last_written = Some(*item);
                let tag = if_match.map(|t| match t {
                    Tag::Current => format!("\"{}\"", self.version(&slot)),
                    Tag::Stale => format!("\"{}\"", self.version(&slot) + 7),
                });
                let headers: Vec<(&str, &str)> =
                    tag.iter().map(|t| ("if-match", t.as_str())).collect();
                let ex = ctx
                    .api
                    .json(
                        Method::PATCH,
                        &ctx.item(&slot.id),
                        self.iso.token(*role),
                        Some(&Value::Object(patch.clone())),
                        &headers,
                    )
                    .await?;
                self.requests += 1;
                let what = format!(
                    "{role} updating item {item} with {}{}",
                    Value::Object(patch.clone()),
                    tag.as_deref()
                        .map(|t| format!(" and If-Match {t}"))
                        .unwrap_or_default()
                );
                if !self.visible(*role, &slot) || self.deleted(&slot) {
                    return Ok(self.status(n, &what, &[404], &ex));
                }
                if *if_match == Some(Tag::Stale) {
                    return Ok(self.status(n, &what, &[412], &ex));
                }
                let mut predicted = slot.item.clone();
                if write::apply(self.model(), &mut predicted, patch).is_err() {
                    return Ok(Ok(()));
                }
                write::fill_in(self.model(), &mut predicted, patch, &slot.item, now);
                write::stamp(
                    self.model(),
                    &mut predicted,
                    &self.actor(*role),
                    now,
                    WriteKind::Update,
                );
                if self.conflicts(*role, &predicted, Some(*item)) {
                    return Ok(self.status(n, &what, &[409], &ex));
                }
                if let Err(m) = self.status(n, &what, &[200], &ex) {
                    return Ok(Err(m));
                }
                let r = self.same_item(n, &what, &predicted, &ex);
                if let Some(Some(s)) = self.slots.get_mut(*item) {
                    s.item = predicted;
                }
                Ok(r)
            }
            Step::Delete {
                role,
                item,
                if_match,
            } => {
                let Some(Some(slot)) = self.slots.get(*item).cloned() else {
                    return Ok(Ok(()));
                };
                self.last_written = Some(*item);
                let tag = if_match.map(|t| match t {
                    Tag::Current => format!("\"{}\"", self.version(&slot)),
                    Tag::Stale => format!("\"{}\"", self.version(&slot) + 7),
                });
                let headers: Vec<(&str, &str)> =
                    tag.iter().map(|t| ("if-match", t.as_str())).collect();
                let ex = ctx
                    .api
                    .json(
                        Method::DELETE,
                        &ctx.item(&slot.id),
                        self.iso.token(*role),
                        None,
                        &headers,
                    )
                    .await?;
                self.requests += 1;
                let what = format!(
                    "{role} deleting item {item}{}",
                    tag.as_deref()
                        .map(|t| format!(" with If-Match {t}"))
                        .unwrap_or_default()
                );
                if !self.visible(*role, &slot) || self.deleted(&slot) {
                    return Ok(self.status(n, &what, &[404], &ex));
                }
                if *if_match == Some(Tag::Stale) {
                    return Ok(self.status(n, &what, &[412], &ex));
                }
                if let Err(m) = self.status(n, &what, &[200, 204], &ex) {
                    return Ok(Err(m));
                }
                let mut predicted = slot.item.clone();
                write::stamp(
                    self.model(),
                    &mut predicted,
                    &self.actor(*role),
                    now,
                    WriteKind::Delete,
                );
                let r = if ex.status == 200 {
                    self.same_item(n, &what, &predicted, &ex)
                } else {
                    Ok(())
                };
                if let Some(Some(s)) = self.slots.get_mut(*item) {
                    s.item = predicted;
                }
                Ok(r)
            }
            Step::List {
                role,
                filter,
                include_deleted,
            } => {
                self.last_list = Some(step.clone());
                let limit = PAGE.to_string();
                let mut pairs: Vec<(&str, &str)> = vec![("limit", limit.as_str())];
                if let Some((f, v)) = filter {
                    pairs.push((f.as_str(), v.as_str()));
                }
                if *include_deleted {
                    pairs.push(("include_deleted", "true"));
                }
                let pages = ctx.walk_in(&self.iso, *role, &pairs, 50).await?;
                self.requests += pages.len();
                let got: Vec<String> = pages
                    .iter()
                    .flat_map(|p| crate::checks::lists::ids(ctx, p))
                    .collect();
                let field = filter
                    .as_ref()
                    .and_then(|(f, _)| self.model().field(f).cloned());
                let mut want: Vec<&Slot> = self
                    .slots
                    .iter()
                    .flatten()
                    .filter(|s| self.visible(*role, s))
                    .filter(|s| *include_deleted || !self.deleted(s))
                    .filter(|s| match (&field, filter) {
                        (Some(f), Some((_, v))) => matches(f, &Value::Object(s.item.clone()), v),
                        _ => true,
                    })
                    .collect();
                want.sort_by(|a, b| {
                    let t = |x: &str| chrono::DateTime::parse_from_rfc3339(x).ok();
                    t(&a.created_at)
                        .cmp(&t(&b.created_at))
                        .then(a.id.cmp(&b.id))
                });
                let want_items: Vec<&Slot> = want.clone();
                let want: Vec<String> = want.into_iter().map(|s| s.id.clone()).collect();
                if want == got {
                    // The same items, and each as the model has it now.
                    let listed = pages
                        .iter()
                        .flat_map(|p| p.body["data"].as_array().cloned().unwrap_or_default());
                    for (slot, item) in want_items.iter().zip(listed) {
                        let what = format!("{role}'s walk with {}", crate::http::query(&pairs));
                        let i = self
                            .slots
                            .iter()
                            .position(|s| s.as_ref().is_some_and(|s| s.id == slot.id))
                            .unwrap_or_default();
                        if let Err(m) =
                            self.same_body(n, &format!("{what}, item {i}"), &slot.item, &item)
                        {
                            return Ok(Err(m));
                        }
                    }
                    return Ok(Ok(()));
                }
                let name = |id: &String| {
                    self.slots
                        .iter()
                        .position(|s| s.as_ref().is_some_and(|s| &s.id == id))
                        .map_or_else(
                            || format!("{id} (not this sequence's)"),
                            |i| format!("item {i}"),
                        )
                };
                Ok(Err(Mismatch {
                    step: n,
                    what: format!("{role}'s walk with {}", crate::http::query(&pairs)),
                    expected: format!("{:?}", want.iter().map(name).collect::<Vec<_>>()),
                    actual: format!("{:?}", got.iter().map(name).collect::<Vec<_>>()),
                }))
            }
        }
    }

    /// A random next step, from what exists so far.
    fn next(&self, rng: &mut StdRng, palette: &Palette) -> Step {
        let roles: &[Role] = if self.model().stamp(Stamp::App).is_some() {
            &Role::ALL
        } else {
            &[Role::A1, Role::A2, Role::B]
        };
        let role = roles[rng.random_range(0..roles.len())];
        let made: Vec<usize> = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| i)
            .collect();
        let tag = |rng: &mut StdRng| match rng.random_range(0..6) {
            0 => Some(Tag::Current),
            1 => Some(Tag::Stale),
            _ => None,
        };
        let create = if made.len() < 2 { 0.5 } else { 0.15 };
        if made.is_empty() || rng.random_bool(create) {
            return Step::Create {
                role,
                body: palette.body(rng, true),
            };
        }
        let item = made[rng.random_range(0..made.len())];
        match rng.random_range(0..10) {
            0..=2 => {
                // Half the time: the item just written, read again by
                // someone who read it before the write.
                let again: Vec<Role> = self
                    .last_written
                    .map(|w| {
                        self.readers
                            .iter()
                            .filter(|(i, _)| *i == w)
                            .map(|(_, r)| *r)
                            .collect()
                    })
                    .unwrap_or_default();
                match self.last_written {
                    Some(w) if !again.is_empty() && rng.random_bool(0.5) => Step::Get {
                        role: again[rng.random_range(0..again.len())],
                        item: w,
                    },
                    _ => Step::Get { role, item },
                }
            }
            3..=5 => Step::Update {
                role,
                item,
                patch: palette.body(rng, false),
                if_match: tag(rng),
            },
            6 => Step::Delete {
                role,
                item,
                if_match: tag(rng),
            },
            _ if self.last_list.is_some() && rng.random_bool(0.5) => {
                self.last_list.clone().expect("checked")
            }
            _ => {
                let filters: Vec<&(Field, Vec<Value>)> = palette
                    .fields
                    .iter()
                    .filter(|(f, _)| f.filter.is_some())
                    .collect();
                let filter = (!filters.is_empty() && rng.random_bool(0.5)).then(|| {
                    let (f, values) = filters[rng.random_range(0..filters.len())];
                    (
                        f.name.clone(),
                        query_value(&values[rng.random_range(0..values.len())]),
                    )
                });
                Step::List {
                    role,
                    filter,
                    include_deleted: rng.random_bool(0.3),
                }
            }
        }
    }
}

/// Replays `steps` in fresh tenants: the first disagreement, and the requests sent.
pub async fn replay(ctx: &Ctx, steps: &[Step]) -> Result<(Option<Mismatch>, usize), Failure> {
    let mut state = State::new(ctx)?;
    for (n, step) in steps.iter().enumerate() {
        if let Err(m) = state.run(n, step).await? {
            return Ok((Some(m), state.requests));
        }
    }
    Ok((None, state.requests))
}

/// `steps` without step `i`, the item indexes of later steps renumbered; a
/// step naming the create taken out goes too.
fn without(steps: &[Step], i: usize) -> Vec<Step> {
    let creates_before = |k: usize| {
        steps[..k]
            .iter()
            .filter(|s| matches!(s, Step::Create { .. }))
            .count()
    };
    let removed_item = matches!(steps[i], Step::Create { .. }).then(|| creates_before(i));
    let mut out = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        if k == i {
            continue;
        }
        let mut s = s.clone();
        if let Some(r) = removed_item {
            let item = match &mut s {
                Step::Get { item, .. } | Step::Update { item, .. } | Step::Delete { item, .. } => {
                    Some(item)
                }
                _ => None,
            };
            if let Some(item) = item {
                if *item == r {
                    continue;
                }
                if *item > r {
                    *item -= 1;
                }
            }
        }
        out.push(s);
    }
    out
}

/// The shortest sequence (by removing steps, then body members, one at a
/// time until none can go) that still disagrees with the model.
pub async fn shrink(
    ctx: &Ctx,
    steps: Vec<Step>,
    requests: &mut usize,
) -> Result<(Vec<Step>, Mismatch), Failure> {
    let (first, n) = replay(ctx, &steps).await?;
    *requests += n;
    let mut best = match first {
        Some(m) => (steps[..=m.step].to_vec(), m),
        None => {
            return Err(Failure::new(
                "the disagreement did not show again on replay (it depends on timing)",
            ));
        }
    };
    loop {
        let mut shorter = None;
        for i in (0..best.0.len()).rev() {
            let candidate = without(&best.0, i);
            let (m, n) = replay(ctx, &candidate).await?;
            *requests += n;
            if let Some(m) = m {
                shorter = Some((candidate[..=m.step].to_vec(), m));
                break;
            }
        }
        // Then smaller bodies: one member less at a time.
        if shorter.is_none() {
            'members: for i in 0..best.0.len() {
                let names: Vec<String> = match &best.0[i] {
                    Step::Create { body, .. } | Step::Update { patch: body, .. } => {
                        body.keys().cloned().collect()
                    }
                    _ => continue,
                };
                for name in names {
                    let mut candidate = best.0.clone();
                    if let Step::Create { body, .. } | Step::Update { patch: body, .. } =
                        &mut candidate[i]
                    {
                        body.remove(&name);
                    }
                    let (m, n) = replay(ctx, &candidate).await?;
                    *requests += n;
                    if let Some(m) = m {
                        shorter = Some((candidate[..=m.step].to_vec(), m));
                        break 'members;
                    }
                }
            }
        }
        match shorter {
            Some(s) => best = s,
            None => return Ok(best),
        }
    }
}

/// Explores `ctx`'s resource with `seed` for at most `budget`: random
/// sequences of `length` steps until one disagrees with the model, then
/// shrinks it.
pub async fn explore(
    ctx: &Ctx,
    seed: u64,
    budget: Duration,
    length: usize,
) -> Result<Explored, Failure> {
    let start = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let palette = Palette::of(&ctx.model);
    let mut sequences = 0;
    let mut requests = 0;
    while start.elapsed() < budget {
        sequences += 1;
        let mut state = State::new(ctx)?;
        let mut steps = Vec::new();
        for n in 0..length {
            let step = state.next(&mut rng, &palette);
            steps.push(step.clone());
            let r = state.run(n, &step).await?;
            if r.is_err() {
                requests += state.requests;
                let elapsed = start.elapsed();
                let (steps, mismatch) = shrink(ctx, steps, &mut requests).await?;
                return Ok(Explored {
                    sequences,
                    requests,
                    found: Some(Replay {
                        resource: ctx.model.plural.clone(),
                        seed,
                        steps,
                        mismatch,
                    }),
                    elapsed,
                });
            }
        }
        requests += state.requests;
    }
    Ok(Explored {
        sequences,
        requests,
        found: None,
        elapsed: start.elapsed(),
    })
}

/// A step as a request line, for people: `a1 PATCH item 0 {"email":…} If-Match: stale`.
pub fn describe(step: &Step) -> String {
    match step {
        Step::Create { role, body } => format!("{role}: POST {}", Value::Object(body.clone())),
        Step::Get { role, item } => format!("{role}: GET item {item}"),
        Step::Update {
            role,
            item,
            patch,
            if_match,
        } => format!(
            "{role}: PATCH item {item} {}{}",
            Value::Object(patch.clone()),
            if_match.map(tag_text).unwrap_or_default()
        ),
        Step::Delete {
            role,
            item,
            if_match,
        } => format!(
            "{role}: DELETE item {item}{}",
            if_match.map(tag_text).unwrap_or_default()
        ),
        Step::List {
            role,
            filter,
            include_deleted,
        } => {
            let mut q = vec![format!("limit={PAGE}")];
            if let Some((f, v)) = filter {
                q.push(format!("{f}={v}"));
            }
            if *include_deleted {
                q.push("include_deleted=true".into());
            }
            format!("{role}: GET the list ?{} and every next page", q.join("&"))
        }
    }
}

/// An `If-Match` choice, for people.
fn tag_text(t: Tag) -> &'static str {
    match t {
        Tag::Current => " (If-Match: the current version)",
        Tag::Stale => " (If-Match: a stale version)",
    }
}

/// The found disagreement for people: the numbered steps, then what differed.
pub fn render(r: &Replay) -> String {
    let mut out = format!(
        "{}: a sequence of {} steps disagrees with the model (seed {}):\n",
        r.resource,
        r.steps.len(),
        r.seed
    );
    for (i, s) in r.steps.iter().enumerate() {
        out.push_str(&format!("  {i}. {}\n", describe(s)));
    }
    out.push_str(&format!(
        "step {}: {}\n  expected: {}\n  actual:   {}\n",
        r.mismatch.step, r.mismatch.what, r.mismatch.expected, r.mismatch.actual
    ));
    out
}
