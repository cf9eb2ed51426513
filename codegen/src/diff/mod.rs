//! What changed between two states of a resource, and whom it breaks.
//!
//! [`diff`] compares a base snapshot with a current one, field by field
//! (a field renamed with `#[field(renamed_from = "…")]` is followed), and
//! reports each change under a stable rule id ([`rules::RULES`]) with its
//! level in each view on its own: the response, the create and update
//! bodies, the SQL table and the SDKs. So a server-owned or response-only
//! field never breaks a request, and a request-only narrowing never breaks a
//! response. [`report`] renders the result as text, JSON, JUnit or GitHub
//! annotations.

pub mod report;
pub mod rules;

use crate::history::Snapshot;
use resource_model::ResourceModel;
use resource_model::{Field, FieldType, Reference, UniqueScope, Writer};
pub use rules::{Level, View};
use std::collections::BTreeMap;

/// What a change's migration step can do to the rows already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RiskKind {
    /// It drops data.
    LosesData,
    /// It fails when some existing row breaks the new rule.
    MayFail,
    /// It cannot do all the model asks (a NOT NULL left off, say).
    Note,
}

impl RiskKind {
    /// The words that introduce such a risk in a migration file and in `migrate`'s output.
    pub fn words(self) -> &'static str {
        match self {
            RiskKind::LosesData => "Loses data",
            RiskKind::MayFail => "May fail on existing rows",
            RiskKind::Note => "Note",
        }
    }
}

/// One change between two states of a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The rule id, e.g. `FIELD_REMOVED` (see [`rules::RULES`]).
    pub rule: &'static str,
    /// The field it comes from (its current name; the old one when removed).
    pub field: Option<String>,
    /// What changed, for people.
    pub message: String,
    /// The level in each view it touches.
    pub impacts: BTreeMap<View, Level>,
    /// What its migration step risks for stored rows, when anything.
    pub risk: Option<(RiskKind, String)>,
}

impl Change {
    fn new(rule: &'static str, field: Option<&str>, message: String) -> Self {
        Change {
            rule,
            field: field.map(str::to_owned),
            message,
            impacts: BTreeMap::new(),
            risk: None,
        }
    }

    fn risk(mut self, kind: RiskKind, text: String) -> Self {
        self.risk = Some((kind, text));
        self
    }

    fn pipe_risk(self, when: bool, kind: RiskKind, text: String) -> Self {
        if when { self.risk(kind, text) } else { self }
    }

    fn on(mut self, view: View, level: Level) -> Self {
        let entry = self.impacts.entry(view).or_insert(level);
        *entry = (*entry).max(level);
        self
    }

    /// Puts `level` on the create and update views when `applies`.
    fn on_requests(self, applies: bool, level: Level) -> Self {
        if applies {
            self.on(View::Create, level).on(View::Update, level)
        } else {
            self
        }
    }

    /// The highest level over its views.
    pub fn level(&self) -> Level {
        self.impacts.values().copied().max().unwrap_or(Level::Info)
    }

    /// Where it bites: the views at its highest level.
    pub fn views(&self) -> Vec<View> {
        let top = self.level();
        self.impacts
            .iter()
            .filter(|(_, l)| **l == top)
            .map(|(v, _)| *v)
            .collect()
    }
}

/// The changes from a base state to the current one, and the gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// The resource name.
    pub resource: String,
    /// The base's `schema_version`.
    pub base_schema_version: u32,
    /// The current `schema_version`.
    pub schema_version: u32,
    /// Every change, in the order of the current model's fields.
    pub changes: Vec<Change>,
}

impl Diff {
    /// How many changes are breaking.
    pub fn breaking(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.level() == Level::Breaking)
            .count()
    }

    /// The gate: a breaking change without `schema_version` raised fails.
    pub fn gate_fails(&self) -> bool {
        self.breaking() > 0 && self.schema_version <= self.base_schema_version
    }

    /// What the migration risks for stored rows: (field, kind, text), field by field.
    pub fn table_risks(&self) -> Vec<(Option<&str>, RiskKind, &str)> {
        self.changes
            .iter()
            .filter_map(|c| {
                let (kind, text) = c.risk.as_ref()?;
                Some((c.field.as_deref(), *kind, text.as_str()))
            })
            .collect()
    }
}

