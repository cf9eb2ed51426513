//! A later migration: the table of one released state changed in place into
//! the next, keeping its data.
//!
//! PostgreSQL and MySQL/MariaDB: the derived objects whose definition changes
//! (CHECKs, indexes, unique keys, MySQL's generated helper columns) are
//! dropped, the columns are renamed, dropped, added and altered, then the
//! derived objects of the new state are created. SQLite, whose `ALTER TABLE`
//! cannot change constraints or columns in place, follows its documented
//! procedure: a new table from the new state, the rows copied, the old table
//! dropped and the new one renamed, indexes recreated; sqlx runs the file in
//! one transaction. The end state equals what a first migration of the new
//! state creates (the tests compare the catalogs), except that a NOT NULL is
//! left off an added column that existing rows cannot fill.

use super::{Column, ConstraintKind, Dialect, TableDef, table_notes};
use crate::diff::{Diff, Pairing, RiskKind, pair};
use crate::emit::templates::Templates;
use crate::error::Error;
use crate::history::Snapshot;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const TEMPLATE: &str = include_str!("alter.sql.hbs");
const ALTER: &str = "alter.sql";

#[derive(Serialize)]
struct View {
    preamble: String,
    title: &'static str,
    stem: String,
    name: String,
    table: String,
    from_version: u32,
    to_version: u32,
    notes: Vec<String>,
    risks: Vec<String>,
    statements: Vec<String>,
}

/// What a step can do to existing rows, said in the file and by `migrate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    /// The field concerned, when one is.
    pub field: Option<String>,
    /// Loses data, may fail, or a note.
    pub kind: RiskKind,
    /// What may happen.
    pub text: String,
}

impl Risk {
    /// `-- May fail on existing rows: …` and the like.
    fn comment(&self) -> String {
        format!("-- {}: {}\n", self.kind.words(), self.text)
    }
}

/// The risks of each field's steps.
type ByField = BTreeMap<Option<String>, Vec<Risk>>;

/// Records `r` once.
fn keep(risks: &mut Vec<Risk>, r: &Risk) {
    if !risks.contains(r) {
        risks.push(r.clone());
    }
}

/// The comments for `field`'s risks of the given kinds, recording them.
fn flagged(
    by_field: &ByField,
    field: Option<&str>,
    kinds: &[RiskKind],
    risks: &mut Vec<Risk>,
) -> String {
    let mut s = String::new();
    for r in by_field
        .get(&field.map(str::to_owned))
        .into_iter()
        .flatten()
    {
        if kinds.contains(&r.kind) {
            s.push_str(&r.comment());
            keep(risks, r);
        }
    }
    s
}

/// A derived object of a table: a CHECK, index, unique key or generated column.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Derived {
    name: String,
    /// A generated helper column (MySQL), which indexes may use.
    is_column: bool,
    /// The field whose rows it may refuse, if any.
    field: Option<String>,
    /// Whether creating it validates existing rows (a CHECK or a unique index).
    validates: bool,
    create: String,
    drop: String,
}

fn derived(t: &TableDef, model: &resource_model::ResourceModel) -> Vec<Derived> {
    let d = t.dialect;
    let table = &t.table;
    let mut out = Vec::new();
    for c in &t.columns {
        if c.field.is_none() {
            out.push(Derived {
                name: c.name.clone(),
                is_column: true,
                field: None,
                validates: false,
                create: format!("ALTER TABLE {table} ADD COLUMN {}", c.definition(d)),
                drop: format!("ALTER TABLE {table} DROP COLUMN {}", c.name),
            });
        }
    }
    for c in &t.constraints {
        match &c.kind {
            ConstraintKind::PrimaryKey => {}
            ConstraintKind::Check(field) => out.push(Derived {
                name: c.name.clone(),
                is_column: false,
                field: Some(field.clone()),
                validates: true,
                // PostgreSQL: added NOT VALID (a brief lock, no scan), then
                // validated under a lock that lets reads and writes go on.
                create: if d == Dialect::Postgres {
                    format!(
                        "ALTER TABLE {table} ADD {} NOT VALID;\n\nALTER TABLE {table} VALIDATE CONSTRAINT {}",
                        c.sql, c.name
                    )
                } else {
                    format!("ALTER TABLE {table} ADD {}", c.sql)
                },
                drop: format!("ALTER TABLE {table} DROP CONSTRAINT {}", c.name),
            }),
            ConstraintKind::UniqueKey => out.push(Derived {
                name: c.name.clone(),
                is_column: false,
                field: unique_field(model, &c.name, table),
                validates: true,
                create: format!("ALTER TABLE {table} ADD {}", c.sql),
                drop: format!("ALTER TABLE {table} DROP INDEX {}", c.name),
            }),
        }
    }
    for i in &t.indexes {
        out.push(Derived {
            name: i.name.clone(),
            is_column: false,
            field: unique_field(model, &i.name, table),
            validates: i.sql.starts_with("CREATE UNIQUE"),
            create: i.sql.clone(),
            drop: match d {
                Dialect::Mysql => format!("DROP INDEX {} ON {table}", i.name),
                _ => format!("DROP INDEX {}", i.name),
            },
        });
    }
    out
}

