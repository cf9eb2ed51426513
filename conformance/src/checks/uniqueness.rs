//! §5, §8: uniqueness, from the model's rule: any field that can take fresh
//! values (a string, formatted or not, or an integer), unique within any
//! group of fields (the tenant, client fields such as the Contact's account,
//! or both), compared with or without ASCII case, soft-deleted items in or out.

use super::{Check, Family, Level, Need, s};
use crate::context::{Ctx, valid_value};
use crate::http::{Exchange, Failure, ensure, status};
use crate::identity::Role;
use resource_model::{Field, FieldType, Format, ResourceModel, Stamp, UniqueScope};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The uniqueness rule the checks exercise and how to make values for it.
#[derive(Clone)]
pub(crate) struct Rule {
    /// The rule.
    pub scope: UniqueScope,
    /// The unique field.
    pub field: Field,
    /// The client fields of the group (the tenant is the caller's).
    pub group: Vec<Field>,
    /// Whether an upper-case copy of a value keeps the field's format.
    pub case_variant: bool,
}

impl Rule {
    /// The first rule of `m` the runner can exercise: its field takes fresh
    /// values, and its group is the tenant and client fields.
    pub fn of(m: &ResourceModel) -> Option<Rule> {
        m.unique.iter().find_map(|u| {
            let field = m.field(&u.field)?.clone();
            let fresh = match (&field.ty, &field.format) {
                (FieldType::Integer, _) => true,
                (FieldType::String, None | Some(_)) => field.references.is_none(),
                _ => false,
            };
            if !fresh || !field.is_client() {
                return None;
            }
            let mut group = Vec::new();
            for w in &u.within {
                let f = m.field(w)?;
                match f.stamp() {
                    Some(Stamp::Tenant) => {}
                    None => group.push(f.clone()),
                    Some(_) => return None,
                }
            }
            let case_variant = u.case_insensitive
                && matches!(
                    field.format,
                    None | Some(Format::Email | Format::Hostname | Format::HttpUrl)
                );
            Some(Rule {
                scope: u.clone(),
                field,
                group,
                case_variant,
            })
        })
    }

    /// A fresh value of the unique field.
    pub fn value(&self) -> Value {
        match self.field.ty {
            FieldType::Integer => {
                let (min, max) = (
                    self.field.limits.minimum.unwrap_or(i64::MIN / 2),
                    self.field.limits.maximum.unwrap_or(i64::MAX / 2),
                );
                Value::from(min + (rand::random::<u64>() % (max - min).max(1) as u64) as i64)
            }
            _ => valid_value(&self.field),
        }
    }

    /// The field's name.
    pub fn name(&self) -> &str {
        &self.field.name
    }

    /// Whether the tenant is part of the group (else another tenant's item collides).
    pub fn tenant_scoped(&self, m: &ResourceModel) -> bool {
        m.stamp(Stamp::Tenant)
            .is_some_and(|t| self.scope.within.contains(&t.name))
    }
}

/// The group of a check: a value for each client field of the group (the
/// run's partition for the partition field, so the items stay the run's).
pub(crate) fn group(ctx: &Ctx, rule: &Rule) -> Map<String, Value> {
    rule.group
        .iter()
        .map(|f| {
            let v = if f.name == ctx.n.account_field() {
                Value::from(ctx.account.clone())
            } else {
                valid_value(f)
            };
            (f.name.clone(), v)
        })
        .collect()
}

/// A create of `value` in `group` as `role`.
pub(crate) async fn create_in(
    ctx: &Ctx,
    role: Role,
    rule: &Rule,
    group: &Map<String, Value>,
    value: &Value,
) -> Result<Exchange, Failure> {
    let mut body = group.clone();
    body.insert(rule.name().to_owned(), value.clone());
    ctx.create(role, &Value::Object(body)).await
}

/// The upper-case copy of a string value.
fn upper(v: &Value) -> Value {
    v.as_str()
        .map_or_else(|| v.clone(), |s| Value::from(s.to_uppercase()))
}