/// How a current field relates to the base's.
#[derive(Debug, Clone, Copy)]
pub enum Pairing<'a> {
    /// The same name in both.
    Same(&'a Field, &'a Field),
    /// Renamed from the base's field (old, new).
    Renamed(&'a Field, &'a Field),
    /// Only in the current model.
    Added(&'a Field),
    /// Only in the base.
    Removed(&'a Field),
}

/// Pairs the fields of `old` and `new`: by name, else by `renamed_from`.
/// Current fields come first, in order, then removed ones.
pub fn pair<'a>(old: &'a ResourceModel, new: &'a ResourceModel) -> Vec<Pairing<'a>> {
    let mut out = Vec::new();
    let mut used = Vec::new();
    for n in &new.fields {
        if let Some(o) = old.field(&n.name) {
            used.push(o.name.as_str());
            out.push(Pairing::Same(o, n));
        } else if let Some(o) = n
            .renamed_from
            .as_deref()
            .filter(|r| new.field(r).is_none())
            .and_then(|r| old.field(r))
        {
            used.push(o.name.as_str());
            out.push(Pairing::Renamed(o, n));
        } else {
            out.push(Pairing::Added(n));
        }
    }
    for o in &old.fields {
        if !used.contains(&o.name.as_str()) {
            out.push(Pairing::Removed(o));
        }
    }
    out
}

/// The changes from `base` to `current`.
pub fn diff(base: &Snapshot, current: &Snapshot) -> Diff {
    let (om, nm) = (&base.model, &current.model);
    let mut out = Vec::new();
    resource_changes(om, nm, &mut out);
    let renames: BTreeMap<&str, &str> = pair(om, nm)
        .into_iter()
        .filter_map(|p| match p {
            Pairing::Renamed(o, n) => Some((o.name.as_str(), n.name.as_str())),
            _ => None,
        })
        .collect();
    for p in pair(om, nm) {
        match p {
            Pairing::Added(n) => out.push(added(nm, n)),
            Pairing::Removed(o) => out.push(removed(o)),
            Pairing::Renamed(o, n) => {
                out.push(
                    Change::new(
                        "FIELD_RENAMED",
                        Some(&n.name),
                        format!("`{}` is renamed to `{}`", o.name, n.name),
                    )
                    .on(View::Response, Level::Breaking)
                    .on_requests(o.is_client() || n.is_client(), Level::Breaking)
                    .on(View::Table, Level::Info)
                    .on(View::Sdk, Level::Breaking),
                );
                field_changes(base, current, o, n, &mut out);
            }
            Pairing::Same(o, n) => field_changes(base, current, o, n, &mut out),
        }
    }
    unique_changes(om, nm, &renames, &mut out);
    let mut d = Diff {
        resource: nm.name.clone(),
        base_schema_version: om.schema_version,
        schema_version: nm.schema_version,
        changes: out,
    };
    flag_needless_bump(&mut d);
    d
}

fn added(model: &ResourceModel, n: &Field) -> Change {
    let has_default = n.default().is_some()
        || matches!(
            n.stamp(),
            Some(
                resource_model::Stamp::DeletedFlag
                    | resource_model::Stamp::Version
                    | resource_model::Stamp::SchemaVersion
            )
        );
    let (table, note) = if n.always_present && !has_default {
        (
            Level::Warning,
            "; existing rows have no value, so its column is added without NOT NULL",
        )
    } else {
        (Level::Info, "")
    };
    let _ = model;
    let c = Change::new(
        "FIELD_ADDED",
        Some(&n.name),
        format!("`{}` is added ({}){note}", n.name, describe(n)),
    )
    .on(View::Response, Level::Info)
    .on_requests(n.is_client(), Level::Info)
    // A required field: a create must now send it.
    .on(
        View::Create,
        if n.is_required() {
            Level::Breaking
        } else {
            Level::Info
        },
    )
    .on(View::Table, table)
    // The Rust SDK's structs gain a field: a struct literal without
    // `..Default::default()` stops compiling (TypeScript and Python are fine).
    .on(View::Sdk, Level::Warning);
    if table == Level::Warning {
        c.risk(
            RiskKind::Note,
            format!(
                "existing rows have no `{}`, so its column is added without NOT NULL",
                n.name
            ),
        )
    } else {
        c
    }
}

fn removed(o: &Field) -> Change {
    Change::new(
        "FIELD_REMOVED",
        Some(&o.name),
        format!(
            "`{}` is removed: responses lose it{}, and its column and data are dropped",
            o.name,
            if o.is_client() {
                ", requests that send it get a 422"
            } else {
                ""
            }
        ),
    )
    .on(View::Response, Level::Breaking)
    .on_requests(o.is_client(), Level::Breaking)
    .on(View::Table, Level::Breaking)
    .on(View::Sdk, Level::Breaking)
    .risk(
        RiskKind::LosesData,
        format!("drops the column `{}` and the data it holds", o.name),
    )
}

/// A field in a few words: `nullable string, client`.
fn describe(f: &Field) -> String {
    format!(
        "{}{}, {}",
        if f.nullable {
            "nullable "
        } else {
            "always present "
        },
        f.ty.label(),
        match &f.writer {
            Writer::Server { stamp } => format!("stamped `{}` by the server", stamp.as_str()),
            Writer::Client {
                default: Some(d), ..
            } => format!("client, default {d}"),
            Writer::Client { .. } => "client".to_owned(),
        }
    )
}

fn same_kind(a: &FieldType, b: &FieldType) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn field_changes(base: &Snapshot, current: &Snapshot, o: &Field, n: &Field, out: &mut Vec<Change>) {
    let (om, nm) = (&base.model, &current.model);
    let name = n.name.as_str();
    let client = o.is_client() || n.is_client();
    if !same_kind(&o.ty, &n.ty) {
        out.push(
            Change::new(
                "TYPE_CHANGED",
                Some(name),
                format!("`{name}` changes from {} to {}", o.ty.label(), n.ty.label()),
            )
            .on(View::Response, Level::Breaking)
            .on_requests(client, Level::Breaking)
            .on(View::Table, Level::Breaking)
            .on(View::Sdk, Level::Breaking),
        );
        return;
    }
    if let (FieldType::Enum { values: ov }, FieldType::Enum { values: nv }) = (&o.ty, &n.ty) {
        for v in nv.iter().filter(|v| !ov.contains(v)) {
            out.push(
                Change::new(
                    "ENUM_VALUE_ADDED",
                    Some(name),
                    format!("`{name}` gains the value `{v}`: clients generated before refuse it"),
                )
                .on(View::Response, Level::Breaking)
                .on_requests(n.is_client(), Level::Info)
                .on(View::Table, Level::Info)
                .on(View::Sdk, Level::Info),
            );
        }
        for v in ov.iter().filter(|v| !nv.contains(v)) {
            out.push(
                Change::new(
                    "ENUM_VALUE_REMOVED",
                    Some(name),
                    format!(
                        "`{name}` loses the value `{v}`: writes sending it get a 422, and the new CHECK fails on rows holding it"
                    ),
                )
                .on(View::Response, Level::Info)
                .on_requests(n.is_client(), Level::Breaking)
                .on(View::Table, Level::Warning)
                .on(View::Sdk, Level::Breaking)
                .risk(
                    RiskKind::MayFail,
                    format!("the CHECK on `{name}` fails if a row holds `{v}`"),
                ),
            );
        }
    }
    match (o.nullable, n.nullable) {
        (false, true) => out.push(
            Change::new(
                "NULLABLE_ADDED",
                Some(name),
                format!("`{name}` may now be null or absent in responses"),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Breaking),
        ),
        (true, false) => {
            let table = if n.default().is_some() {
                Level::Info
            } else {
                Level::Warning
            };
            out.push(
                Change::new(
                    "NULLABLE_REMOVED",
                    Some(name),
                    if n.default().is_some() {
                        format!("`{name}` is now always present; stored nulls become its default")
                    } else {
                        format!(
                            "`{name}` is now always present: SET NOT NULL fails on rows holding null"
                        )
                    },
                )
                .on(View::Response, Level::Info)
                .on(View::Table, table)
                .on(View::Sdk, Level::Warning)
                .pipe_risk(
                    table == Level::Warning,
                    RiskKind::MayFail,
                    format!("SET NOT NULL on `{name}` fails if a row holds null"),
                ),
            )
        }
        _ => {}
    }
    match (o.is_required(), n.is_required()) {
        (false, true) if o.is_client() => out.push(
            Change::new(
                "REQUIRED_ADDED",
                Some(name),
                format!(
                    "`{name}` is now required: creates must send it and updates may not clear it"
                ),
            )
            .on(View::Create, Level::Breaking)
            .on(View::Update, Level::Breaking)
            .on(View::Sdk, Level::Breaking),
        ),
        (true, false) if n.is_client() => out.push(
            Change::new(
                "REQUIRED_REMOVED",
                Some(name),
                format!("`{name}` is no longer required"),
            )
            .on(View::Create, Level::Info)
            .on(View::Update, Level::Info)
            .on(View::Sdk, Level::Warning),
        ),
        _ => {}
    }
    match (&o.writer, &n.writer) {
        (Writer::Client { .. }, Writer::Server { stamp }) => out.push(
            Change::new(
                "SERVER_OWNED",
                Some(name),
                format!(
                    "`{name}` is now stamped `{}` by the server: values clients send are ignored",
                    stamp.as_str()
                ),
            )
            .on(View::Response, Level::Info)
            .on(View::Create, Level::Breaking)
            .on(View::Update, Level::Breaking)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Breaking),
        ),
        (Writer::Server { .. }, Writer::Client { .. }) => out.push(
            Change::new(
                "CLIENT_OWNED",
                Some(name),
                format!("`{name}` is now written by clients, no longer stamped by the server"),
            )
            .on(View::Response, Level::Warning)
            .on(View::Create, Level::Info)
            .on(View::Update, Level::Info)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Info),
        ),
        (Writer::Server { stamp: a }, Writer::Server { stamp: b }) if a != b => out.push(
            Change::new(
                "STAMP_CHANGED",
                Some(name),
                format!(
                    "`{name}` stamps `{}` instead of `{}`",
                    b.as_str(),
                    a.as_str()
                ),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Table, Level::Info),
        ),
        (
            Writer::Client {
                default: od,
                computed: oc,
                ..
            },
            Writer::Client {
                default: nd,
                computed: nc,
                ..
            },
        ) => {
            if od != nd {
                let what = match (od, nd) {
                    (None, Some(d)) => format!("`{name}` gains the default {d}"),
                    (Some(d), None) => format!("`{name}` loses its default {d}"),
                    (Some(a), Some(b)) => format!("`{name}`'s default changes from {a} to {b}"),
                    (None, None) => unreachable!("they differ"),
                };
                out.push(
                    Change::new(
                        "DEFAULT_CHANGED",
                        Some(name),
                        format!("{what}: new items get another value when it is omitted"),
                    )
                    .on(View::Response, Level::Warning)
                    .on(View::Create, Level::Warning)
                    .on(View::Table, Level::Info),
                );
            }
            if oc != nc {
                out.push(
                    Change::new(
                        "COMPUTED_CHANGED",
                        Some(name),
                        format!("how the server fills `{name}` in changes"),
                    )
                    .on(View::Response, Level::Warning)
                    .on(View::Create, Level::Warning)
                    .on(View::Update, Level::Warning),
                );
            }
        }
        _ => {}
    }
    let (op, np) = (base.patterns.get(&o.name), current.patterns.get(&n.name));
    match (&o.format, &n.format) {
        (None, Some(f)) => out.push(
            Change::new(
                "FORMAT_ADDED",
                Some(name),
                format!(
                    "`{name}` must now be {}: writes of other values get a 422",
                    f.describe()
                ),
            )
            .on(View::Response, Level::Info)
            .on_requests(n.is_client(), Level::Breaking)
            .on(View::Table, Level::Warning)
            .risk(
                RiskKind::MayFail,
                format!(
                    "the CHECK on `{name}` fails if a row holds a value that is not {}",
                    f.describe()
                ),
            ),
        ),
        (Some(f), None) => out.push(
            Change::new(
                "FORMAT_REMOVED",
                Some(name),
                format!("`{name}` no longer needs to be {}", f.describe()),
            )
            .on(View::Response, Level::Warning)
            .on_requests(n.is_client(), Level::Info)
            .on(View::Table, Level::Info),
        ),
        (Some(a), Some(b)) if a != b || op != np => out.push(
            Change::new(
                "FORMAT_CHANGED",
                Some(name),
                if a == b {
                    format!(
                        "the pattern of `{name}` ({}) changes: {} → {}",
                        b.describe(),
                        op.map_or("none", String::as_str),
                        np.map_or("none", String::as_str)
                    )
                } else {
                    format!("`{name}` changes from {} to {}", a.describe(), b.describe())
                },
            )
            .on(View::Response, Level::Warning)
            .on_requests(o.is_client() && n.is_client(), Level::Breaking)
            .on(View::Table, Level::Warning)
            .risk(
                RiskKind::MayFail,
                format!(
                    "the CHECK on `{name}` fails if a row holds a value that is not {}",
                    b.describe()
                ),
            ),
        ),
        _ => {}
    }
    limit_changes(om, nm, o, n, out);
    if o.references != n.references {
        let level = match (&o.references, &n.references) {
            (Some(_), None) => Level::Info,
            (
                Some(Reference::SameResource { same: a }),
                Some(Reference::SameResource { same: b }),
            ) if a.iter().all(|x| b.contains(x)) && b.len() > a.len() => Level::Breaking,
            (
                Some(Reference::SameResource { same: a }),
                Some(Reference::SameResource { same: b }),
            ) if b.iter().all(|x| a.contains(x)) => Level::Info,
            _ => Level::Breaking,
        };
        out.push(
            Change::new(
                "REFERENCE_CHANGED",
                Some(name),
                match (&o.references, &n.references) {
                    (None, Some(_)) => format!(
                        "`{name}` must now name another visible item: other values get a 422"
                    ),
                    (Some(_), None) => format!("`{name}` no longer has to name another item"),
                    _ => format!("what `{name}` may refer to changes"),
                },
            )
            .on_requests(n.is_client(), level),
        );
    }
    match (o.filter, n.filter) {
        (None, Some(_)) => out.push(
            Change::new(
                "FILTER_ADDED",
                Some(name),
                format!("lists can filter on `{name}`"),
            )
            .on(View::Response, Level::Info)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Info),
        ),
        (Some(_), None) => out.push(
            Change::new(
                "FILTER_REMOVED",
                Some(name),
                format!(
                    "lists no longer filter on `{name}`: a list sending it gets unfiltered pages"
                ),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Breaking),
        ),
        (Some(a), Some(b)) if a != b => out.push(
            Change::new(
                "FILTER_CHANGED",
                Some(name),
                format!("the `{name}` filter now matches {b:?}, not {a:?}"),
            )
            .on(View::Response, Level::Warning)
            .on(View::Table, Level::Info),
        ),
        _ => {}
    }
    if o.description != n.description {
        out.push(
            Change::new(
                "DESCRIPTION_CHANGED",
                Some(name),
                format!("the description of `{name}` changes"),
            )
            .on(View::Response, Level::Info)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Info),
        );
    }
}

