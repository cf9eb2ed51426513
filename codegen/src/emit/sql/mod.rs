//! `schemas/migrations/<dialect>/0001_create_<table>.sql`: the table of a
//! resource for PostgreSQL, MySQL/MariaDB and SQLite, each applied as it is
//! by sqlx's migrator, `psql`, `mysql` or `sqlite3`.
//!
//! One column per model field, named as the field; NOT NULL for always-present
//! fields; the model's defaults; CHECK constraints for enums, formats and
//! limits where the dialect can say them; the uniqueness scopes enforced by a
//! unique index (partial and on expressions where the dialect has them,
//! generated columns on MySQL/MariaDB, which have neither); indexes for the
//! list order and each list filter; comments from the descriptions.

use super::templates::Templates;
use super::{Artifact, preamble};
use crate::error::Error;
use contact_schema::ResourceModel;
use contact_schema::model::{Field, FieldType, Filter, Format, Stamp, UniqueScope, Writer};
use serde::Serialize;
use serde_json::Value;
use std::sync::OnceLock;

const TEMPLATE: &str = include_str!("migration.sql.hbs");
const MIGRATION: &str = "migration.sql";

/// A SQL dialect the migrations are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL 12 or later.
    Postgres,
    /// MySQL 8.0.16+ and MariaDB 10.4+ (CHECK constraints enforced).
    Mysql,
    /// SQLite 3.37 or later (STRICT tables).
    Sqlite,
}

impl Dialect {
    /// Every dialect, in output order.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    /// The folder name under `schemas/migrations/`.
    pub fn dir(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL 8 / MariaDB 10.11",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// A string literal. MySQL also treats backslash as an escape character.
    fn literal(self, s: &str) -> String {
        let s = s.replace('\'', "''");
        let s = if self == Dialect::Mysql {
            s.replace('\\', "\\\\")
        } else {
            s
        };
        format!("'{s}'")
    }

    fn length(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("length({column})"),
            _ => format!("char_length({column})"),
        }
    }

    fn bool_literal(self, b: bool) -> &'static str {
        match (self, b) {
            (Dialect::Sqlite, true) => "1",
            (Dialect::Sqlite, false) => "0",
            (_, true) => "TRUE",
            (_, false) => "FALSE",
        }
    }

    /// The ASCII lower-casing the uniqueness rules compare with.
    fn ascii_lower(self, column: &str) -> String {
        match self {
            // lower() follows the locale; translate() is exactly ASCII.
            Dialect::Postgres => format!(
                "translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
            ),
            // SQLite's built-in lower() folds ASCII only.
            Dialect::Sqlite => format!("lower({column})"),
            // MySQL has no translate(); LOWER() also folds non-ASCII letters.
            Dialect::Mysql => format!("LOWER({column})"),
        }
    }
}

#[derive(Serialize)]
struct View {
    preamble: String,
    title: &'static str,
    name: String,
    table: String,
    schema_version: u32,
    notes: Vec<&'static str>,
    lines: Vec<String>,
    table_options: String,
    statements: Vec<String>,
}

/// The migration of `model` in every dialect.
pub fn emit(model: &ResourceModel) -> Result<Vec<Artifact>, Error> {
    static PARSED: OnceLock<Templates> = OnceLock::new();
    let templates = Templates::shared(&PARSED, &[(MIGRATION, TEMPLATE)])?;
    Dialect::ALL
        .iter()
        .map(|&d| {
            let text = templates.render(MIGRATION, &view(model, d))?;
            Ok(Artifact::new(
                format!("migrations/{}/{}", d.dir(), file_name(model)),
                text,
            ))
        })
        .collect()
}

/// The migration file name, `0001_create_<table>.sql`, in sqlx's `<VERSION>_<DESCRIPTION>.sql` form.
pub fn file_name(model: &ResourceModel) -> String {
    format!("0001_create_{}.sql", model.table)
}