/// The derived objects to drop (old) and create (new): those whose
/// definition changes, everything when the table is renamed, and any object
/// built on a generated column that is itself rebuilt (MariaDB drops such a
/// column out of its indexes rather than refusing).
fn changed(od: &[Derived], nd: &[Derived], renamed: bool) -> (Vec<Derived>, Vec<Derived>) {
    let mut keep: Vec<bool> = od.iter().map(|o| !renamed && nd.contains(o)).collect();
    loop {
        let rebuilt: Vec<&str> = od
            .iter()
            .zip(&keep)
            .filter(|(o, k)| !**k && o.is_column)
            .map(|(o, _)| o.name.as_str())
            .collect();
        let mut more = false;
        for (o, k) in od.iter().zip(keep.iter_mut()) {
            if *k && rebuilt.iter().any(|c| mentions(&o.create, c)) {
                *k = false;
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    let dropped: Vec<Derived> = od
        .iter()
        .zip(&keep)
        .filter(|(_, k)| !**k)
        .map(|(o, _)| o.clone())
        .collect();
    let kept: Vec<&Derived> = od
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(o, _)| o)
        .collect();
    let created = nd.iter().filter(|n| !kept.contains(n)).cloned().collect();
    (dropped, created)
}

/// Whether `sql` names the column `name` as a whole word.
fn mentions(sql: &str, name: &str) -> bool {
    sql.match_indices(name).any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

/// The field of the uniqueness rule an index named `{table}_{field}_unique` enforces.
fn unique_field(model: &resource_model::ResourceModel, name: &str, table: &str) -> Option<String> {
    let field = name
        .strip_prefix(table)?
        .strip_prefix('_')?
        .strip_suffix("_unique")?;
    model
        .unique
        .iter()
        .any(|u| u.field == field)
        .then(|| field.to_owned())
}

/// The migration from `old` to `new` in dialect `d`, with what it risks.
pub fn alter(
    old: &Snapshot,
    new: &Snapshot,
    diff: &Diff,
    d: Dialect,
) -> Result<(String, Vec<Risk>), Error> {
    let (om, nm) = (&old.model, &new.model);
    let (ot, mut nt) = (
        TableDef::with_patterns(om, d, &old.patterns),
        TableDef::with_patterns(nm, d, &new.patterns),
    );
    let pairs = pair(om, nm);
    // What each field's steps risk, as the diff says it.
    let mut by_field = ByField::new();
    for (field, kind, text) in diff.table_risks() {
        by_field
            .entry(field.map(str::to_owned))
            .or_default()
            .push(Risk {
                field: field.map(str::to_owned),
                kind,
                text: text.to_owned(),
            });
    }
    let mut risks: Vec<Risk> = Vec::new();
    // Added columns that existing rows cannot fill stay nullable.
    for p in &pairs {
        if let Pairing::Added(n) = p
            && let Some(c) = nt
                .columns
                .iter_mut()
                .find(|c| c.field.as_deref() == Some(&n.name))
            && c.not_null
            && c.default.is_none()
        {
            c.not_null = false;
        }
    }
    let table = nt.table.clone();
    let mut statements = Vec::new();
    let mut notes: Vec<String> = table_notes(nm, d)
        .0
        .into_iter()
        .map(str::to_owned)
        .collect();

    if d == Dialect::Sqlite {
        let rebuild = ot.table != nt.table
            || base_columns(&ot) != base_columns(&nt)
            || checks(&ot) != checks(&nt);
        if rebuild {
            notes.push(
                "SQLite cannot change columns or constraints in place: the table is rebuilt (a new table, the rows copied, the old one dropped, the new renamed), as https://www.sqlite.org/lang_altertable.html#otheralter describes; sqlx runs it in one transaction. With sqlite3, run it inside BEGIN; … COMMIT;.".to_owned(),
            );
            let tmp = format!("{table}_new");
            let body: Vec<String> = nt.body_lines().iter().map(|l| format!("    {l}")).collect();
            statements.push(format!(
                "CREATE TABLE {tmp} (\n{}\n) STRICT",
                body.join("\n")
            ));
            let mut cols = Vec::new();
            let mut exprs = Vec::new();
            for p in &pairs {
                let (o, n) = match p {
                    Pairing::Same(o, n) | Pairing::Renamed(o, n) => (o, n),
                    _ => continue,
                };
                let (oc, nc) = (ot.column_of(&o.name), nt.column_of(&n.name));
                let (Some(oc), Some(nc)) = (oc, nc) else {
                    continue;
                };
                cols.push(nc.name.clone());
                exprs.push(match (&nc.default, !oc.not_null && nc.not_null) {
                    (Some(def), true) => format!("COALESCE({}, {def})", oc.name),
                    _ => oc.name.clone(),
                });
            }
            let mut copy = String::new();
            for r in by_field.values().flatten() {
                copy.push_str(&r.comment());
                keep(&mut risks, r);
            }
            copy.push_str(&format!(
                "INSERT INTO {tmp} ({}) SELECT {} FROM {}",
                cols.join(", "),
                exprs.join(", "),
                ot.table
            ));
            statements.push(copy);
            statements.push(format!("DROP TABLE {}", ot.table));
            statements.push(format!("ALTER TABLE {tmp} RENAME TO {table}"));
            statements.extend(nt.indexes.iter().map(|i| i.sql.clone()));
        } else {
            let (od, nd) = (derived(&ot, om), derived(&nt, nm));
            let (dropped, created) = changed(&od, &nd, false);
            for o in dropped.iter().rev() {
                statements.push(o.drop.clone());
            }
            for n in &created {
                statements.push(with_risk(n, &by_field, &mut risks));
            }
        }
    } else {
        let (od, nd) = (derived(&ot, om), derived(&nt, nm));
        let (dropped, created) = changed(&od, &nd, ot.table != nt.table);
        // Dropped in the reverse order of creation: indexes before the
        // generated columns they use.
        for o in dropped.iter().rev() {
            statements.push(o.drop.clone());
        }
        if ot.table != nt.table {
            statements.push(match d {
                Dialect::Mysql => format!("RENAME TABLE {} TO {table}", ot.table),
                _ => format!("ALTER TABLE {} RENAME TO {table}", ot.table),
            });
        }
        for p in &pairs {
            match p {
                Pairing::Renamed(o, n) => {
                    statements.push(format!(
                        "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                        o.name, n.name
                    ));
                }
                Pairing::Removed(o) => {
                    let flags =
                        flagged(&by_field, Some(&o.name), &[RiskKind::LosesData], &mut risks);
                    statements.push(format!("{flags}ALTER TABLE {table} DROP COLUMN {}", o.name));
                }
                _ => {}
            }
        }
        for p in &pairs {
            match p {
                Pairing::Added(n) => {
                    let c = nt.column_of(&n.name).expect("a column per field");
                    let mut s = flagged(&by_field, Some(&n.name), &[RiskKind::Note], &mut risks);
                    s.push_str(&format!(
                        "ALTER TABLE {table} ADD COLUMN {}",
                        c.definition_with_comment(d)
                    ));
                    statements.push(s);
                }
                Pairing::Same(o, n) | Pairing::Renamed(o, n) => {
                    let (Some(oc), Some(nc)) = (ot.column_of(&o.name), nt.column_of(&n.name))
                    else {
                        continue;
                    };
                    statements.extend(alter_column(d, &table, oc, nc, &by_field, &mut risks));
                }
                Pairing::Removed(_) => {}
            }
        }
        for n in &created {
            statements.push(with_risk(n, &by_field, &mut risks));
        }
        if d == Dialect::Postgres {
            if om.description != nm.description || ot.table != nt.table {
                statements.push(format!(
                    "COMMENT ON TABLE {table} IS {}",
                    d.literal(&nm.description)
                ));
            }
            for p in &pairs {
                if let Pairing::Added(n) | Pairing::Same(_, n) | Pairing::Renamed(_, n) = p {
                    let changed = match p {
                        Pairing::Added(_) => true,
                        Pairing::Same(o, n) | Pairing::Renamed(o, n) => {
                            o.description != n.description
                        }
                        Pairing::Removed(_) => false,
                    };
                    if changed
                        && let Some(s) = nt
                            .column_of(&n.name)
                            .and_then(|c| c.comment_statement(&table, d))
                    {
                        statements.push(s);
                    }
                }
            }
        }
        if d == Dialect::Mysql {
            notes.push(
                "MySQL and MariaDB commit each DDL statement: if one fails, the ones before it stay applied."
                    .to_owned(),
            );
        }
    }
    // Risks the statements above did not carry still go in the header.
    for r in by_field.values().flatten() {
        keep(&mut risks, r);
    }
    if d == Dialect::Postgres && !statements.is_empty() {
        // Give up rather than queue live traffic behind a lock the migration waits for.
        notes.push(
            "`lock_timeout` makes a statement that cannot get its lock within 5 s fail (and the migration roll back) instead of queueing every query behind it; rerun it when the table is quieter.".to_owned(),
        );
        statements.insert(0, "SET lock_timeout = '5s'".to_owned());
    }
    if statements.is_empty() {
        statements.push(match d {
            Dialect::Mysql => "-- Nothing changes in the table.\nDO 0".to_owned(),
            _ => "-- Nothing changes in the table.\nSELECT 1".to_owned(),
        });
    }
    static PARSED: OnceLock<Templates> = OnceLock::new();
    let templates = Templates::shared(&PARSED, &[(ALTER, TEMPLATE)])?;
    let text = templates.render(
        ALTER,
        &View {
            preamble: format!(
                "Generated by `codegen migrate` from the {} model's releases {} and {}. Do not edit: a released migration never changes.",
                nm.name,
                old.stem(),
                new.stem()
            ),
            title: d.title(),
            stem: new.stem(),
            name: nm.name.clone(),
            table,
            from_version: om.schema_version,
            to_version: nm.schema_version,
            notes,
            risks: risks
                .iter()
                .map(|r| format!("{}: {}", r.kind.words(), r.text))
                .collect(),
            statements,
        },
    )?;
    Ok((text, risks))
}

/// A derived object's creation, with a comment when it can refuse existing rows.
fn with_risk(n: &Derived, by_field: &ByField, risks: &mut Vec<Risk>) -> String {
    let mut s = if n.validates {
        flagged(by_field, n.field.as_deref(), &[RiskKind::MayFail], risks)
    } else {
        String::new()
    };
    s.push_str(&n.create);
    s
}

/// The steps that turn column `oc` into `nc` (same field, maybe renamed).
fn alter_column(
    d: Dialect,
    table: &str,
    oc: &Column,
    nc: &Column,
    by_field: &ByField,
    risks: &mut Vec<Risk>,
) -> Vec<String> {
    let mut out = Vec::new();
    let c = &nc.name;
    let backfill = |out: &mut Vec<String>| {
        if !oc.not_null
            && nc.not_null
            && let Some(def) = &nc.default
        {
            out.push(format!(
                "-- Stored nulls become the default, as the model reads them.\nUPDATE {table} SET {c} = {def} WHERE {c} IS NULL"
            ));
        }
    };
    let field = nc.field.as_deref();
    match d {
        Dialect::Mysql => {
            let same = Column {
                name: nc.name.clone(),
                ..oc.clone()
            };
            if same != *nc {
                backfill(&mut out);
                let flags = if same.ty != nc.ty || (nc.not_null && !oc.not_null) {
                    flagged(by_field, field, &[RiskKind::MayFail], risks)
                } else {
                    String::new()
                };
                out.push(format!(
                    "{flags}ALTER TABLE {table} MODIFY COLUMN {}",
                    nc.definition_with_comment(d)
                ));
            }
        }
        _ => {
            if oc.default != nc.default {
                out.push(match &nc.default {
                    Some(def) => format!("ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT {def}"),
                    None => format!("ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT"),
                });
            }
            if oc.not_null && !nc.not_null {
                out.push(format!(
                    "ALTER TABLE {table} ALTER COLUMN {c} DROP NOT NULL"
                ));
            }
            if !oc.not_null && nc.not_null {
                backfill(&mut out);
                let flags = if nc.default.is_none() {
                    flagged(by_field, field, &[RiskKind::MayFail], risks)
                } else {
                    String::new()
                };
                out.push(format!(
                    "{flags}ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL"
                ));
            }
        }
    }
    out
}

/// The table's columns that store fields: (name, type, NOT NULL, default).
fn base_columns(t: &TableDef) -> Vec<(String, String, bool, Option<String>)> {
    t.columns
        .iter()
        .filter(|c| c.field.is_some())
        .map(|c| (c.name.clone(), c.ty.clone(), c.not_null, c.default.clone()))
        .collect()
}

/// The table's CHECK constraints, as written.
fn checks(t: &TableDef) -> Vec<String> {
    t.constraints
        .iter()
        .filter(|c| matches!(c.kind, ConstraintKind::Check(_)))
        .map(|c| c.sql.clone())
        .collect()
}