/// One limit of a field: its id stem, whether it is a maximum, and whether a
/// CHECK constraint carries it.
struct LimitKind {
    id: &'static str,
    words: &'static str,
    max: bool,
    checked: bool,
    get: fn(&ResourceModel, &Field) -> Option<i64>,
}

const LIMITS: &[LimitKind] = &[
    LimitKind {
        id: "MAX_LENGTH",
        words: "maximum length",
        max: true,
        checked: true,
        get: |m, f| m.max_length(f).map(i64::from),
    },
    LimitKind {
        id: "MIN_LENGTH",
        words: "minimum length",
        max: false,
        checked: true,
        get: |_, f| f.limits.min_length.map(i64::from),
    },
    LimitKind {
        id: "MINIMUM",
        words: "minimum",
        max: false,
        checked: true,
        get: |_, f| f.limits.minimum,
    },
    LimitKind {
        id: "MAX_ITEMS",
        words: "maximum number of items",
        max: true,
        checked: true,
        get: |_, f| f.limits.max_items.map(i64::from),
    },
    LimitKind {
        id: "ITEM_MIN_LENGTH",
        words: "minimum item length",
        max: false,
        checked: false,
        get: |_, f| f.limits.item_min_length.map(i64::from),
    },
    LimitKind {
        id: "ITEM_MAX_LENGTH",
        words: "maximum item length",
        max: true,
        checked: false,
        get: |_, f| f.limits.item_max_length.map(i64::from),
    },
    LimitKind {
        id: "MAX_BYTES",
        words: "maximum size in bytes",
        max: true,
        checked: false,
        get: |_, f| f.limits.max_bytes.map(i64::from),
    },
    LimitKind {
        id: "MAX_DEPTH",
        words: "maximum depth",
        max: true,
        checked: false,
        get: |_, f| f.limits.max_depth.map(i64::from),
    },
];

