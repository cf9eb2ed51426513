//! §5: uniqueness scopes, from the model.

use super::{Check, Family, Level, s};
use crate::context::{Ctx, fresh_email};
use crate::http::{Exchange, Failure, ensure, status};
use crate::identity::Role;
use contact_schema::ResourceModel;
use serde_json::{Value, json};
use std::sync::Arc;

/// A create of `email` in the group `account` (a value or null) as `role`.
async fn create_in(
    ctx: &Ctx,
    role: Role,
    account: Value,
    email: &str,
) -> Result<Exchange, Failure> {
    ctx.create(
        role,
        &json!({ ctx.n.account_field(): account, ctx.n.email_field(): email }),
    )
    .await
}

pub fn checks(m: &ResourceModel) -> Vec<Check> {
    let names = crate::context::Names::new(m);
    // An email unique within the account partition: other scopes would need value generators of their own.
    if !m.unique.iter().any(|u| {
        Some(&u.field) == names.email.as_ref()
            && u.within.iter().any(|w| w == names.account_field())
    }) {
        return Vec::new();
    }
    vec![
        Check::new(
            Family::Uniqueness,
            "duplicate_is_409",
            Level::Must,
            "a second contact with the same email in the account answers 409, also in upper case",
            |ctx: Arc<Ctx>| async move {
                let e = fresh_email();
                ctx.created(Role::A1, json!({ctx.n.email_field(): e}))
                    .await?;
                let ex = create_in(&ctx, Role::A1, json!(ctx.account), &e).await?;
                status(&ex, &[409], "a duplicate email")?;
                let ex = create_in(&ctx, Role::A1, json!(ctx.account), &e.to_uppercase()).await?;
                status(&ex, &[409], "the same email in upper case")
            },
        ),
        Check::new(
            Family::Uniqueness,
            "apps_share_groups",
            Level::Must,
            "apps do not split uniqueness groups: an app's create of an email a person's contact holds in the account answers 409, and so does a person's of an app's",
            |ctx: Arc<Ctx>| async move {
                let e = fresh_email();
                ctx.created(Role::A1, json!({ctx.n.email_field(): e}))
                    .await?;
                let ex = create_in(&ctx, Role::AppX, json!(ctx.account), &e).await?;
                status(
                    &ex,
                    &[409],
                    "app-x creating an email a person's contact holds",
                )?;
                let e = fresh_email();
                ctx.created(Role::AppY, json!({ctx.n.email_field(): e}))
                    .await?;
                let ex = create_in(&ctx, Role::A2, json!(ctx.account), &e).await?;
                status(
                    &ex,
                    &[409],
                    "a person creating an email app-y's contact holds",
                )
            },
        ),
        Check::new(
            Family::Uniqueness,
            "scope_is_tenant_and_account",
            Level::Must,
            "the same email is fine in another account and in another tenant",
            |ctx: Arc<Ctx>| async move {
                let e = fresh_email();
                ctx.created(Role::A1, json!({ctx.n.email_field(): e}))
                    .await?;
                let ex = create_in(&ctx, Role::A1, json!(ctx.fresh_account()), &e).await?;
                ensure(
                    ex.status == 201,
                    &ex,
                    "the same email in another account must be accepted",
                )?;
                let ex = create_in(&ctx, Role::B, json!(ctx.account), &e).await?;
                ensure(
                    ex.status == 201,
                    &ex,
                    "the same email in another tenant must be accepted",
                )
            },
        ),
        Check::new(
            Family::Uniqueness,
            "orphans_are_one_group",
            Level::Must,
            "contacts without an account form one group per tenant",
            |ctx: Arc<Ctx>| async move {
                let e = fresh_email();
                let ex = ctx
                    .create(Role::A1, &json!({ctx.n.email_field(): e}))
                    .await?;
                ensure(ex.status == 201, &ex, "expected 201 for an orphan")?;
                let ex = ctx
                    .create(
                        Role::A1,
                        &json!({ctx.n.email_field(): e, ctx.n.account_field(): null}),
                    )
                    .await?;
                ensure(
                    ex.status == 409,
                    &ex,
                    "a second orphan with the same email must be 409",
                )
            },
        ),
        Check::new(
            Family::Uniqueness,
            "soft_deleted_do_not_count",
            Level::Must,
            "after the holder is soft-deleted the email can be used again",
            |ctx: Arc<Ctx>| async move {
                let e = fresh_email();
                let c = ctx
                    .created(Role::A1, json!({ctx.n.email_field(): e}))
                    .await?;
                ctx.delete(Role::A1, s(&c, &ctx.n.id), &[]).await?;
                let ex = create_in(&ctx, Role::A1, json!(ctx.account), &e).await?;
                ensure(
                    ex.status == 201,
                    &ex,
                    "the email of a soft-deleted contact must be free",
                )
            },
        ),
        Check::new(
            Family::Uniqueness,
            "update_into_duplicate_is_409",
            Level::Must,
            "an update that would duplicate an email answers 409 and changes nothing",
            |ctx: Arc<Ctx>| async move {
                let e = fresh_email();
                ctx.created(Role::A1, json!({ctx.n.email_field(): e}))
                    .await?;
                let other = ctx
                    .created(Role::A1, json!({ctx.n.email_field(): fresh_email()}))
                    .await?;
                let ex = ctx
                    .patch(
                        Role::A1,
                        s(&other, &ctx.n.id),
                        &json!({ctx.n.email_field(): e}),
                        &[],
                    )
                    .await?;
                ensure(ex.status == 409, &ex, "expected 409")?;
                ctx.unchanged(Role::A1, s(&other, &ctx.n.id), &other).await
            },
        ),
    ]
}
