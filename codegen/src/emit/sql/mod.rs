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

pub mod alter;

use super::preamble;
use super::templates::Templates;
use crate::Commands;
use crate::error::Error;
use resource_model::ResourceModel;
use resource_model::{Field, FieldType, Filter, Format, Stamp, UniqueScope, Writer};
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

    /// The name of the dialect's folder under `schemas/migrations/`.
    pub fn dir(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The dialect's name for people.
    pub fn title(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL 8 / MariaDB 10.11",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// A string literal. MySQL also treats backslash as an escape character.
    pub fn literal(self, s: &str) -> String {
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

/// The migration creating the table of `model` in `d`, with its indexes.
pub fn create(model: &ResourceModel, d: Dialect, cmds: &Commands) -> Result<String, Error> {
    static PARSED: OnceLock<Templates> = OnceLock::new();
    let templates = Templates::shared(&PARSED, &[(MIGRATION, TEMPLATE)])?;
    templates.render(MIGRATION, &view(model, d, cmds))
}

fn view(model: &ResourceModel, d: Dialect, cmds: &Commands) -> View {
    let def = TableDef::of(model, d);
    let mut statements: Vec<String> = def.indexes.iter().map(|i| i.sql.clone()).collect();
    if d == Dialect::Postgres {
        let mut comments = vec![format!(
            "COMMENT ON TABLE {} IS {}",
            def.table,
            d.literal(&model.description)
        )];
        comments.extend(
            def.columns
                .iter()
                .filter_map(|c| c.comment_statement(&def.table, d)),
        );
        statements.push(comments.join(";\n"));
    }
    let (notes, table_options) = table_notes(model, d);
    View {
        preamble: preamble(model, cmds),
        title: d.title(),
        name: model.name.clone(),
        table: def.table.clone(),
        schema_version: model.schema_version,
        notes,
        lines: def.body_lines(),
        table_options,
        statements,
    }
}

/// The header notes of a migration file and the options after `CREATE TABLE (…)`.
fn table_notes(model: &ResourceModel, d: Dialect) -> (Vec<&'static str>, String) {
    match d {
        Dialect::Postgres => (
            vec![
                "Apply with: psql --single-transaction -v ON_ERROR_STOP=1 -f <this file> (all or nothing), or sqlx migrate run (one transaction per file).",
            ],
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
    }
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// The model field it stores; `None` for a generated helper column.
    pub field: Option<String>,
    /// The SQL type.
    pub ty: String,
    /// Whether it is NOT NULL.
    pub not_null: bool,
    /// The DEFAULT expression.
    pub default: Option<String>,
    /// For a STORED generated column, its expression.
    pub generated: Option<String>,
    /// The column comment (the field's description).
    pub comment: Option<String>,
}

impl Column {
    /// `name type [GENERATED …] [NOT NULL] [DEFAULT …]`, without the comment.
    pub fn definition(&self, d: Dialect) -> String {
        let mut def = format!("{} {}", self.name, self.ty);
        if let Some(expr) = &self.generated {
            def.push_str(&format!(" GENERATED ALWAYS AS ({expr}) STORED"));
        }
        if self.not_null {
            def.push_str(" NOT NULL");
        }
        if let Some(default) = &self.default {
            // MySQL takes a literal default on text columns only as an expression.
            if d == Dialect::Mysql && self.ty == "text" {
                def.push_str(&format!(" DEFAULT ({default})"));
            } else {
                def.push_str(&format!(" DEFAULT {default}"));
            }
        }
        def
    }

    /// The definition with MySQL's inline comment, as ALTER TABLE … ADD/MODIFY COLUMN takes it.
    pub fn definition_with_comment(&self, d: Dialect) -> String {
        match (&self.comment, d) {
            (Some(c), Dialect::Mysql) => format!("{} COMMENT {}", self.definition(d), d.literal(c)),
            _ => self.definition(d),
        }
    }

    /// PostgreSQL's `COMMENT ON COLUMN`, when the column has a comment.
    pub fn comment_statement(&self, table: &str, d: Dialect) -> Option<String> {
        let c = self.comment.as_ref().filter(|_| d == Dialect::Postgres)?;
        Some(format!(
            "COMMENT ON COLUMN {table}.{} IS {}",
            self.name,
            d.literal(c)
        ))
    }
}

/// What a table constraint is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintKind {
    /// The primary key.
    PrimaryKey,
    /// A CHECK on the field named.
    Check(String),
    /// MySQL: a UNIQUE KEY declared in the table.
    UniqueKey,
}

/// A constraint declared inside `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// Its name (the primary key's is the table's).
    pub name: String,
    /// What it is.
    pub kind: ConstraintKind,
    /// Its line in `CREATE TABLE`, e.g. `CONSTRAINT t_f_length CHECK (…)`.
    pub sql: String,
}

/// An index created after the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// Its name.
    pub name: String,
    /// The `CREATE [UNIQUE] INDEX …` statement, without `;`.
    pub sql: String,
}

/// A model's table in one dialect, as the parts that both the `CREATE TABLE`
/// of a first migration and the `ALTER TABLE`s of later ones are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDef {
    /// The dialect.
    pub dialect: Dialect,
    /// The table name.
    pub table: String,
    /// Columns: the fields in order, then generated helper columns (MySQL).
    pub columns: Vec<Column>,
    /// The primary key, the CHECKs in field order, then unique keys (MySQL).
    pub constraints: Vec<Constraint>,
    /// The unique, list-order and filter indexes.
    pub indexes: Vec<Index>,
}