fn limit_changes(
    om: &ResourceModel,
    nm: &ResourceModel,
    o: &Field,
    n: &Field,
    out: &mut Vec<Change>,
) {
    let name = n.name.as_str();
    for k in LIMITS {
        let (a, b) = ((k.get)(om, o), (k.get)(nm, n));
        if a == b {
            continue;
        }
        // A maximum narrows when it falls or appears; a minimum when it rises or appears.
        let narrows = match (a, b) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(x), Some(y)) => (y < x) == k.max,
            (None, None) => unreachable!("they differ"),
        };
        let went = match (a, b) {
            (Some(x), Some(y)) if y < x => "DECREASED",
            (Some(_), Some(_)) => "INCREASED",
            (None, _) if k.max => "DECREASED",
            (None, _) => "INCREASED",
            (_, None) if k.max => "INCREASED",
            (_, None) => "DECREASED",
        };
        let id = rule_id(k.id, went);
        let show = |v: Option<i64>| v.map_or("none".to_owned(), |v| v.to_string());
        let message = format!(
            "the {} of `{name}` goes from {} to {}{}",
            k.words,
            show(a),
            show(b),
            if narrows {
                ": values valid before may now get a 422"
            } else {
                ""
            }
        );
        let change = Change::new(id, Some(name), message);
        out.push(if narrows {
            // Only a field clients sent before can refuse what they send now.
            let c = change
                .on(View::Response, Level::Info)
                .on_requests(o.is_client() && n.is_client(), Level::Breaking);
            if k.checked {
                c.on(View::Table, Level::Warning).risk(
                    RiskKind::MayFail,
                    format!(
                        "the CHECK on `{name}` fails if a row holds a value beyond its new {} of {}",
                        k.words,
                        show(b)
                    ),
                )
            } else {
                c
            }
        } else {
            let c = change
                .on(View::Response, Level::Warning)
                .on_requests(n.is_client(), Level::Info);
            if k.checked {
                c.on(View::Table, Level::Info)
            } else {
                c
            }
        });
    }
}

