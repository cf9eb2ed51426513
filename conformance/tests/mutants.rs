//! The mutation table: every check is seen failing. Each mutant is a server
//! that breaks one rule of the contract — the reference server behind a proxy
//! that changes one behaviour, or the reference server with one built-in
//! fault — and names the checks that must catch it. The run against each
//! mutant must fail those checks; every check id of the catalogue must be
//! named by some mutant.
#![cfg(feature = "faults")]

mod support {
    pub mod proxy;
}

use conformance::identity::Identities;
use conformance::run::{Outcome, RunOptions, Silent};
use contact_schema::{Account, Contact, Resource};
use reference_server::fault::Fault;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use support::proxy::{self, Behaviour, Req, Resp, Up, problem, unprocessable};

const SECRET: &str = "mutants-secret";

enum How {
    /// The reference server behind a proxy with this behaviour.
    Proxy(Behaviour),
    /// The reference server with this built-in fault.
    Server(Fault),
}

struct Mutant {
    name: String,
    kills: Vec<&'static str>,
    how: How,
}

fn mutant(name: impl Into<String>, kills: &[&'static str], b: Behaviour) -> Mutant {
    Mutant {
        name: name.into(),
        kills: kills.to_vec(),
        how: How::Proxy(b),
    }
}

fn server(fault: Fault, kills: &[&'static str]) -> Mutant {
    Mutant {
        name: format!("server fault {fault:?}"),
        kills: kills.to_vec(),
        how: How::Server(fault),
    }
}

/// Edits the request, or answers it, before forwarding.
fn pre(f: impl Fn(&mut Req) -> Option<Resp> + Send + Sync + 'static) -> Behaviour {
    let f = Arc::new(f);
    Arc::new(move |mut req: Req, up: Up| {
        let short = f(&mut req);
        Box::pin(async move {
            match short {
                Some(r) => r,
                None => up.forward(req).await,
            }
        })
    })
}

/// A behaviour that applies only to some requests (the others are forwarded as they are).
trait OnlyFor {
    fn only_for(self, when: impl Fn(&Req) -> bool + Send + Sync + 'static) -> Behaviour;
}

impl OnlyFor for Behaviour {
    fn only_for(self, when: impl Fn(&Req) -> bool + Send + Sync + 'static) -> Behaviour {
        let when = Arc::new(when);
        Arc::new(move |req: Req, up: Up| {
            if when(&req) {
                self(req, up)
            } else {
                Box::pin(async move { up.forward(req).await })
            }
        })
    }
}

/// Edits the response.
fn post(f: impl Fn(&Req, &mut Resp) + Send + Sync + 'static) -> Behaviour {
    let f = Arc::new(f);
    Arc::new(move |req: Req, up: Up| {
        let f = f.clone();
        Box::pin(async move {
            let seen = req.clone();
            let mut resp = up.forward(req).await;
            f(&seen, &mut resp);
            resp
        })
    })
}

/// Drops member `field` of a write's body when `pred` holds: a server that
/// does not enforce that rule (and, here, does not store the value either).
fn ignore(field: &'static str, pred: impl Fn(&Value) -> bool + Send + Sync + 'static) -> Behaviour {
    pre(move |req| {
        req.strip_when(field, &pred);
        None
    })
}

fn text_len(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn depth(v: &Value) -> u32 {
    match v {
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn is_person(req: &Req) -> bool {
    req.claims().is_some_and(|c| c.get("app_id").is_none())
}

fn is_app(req: &Req) -> bool {
    req.claims()
        .is_some_and(|c| c.get("app_id").is_some_and(Value::is_string))
}

/// The first person's token of the request's tenant is not known to the
/// proxy; it mints one with the run's secret for the same tenant.
fn as_person(req: &mut Req, up: &Up) {
    if let Some(mut c) = req.claims() {
        if let Some(o) = c.as_object_mut() {
            o.remove("app_id");
        }
        let auth = up.sign(&c);
        req.headers.insert("authorization", auth.parse().unwrap());
    }
}

/// A server whose email uniqueness does not hold for `method`: a write that
/// gets a 409 is retried with the email made unique, so it goes through.
fn retry_409_with_another_email(method: &'static str) -> Behaviour {
    behaviour!(|req, up| {
        let retry = req.clone();
        let resp = up.forward(req).await;
        if retry.method == method
            && resp.status == 409
            && let Some(Value::String(e)) = retry.member("email")
        {
            let mut again = retry;
            again.edit(|o| {
                let unique = ulid::Ulid::generate().to_string().to_lowercase();
                o.insert("email".into(), json!(format!("u{unique}.{e}")));
            });
            return up.forward(again).await;
        }
        resp
    })
}

/// The claims of a validly signed token (the run's secret).
fn valid_claims(req: &Req, up: &Up) -> Option<Value> {
    let token = req.auth()?.split_whitespace().nth(1)?;
    let key = jsonwebtoken::DecodingKey::from_secret(up.secret.as_bytes()).ok()?;
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &v)
        .ok()
        .map(|d| d.claims)
}

fn pattern(field: &str) -> regex::Regex {
    let m = Contact::model();
    let f = m.fields.iter().find(|f| f.name == field).unwrap();
    regex::Regex::new(&f.format.as_ref().unwrap().pattern()).unwrap()
}

/// Re-signs the request's token after `edit` changes its claims (a server that
/// does not check what `edit` repairs).
fn resign(
    when: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    edit: impl Fn(&mut serde_json::Map<String, Value>) + Send + Sync + 'static,
) -> Behaviour {
    let (when, edit) = (Arc::new(when), Arc::new(edit));
    Arc::new(move |mut req: Req, up: Up| {
        let (when, edit) = (when.clone(), edit.clone());
        Box::pin(async move {
            if let (Some(h), Some(mut c)) = (req.token_header(), req.claims())
                && when(&h, &c)
                && let Some(o) = c.as_object_mut()
            {
                edit(o);
                let auth = up.sign(&c);
                req.headers.insert("authorization", auth.parse().unwrap());
            }
            up.forward(req).await
        })
    })
}

fn catalogue_mutants() -> Vec<Mutant> {
    let mut out = vec![
        // §1 stamping
        mutant(
            "ids not uppercase",
            &["stamping.id_format"],
            post(|req, r| {
                if req.method == "POST" && r.status == 201 {
                    r.edit(|v| v["id"] = json!(v["id"].as_str().unwrap_or("").to_lowercase()));
                }
            }),
        ),
        mutant(
            "no Location on create",
            &["stamping.create_stamps"],
            post(|req, r| {
                if req.method == "POST" {
                    r.headers.remove("location");
                }
            }),
        ),
        server(Fault::TenantFromBody, &["stamping.server_fields_ignored"]),
        mutant(
            "the writer is not recorded",
            &["stamping.update_stamps"],
            post(|req, r| {
                if req.method == "PATCH" && r.status == 200 {
                    r.edit(|v| v["updated_by"] = v["created_by"].clone());
                }
            }),
        ),
        mutant(
            "stamps in local time",
            &["stamping.stamps_are_utc"],
            post(|_, r| {
                r.each_contact(|c| {
                    if let Some(t) = c.get("updated_at").and_then(Value::as_str)
                        && let Ok(d) = chrono::DateTime::parse_from_rfc3339(t)
                    {
                        let local = d.with_timezone(&chrono::FixedOffset::east_opt(7200).unwrap());
                        c.insert(
                            "updated_at".into(),
                            json!(local.to_rfc3339_opts(chrono::SecondsFormat::Micros, false)),
                        );
                    }
                });
            }),
        ),
        mutant(
            "app_id not stamped",
            &["stamping.app_id_stamped"],
            post(|req, r| {
                if req.method == "POST" && is_app(req) {
                    r.edit(|v| {
                        if let Some(o) = v.as_object_mut() {
                            o.remove("app_id");
                        }
                    });
                }
            }),
        ),
        // §1 defaults and computed fields
        mutant(
            "null source is not defaulted",
            &["defaults.source_default"],
            pre(|req| {
                if req.method == "POST" {
                    req.edit(|o| {
                        if o.get("source").is_some_and(Value::is_null) {
                            o.insert("source".into(), json!("web"));
                        }
                    });
                }
                None
            }),
        ),
        mutant(
            "null source_type is not defaulted",
            &["defaults.source_type_default"],
            pre(|req| {
                if req.method == "POST" {
                    req.edit(|o| {
                        if o.get("source_type").is_some_and(Value::is_null) {
                            o.insert("source_type".into(), json!("frontend"));
                        }
                    });
                }
                None
            }),
        ),
        server(
            Fault::DisplayNameNotComputed,
            &["defaults.display_name_computed"],
        ),
        mutant(
            "opted_in_at not stamped",
            &["defaults.opted_in_at_stamped"],
            post(|req, r| {
                if req.is_write()
                    && req.member("opted_in") == Some(json!(true))
                    && req.member("opted_in_at").is_none()
                {
                    r.edit(|v| {
                        if let Some(o) = v.as_object_mut() {
                            o.remove("opted_in_at");
                        }
                    });
                }
            }),
        ),
        // §2 tenants and apps
        server(Fault::CrossTenantRead, &["tenant.get_is_404"]),
        server(Fault::CrossTenantWrite, &["tenant.writes_are_404"]),
        mutant("lists ignore the tenant", &["tenant.lists_are_isolated"], {
            // A list holds the caller's page and the pages of the last ten
            // other tenants that created something (the server forgot its
            // tenant condition on lists).
            let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
            Arc::new(move |req: Req, up: Up| {
                let seen = seen.clone();
                Box::pin(async move {
                    let Some(c) = valid_claims(&req, &up) else {
                        return up.forward(req).await;
                    };
                    let tenant = c["tenant_id"].as_str().unwrap_or("").to_owned();
                    if req.is_collection() && req.method == "POST" {
                        {
                            let mut s = seen.lock().unwrap();
                            s.retain(|t| *t != tenant);
                            s.push(tenant);
                            let n = s.len();
                            s.drain(..n.saturating_sub(10));
                        }
                        return up.forward(req).await;
                    }
                    if !(req.is_collection() && req.method == "GET") {
                        return up.forward(req).await;
                    }
                    let others: Vec<String> = seen
                        .lock()
                        .unwrap()
                        .iter()
                        .filter(|t| **t != tenant)
                        .cloned()
                        .collect();
                    let mut resp = up.forward(req.clone()).await;
                    let mut extra = Vec::new();
                    for t in others {
                        let mut c = c.clone();
                        c["tenant_id"] = json!(t);
                        let mut r = req.clone();
                        r.headers
                            .insert("authorization", up.sign(&c).parse().unwrap());
                        let page = up.forward(r).await.json();
                        extra.extend(page["data"].as_array().cloned().unwrap_or_default());
                    }
                    if resp.status == 200 {
                        resp.edit(|v| {
                            if let Some(d) = v["data"].as_array_mut() {
                                d.extend(extra);
                            }
                        });
                    }
                    resp
                })
            })
        }),
        mutant(
            "apps reach every contact by id",
            &[
                "app_scope.other_app_is_404",
                "app_scope.person_contact_is_404_to_apps",
            ],
            behaviour!(|req, up| {
                if req.item_id().is_some() && is_app(&req) {
                    as_person(&mut req, &up);
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "app lists show every contact",
            &["app_scope.lists_are_app_scoped"],
            behaviour!(|req, up| {
                if req.is_collection() && req.method == "GET" && is_app(&req) {
                    as_person(&mut req, &up);
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "people cannot see apps' contacts",
            &["app_scope.people_see_all_apps"],
            post(|req, r| {
                if req.item_id().is_some()
                    && is_person(req)
                    && r.status == 200
                    && r.json()["app_id"].is_string()
                {
                    *r = problem(404, "not found");
                }
            }),
        ),
        // §3 soft delete
        mutant(
            "deleted_at is not the delete's time",
            &["soft_delete.delete_stamps"],
            post(|_, r| {
                r.each_contact(|c| {
                    if c.get("is_deleted") == Some(&json!(true))
                        && let Some(t) = c.get("deleted_at").and_then(Value::as_str)
                        && let Ok(d) = chrono::DateTime::parse_from_rfc3339(t)
                    {
                        let earlier = d - chrono::Duration::seconds(1);
                        c.insert(
                            "deleted_at".into(),
                            json!(earlier.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
                        );
                    }
                });
            }),
        ),
        server(
            Fault::UpdateDeleted,
            &["soft_delete.deleted_is_final_for_writes"],
        ),
        server(Fault::ListShowsDeleted, &["soft_delete.lists_hide_deleted"]),
        // §3 merge patch
        mutant(
            "null members are ignored",
            &["update.null_clears_absent_keeps"],
            pre(|req| {
                if req.method == "PATCH" {
                    req.edit(|o| o.retain(|_, v| !v.is_null()));
                }
                None
            }),
        ),
        mutant(
            "objects are replaced, not merged",
            &["update.objects_merge_recursively"],
            post(|req, r| {
                for field in ["gdpr_consent", "custom_fields"] {
                    if req.method == "PATCH"
                        && r.status == 200
                        && let Some(Value::Object(sent)) = req.member(field)
                    {
                        let kept: serde_json::Map<String, Value> =
                            sent.into_iter().filter(|(_, v)| !v.is_null()).collect();
                        r.edit(|v| v[field] = Value::Object(kept));
                    }
                }
            }),
        ),
        mutant(
            "arrays are appended to",
            &["update.arrays_replaced_whole"],
            behaviour!(|req, up| {
                if req.method == "PATCH"
                    && let Some(Value::Array(new)) = req.member("tags")
                {
                    let current = up.get(&req, &req.path.clone()).await.json();
                    let mut all = current["tags"].as_array().cloned().unwrap_or_default();
                    all.extend(new);
                    req.edit(|o| {
                        o.insert("tags".into(), Value::Array(all));
                    });
                }
                up.forward(req).await
            }),
        ),
        // §4 versioning
        mutant(
            "weak ETags on get",
            &["versioning.etag_is_version"],
            post(|req, r| {
                if req.method == "GET"
                    && let Some(e) = r.header("etag").map(str::to_owned)
                {
                    r.set_header("etag", &format!("W/{e}"));
                }
            }),
        ),
        server(Fault::IgnoreIfMatch, &["versioning.stale_if_match_is_412"]),
        mutant(
            "weak comparison of If-Match",
            &["versioning.if_match_forms"],
            pre(|req| {
                if let Some(v) = req
                    .headers
                    .get("if-match")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
                    && let Some(strong) = v.strip_prefix("W/")
                {
                    req.headers.insert("if-match", strong.parse().unwrap());
                }
                None
            }),
        ),
        mutant(
            "If-Match on delete never matches",
            &["versioning.matching_if_match_on_delete"],
            pre(|req| {
                if req.method == "DELETE" && req.headers.contains_key("if-match") {
                    req.headers.insert("if-match", "\"0\"".parse().unwrap());
                }
                None
            }),
        ),
        mutant(
            "412 before the soft-deleted 404",
            &["versioning.deleted_404_before_412"],
            behaviour!(|req, up| {
                let conditional = req.headers.contains_key("if-match");
                let current = if conditional && req.item_id().is_some() {
                    Some(up.get(&req, &req.path.clone()).await)
                } else {
                    None
                };
                let resp = up.forward(req).await;
                match current {
                    Some(c)
                        if resp.status == 404
                            && c.status == 200
                            && c.json()["is_deleted"] == true =>
                    {
                        problem(412, "precondition failed")
                    }
                    _ => resp,
                }
            }),
        ),
        mutant(
            "the body version is ignored",
            &["versioning.body_version_mismatch_is_409"],
            pre(|req| {
                if req.method == "PATCH" {
                    req.edit(|o| {
                        o.remove("version");
                    });
                }
                None
            }),
        ),
        mutant(
            "a string body version is read as a number",
            &["versioning.body_version_type_422"],
            pre(|req| {
                if req.method == "PATCH" {
                    req.edit(|o| {
                        if let Some(n) = o
                            .get("version")
                            .and_then(Value::as_str)
                            .and_then(|s| s.parse::<i64>().ok())
                        {
                            o.insert("version".into(), json!(n));
                        }
                    });
                }
                None
            }),
        ),
        mutant(
            "the body version before If-Match",
            &["versioning.if_match_before_body_version"],
            pre(|req| {
                if req.method == "PATCH" && req.member("version").is_some() {
                    req.headers.remove("if-match");
                }
                None
            }),
        ),
        mutant(
            "an empty update is not a write",
            &["versioning.every_update_is_a_write"],
            behaviour!(|req, up| {
                if req.method == "PATCH"
                    && req.json() == Some(json!({}))
                    && !req.headers.contains_key("if-match")
                {
                    let path = req.path.clone();
                    return up.get(&req, &path).await;
                }
                up.forward(req).await
            }),
        ),
        // §5 uniqueness
        server(Fault::DuplicateEmail422, &["uniqueness.duplicate_is_409"]),
        mutant(
            "uniqueness only on create",
            &["uniqueness.update_into_duplicate_is_409"],
            retry_409_with_another_email("PATCH"),
        ),
        mutant(
            "apps get their own uniqueness groups",
            &["uniqueness.apps_share_groups"],
            pre(|req| {
                if req.method == "POST"
                    && let Some(app) = req
                        .claims()
                        .and_then(|c| c["app_id"].as_str().map(str::to_owned))
                {
                    req.edit(|o| {
                        if let Some(e) = o.get("email").and_then(Value::as_str) {
                            let scoped = format!("{}.{e}", app.len());
                            o.insert("email".into(), json!(scoped));
                        }
                    });
                }
                None
            }),
        ),
        mutant(
            "emails unique in the whole tenant",
            &["uniqueness.scope_is_the_group"],
            behaviour!(|req, up| {
                if req.method == "POST"
                    && let Some(e) = req
                        .member("email")
                        .and_then(|e| e.as_str().map(str::to_owned))
                {
                    let found = up.list(&req, &[("email", &e)]).await.json();
                    if found["data"].as_array().is_some_and(|d| !d.is_empty()) {
                        return problem(409, "taken in this tenant");
                    }
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "orphans never collide (NULLs are distinct)",
            &["uniqueness.orphans_are_one_group"],
            pre(|req| {
                if req.method == "POST"
                    && req.member("email").is_some()
                    && req.member("account_id").is_none_or(|a| a.is_null())
                {
                    req.edit(|o| {
                        o.insert(
                            "account_id".into(),
                            json!(conformance::context::fresh_prefixed_uuid("acc")),
                        );
                    });
                }
                None
            }),
        ),
        mutant(
            "soft-deleted contacts keep their email",
            &["uniqueness.soft_deleted_do_not_count"],
            behaviour!(|req, up| {
                if req.method == "POST"
                    && let (Some(Value::String(e)), Some(Value::String(a))) =
                        (req.member("email"), req.member("account_id"))
                {
                    let found = up
                        .list(
                            &req,
                            &[
                                ("email", &e),
                                ("account_id", &a),
                                ("include_deleted", "true"),
                            ],
                        )
                        .await
                        .json();
                    if found["data"].as_array().is_some_and(|d| !d.is_empty()) {
                        return problem(409, "taken");
                    }
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "duplicates get through under load",
            &["races.concurrent_creates_one_value"],
            retry_409_with_another_email("POST"),
        ),
        // §1 validation
        mutant(
            "email without @ accepted",
            &["validation.format_email"],
            ignore("email", |v| v.as_str().is_some_and(|s| !s.contains('@'))),
        ),
        mutant(
            "the revision-1 email rule",
            &["validation.email_grammar_rejects_email"],
            {
                let (old, new) = (
                    regex::Regex::new(r"^[^@\s]+@[^@\s]+\.[^@\s]+$").unwrap(),
                    pattern("email"),
                );
                ignore("email", move |v| {
                    v.as_str()
                        .is_some_and(|s| old.is_match(s) && !new.is_match(s))
                })
            },
        ),
        mutant(
            "only letters, digits and . _ - + in emails",
            &["validation.email_grammar_accepts_email"],
            pre(|req| {
                let odd = req
                    .member("email")
                    .and_then(|e| e.as_str().map(str::to_owned))
                    .is_some_and(|e| {
                        let (local, host) = e.split_once('@').unwrap_or((&e, ""));
                        local
                            .chars()
                            .any(|c| !(c.is_ascii_alphanumeric() || "._-+".contains(c)))
                            || host.chars().any(|c| c.is_ascii_uppercase())
                    });
                (req.is_write() && odd).then(|| unprocessable("email"))
            }),
        ),
        mutant(
            "account_id upper case accepted",
            &["validation.format_account_id"],
            {
                let re = pattern("account_id");
                ignore("account_id", move |v| {
                    v.as_str().is_some_and(|s| !re.is_match(s))
                })
            },
        ),
        mutant("phone not checked", &["validation.format_phone"], {
            let re = pattern("phone");
            ignore("phone", move |v| {
                v.as_str().is_some_and(|s| !re.is_match(s))
            })
        }),
        mutant(
            "any URL scheme",
            &["validation.format_linkedin_url"],
            ignore("linkedin_url", |v| {
                v.as_str()
                    .is_some_and(|s| !s.to_ascii_lowercase().starts_with("http"))
            }),
        ),
        mutant(
            "any source_type",
            &["validation.enum_source_type"],
            ignore("source_type", |v| {
                v.as_str().is_some_and(|s| {
                    !["frontend", "backend", "server", "system", "api"].contains(&s)
                })
            }),
        ),
        server(
            Fault::ValidationNamesOneField,
            &["validation.wrong_types_all_named"],
        ),
        server(Fault::UnknownFieldsAccepted, &["validation.unknown_fields"]),
        mutant(
            "empty source accepted",
            &["validation.min_length_source"],
            ignore("source", |v| v.as_str() == Some("")),
        ),
        mutant(
            "local date-times accepted",
            &["validation.date_time_needs_offset"],
            {
                let re = regex::Regex::new(r"T\d\d:\d\d:\d\d(\.\d+)?$").unwrap();
                ignore("last_interaction_at", move |v| {
                    v.as_str().is_some_and(|s| re.is_match(s))
                })
            },
        ),
        mutant(
            "any year accepted",
            &["validation.date_time_range"],
            ignore("last_interaction_at", |v| {
                v.as_str().is_some_and(|s| {
                    s.starts_with("0000")
                        || chrono::DateTime::parse_from_rfc3339(s).is_ok_and(|d| {
                            let u = d.with_timezone(&chrono::Utc);
                            u.timestamp() < -62135596800 || u.timestamp() > 253402300799
                        })
                })
            }),
        ),
        mutant(
            "date-times cut to the second",
            &["validation.date_time_same_instant"],
            post(|_, r| {
                r.each_contact(|c| {
                    if let Some(t) = c.get("last_interaction_at").and_then(Value::as_str)
                        && let Ok(d) = chrono::DateTime::parse_from_rfc3339(t)
                    {
                        c.insert(
                            "last_interaction_at".into(),
                            json!(
                                d.with_timezone(&chrono::Utc)
                                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                            ),
                        );
                    }
                });
            }),
        ),
        mutant(
            "no cap on tag count",
            &["validation.array_max_items"],
            ignore("tags", |v| v.as_array().is_some_and(|a| a.len() > 100)),
        ),
        mutant(
            "no limits on tag length",
            &["validation.array_item_length"],
            ignore("tags", |v| {
                v.as_array()
                    .is_some_and(|a| a.iter().any(|t| text_len(t) == 0 || text_len(t) > 64))
            }),
        ),
        mutant(
            "tags deduplicated",
            &["validation.array_kept_as_sent"],
            post(|_, r| {
                r.each_contact(|c| {
                    if let Some(Value::Array(tags)) = c.get("tags") {
                        let mut seen = BTreeSet::new();
                        let kept: Vec<Value> = tags
                            .iter()
                            .filter(|t| seen.insert(t.to_string()))
                            .cloned()
                            .collect();
                        c.insert("tags".into(), Value::Array(kept));
                    }
                });
            }),
        ),
        mutant(
            "U+0000 stored",
            &["validation.nul_refused"],
            pre(|req| {
                if req.is_write() {
                    req.edit(|o| o.retain(|_, v| !has_nul(v)));
                }
                None
            }),
        ),
        mutant(
            "a contact may manage itself",
            &["validation.reference_must_be_visible_live_other"],
            pre(|req| {
                let id = req.item_id().map(str::to_owned);
                req.strip_when("reports_to_contact_id", |v| v.as_str() == id.as_deref());
                None
            }),
        ),
        mutant(
            "the manager's account is not compared",
            &["validation.reference_same_scope"],
            behaviour!(|req, up| {
                if req.is_write()
                    && let Some(Value::String(target)) = req.member("reports_to_contact_id")
                {
                    let t = up
                        .get(&req, &format!("{}/{target}", proxy::COLLECTION))
                        .await
                        .json();
                    if t["account_id"] != req.member("account_id").unwrap_or(Value::Null)
                        && req.member("account_id").is_some()
                    {
                        req.strip_when("reports_to_contact_id", |_| true);
                    }
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "the stored manager is checked on every write",
            &["validation.reference_checked_only_when_set"],
            behaviour!(|req, up| {
                if req.method == "PATCH" && req.member("reports_to_contact_id").is_none() {
                    let current = up.get(&req, &req.path.clone()).await.json();
                    if let Some(m) = current["reports_to_contact_id"].as_str() {
                        let t = up
                            .get(&req, &format!("{}/{m}", proxy::COLLECTION))
                            .await
                            .json();
                        if t["is_deleted"] == true {
                            return unprocessable("reports_to_contact_id");
                        }
                    }
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "null booleans refused",
            &["validation.null_is_accepted"],
            pre(|req| {
                (req.is_write() && req.member("is_primary") == Some(Value::Null))
                    .then(|| unprocessable("is_primary"))
            }),
        ),
        // §6 errors
        server(Fault::PlainTextErrors, &["errors.problem_details"]),
        mutant(
            "any media type accepted",
            &["errors.media_type_415"],
            pre(|req| {
                let ct = req
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                if req.is_write() && !ct.contains("json") {
                    req.headers
                        .insert("content-type", "application/json".parse().unwrap());
                }
                None
            }),
        ),
        mutant(
            "merge-patch+json refused",
            &["errors.merge_patch_media_type"],
            pre(|req| {
                let ct = req
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                (req.method == "PATCH" && ct.starts_with("application/merge-patch+json"))
                    .then(|| problem(415, "unsupported"))
            }),
        ),
        mutant(
            "an empty body is {}",
            &["errors.bad_json_400"],
            pre(|req| {
                if req.is_write() && req.body.is_empty() {
                    req.body = b"{}".to_vec();
                }
                None
            }),
        ),
        mutant(
            "repeated members: the last wins",
            &["errors.repeated_member_400"],
            pre(|req| {
                if req.is_write()
                    && let Some(v) = req.json()
                {
                    req.set_json(&v);
                }
                None
            }),
        ),
        mutant(
            "media type before size",
            &["errors.too_large_413"],
            pre(|req| {
                let ct = req
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                (req.is_write() && req.body.len() > 1_048_576 && !ct.contains("json"))
                    .then(|| problem(415, "unsupported"))
            }),
        ),
        mutant(
            "405 without Allow",
            &["errors.methods_405"],
            post(|_, r| {
                if r.status == 405 {
                    r.headers.remove("allow");
                }
            }),
        ),
        mutant(
            "HEAD says Content-Length 0",
            &["errors.head_like_get"],
            post(|req, r| {
                if req.method == "HEAD" {
                    r.set_header("content-length", "0");
                }
            }),
        ),
        mutant(
            "routes before authentication",
            &["errors.order_auth_first"],
            pre(|req| {
                (req.auth().is_none() && !req.is_collection() && req.item_id().is_none())
                    .then(|| problem(404, "no route"))
            }),
        ),
        mutant(
            "the item before the body",
            &["errors.order_body_before_item"],
            behaviour!(|req, up| {
                if req.method == "PATCH" && req.item_id().is_some() {
                    let current = up.get(&req, &req.path.clone()).await;
                    if current.status == 404 {
                        return current;
                    }
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "the precondition before the item",
            &["errors.order_item_before_precondition"],
            behaviour!(|req, up| {
                if req.headers.contains_key("if-match") && req.item_id().is_some() {
                    let current = up.get(&req, &req.path.clone()).await;
                    if current.status == 404 {
                        return problem(412, "precondition failed");
                    }
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "the reference before the body version",
            &["errors.order_version_reference_unique"],
            pre(|req| {
                if req.method == "PATCH" && req.member("reports_to_contact_id").is_some() {
                    req.edit(|o| {
                        o.remove("version");
                    });
                }
                None
            }),
        ),
        mutant(
            "malformed ids are a 400",
            &["errors.unknown_id_404"],
            pre(|req| {
                req.item_id()
                    .filter(|id| !id.starts_with("per_"))
                    .map(|_| problem(400, "malformed id"))
            }),
        ),
        // §2 authentication
        mutant(
            "an empty Bearer is a 400",
            &["auth.missing_or_malformed"],
            pre(|req| (req.auth() == Some("Bearer")).then(|| problem(400, "malformed"))),
        ),
        mutant(
            "items readable without a token",
            &["auth.every_route_needs_a_token"],
            behaviour!(|req, up| {
                if req.auth().is_none() && req.item_id().is_some() && req.method == "GET" {
                    let anyone = up.sign(&json!({"sub": "anonymous", "tenant_id": "public", "exp": chrono::Utc::now().timestamp() + 60}));
                    req.headers.insert("authorization", anyone.parse().unwrap());
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "signatures not checked",
            &["auth.bad_signature"],
            resign(|h, _| h["alg"] == "HS256", |_| {}),
        ),
        mutant(
            "alg none accepted",
            &["auth.alg_none"],
            resign(|h, _| h["alg"] == "none", |_| {}),
        ),
        server(Fault::AcceptExpiredTokens, &["auth.expired"]),
        mutant(
            "nbf ignored",
            &["auth.not_yet_valid"],
            resign(
                |_, c| c.get("nbf").is_some(),
                |o| {
                    o.remove("nbf");
                },
            ),
        ),
        mutant(
            "exp optional",
            &["auth.claims_required"],
            resign(
                |_, c| c.get("exp").is_none(),
                |o| {
                    o.insert("exp".into(), json!(chrono::Utc::now().timestamp() + 60));
                },
            ),
        ),
        mutant(
            "long subs cut to 255",
            &["auth.claim_limits"],
            resign(
                |_, c| c["sub"].as_str().is_some_and(|s| s.len() > 255),
                |o| {
                    let s: String = o["sub"].as_str().unwrap_or("").chars().take(255).collect();
                    o.insert("sub".into(), json!(s));
                },
            ),
        ),
        mutant(
            "the first Authorization header wins",
            &["auth.one_authorization_header"],
            pre(|req| {
                if let Some(first) = req.headers.get("authorization").cloned() {
                    req.headers.insert("authorization", first);
                }
                None
            }),
        ),
        mutant(
            "only `Bearer` spelled so",
            &["auth.scheme_case_insensitive"],
            pre(|req| {
                req.auth()
                    .filter(|a| {
                        a.to_ascii_lowercase().starts_with("bearer ") && !a.starts_with("Bearer ")
                    })
                    .map(|_| problem(401, "scheme"))
            }),
        ),
        // Rules broken on one path only: one filter, one list form, one
        // token kind, one operation, one page.
        mutant(
            "an app's filtered list is not app-scoped",
            &["app_scope.lists_are_app_scoped"],
            behaviour!(|req, up| {
                if req.is_collection()
                    && req.method == "GET"
                    && is_app(&req)
                    && (req.param("email").is_some() || req.param("account_id").is_some())
                {
                    as_person(&mut req, &up);
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "include_deleted=true drops the app scope",
            &["app_scope.lists_are_app_scoped"],
            behaviour!(|req, up| {
                if req.is_collection()
                    && req.method == "GET"
                    && is_app(&req)
                    && req.param("include_deleted") == Some("true")
                {
                    as_person(&mut req, &up);
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "the email filter shows soft-deleted contacts",
            &["soft_delete.lists_hide_deleted"],
            pre(|req| {
                if req.is_collection()
                    && req.method == "GET"
                    && req.param("email").is_some()
                    && req.param("include_deleted").is_none()
                {
                    req.set_param("include_deleted", Some("true"));
                }
                None
            }),
        ),
        mutant(
            "token expiry checked on reads only",
            &["auth.expired"],
            resign(
                |_, c| {
                    c["exp"]
                        .as_i64()
                        .is_some_and(|e| e < chrono::Utc::now().timestamp())
                },
                |o| {
                    o.insert("exp".into(), json!(chrono::Utc::now().timestamp() + 600));
                },
            )
            .only_for(|req| req.method != "GET"),
        ),
        mutant(
            "alg none accepted on deletes",
            &["auth.alg_none"],
            resign(|h, _| h["alg"] == "none", |_| {}).only_for(|req| req.method == "DELETE"),
        ),
        mutant(
            "lengths counted in UTF-8 bytes",
            &["validation.max_length_first_name"],
            pre(|req| {
                (req.is_write()
                    && req
                        .member("first_name")
                        .and_then(|v| v.as_str().map(str::len))
                        .is_some_and(|bytes| bytes > 1024))
                .then(|| unprocessable("first_name"))
            }),
        ),
        server(
            Fault::CursorSkipsTies,
            &["pagination.walk_is_complete_and_ordered"],
        ),
        mutant(
            "an empty email filter matches contacts without an email",
            &["pagination.filter_email"],
            pre(|req| {
                if req.is_collection() && req.method == "GET" && req.param("email") == Some("") {
                    // `COALESCE(email, '') = ''`: the contacts with no email.
                    req.set_param("email", None);
                }
                None
            }),
        ),
        mutant(
            "the filter is dropped after the first page",
            &["pagination.filters_hold_on_every_page"],
            pre(|req| {
                if req.is_collection() && req.method == "GET" && req.param("cursor").is_some() {
                    req.set_param("email", None);
                    req.set_param("account_id", None);
                }
                None
            }),
        ),
        // §3 lists
        mutant(
            "pages skip their last contact",
            &["pagination.walk_is_complete_and_ordered"],
            post(|req, r| {
                if req.is_collection() && req.method == "GET" {
                    r.edit(|v| {
                        if v["next_cursor"].is_string()
                            && let Some(d) = v["data"].as_array_mut()
                        {
                            d.pop();
                        }
                    });
                }
            }),
        ),
        mutant(
            "the default page is 100",
            &["pagination.limit_default"],
            pre(|req| {
                if req.is_collection() && req.method == "GET" && req.param("limit").is_none() {
                    req.set_param("limit", Some("100"));
                }
                None
            }),
        ),
        mutant(
            "limit over 100 is a 400",
            &["pagination.limit_cap"],
            pre(|req| {
                req.param("limit")
                    .and_then(|l| l.parse::<u64>().ok())
                    .filter(|l| *l > 100)
                    .map(|_| problem(400, "limit too large"))
            }),
        ),
        mutant(
            "limit=0 means the default",
            &["pagination.limit_invalid_400"],
            pre(|req| {
                if req.param("limit") == Some("0") {
                    req.set_param("limit", None);
                }
                None
            }),
        ),
        mutant(
            "unknown parameters are a 400",
            &["pagination.unknown_params_ignored"],
            pre(|req| {
                let known = ["limit", "cursor", "account_id", "email", "include_deleted"];
                (req.is_collection()
                    && req.method == "GET"
                    && req.query.iter().any(|(k, _)| !known.contains(&k.as_str())))
                .then(|| problem(400, "unknown parameter"))
            }),
        ),
        mutant(
            "U+0000 dropped from parameters",
            &["pagination.nul_in_query_400"],
            pre(|req| {
                for (_, v) in req.query.iter_mut() {
                    *v = v.replace('\0', "");
                }
                None
            }),
        ),
        mutant(
            "a bad cursor restarts the walk",
            &["pagination.bad_cursor_400"],
            behaviour!(|req, up| {
                let retry = req.clone();
                let resp = up.forward(req).await;
                if resp.status == 400 && retry.param("cursor").is_some() {
                    let mut again = retry;
                    again.set_param("cursor", None);
                    return up.forward(again).await;
                }
                resp
            }),
        ),
        mutant(
            "include_deleted=1 means true",
            &["pagination.include_deleted_values"],
            pre(|req| {
                if matches!(req.param("include_deleted"), Some("1" | "yes")) {
                    req.set_param("include_deleted", Some("true"));
                }
                None
            }),
        ),
        mutant(
            "a malformed account filter is ignored",
            &["pagination.filter_account_id"],
            {
                let re = pattern("account_id");
                pre(move |req| {
                    if req.param("account_id").is_some_and(|a| !re.is_match(a)) {
                        req.set_param("account_id", None);
                    }
                    None
                })
            },
        ),
        mutant(
            "the email filter is case-sensitive",
            &["pagination.filter_email"],
            post(|req, r| {
                if let Some(e) = req.param("email").map(str::to_owned) {
                    r.edit(|v| {
                        if let Some(d) = v["data"].as_array_mut() {
                            d.retain(|c| c["email"] == e);
                        }
                    });
                }
            }),
        ),
        // §4 races
        mutant(
            "If-Match checked, then written (a race)",
            &["races.concurrent_conditional_patches"],
            behaviour!(|req, up| {
                if req.method == "PATCH"
                    && let Some(tag) = req
                        .headers
                        .get("if-match")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                {
                    let current = up.get(&req, &req.path.clone()).await;
                    if current.header("etag") != Some(tag.as_str()) {
                        return problem(412, "stale");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    req.headers.remove("if-match");
                }
                up.forward(req).await
            }),
        ),
        mutant(
            "read, modify, write the whole contact (lost updates)",
            &["races.no_lost_update"],
            behaviour!(|req, up| {
                if req.method == "PATCH"
                    && !req.headers.contains_key("if-match")
                    && let Some(Value::Object(patch)) = req.json()
                {
                    let current = up.get(&req, &req.path.clone()).await.json();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let mut whole = serde_json::Map::new();
                    for f in Contact::model().client_fields() {
                        whole.insert(
                            f.name.clone(),
                            current.get(&f.name).cloned().unwrap_or(Value::Null),
                        );
                    }
                    whole.extend(patch);
                    req.set_json(&Value::Object(whole));
                }
                up.forward(req).await
            }),
        ),
    ];
    // One per length limit: the limit not enforced on that field.
    let m = Contact::model();
    for f in m.client_fields() {
        let name: &'static str = Box::leak(f.name.clone().into_boxed_str());
        if let Some(max) = m.max_length(f).filter(|_| f.references.is_none()) {
            let id: &'static str =
                Box::leak(format!("validation.max_length_{name}").into_boxed_str());
            let max = max as usize;
            out.push(mutant(
                format!("{name} has no length limit"),
                &[id],
                ignore(name, move |v| text_len(v) > max),
            ));
        }
        if let Some(d) = f.limits.max_depth {
            let id: &'static str =
                Box::leak(format!("validation.json_depth_{name}").into_boxed_str());
            out.push(mutant(
                format!("{name} has no depth limit"),
                &[id],
                ignore(name, move |v| depth(v) > d),
            ));
        }
        if let Some(b) = f.limits.max_bytes {
            let id: &'static str =
                Box::leak(format!("validation.json_size_{name}").into_boxed_str());
            out.push(mutant(
                format!("{name} has no size limit"),
                &[id],
                ignore(name, move |v| v.to_string().len() > b as usize),
            ));
        }
    }
    out
}

/// The Account's mutants: one for each check its catalogue has and the
/// Contact's has not (the checks both have are the same code, seen failing in
/// the Contact's table): required fields, integers, dates, its own formats,
/// lengths and filter.
fn account_mutants() -> Vec<Mutant> {
    let host = {
        let m = Account::model();
        let f = m.fields.iter().find(|f| f.name == "domain").unwrap();
        regex::Regex::new(&f.format.as_ref().unwrap().pattern()).unwrap()
    };
    let shape = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}$").unwrap();
    vec![
        mutant(
            "a missing or null name is filled in",
            &["validation.required_fields"],
            pre(|req| {
                if !req.is_write() {
                    return None;
                }
                let create = req.method == axum::http::Method::POST;
                req.edit(|o| match o.get("name") {
                    None | Some(Value::Null) if create => {
                        o.insert("name".into(), json!("filled in by the proxy"));
                    }
                    Some(Value::Null) => {
                        o.remove("name");
                    }
                    _ => {}
                });
                None
            }),
        ),
        mutant(
            "employee_count refuses its maximum",
            &["validation.integer_employee_count"],
            pre(|req| {
                (req.is_write() && req.member("employee_count") == Some(json!(10_000_000)))
                    .then(|| unprocessable("employee_count"))
            }),
        ),
        mutant(
            "employee_count comes back as it was written (0.0)",
            &["validation.integer_form_employee_count"],
            post(|req, r| {
                if req.member("employee_count").is_some_and(|v| v.is_f64()) {
                    r.edit(|v| {
                        if let Some(n) = v["employee_count"].as_i64() {
                            v["employee_count"] = json!(n as f64);
                        }
                    });
                }
            }),
        ),
        mutant(
            "employee_count takes anything (the proxy drops what the server would refuse)",
            &["validation.integer_bounds_employee_count"],
            ignore("employee_count", |v| {
                !v.as_i64().is_some_and(|n| (0..=10_000_000).contains(&n)) || v.is_f64()
            }),
        ),
        mutant(
            "founded_on refuses year 0001",
            &["validation.date_founded_on"],
            pre(|req| {
                (req.is_write() && req.member("founded_on") == Some(json!("0001-01-01")))
                    .then(|| unprocessable("founded_on"))
            }),
        ),
        mutant(
            "founded_on checks the shape only, not the calendar",
            &["validation.date_rejects_founded_on"],
            ignore("founded_on", move |v| {
                v.as_str().is_some_and(|d| {
                    shape.is_match(d)
                        && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                            .map_or(true, |x| chrono::Datelike::year(&x) == 0)
                })
            }),
        ),
        mutant(
            "any domain",
            &["validation.format_domain"],
            ignore("domain", move |v| {
                v.as_str().is_some_and(|d| !host.is_match(d))
            }),
        ),
        mutant(
            "any website",
            &["validation.format_website"],
            ignore("website", |v| {
                v.as_str()
                    .is_some_and(|s| !s.to_ascii_lowercase().starts_with("http"))
            }),
        ),
        mutant(
            "a long name is cut to 255 characters",
            &["validation.max_length_name"],
            pre(|req| {
                if req.is_write() {
                    req.edit(|o| {
                        if let Some(n) = o.get("name").and_then(Value::as_str)
                            && n.chars().count() > 255
                        {
                            let cut: String = n.chars().take(255).collect();
                            o.insert("name".into(), json!(cut));
                        }
                    });
                }
                None
            }),
        ),
        mutant(
            "an empty name is made one",
            &["validation.min_length_name"],
            pre(|req| {
                if req.is_write() {
                    req.edit(|o| {
                        if o.get("name") == Some(&json!("")) {
                            o.insert("name".into(), json!("-"));
                        }
                    });
                }
                None
            }),
        ),
        mutant(
            "industry has no length limit",
            &["validation.max_length_industry"],
            ignore("industry", |v| text_len(v) > 1024),
        ),
        mutant(
            "website has no length limit",
            &["validation.max_length_website"],
            ignore("website", |v| text_len(v) > 2048),
        ),
        mutant(
            "the domain filter is case-sensitive",
            &["pagination.filter_domain"],
            post(|req, r| {
                if let Some(d) = req.param("domain").map(str::to_owned) {
                    r.edit(|v| {
                        if let Some(items) = v["data"].as_array_mut() {
                            items.retain(|a| a["domain"] == d);
                        }
                    });
                }
            }),
        ),
    ]
}

/// Runs `model`'s catalogue against each mutant; the kills each missed, and
/// a line per mutant for the table.
async fn run_table(
    model: &resource_model::ResourceModel,
    mutants: &[Mutant],
    plain: &reference_server::Server,
) -> (Vec<String>, Vec<String>) {
    let mut survived = Vec::new();
    let mut table = Vec::new();
    for m in mutants {
        let (base, _proxy, own) = match &m.how {
            How::Proxy(b) => {
                let p = proxy::start(&plain.base_url(), SECRET, b.clone()).await;
                (p.base_url.clone(), Some(p), None)
            }
            How::Server(fault) => {
                let mut config = reference_server::Config::from_schemas(
                    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
                    SECRET,
                )
                .expect("the workspace's generated tree");
                config.fault = Some(*fault);
                let s = reference_server::start(config).await.unwrap();
                (s.base_url(), None, Some(s))
            }
        };
        let ctx = conformance::context(
            model.clone(),
            &base,
            Identities::mint(SECRET.as_bytes()).unwrap(),
            Some(SECRET),
            Duration::from_secs(10),
        )
        .unwrap();
        let report = conformance::run(ctx, &base, &RunOptions::default(), &Silent)
            .await
            .unwrap();
        if let Some(s) = own {
            s.shutdown().await;
        }
        let failed: BTreeSet<&str> = report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| c.id.as_str())
            .collect();
        for k in &m.kills {
            if !failed.contains(k) {
                survived.push(format!(
                    "{} ({}): {k} passed (failed: {failed:?})",
                    m.name, model.plural
                ));
            }
        }
        table.push(format!(
            "{:<10} {:<55} {:>3} checks fail",
            model.plural,
            m.name,
            failed.len()
        ));
    }
    (survived, table)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_fails_against_a_mutant_that_breaks_its_rule() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The checks that apply (those that do not are never run).
    let catalogue: BTreeSet<String> = conformance::checks::catalogue(&Contact::model())
        .into_iter()
        .filter(|c| c.not_applicable.is_none())
        .map(|c| c.id)
        .collect();
    let mutants = catalogue_mutants();
    let named: BTreeSet<String> = mutants
        .iter()
        .flat_map(|m| m.kills.iter().map(|k| (*k).to_owned()))
        .collect();
    let unknown: Vec<&String> = named.difference(&catalogue).collect();
    assert!(
        unknown.is_empty(),
        "mutants name checks that do not exist: {unknown:?}"
    );
    let uncovered: Vec<&String> = catalogue.difference(&named).collect();
    assert!(
        uncovered.is_empty(),
        "no mutant for these checks: {uncovered:?}"
    );

    // The Account: every check the Contact's catalogue lacks has a mutant.
    let accounts: BTreeSet<String> = conformance::checks::catalogue(&Account::model())
        .into_iter()
        .filter(|c| c.not_applicable.is_none())
        .map(|c| c.id)
        .collect();
    let account_mutants = account_mutants();
    let account_named: BTreeSet<String> = account_mutants
        .iter()
        .flat_map(|m| m.kills.iter().map(|k| (*k).to_owned()))
        .collect();
    let unknown: Vec<&String> = account_named.difference(&accounts).collect();
    assert!(
        unknown.is_empty(),
        "Account mutants name checks that do not exist: {unknown:?}"
    );
    let own: BTreeSet<String> = accounts.difference(&catalogue).cloned().collect();
    let uncovered: Vec<&String> = own.difference(&account_named).collect();
    assert!(
        uncovered.is_empty(),
        "no Account mutant for these checks: {uncovered:?}"
    );

    let plain = reference_server::start(
        reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            SECRET,
        )
        .expect("the workspace's generated tree"),
    )
    .await
    .unwrap();
    let (mut survived, mut table) = run_table(&Contact::model(), &mutants, &plain).await;
    let (s2, t2) = run_table(&Account::model(), &account_mutants, &plain).await;
    survived.extend(s2);
    table.extend(t2);
    plain.shutdown().await;
    println!("{}", table.join("\n"));
    assert!(
        survived.is_empty(),
        "mutants the runner missed:\n{}",
        survived.join("\n")
    );
}