fn view(model: &ResourceModel, d: Dialect) -> View {
    let t = &model.table;
    let mut columns: Vec<(String, Option<String>)> = model
        .fields
        .iter()
        .map(|f| (column(model, f, d), Some(f.description.clone())))
        .collect();
    let mut constraints = vec![format!(
        "PRIMARY KEY ({})",
        model.stamp(Stamp::Id).map_or("id", |f| f.name.as_str())
    )];
    for f in &model.fields {
        constraints.extend(
            checks(model, f, d)
                .into_iter()
                .map(|(kind, expr)| format!("CONSTRAINT {t}_{}_{kind} CHECK ({expr})", f.name)),
        );
    }
    let mut statements = Vec::new();
    let tenant = model.stamp(Stamp::Tenant).map(|f| f.name.clone());
    let order: Vec<String> = [Stamp::CreatedAt, Stamp::Id]
        .iter()
        .filter_map(|s| model.stamp(*s).map(|f| f.name.clone()))
        .collect();
    let leading = |cols: &[String]| -> String {
        tenant
            .iter()
            .cloned()
            .chain(cols.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ")
    };

    for u in &model.unique {
        let name = format!("{t}_{}_unique", u.field);
        match d {
            Dialect::Mysql => {
                let (generated, key) = mysql_unique_columns(model, u);
                columns.extend(generated.into_iter().map(|c| (c, None)));
                constraints.push(format!("UNIQUE KEY {name} ({key})"));
            }
            _ => statements.push(format!(
                "CREATE UNIQUE INDEX {name} ON {t} ({}){}",
                unique_key(model, u, d),
                unique_where(model, u, d)
            )),
        }
    }
    statements.push(format!(
        "CREATE INDEX {t}_list_order ON {t} ({})",
        leading(&order)
    ));
    for (f, filter) in model.filters() {
        let key = match (filter, d) {
            (Filter::Exact, _) => f.name.clone(),
            (Filter::CaseInsensitive, Dialect::Mysql) => {
                let col = format!("{}_ci", f.name);
                columns.push((
                    format!(
                        "{col} {} GENERATED ALWAYS AS ({}) STORED",
                        mysql_string_type(model, f, true),
                        d.ascii_lower(&f.name)
                    ),
                    None,
                ));
                col
            }
            (Filter::CaseInsensitive, _) => d.ascii_lower(&f.name),
        };
        let mut cols = vec![key];
        cols.extend(order.iter().cloned());
        statements.push(format!(
            "CREATE INDEX {t}_{}_filter ON {t} ({})",
            f.name,
            leading(&cols)
        ));
    }
    if d == Dialect::Postgres {
        let mut comments = vec![format!(
            "COMMENT ON TABLE {t} IS {}",
            d.literal(&model.description)
        )];
        for f in &model.fields {
            comments.push(format!(
                "COMMENT ON COLUMN {t}.{} IS {}",
                f.name,
                d.literal(&f.description)
            ));
        }
        statements.push(comments.join(";\n"));
    }

    let mut lines = Vec::new();
    let total = columns.len() + constraints.len();
    let mut index = 0;
    for (def, comment) in columns {
        index += 1;
        let comma = if index < total { "," } else { "" };
        lines.push(match (d, comment) {
            (Dialect::Mysql, Some(c)) => format!("{def} COMMENT {}{comma}", d.literal(&c)),
            (Dialect::Sqlite, Some(c)) => format!("{def}{comma} -- {}", c.replace('\n', " ")),
            _ => format!("{def}{comma}"),
        });
    }
    for c in constraints {
        index += 1;
        lines.push(if index < total { format!("{c},") } else { c });
    }

    let (notes, table_options) = match d {
        Dialect::Postgres => (
            vec!["Apply with: psql -v ON_ERROR_STOP=1 -f <this file>, or sqlx migrate run."],
            String::new(),
        ),
        Dialect::Mysql => (
            vec![
                "Apply with: mysql <database> < <this file>, or sqlx migrate run.",
                "Date-times are datetime(6) in UTC. Needs CHECK enforcement: MySQL 8.0.16+ or MariaDB 10.4+.",
                "String literals double their backslashes: do not run with NO_BACKSLASH_ESCAPES.",
                "The *_uq_* and *_ci columns are generated, for the unique and filter indexes; writes leave them out.",
            ],
            format!(
                " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT={}",
                d.literal(&model.description)
            ),
        ),
        Dialect::Sqlite => (
            vec![
                "Apply with: sqlite3 <database> < <this file>, or sqlx migrate run.",
                "Date-times are RFC 3339 text in UTC; booleans are 0 or 1; JSON is text.",
            ],
            " STRICT".to_owned(),
        ),
    };

    View {
        preamble: preamble(model),
        title: d.title(),
        name: model.name.clone(),
        table: t.clone(),
        schema_version: model.schema_version,
        notes,
        lines,
        table_options,
        statements,
    }
}

/// The longest value a string field can hold, when the model bounds it.
fn bounded_length(model: &ResourceModel, f: &Field) -> Option<u32> {
    if let FieldType::Enum { values } = &f.ty {
        return values.iter().map(|v| v.chars().count() as u32).max();
    }
    model.max_length(f).or(match &f.format {
        Some(Format::PrefixedUlid { prefix }) => Some(prefix.chars().count() as u32 + 27),
        Some(Format::PrefixedUuid { prefix }) => Some(prefix.chars().count() as u32 + 37),
        Some(Format::E164) => Some(16),
        _ => None,
    })
}

/// MySQL: varchar where the length is bounded (or the column is indexed), text otherwise.
fn mysql_string_type(model: &ResourceModel, f: &Field, indexed: bool) -> String {
    match bounded_length(model, f) {
        Some(n) if n <= 255 || indexed => format!("varchar({n})"),
        None if indexed => "varchar(255)".to_owned(),
        _ => "text".to_owned(),
    }
}

/// Whether a MySQL index includes the column (so it must be a varchar).
fn mysql_indexed(model: &ResourceModel, f: &Field) -> bool {
    f.stamp()
        .is_some_and(|s| matches!(s, Stamp::Id | Stamp::Tenant))
        || f.filter.is_some()
        || model
            .unique
            .iter()
            .any(|u| u.field == f.name || u.within.contains(&f.name))
}

fn column(model: &ResourceModel, f: &Field, d: Dialect) -> String {
    let ty = match (&f.ty, d) {
        (FieldType::String | FieldType::Enum { .. }, Dialect::Mysql) => {
            mysql_string_type(model, f, mysql_indexed(model, f))
        }
        (FieldType::String | FieldType::Enum { .. }, _) => "text".into(),
        (FieldType::Boolean, Dialect::Sqlite) => "integer".into(),
        (FieldType::Boolean, _) => "boolean".into(),
        (FieldType::Integer, Dialect::Sqlite) => "integer".into(),
        (FieldType::Integer, _) => "bigint".into(),
        (FieldType::DateTime, Dialect::Postgres) => "timestamptz".into(),
        (FieldType::DateTime, Dialect::Mysql) => "datetime(6)".into(),
        (FieldType::DateTime, Dialect::Sqlite) => "text".into(),
        (FieldType::JsonObject | FieldType::StringArray, Dialect::Postgres) => "jsonb".into(),
        (FieldType::JsonObject | FieldType::StringArray, Dialect::Mysql) => "json".into(),
        (FieldType::JsonObject | FieldType::StringArray, Dialect::Sqlite) => "text".into(),
    };
    let mut def = format!("{} {ty}", f.name);
    if f.always_present {
        def.push_str(" NOT NULL");
    }
    if let Some(default) = default(model, f, d) {
        // MySQL takes a literal default on text columns only as an expression.
        if d == Dialect::Mysql && ty == "text" {
            def.push_str(&format!(" DEFAULT ({default})"));
        } else {
            def.push_str(&format!(" DEFAULT {default}"));
        }
    }
    def
}

fn default(model: &ResourceModel, f: &Field, d: Dialect) -> Option<String> {
    let value = match &f.writer {
        Writer::Client { default, .. } => default.clone()?,
        Writer::Server {
            stamp: Stamp::DeletedFlag,
        } => Value::Bool(false),
        Writer::Server {
            stamp: Stamp::Version,
        } => Value::from(1),
        Writer::Server {
            stamp: Stamp::SchemaVersion,
        } => Value::from(model.schema_version),
        Writer::Server { .. } => return None,
    };
    Some(match value {
        Value::String(s) => d.literal(&s),
        Value::Bool(b) => d.bool_literal(b).to_owned(),
        other => other.to_string(),
    })
}

/// The CHECK constraints of a field, as (name suffix, expression).
fn checks(model: &ResourceModel, f: &Field, d: Dialect) -> Vec<(&'static str, String)> {
    let c = &f.name;
    let mut out = Vec::new();
    if let FieldType::Enum { values } = &f.ty {
        let list: Vec<String> = values.iter().map(|v| d.literal(v)).collect();
        out.push(("enum", format!("{c} IN ({})", list.join(", "))));
    }
    if let Some(format) = &f.format
        && let Some(expr) = format_check(format, c, d)
    {
        out.push(("format", expr));
    }
    let l = &f.limits;
    match (l.min_length, model.max_length(f)) {
        (Some(min), Some(max)) => {
            out.push(("length", format!("{} BETWEEN {min} AND {max}", d.length(c))))
        }
        (Some(min), None) => out.push(("length", format!("{} >= {min}", d.length(c)))),
        (None, Some(max)) => out.push(("length", format!("{} <= {max}", d.length(c)))),
        (None, None) => {}
    }
    if let Some(min) = l.minimum {
        out.push(("minimum", format!("{c} >= {min}")));
    }
    match (&f.ty, d) {
        (FieldType::Boolean, Dialect::Sqlite) => out.push(("boolean", format!("{c} IN (0, 1)"))),
        (FieldType::JsonObject, Dialect::Postgres) => {
            out.push(("object", format!("jsonb_typeof({c}) = 'object'")))
        }
        (FieldType::JsonObject, Dialect::Mysql) => {
            out.push(("object", format!("JSON_TYPE({c}) = 'OBJECT'")))
        }
        (FieldType::JsonObject, Dialect::Sqlite) => {
            out.push(("object", format!("json_type({c}) = 'object'")))
        }
        (FieldType::StringArray, _) => {
            let max = l.max_items;
            out.push((
                "array",
                match d {
                    // CASE, because PostgreSQL does not promise to evaluate AND left to right.
                    Dialect::Postgres => format!(
                        "CASE WHEN jsonb_typeof({c}) = 'array' THEN {} ELSE {c} IS NULL END",
                        max.map_or("TRUE".into(), |n| format!("jsonb_array_length({c}) <= {n}"))
                    ),
                    Dialect::Mysql => format!(
                        "JSON_TYPE({c}) = 'ARRAY'{}",
                        max.map_or(String::new(), |n| format!(" AND JSON_LENGTH({c}) <= {n}"))
                    ),
                    Dialect::Sqlite => format!(
                        "json_type({c}) = 'array'{}",
                        max.map_or(String::new(), |n| format!(
                            " AND json_array_length({c}) <= {n}"
                        ))
                    ),
                },
            ));
        }
        _ => {}
    }
    out
}

/// A format as a CHECK expression: a regular expression where the dialect has
/// one, GLOB patterns on SQLite (which has no REGEXP without an extension).
fn format_check(format: &Format, c: &str, d: Dialect) -> Option<String> {
    match d {
        Dialect::Postgres => Some(format!("{c} ~ {}", d.literal(&format.pattern()))),
        Dialect::Mysql => Some(format!("{c} REGEXP {}", d.literal(&format.pattern()))),
        Dialect::Sqlite => {
            // No white space: built with char() so the file holds no raw tabs or newlines.
            let ws = "'*[' || char(9, 10, 11, 12, 13, 32) || ']*'";
            Some(match format {
                Format::PrefixedUlid { prefix } => {
                    format!(
                        "{c} GLOB '{prefix}_[0-7]{}'",
                        "[0-9A-HJKMNP-TV-Z]".repeat(25)
                    )
                }
                Format::PrefixedUuid { prefix } => {
                    let hex = |n: usize| "[0-9a-f]".repeat(n);
                    format!(
                        "{c} GLOB '{prefix}-{}-{}-{}-{}-{}'",
                        hex(8),
                        hex(4),
                        hex(4),
                        hex(4),
                        hex(12)
                    )
                }
                Format::E164 => format!(
                    "{c} GLOB '+[1-9]?*' AND length({c}) <= 16 AND substr({c}, 2) NOT GLOB '*[^0-9]*'"
                ),
                Format::Email => {
                    format!("{c} GLOB '?*@?*.?*' AND {c} NOT GLOB '*@*@*' AND {c} NOT GLOB {ws}")
                }
                Format::HttpUrl => format!(
                    "({c} GLOB '[Hh][Tt][Tt][Pp]://[^/?#]*' OR {c} GLOB '[Hh][Tt][Tt][Pp][Ss]://[^/?#]*') AND {c} NOT GLOB {ws}"
                ),
            })
        }
    }
}

/// PostgreSQL and SQLite: the unique index's key, nullable scope fields folded
/// to '' so that null is one group.
fn unique_key(model: &ResourceModel, u: &UniqueScope, d: Dialect) -> String {
    let mut key: Vec<String> = u
        .within
        .iter()
        .map(|w| match model.field(w) {
            Some(f) if f.nullable => format!("COALESCE({w}, '')"),
            _ => w.clone(),
        })
        .collect();
    key.push(if u.case_insensitive {
        d.ascii_lower(&u.field)
    } else {
        u.field.clone()
    });
    key.join(", ")
}

fn unique_where(model: &ResourceModel, u: &UniqueScope, d: Dialect) -> String {
    let mut conds = Vec::new();
    if u.ignore_deleted
        && let Some(sd) = model.soft_delete()
    {
        conds.push(match d {
            Dialect::Sqlite => format!("{} = 0", sd.flag.name),
            _ => format!("NOT {}", sd.flag.name),
        });
    }
    if model.field(&u.field).is_some_and(|f| f.nullable) {
        conds.push(format!("{} IS NOT NULL", u.field));
    }
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// MySQL/MariaDB: generated columns standing in for the expression and the
/// partial condition, and the unique key over them. A NULL key is never a
/// duplicate, so a soft-deleted row's key is NULL.
fn mysql_unique_columns(model: &ResourceModel, u: &UniqueScope) -> (Vec<String>, String) {
    let d = Dialect::Mysql;
    let mut generated = Vec::new();
    let mut key = Vec::new();
    for w in &u.within {
        match model.field(w) {
            Some(f) if f.nullable => {
                let col = format!("{}_uq_{w}", u.field);
                generated.push(format!(
                    "{col} {} GENERATED ALWAYS AS (COALESCE({w}, '')) STORED",
                    mysql_string_type(model, f, true)
                ));
                key.push(col);
            }
            _ => key.push(w.clone()),
        }
    }
    let field = model.field(&u.field).expect("validated model");
    let value = if u.case_insensitive {
        d.ascii_lower(&u.field)
    } else {
        u.field.clone()
    };
    let value = match (u.ignore_deleted, model.soft_delete()) {
        (true, Some(sd)) => format!("CASE WHEN {} THEN NULL ELSE {value} END", sd.flag.name),
        _ => value,
    };
    let col = format!("{}_uq_key", u.field);
    generated.push(format!(
        "{col} {} GENERATED ALWAYS AS ({value}) STORED",
        mysql_string_type(model, field, true)
    ));
    key.push(col);
    (generated, key.join(", "))
}