/// The static rule id `<limit>_<went>`.
fn rule_id(limit: &str, went: &str) -> &'static str {
    let id = format!("{limit}_{went}");
    ["MAX_LENGTH_DECREASED", "MAX_LENGTH_INCREASED"]
        .iter()
        .chain(rules::NARROWING_IDS)
        .chain(rules::WIDENING_IDS)
        .find(|r| **r == id)
        .copied()
        .expect("every limit has both ids")
}

fn unique_changes(
    om: &ResourceModel,
    nm: &ResourceModel,
    renames: &BTreeMap<&str, &str>,
    out: &mut Vec<Change>,
) {
    let map = |s: &str| renames.get(s).copied().unwrap_or(s).to_owned();
    let moved = |u: &UniqueScope| UniqueScope {
        field: map(&u.field),
        within: u.within.iter().map(|w| map(w)).collect(),
        ..u.clone()
    };
    let old: Vec<UniqueScope> = om.unique.iter().map(moved).collect();
    for n in &nm.unique {
        let before = old.iter().find(|o| o.field == n.field);
        let (tightens, loosens, what) = match before {
            None => (
                true,
                false,
                format!("`{}` must now be unique{}", n.field, scope_words(n)),
            ),
            Some(o) if o == n => continue,
            Some(o) => {
                // Tightens: every pair that collided before still does.
                let t = n.within.iter().all(|w| o.within.contains(w))
                    && (n.case_insensitive || !o.case_insensitive)
                    && (!n.ignore_deleted || o.ignore_deleted);
                let l = o.within.iter().all(|w| n.within.contains(w))
                    && (o.case_insensitive || !n.case_insensitive)
                    && (!o.ignore_deleted || n.ignore_deleted);
                let what = format!(
                    "`{}` was unique{}, now{}",
                    n.field,
                    scope_words(o),
                    scope_words(n)
                );
                match (t, l) {
                    (true, true) => (false, false, what),
                    (true, false) => (true, false, what),
                    (false, true) => (false, true, what),
                    (false, false) => (true, true, what),
                }
            }
        };
        out.push(unique_change(&n.field, what, tightens, loosens));
    }
    for o in &old {
        if !nm.unique.iter().any(|n| n.field == o.field) {
            out.push(unique_change(
                &o.field,
                format!("`{}` no longer has to be unique{}", o.field, scope_words(o)),
                false,
                true,
            ));
        }
    }
}

