//! The rule catalogue: every change `codegen diff` reports, with a stable id
//! and how it is judged in each view. The README's catalogue is printed from
//! this table (`codegen diff --rules --format markdown`), and a test proves
//! every rule is reported by at least one model change.

use serde::Serialize;

/// Where a change can bite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// The resource as responses carry it (get, list, the bodies of writes).
    Response,
    /// The create request body.
    Create,
    /// The update request body (a JSON Merge Patch).
    Update,
    /// The SQL table: data kept or lost, migrations that may fail on existing rows.
    Table,
    /// The generated SDKs' source API (TypeScript, Python, Rust).
    Sdk,
}

impl View {
    /// Every view, in report order.
    pub const ALL: [View; 5] = [
        View::Response,
        View::Create,
        View::Update,
        View::Table,
        View::Sdk,
    ];

    /// The view's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            View::Response => "response",
            View::Create => "create",
            View::Update => "update",
            View::Table => "table",
            View::Sdk => "sdk",
        }
    }
}

/// How much a change matters in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Compatible; reported for the record.
    Info,
    /// Compatible for most clients, or a migration step that may fail on existing rows.
    Warning,
    /// Breaks existing clients, or loses data.
    Breaking,
}

impl Level {
    /// The level's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The stable id, e.g. `FIELD_REMOVED`.
    pub id: &'static str,
    /// What the rule detects.
    pub summary: &'static str,
    /// How each view is judged, in words, in [`View::ALL`] order ("—": not affected).
    pub views: [&'static str; 5],
}

const B: &str = "breaking";
const W: &str = "warning";
const I: &str = "info";
const N: &str = "—";
const B_CLIENT: &str = "breaking (client fields)";
const I_CLIENT: &str = "info (client fields)";
const W_CHECK: &str = "warning: the new CHECK may fail on existing rows";

/// The catalogue, in report order.
pub const RULES: &[Rule] = &[
    Rule {
        id: "RESOURCE_ADDED",
        summary: "a resource joins the API",
        views: [
            I,
            I,
            I,
            "info: its table is created by its first migration",
            I,
        ],
    },
    Rule {
        id: "RESOURCE_REMOVED",
        summary: "a resource leaves the API",
        views: [B, B, B, "info: its table and released migrations stay", B],
    },
    Rule {
        id: "FIELD_ADDED",
        summary: "a field is added",
        views: [
            I,
            "info (client fields); breaking when required (creates must send it)",
            I_CLIENT,
            "info; warning when NOT NULL without a default (existing rows get null, NOT NULL is left off)",
            "warning: a Rust struct literal without `..Default::default()` stops compiling",
        ],
    },
    Rule {
        id: "FIELD_REMOVED",
        summary: "a field is removed",
        views: [
            B,
            B_CLIENT,
            B_CLIENT,
            "breaking: the column and its data are dropped",
            B,
        ],
    },
    Rule {
        id: "FIELD_RENAMED",
        summary: "a field is renamed (`#[field(renamed_from = \"…\")]`)",
        views: [
            B,
            B_CLIENT,
            B_CLIENT,
            "info: RENAME COLUMN keeps the data",
            B,
        ],
    },
    Rule {
        id: "TYPE_CHANGED",
        summary: "a field's JSON type changes",
        views: [
            B,
            B_CLIENT,
            B_CLIENT,
            "breaking: `migrate` refuses it (add a new field instead)",
            B,
        ],
    },
    Rule {
        id: "REQUIRED_ADDED",
        summary: "a client field becomes required",
        views: [
            N,
            "breaking: a create without it gets a 422",
            "breaking: null no longer clears it (422)",
            N,
            "breaking: the SDKs' create types make it non-optional",
        ],
    },
    Rule {
        id: "REQUIRED_REMOVED",
        summary: "a required client field becomes optional",
        views: [
            N,
            I,
            I,
            N,
            "warning: the SDKs' create types make it optional",
        ],
    },
    Rule {
        id: "NULLABLE_ADDED",
        summary: "an always-present field may now be null",
        views: [B, N, N, "info: DROP NOT NULL", B],
    },
    Rule {
        id: "NULLABLE_REMOVED",
        summary: "a nullable field is now always present",
        views: [
            I,
            N,
            N,
            "info when it has a default (nulls are set to it); warning otherwise: SET NOT NULL fails on rows holding null",
            W,
        ],
    },
    Rule {
        id: "ENUM_VALUE_ADDED",
        summary: "an enum gains a value",
        views: [
            "breaking: SDKs generated before refuse the unknown value",
            I_CLIENT,
            I_CLIENT,
            "info: the CHECK widens",
            I,
        ],
    },
    Rule {
        id: "ENUM_VALUE_REMOVED",
        summary: "an enum loses a value",
        views: [
            I,
            B_CLIENT,
            B_CLIENT,
            "warning: the CHECK fails on rows holding the value",
            B,
        ],
    },
    Rule {
        id: "DEFAULT_CHANGED",
        summary: "a client field's default is added, changed or removed",
        views: [
            "warning: new items get another value",
            "warning (client fields): omitting the field stores another value",
            N,
            "info: SET DEFAULT; existing rows keep theirs",
            N,
        ],
    },
    Rule {
        id: "FORMAT_ADDED",
        summary: "a string gains a format",
        views: [I, B_CLIENT, B_CLIENT, W_CHECK, N],
    },
    Rule {
        id: "FORMAT_REMOVED",
        summary: "a string loses its format",
        views: [
            "warning: values may no longer match it",
            I_CLIENT,
            I_CLIENT,
            "info: the CHECK is dropped",
            N,
        ],
    },
    Rule {
        id: "FORMAT_CHANGED",
        summary: "a string's format or its pattern changes",
        views: [
            "warning: values may no longer match it",
            B_CLIENT,
            B_CLIENT,
            W_CHECK,
            N,
        ],
    },
    Rule {
        id: "MAX_LENGTH_DECREASED",
        summary: "a string's maximum length is lowered or set (a limit narrows: also MIN_LENGTH_INCREASED, MINIMUM_INCREASED, MAX_ITEMS_DECREASED, ITEM_MIN_LENGTH_INCREASED, ITEM_MAX_LENGTH_DECREASED, MAX_BYTES_DECREASED, MAX_DEPTH_DECREASED)",
        views: [
            I,
            B_CLIENT,
            B_CLIENT,
            "warning where a CHECK carries the limit: it may fail on existing rows",
            N,
        ],
    },
    Rule {
        id: "MAX_LENGTH_INCREASED",
        summary: "a string's maximum length is raised or removed (a limit widens: also MIN_LENGTH_DECREASED, MINIMUM_DECREASED, MAX_ITEMS_INCREASED, ITEM_MIN_LENGTH_DECREASED, ITEM_MAX_LENGTH_INCREASED, MAX_BYTES_INCREASED, MAX_DEPTH_INCREASED)",
        views: [
            "warning: values may exceed what clients expect",
            I_CLIENT,
            I_CLIENT,
            "info: the CHECK widens",
            N,
        ],
    },
    Rule {
        id: "SERVER_OWNED",
        summary: "a client field becomes server-stamped",
        views: [
            I,
            "breaking: values clients send are now ignored",
            "breaking: values clients send are now ignored",
            I,
            "breaking: it leaves the request types",
        ],
    },
    Rule {
        id: "CLIENT_OWNED",
        summary: "a server-stamped field becomes a client field",
        views: ["warning: its value is no longer the server's", I, I, I, I],
    },
    Rule {
        id: "STAMP_CHANGED",
        summary: "a server field stamps something else",
        views: [B, N, N, I, N],
    },
    Rule {
        id: "COMPUTED_CHANGED",
        summary: "a rule by which the server fills a client field in changes",
        views: [W, W, W, N, N],
    },
    Rule {
        id: "REFERENCE_CHANGED",
        summary: "a field starts, stops or changes referring to other items",
        views: [
            N,
            "breaking when added or narrowed, info when removed",
            "breaking when added or narrowed, info when removed",
            N,
            N,
        ],
    },
    Rule {
        id: "FILTER_ADDED",
        summary: "lists can filter on a field",
        views: [I, N, N, "info: an index is created", I],
    },
    Rule {
        id: "FILTER_REMOVED",
        summary: "lists can no longer filter on a field",
        views: [
            "breaking: a list filtering on it gets unfiltered pages",
            N,
            N,
            "info: the index is dropped",
            B,
        ],
    },
    Rule {
        id: "FILTER_CHANGED",
        summary: "a list filter changes how it matches",
        views: [W, N, N, "info: the index is rebuilt", N],
    },
    Rule {
        id: "UNIQUE_SCOPE_CHANGED",
        summary: "a uniqueness rule is added, removed, or its scope changes",
        views: [
            "warning when it loosens: duplicates may appear",
            "breaking when it tightens: writes that passed get 409",
            "breaking when it tightens",
            "warning when it tightens: the unique index fails on existing duplicates; info otherwise",
            N,
        ],
    },
    Rule {
        id: "PATH_CHANGED",
        summary: "the collection path changes",
        views: [B, B, B, N, B],
    },
    Rule {
        id: "ID_PREFIX_CHANGED",
        summary: "the id prefix changes",
        views: [B, N, N, "warning: the id CHECK fails on existing rows", N],
    },
    Rule {
        id: "TABLE_RENAMED",
        summary: "the table is renamed",
        views: [N, N, N, "info: RENAME TABLE keeps the data", N],
    },
    Rule {
        id: "RESOURCE_RENAMED",
        summary: "the resource's name, plural or SDK namespace changes",
        views: [N, N, N, N, B],
    },
    Rule {
        id: "SCHEMA_VERSION_RAISED",
        summary: "`schema_version` is raised (the gate: breaking changes need it)",
        views: [
            "info; warning when raised without a breaking change",
            N,
            N,
            "info: the column default follows",
            N,
        ],
    },
    Rule {
        id: "SCHEMA_VERSION_LOWERED",
        summary: "`schema_version` is lowered",
        views: [B, N, N, I, N],
    },
    Rule {
        id: "API_LIMIT_CHANGED",
        summary: "a page size or the body limit changes",
        views: [
            "warning: the default or largest page changes",
            "breaking when the body limit falls",
            "breaking when the body limit falls",
            N,
            N,
        ],
    },
    Rule {
        id: "DESCRIPTION_CHANGED",
        summary: "a description changes",
        views: [I, N, N, "info: comments follow", I],
    },
];

/// The catalogue entry of `id`: a listed rule, or a limit's variant of one.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id).or_else(|| {
        let narrowing = NARROWING_IDS.contains(&id);
        let widening = WIDENING_IDS.contains(&id);
        match (narrowing, widening) {
            (true, _) => RULES.iter().find(|r| r.id == "MAX_LENGTH_DECREASED"),
            (_, true) => RULES.iter().find(|r| r.id == "MAX_LENGTH_INCREASED"),
            _ => None,
        }
    })
}

/// The ids of limits that narrow, besides `MAX_LENGTH_DECREASED`.
pub const NARROWING_IDS: &[&str] = &[
    "MIN_LENGTH_INCREASED",
    "MINIMUM_INCREASED",
    "MAX_ITEMS_DECREASED",
    "ITEM_MIN_LENGTH_INCREASED",
    "ITEM_MAX_LENGTH_DECREASED",
    "MAX_BYTES_DECREASED",
    "MAX_DEPTH_DECREASED",
];

/// The ids of limits that widen, besides `MAX_LENGTH_INCREASED`.
pub const WIDENING_IDS: &[&str] = &[
    "MIN_LENGTH_DECREASED",
    "MINIMUM_DECREASED",
    "MAX_ITEMS_INCREASED",
    "ITEM_MIN_LENGTH_DECREASED",
    "ITEM_MAX_LENGTH_INCREASED",
    "MAX_BYTES_INCREASED",
    "MAX_DEPTH_INCREASED",
];

/// The catalogue as a Markdown table, for the README.
pub fn markdown() -> String {
    let mut out = String::from(
        "| rule | detects | response | create | update | table | sdk |\n|---|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            r.id,
            r.summary,
            r.views.join(" | ")
        ));
    }
    out
}