/// The group in words: `the tenant and `account_id``.
fn group_words(m: &ResourceModel, rule: &Rule) -> String {
    let mut parts: Vec<String> = Vec::new();
    if rule.tenant_scoped(m) {
        parts.push("tenant".to_owned());
    }
    parts.extend(rule.group.iter().map(|f| format!("`{}`", f.name)));
    if parts.is_empty() {
        "the whole API".to_owned()
    } else {
        format!("the same {}", parts.join(" and "))
    }
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let Some(rule) = Rule::of(m) else {
        let why = Need::Uniqueness.missing(m).unwrap_or_default();
        return [
            (
                "duplicate_is_409",
                "a second item with a value its uniqueness rule holds answers 409",
            ),
            ("apps_share_groups", "apps do not split uniqueness groups"),
            (
                "scope_is_the_group",
                "the same value is fine outside its uniqueness group",
            ),
            (
                "orphans_are_one_group",
                "items whose group field is null form one group per tenant",
            ),
            (
                "soft_deleted_do_not_count",
                "after the holder is soft-deleted its value can be used again",
            ),
            (
                "update_into_duplicate_is_409",
                "an update that would duplicate a unique value answers 409 and changes nothing",
            ),
        ]
        .into_iter()
        .map(|(name, what)| {
            Check::not_applicable(Family::Uniqueness, name, Level::Must, what, why.clone())
        })
        .collect();
    };
    let one = m.name.to_lowercase();
    let f = rule.name().to_owned();
    let within = group_words(m, &rule);
    let mut out = Vec::new();
    let r = rule.clone();
    out.push(Check::new(
        Family::Uniqueness,
        "duplicate_is_409",
        Level::Must,
        format!(
            "a second {one} with the same `{f}` in {within} answers 409{}",
            if rule.case_variant {
                ", also in upper case"
            } else {
                ""
            }
        ),
        move |ctx: Arc<Ctx>| {
            let r = r.clone();
            async move {
                let (g, v) = (group(&ctx, &r), r.value());
                let ex = create_in(&ctx, Role::A1, &r, &g, &v).await?;
                status(&ex, &[201], "the first holder")?;
                let ex = create_in(&ctx, Role::A1, &r, &g, &v).await?;
                status(&ex, &[409], "a duplicate")?;
                if r.case_variant {
                    let ex = create_in(&ctx, Role::A1, &r, &g, &upper(&v)).await?;
                    status(&ex, &[409], "the same value in upper case")?;
                }
                Ok(())
            }
        },
    ));
    {
        let r = rule.clone();
        out.push(Check::new(
            Family::Uniqueness,
            "apps_share_groups",
            Level::Must,
            format!(
                "apps do not split uniqueness groups: an app's create of a `{f}` a person's {one} holds answers 409, and so does a person's of an app's"
            ),
            move |ctx: Arc<Ctx>| {
                let r = r.clone();
                async move {
                    let (g, v) = (group(&ctx, &r), r.value());
                    status(&create_in(&ctx, Role::A1, &r, &g, &v).await?, &[201], "a person's")?;
                    let ex = create_in(&ctx, Role::AppX, &r, &g, &v).await?;
                    status(&ex, &[409], "app-x creating a value a person's item holds")?;
                    let v = r.value();
                    status(&create_in(&ctx, Role::AppY, &r, &g, &v).await?, &[201], "app-y's")?;
                    let ex = create_in(&ctx, Role::A2, &r, &g, &v).await?;
                    status(&ex, &[409], "a person creating a value app-y's item holds")
                }
            },
        ).needs(m, &[Need::Stamp(Stamp::App)]));
    }
    let r = rule.clone();
    let tenant_scoped = rule.tenant_scoped(m);
    out.push(Check::new(
        Family::Uniqueness,
        "scope_is_the_group",
        Level::Must,
        format!(
            "the same `{f}` is fine outside {within}: {}",
            std::iter::once("in another tenant".to_owned())
                .filter(|_| tenant_scoped)
                .chain(
                    rule.group
                        .iter()
                        .map(|g| format!("with another `{}`", g.name))
                )
                .collect::<Vec<_>>()
                .join(", ")
        ),
        move |ctx: Arc<Ctx>| {
            let r = r.clone();
            async move {
                let (g, v) = (group(&ctx, &r), r.value());
                status(
                    &create_in(&ctx, Role::A1, &r, &g, &v).await?,
                    &[201],
                    "the first holder",
                )?;
                for f in &r.group {
                    let mut other = g.clone();
                    let fresh = if f.name == ctx.n.account_field() {
                        Value::from(ctx.fresh_account())
                    } else {
                        valid_value(f)
                    };
                    if fresh == g[&f.name] {
                        continue;
                    }
                    other.insert(f.name.clone(), fresh);
                    let ex = create_in(&ctx, Role::A1, &r, &other, &v).await?;
                    ensure(
                        ex.status == 201,
                        &ex,
                        format!("the same value with another `{}` must be accepted", f.name),
                    )?;
                }
                if tenant_scoped {
                    let ex = create_in(&ctx, Role::B, &r, &g, &v).await?;
                    ensure(
                        ex.status == 201,
                        &ex,
                        "the same value in another tenant must be accepted",
                    )?;
                }
                Ok(())
            }
        },
    ));
    if let Some(nullable) = rule.group.iter().find(|g| g.nullable).cloned() {
        let r = rule.clone();
        out.push(Check::new(
            Family::Uniqueness,
            "orphans_are_one_group",
            Level::Must,
            format!(
                "{} whose `{}` is null form one group per tenant",
                m.plural, nullable.name
            ),
            move |ctx: Arc<Ctx>| {
                let (r, nullable) = (r.clone(), nullable.clone());
                async move {
                    let mut g = group(&ctx, &r);
                    g.remove(&nullable.name);
                    let v = r.value();
                    let ex = create_in(&ctx, Role::A1, &r, &g, &v).await?;
                    ensure(
                        ex.status == 201,
                        &ex,
                        "expected 201 with the field left out",
                    )?;
                    g.insert(nullable.name.clone(), Value::Null);
                    let ex = create_in(&ctx, Role::A1, &r, &g, &v).await?;
                    ensure(
                        ex.status == 409,
                        &ex,
                        "a second one with the field null must be 409",
                    )
                }
            },
        ));
    } else {
        out.push(Check::not_applicable(
            Family::Uniqueness,
            "orphans_are_one_group",
            Level::Must,
            "items whose group field is null form one group per tenant",
            format!("the uniqueness group of `{f}` has no nullable client field"),
        ));
    }
    if rule.scope.ignore_deleted && m.soft_delete().is_some() {
        let r = rule.clone();
        out.push(Check::new(
            Family::Uniqueness,
            "soft_deleted_do_not_count",
            Level::Must,
            format!("after the holder is soft-deleted its `{f}` can be used again"),
            move |ctx: Arc<Ctx>| {
                let r = r.clone();
                async move {
                    let (g, v) = (group(&ctx, &r), r.value());
                    let ex = create_in(&ctx, Role::A1, &r, &g, &v).await?;
                    status(&ex, &[201], "the first holder")?;
                    let del = ctx.delete(Role::A1, s(&ex.body, &ctx.n.id), &[]).await?;
                    status(&del, &[200, 204], "deleting the holder")?;
                    let ex = create_in(&ctx, Role::A1, &r, &g, &v).await?;
                    ensure(
                        ex.status == 201,
                        &ex,
                        "the value of a soft-deleted item must be free",
                    )
                }
            },
        ));
    } else {
        out.push(Check::not_applicable(
            Family::Uniqueness,
            "soft_deleted_do_not_count",
            Level::Must,
            "after the holder is soft-deleted its value can be used again",
            if m.soft_delete().is_none() {
                "the resource has no soft delete".to_owned()
            } else {
                format!("the uniqueness rule of `{f}` counts soft-deleted items")
            },
        ));
    }
    let r = rule;
    out.push(Check::new(
        Family::Uniqueness,
        "update_into_duplicate_is_409",
        Level::Must,
        format!("an update that would duplicate a `{f}` answers 409 and changes nothing"),
        move |ctx: Arc<Ctx>| {
            let r = r.clone();
            async move {
                let (g, v) = (group(&ctx, &r), r.value());
                status(
                    &create_in(&ctx, Role::A1, &r, &g, &v).await?,
                    &[201],
                    "the holder",
                )?;
                let other = create_in(&ctx, Role::A1, &r, &g, &r.value()).await?;
                status(&other, &[201], "the other item")?;
                let other = other.body;
                let ex = ctx
                    .patch(Role::A1, s(&other, &ctx.n.id), &json!({r.name(): v}), &[])
                    .await?;
                ensure(ex.status == 409, &ex, "expected 409")?;
                ctx.unchanged(Role::A1, s(&other, &ctx.n.id), &other).await
            }
        },
    ));
    out
}

/// The race of `N` creates of one value in one group: exactly one 201.
pub(crate) async fn one_value_race(ctx: &Ctx, rule: &Rule, n: usize) -> Result<Vec<u16>, Failure> {
    let (g, v) = (group(ctx, rule), rule.value());
    let results =
        futures::future::join_all((0..n).map(|_| create_in(ctx, Role::A1, rule, &g, &v))).await;
    Ok(results
        .iter()
        .map(|r| r.as_ref().map_or(0, |e| e.status))
        .collect())
}