fn unique_change(field: &str, what: String, tightens: bool, loosens: bool) -> Change {
    let mut c = Change::new(
        "UNIQUE_SCOPE_CHANGED",
        Some(field),
        if tightens {
            format!("{what}: writes that passed may get a 409, and the unique index fails on existing duplicates")
        } else {
            format!("{what}: duplicates may appear")
        },
    )
    .on(
        View::Table,
        if tightens { Level::Warning } else { Level::Info },
    );
    if tightens {
        c = c.risk(
            RiskKind::MayFail,
            format!("the unique index on `{field}` fails if stored rows already hold duplicates"),
        );
    }
    if tightens {
        c = c
            .on(View::Create, Level::Breaking)
            .on(View::Update, Level::Breaking);
    } else {
        c = c
            .on(View::Create, Level::Info)
            .on(View::Update, Level::Info);
    }
    if loosens {
        c = c.on(View::Response, Level::Warning);
    }
    c
}

/// ` within (a, b), ignoring case, among live items`.
fn scope_words(u: &UniqueScope) -> String {
    let mut s = String::new();
    if !u.within.is_empty() {
        s.push_str(&format!(" within ({})", u.within.join(", ")));
    }
    if u.case_insensitive {
        s.push_str(", ignoring ASCII case");
    }
    if u.ignore_deleted {
        s.push_str(", among items not soft-deleted");
    }
    s
}