impl TableDef {
    /// The table of `model` in `d`.
    pub fn of(model: &ResourceModel, d: Dialect) -> Self {
        let patterns: std::collections::BTreeMap<String, String> = model
            .fields
            .iter()
            .filter_map(|f| f.format.as_ref().map(|p| (f.name.clone(), p.pattern())))
            .collect();
        Self::with_patterns(model, d, &patterns)
    }

    /// The table of `model` in `d`, each formatted field checked against the
    /// regular expression `patterns` gives it (a release's own, which a later
    /// change to a format's pattern in code does not rewrite).
    pub fn with_patterns(
        model: &ResourceModel,
        d: Dialect,
        patterns: &std::collections::BTreeMap<String, String>,
    ) -> Self {
        let t = &model.table;
        let mut columns: Vec<Column> = model.fields.iter().map(|f| column(model, f, d)).collect();
        let pk = model.stamp(Stamp::Id).map_or("id", |f| f.name.as_str());
        let mut constraints = vec![Constraint {
            name: t.clone(),
            kind: ConstraintKind::PrimaryKey,
            sql: format!("PRIMARY KEY ({pk})"),
        }];
        for f in &model.fields {
            for (kind, expr) in checks(model, f, d, patterns) {
                let name = format!("{t}_{}_{kind}", f.name);
                constraints.push(Constraint {
                    sql: format!("CONSTRAINT {name} CHECK ({expr})"),
                    name,
                    kind: ConstraintKind::Check(f.name.clone()),
                });
            }
        }
        let mut indexes = Vec::new();
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
                    columns.extend(generated);
                    constraints.push(Constraint {
                        sql: format!("UNIQUE KEY {name} ({key})"),
                        name,
                        kind: ConstraintKind::UniqueKey,
                    });
                }
                _ => indexes.push(Index {
                    sql: format!(
                        "CREATE UNIQUE INDEX {name} ON {t} ({}){}",
                        unique_key(model, u, d),
                        unique_where(model, u, d)
                    ),
                    name,
                }),
            }
        }
        let name = format!("{t}_list_order");
        indexes.push(Index {
            sql: format!("CREATE INDEX {name} ON {t} ({})", leading(&order)),
            name,
        });
        for (f, filter) in model.filters() {
            let key = match (filter, d) {
                (Filter::Exact, _) => f.name.clone(),
                (Filter::CaseInsensitive, Dialect::Mysql) => {
                    let col = format!("{}_ci", f.name);
                    columns.push(Column {
                        name: col.clone(),
                        field: None,
                        ty: mysql_string_type(model, f, true),
                        not_null: false,
                        default: None,
                        generated: Some(d.ascii_lower(&f.name)),
                        comment: None,
                    });
                    col
                }
                (Filter::CaseInsensitive, _) => d.ascii_lower(&f.name),
            };
            let mut cols = vec![key];
            cols.extend(order.iter().cloned());
            let name = format!("{t}_{}_filter", f.name);
            indexes.push(Index {
                sql: format!("CREATE INDEX {name} ON {t} ({})", leading(&cols)),
                name,
            });
        }
        TableDef {
            dialect: d,
            table: t.clone(),
            columns,
            constraints,
            indexes,
        }
    }

    /// The column storing `field`.
    pub fn column_of(&self, field: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.field.as_deref() == Some(field))
    }

    /// The lines between `CREATE TABLE t (` and `)`, commas and comments included.
    pub fn body_lines(&self) -> Vec<String> {
        let d = self.dialect;
        let mut lines = Vec::new();
        let total = self.columns.len() + self.constraints.len();
        let mut index = 0;
        for c in &self.columns {
            index += 1;
            let comma = if index < total { "," } else { "" };
            let def = c.definition(d);
            lines.push(match (d, &c.comment) {
                (Dialect::Mysql, Some(comment)) => {
                    format!("{def} COMMENT {}{comma}", d.literal(comment))
                }
                (Dialect::Sqlite, Some(comment)) => {
                    format!("{def}{comma} -- {}", comment.replace('\n', " "))
                }
                _ => format!("{def}{comma}"),
            });
        }
        for c in &self.constraints {
            index += 1;
            lines.push(if index < total {
                format!("{},", c.sql)
            } else {
                c.sql.clone()
            });
        }
        lines
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
        Some(Format::Hostname) => Some(253),
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

fn column(model: &ResourceModel, f: &Field, d: Dialect) -> Column {
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
        (FieldType::Date, Dialect::Sqlite) => "text".into(),
        (FieldType::Date, _) => "date".into(),
        (FieldType::JsonObject | FieldType::StringArray, Dialect::Postgres) => "jsonb".into(),
        (FieldType::JsonObject | FieldType::StringArray, Dialect::Mysql) => "json".into(),
        (FieldType::JsonObject | FieldType::StringArray, Dialect::Sqlite) => "text".into(),
    };
    Column {
        name: f.name.clone(),
        field: Some(f.name.clone()),
        ty,
        not_null: f.always_present,
        default: default(model, f, d),
        generated: None,
        comment: Some(f.description.clone()),
    }
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
fn checks(
    model: &ResourceModel,
    f: &Field,
    d: Dialect,
    patterns: &std::collections::BTreeMap<String, String>,
) -> Vec<(&'static str, String)> {
    let c = &f.name;
    let mut out = Vec::new();
    if let FieldType::Enum { values } = &f.ty {
        let list: Vec<String> = values.iter().map(|v| d.literal(v)).collect();
        out.push(("enum", format!("{c} IN ({})", list.join(", "))));
    }
    if let Some(format) = &f.format
        && let Some(expr) = format_check(
            format,
            patterns
                .get(&f.name)
                .map_or_else(|| format.pattern(), Clone::clone),
            c,
            d,
        )
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
    if let Some(max) = l.maximum {
        out.push(("maximum", format!("{c} <= {max}")));
    }
    if f.ty == FieldType::Date && d == Dialect::Sqlite {
        // Text of a real calendar day: SQLite's date() rewrites any other.
        out.push((
            "date",
            format!("{c} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date({c}) = {c} AND {c} >= '0001-01-01'"),
        ));
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
fn format_check(format: &Format, pattern: String, c: &str, d: Dialect) -> Option<String> {
    match d {
        Dialect::Postgres => Some(format!("{c} ~ {}", d.literal(&pattern))),
        Dialect::Mysql => Some(format!("{c} REGEXP {}", d.literal(&pattern))),
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
                Format::Hostname => format!(
                    "{c} GLOB '[A-Za-z0-9]*.*[A-Za-z0-9]' AND {c} NOT GLOB '*[^A-Za-z0-9.-]*' AND {c} NOT GLOB '*..*'"
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
fn mysql_unique_columns(model: &ResourceModel, u: &UniqueScope) -> (Vec<Column>, String) {
    let d = Dialect::Mysql;
    let generated_column = |name: String, ty: String, expr: String| Column {
        name,
        field: None,
        ty,
        not_null: false,
        default: None,
        generated: Some(expr),
        comment: None,
    };
    let mut generated = Vec::new();
    let mut key = Vec::new();
    for w in &u.within {
        match model.field(w) {
            Some(f) if f.nullable => {
                let col = format!("{}_uq_{w}", u.field);
                generated.push(generated_column(
                    col.clone(),
                    mysql_string_type(model, f, true),
                    format!("COALESCE({w}, '')"),
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
    generated.push(generated_column(
        col.clone(),
        mysql_string_type(model, field, true),
        value,
    ));
    key.push(col);
    (generated, key.join(", "))
}