fn resource_changes(om: &ResourceModel, nm: &ResourceModel, out: &mut Vec<Change>) {
    if om.path != nm.path {
        out.push(
            Change::new(
                "PATH_CHANGED",
                None,
                format!("the collection moves from {} to {}", om.path, nm.path),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Create, Level::Breaking)
            .on(View::Update, Level::Breaking)
            .on(View::Sdk, Level::Breaking),
        );
    }
    if om.id_prefix != nm.id_prefix {
        out.push(
            Change::new(
                "ID_PREFIX_CHANGED",
                None,
                format!(
                    "ids start with `{}_` instead of `{}_`: the id CHECK fails on existing rows",
                    nm.id_prefix, om.id_prefix
                ),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Table, Level::Warning)
            .risk(
                RiskKind::MayFail,
                format!(
                    "the id CHECK fails on every stored row: their ids start with `{}_`",
                    om.id_prefix
                ),
            ),
        );
    }
    if om.table != nm.table {
        out.push(
            Change::new(
                "TABLE_RENAMED",
                None,
                format!("the table `{}` is renamed to `{}`", om.table, nm.table),
            )
            .on(View::Table, Level::Info),
        );
    }
    if (&om.name, &om.plural, &om.sdk_namespace) != (&nm.name, &nm.plural, &nm.sdk_namespace) {
        out.push(
            Change::new(
                "RESOURCE_RENAMED",
                None,
                format!(
                    "the resource is now {} / {} / client.{} (was {} / {} / client.{})",
                    nm.name, nm.plural, nm.sdk_namespace, om.name, om.plural, om.sdk_namespace
                ),
            )
            .on(View::Sdk, Level::Breaking),
        );
    }
    if nm.schema_version > om.schema_version {
        out.push(
            Change::new(
                "SCHEMA_VERSION_RAISED",
                None,
                format!(
                    "schema_version goes from {} to {}: items written from now on carry it",
                    om.schema_version, nm.schema_version
                ),
            )
            .on(View::Response, Level::Info)
            .on(View::Table, Level::Info),
        );
    } else if nm.schema_version < om.schema_version {
        out.push(
            Change::new(
                "SCHEMA_VERSION_LOWERED",
                None,
                format!(
                    "schema_version goes down from {} to {}",
                    om.schema_version, nm.schema_version
                ),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Table, Level::Info),
        );
    }
    let (a, b) = (om.api, nm.api);
    if a != b {
        let body = if b.max_body_bytes < a.max_body_bytes {
            Level::Breaking
        } else {
            Level::Info
        };
        out.push(
            Change::new(
                "API_LIMIT_CHANGED",
                None,
                format!(
                    "pages of {} (at most {}) and bodies of at most {} bytes, were {} ({}) and {}",
                    b.default_page_size,
                    b.max_page_size,
                    b.max_body_bytes,
                    a.default_page_size,
                    a.max_page_size,
                    a.max_body_bytes
                ),
            )
            .on(View::Response, Level::Warning)
            .on(View::Create, body)
            .on(View::Update, body),
        );
    }
    if om.description != nm.description {
        out.push(
            Change::new(
                "DESCRIPTION_CHANGED",
                None,
                "the resource's description changes".into(),
            )
            .on(View::Response, Level::Info)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Info),
        );
    }
}

/// A raised `schema_version` without a breaking change is a warning.
fn flag_needless_bump(d: &mut Diff) {
    if d.breaking() == 0
        && let Some(c) = d
            .changes
            .iter_mut()
            .find(|c| c.rule == "SCHEMA_VERSION_RAISED")
    {
        c.message.push_str(", though nothing here is breaking");
        c.impacts.insert(View::Response, Level::Warning);
    }
}

/// A resource the base lacks: `RESOURCE_ADDED`, info in every view.
pub fn resource_added(model: &ResourceModel) -> Diff {
    Diff {
        resource: model.name.clone(),
        base_schema_version: model.schema_version,
        schema_version: model.schema_version,
        changes: vec![
            Change::new(
                "RESOURCE_ADDED",
                None,
                format!(
                    "{} joins the API at `{}` (`client.{}`)",
                    model.name, model.path, model.sdk_namespace
                ),
            )
            .on(View::Response, Level::Info)
            .on(View::Create, Level::Info)
            .on(View::Update, Level::Info)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Info),
        ],
    }
}

/// A resource the base has and the API no longer does: `RESOURCE_REMOVED`,
/// breaking for every client (no `schema_version` can announce it).
pub fn resource_removed(model: &ResourceModel) -> Diff {
    Diff {
        resource: model.name.clone(),
        base_schema_version: model.schema_version,
        schema_version: model.schema_version,
        changes: vec![
            Change::new(
                "RESOURCE_REMOVED",
                None,
                format!(
                    "{} leaves the API: `{}` and `client.{}` are gone (its table stays)",
                    model.name, model.path, model.sdk_namespace
                ),
            )
            .on(View::Response, Level::Breaking)
            .on(View::Create, Level::Breaking)
            .on(View::Update, Level::Breaking)
            .on(View::Table, Level::Info)
            .on(View::Sdk, Level::Breaking),
        ],
    }
}
