//! The project's statement of the CRM contract (`../shared/CONTRACT.md`),
//! rule by rule, each rule linked to the checks that test it: §§1–7 to the
//! Contact's catalogue, §§8–9 to the Account's. `conformance contract`
//! renders it to `docs/CONTRACT.md`; a test keeps the file, the rules and the
//! catalogues in step (every rule checked or saying why not, every check of
//! each catalogue under a rule of its resource).

use crate::checks::Check;

/// One rule of the contract.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The section it belongs to.
    pub section: Section,
    /// The rule, in the project's words (Markdown).
    pub text: &'static str,
    /// The check ids that test it; an entry ending in `*` is a prefix.
    pub checks: &'static [&'static str],
    /// Why no check tests it, when none does.
    pub unchecked: Option<&'static str>,
}

/// A section of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The resource and its fields.
    Resource,
    /// Authentication, tenants and apps.
    Scope,
    /// The five operations.
    Operations,
    /// Lists.
    Lists,
    /// Optimistic concurrency.
    Versioning,
    /// Uniqueness.
    Uniqueness,
    /// Errors and robustness.
    Errors,
    /// What holds for every resource of an API (§8).
    Resources,
    /// The Account (§9).
    Account,
}

impl Section {
    /// Every section, in order.
    pub const ALL: [Section; 9] = [
        Section::Resource,
        Section::Scope,
        Section::Operations,
        Section::Lists,
        Section::Versioning,
        Section::Uniqueness,
        Section::Errors,
        Section::Resources,
        Section::Account,
    ];

    /// The resource (plural) whose catalogue the section's rules link to.
    pub fn resource(self) -> &'static str {
        match self {
            Section::Resources | Section::Account => "accounts",
            _ => "contacts",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Section::Resource => "1. The contact and its fields",
            Section::Scope => "2. Who may see what",
            Section::Operations => "3. Operations",
            Section::Lists => "4. Lists",
            Section::Versioning => "5. Versions and preconditions",
            Section::Uniqueness => "6. Unique emails",
            Section::Errors => "7. Errors and robustness",
            Section::Resources => "8. Every resource of an API",
            Section::Account => "9. The Account",
        }
    }
}

const fn rule(section: Section, text: &'static str, checks: &'static [&'static str]) -> Rule {
    Rule {
        section,
        text,
        checks,
        unchecked: None,
    }
}

const fn unchecked(section: Section, text: &'static str, why: &'static str) -> Rule {
    Rule {
        section,
        text,
        checks: &[],
        unchecked: Some(why),
    }
}

use Section::*;

/// Every rule, in the order of the document.
pub const RULES: &[Rule] = &[
    rule(
        Resource,
        "Contacts live at `/api/v1/crm/contacts`, one at `/api/v1/crm/contacts/{id}`; bodies are JSON objects whose members are the fields below, by their snake_case names. Every contact a server returns fits the published JSON Schema.",
        &["stamping.create_stamps", "errors.unknown_id_404"],
    ),
    rule(
        Resource,
        "The server writes `id`: `per_` and an upper-case ULID, whose time is within 5 s of `created_at`.",
        &["stamping.id_format"],
    ),
    rule(
        Resource,
        "The server writes `tenant_id` (the token's `tenant_id`), `created_by` and `updated_by` (the token's `sub`), `created_at` and `updated_at` (equal on create), `version` (1 on create) and `schema_version`; a create answers with `Location` and `ETag`.",
        &["stamping.create_stamps"],
    ),
    rule(
        Resource,
        "`app_id` is the token's `app_id` for an application's token, and null for a person's; it never changes.",
        &["stamping.app_id_stamped", "app_scope.people_see_all_apps"],
    ),
    rule(
        Resource,
        "Server-owned fields sent in a create or update body are ignored: never stored, never an error.",
        &["stamping.server_fields_ignored"],
    ),
    rule(
        Resource,
        "Each successful update or delete moves `updated_at` strictly forward, records its writer in `updated_by`, raises `version` by one and keeps `created_by`.",
        &[
            "stamping.update_stamps",
            "versioning.every_update_is_a_write",
            "soft_delete.delete_stamps",
        ],
    ),
    rule(
        Resource,
        "Date-times the server writes are RFC 3339 in UTC with a four-digit year.",
        &["stamping.stamps_are_utc"],
    ),
    rule(
        Resource,
        "`source` defaults to `\"edm\"` and `source_type` to `\"api\"` when absent or null, on create and when an update sets them to null; `source` may not be empty.",
        &[
            "defaults.source_default",
            "defaults.source_type_default",
            "validation.min_length_source",
        ],
    ),
    rule(
        Resource,
        "`source_type` is one of `frontend`, `backend`, `server`, `system`, `api`.",
        &["validation.enum_source_type"],
    ),
    rule(
        Resource,
        "After each write, a blank `display_name` (null or white space) becomes the trimmed first and last names joined by a space, or null; a stored one is never recomputed.",
        &["defaults.display_name_computed"],
    ),
    rule(
        Resource,
        "When a write turns `opted_in` true and does not set `opted_in_at`, `opted_in_at` becomes that write's `updated_at`; opting out keeps it.",
        &["defaults.opted_in_at_stamped"],
    ),
    rule(
        Resource,
        "`account_id` is `acc-` and a lower-case hyphenated UUID; `phone` is E.164; `linkedin_url` an absolute http(s) URL of at most 2048 characters.",
        &[
            "validation.format_account_id",
            "validation.format_phone",
            "validation.format_linkedin_url",
            "validation.max_length_linkedin_url",
        ],
    ),
    rule(
        Resource,
        "`email` is ASCII: dot-separated runs of RFC 5322 `atext`, `@`, and a host of two or more labels of 1 to 63 letters, digits or inner hyphens; at most 254 characters; stored as sent.",
        &[
            "validation.format_email",
            "validation.email_grammar_*",
            "validation.max_length_email",
        ],
    ),
    rule(
        Resource,
        "Other strings hold at most 1024 characters.",
        &["validation.max_length_*"],
    ),
    rule(
        Resource,
        "`tags` holds at most 100 strings of 1 to 64 characters, kept in order with their duplicates.",
        &["validation.array_*"],
    ),
    rule(
        Resource,
        "`custom_fields` and `gdpr_consent` are JSON objects of at most 64 KiB serialised compactly and 10 levels deep.",
        &["validation.json_*"],
    ),
    rule(
        Resource,
        "Client date-times need a time zone offset and an instant between years 1 and 9999; they come back as the same instant, in UTC.",
        &["validation.date_time_*"],
    ),
    rule(
        Resource,
        "`reports_to_contact_id`, when a write sets it, names another live contact the caller can see, in the same account after the write; a later deletion of that contact changes nothing.",
        &["validation.reference_*"],
    ),
    rule(
        Resource,
        "Every client field accepts null; a wrong JSON type is a 422 naming every offending field at once; unknown fields are a 422 naming each.",
        &[
            "validation.null_is_accepted",
            "validation.wrong_types_all_named",
            "validation.unknown_fields",
        ],
    ),
    rule(
        Resource,
        "No string anywhere in a body may hold U+0000: a 422 naming the top-level field.",
        &["validation.nul_refused"],
    ),
    rule(
        Scope,
        "Every request carries `Authorization: Bearer <JWT>`, the scheme name in any case; without one, or with another scheme or a malformed token, the answer is a 401 problem with `WWW-Authenticate: Bearer` and no contact data, on every route.",
        &[
            "auth.missing_or_malformed",
            "auth.every_route_needs_a_token",
            "auth.scheme_case_insensitive",
            "errors.order_auth_first",
        ],
    ),
    rule(
        Scope,
        "A token signed with another key, unsigned (`alg: none`), expired, not yet valid (`nbf`), or without `exp` is a 401.",
        &[
            "auth.bad_signature",
            "auth.alg_none",
            "auth.expired",
            "auth.not_yet_valid",
            "auth.claims_required",
        ],
    ),
    rule(
        Scope,
        "`sub`, `tenant_id` and `app_id` (when present) are non-empty strings of at most 255 characters without U+0000; null or another type is malformed (401).",
        &["auth.claims_required", "auth.claim_limits"],
    ),
    rule(
        Scope,
        "Two `Authorization` headers are a 401.",
        &["auth.one_authorization_header"],
    ),
    rule(
        Scope,
        "A caller never sees, changes or learns of another tenant's contact: by id it is a 404 like an id that never existed, and lists, filters and cursors leave it out.",
        &["tenant.*"],
    ),
    rule(
        Scope,
        "An application's token reaches only contacts with its `app_id`; a person's token reaches every contact of the tenant, and a person's update keeps the contact's `app_id`.",
        &["app_scope.*"],
    ),
    rule(
        Operations,
        "Create answers 201 with the stored contact; get, update answer 200; delete answers 200 with the contact or 204; each with the `ETag` of the version it left.",
        &[
            "stamping.create_stamps",
            "versioning.etag_is_version",
            "soft_delete.delete_stamps",
        ],
    ),
    rule(
        Operations,
        "`HEAD` answers as `GET` without a body, and any `Content-Length` it sends is the length of GET's body; other methods are a 405 with `Allow`.",
        &["errors.head_like_get", "errors.methods_405"],
    ),
    rule(
        Operations,
        "Update is JSON Merge Patch (`application/merge-patch+json` or `application/json`): an absent member leaves a field, null clears it, objects merge recursively (a null member removes its key), arrays are replaced whole.",
        &["update.*", "errors.merge_patch_media_type"],
    ),
    rule(
        Operations,
        "Delete is soft: the contact stays readable with `is_deleted`, `deleted_at` (its `updated_at`) and `deleted_by`; nothing else changes; a second delete or an update of it is a 404.",
        &[
            "soft_delete.delete_stamps",
            "soft_delete.deleted_is_final_for_writes",
        ],
    ),
    rule(
        Lists,
        "A list is `{\"data\": [...], \"next_cursor\": ...}` in `created_at` then `id` order; following `next_cursor` to null visits every matching contact once.",
        &["pagination.walk_is_complete_and_ordered"],
    ),
    rule(
        Lists,
        "`limit` is digits only: absent means 25, above 100 means 100, 0 or anything else is a 400.",
        &["pagination.limit_*"],
    ),
    rule(
        Lists,
        "Soft-deleted contacts are left out unless `include_deleted=true`; the value is `true` or `false`, else a 400.",
        &[
            "soft_delete.lists_hide_deleted",
            "pagination.include_deleted_values",
        ],
    ),
    rule(
        Lists,
        "`account_id` filters exactly (malformed: 400); `email` filters ignoring ASCII case; filters combine with AND and hold on every page of a walk; a filter never matches a null field (revision 3).",
        &[
            "pagination.filter_*",
            "pagination.filters_hold_on_every_page",
        ],
    ),
    rule(
        Lists,
        "A malformed or tampered cursor is a 400, an empty `cursor=` is the first page (revision 3); U+0000 in a list parameter is a 400; unknown parameters are ignored.",
        &[
            "pagination.bad_cursor_400",
            "pagination.nul_in_query_400",
            "pagination.unknown_params_ignored",
        ],
    ),
    rule(
        Versioning,
        "`If-Match` on update and delete compares strongly: `*` or a list with the current tag matches; weak or unparseable tags never do; no match is a 412 that changes nothing.",
        &[
            "versioning.stale_if_match_is_412",
            "versioning.if_match_forms",
            "versioning.matching_if_match_on_delete",
        ],
    ),
    rule(
        Versioning,
        "A `version` in an update body is the expected version: a mismatch is a 409 that changes nothing, a non-integer a 422; `If-Match` is checked first.",
        &[
            "versioning.body_version_mismatch_is_409",
            "versioning.body_version_type_422",
            "versioning.if_match_before_body_version",
        ],
    ),
    rule(
        Versioning,
        "On a missing, invisible or soft-deleted contact the 404 comes before the 412.",
        &[
            "versioning.deleted_404_before_412",
            "errors.order_item_before_precondition",
        ],
    ),
    rule(
        Versioning,
        "Concurrent writes with one precondition: exactly one succeeds. Concurrent unconditional updates of different fields all succeed and all stick.",
        &[
            "races.concurrent_conditional_patches",
            "races.no_lost_update",
        ],
    ),
    rule(
        Uniqueness,
        "`email` is unique, ignoring ASCII case, among live contacts of one tenant and account (contacts without an account form one group); apps share the groups. A write that would break it is a 409 and changes nothing, also under concurrency.",
        &["uniqueness.*", "races.concurrent_creates_one_value"],
    ),
    rule(
        Errors,
        "Every 4xx is `application/problem+json` with `type`, `title`, `status` and `detail`; a 422 adds `errors` naming each offending field.",
        &["errors.problem_details"],
    ),
    rule(
        Errors,
        "A body without a JSON media type is a 415; an empty body, invalid JSON, a non-object or a repeated member name is a 400; a body over 1 MiB is a 413.",
        &[
            "errors.media_type_415",
            "errors.bad_json_400",
            "errors.repeated_member_400",
            "errors.too_large_413",
        ],
    ),
    rule(
        Errors,
        "When several things are wrong: 401, then the route's 404/405, 413, 415, 400, the body's 422, the item's 404, 412, the version's 409, the reference's 422, the email's 409.",
        &[
            "errors.order_*",
            "versioning.if_match_before_body_version",
            "errors.too_large_413",
        ],
    ),
    rule(
        Errors,
        "Any id the caller cannot see, malformed or not, is a 404.",
        &["errors.unknown_id_404"],
    ),
    unchecked(
        Errors,
        "No input yields a 5xx.",
        "a runner cannot try every input against a live endpoint; the reference server's property tests (`reference-server/tests/malformed.rs`) do, and every check fails on any 5xx it meets",
    ),
    unchecked(
        Errors,
        "With its storage unreachable a server answers 503 with `Retry-After` within 5 s and recovers by itself.",
        "the runner cannot take a deployed server's storage away; `reference-server/tests/reliability.rs` proves it for the reference server",
    ),
    unchecked(
        Errors,
        "A server closes connections that have not sent their headers within 30 s.",
        "proving it takes more than 30 s per run, against the runner's 1 s budget; `reference-server/tests/reliability.rs` proves it for the reference server",
    ),
    unchecked(
        Errors,
        "The runner touches only contacts it created, under a fresh account, and soft-deletes them all when it ends, also after SIGINT or SIGTERM.",
        "a rule for the runner, not the server: `conformance/tests/cli.rs` and `reference.rs` prove it",
    ),
    rule(
        Resources,
        "An API is a set of resources, each defined like the Contact, each at its own path and SDK namespace. §§2–7 hold for each with its own fields, filters and uniqueness rule; a token, a tenant and an app mean the same for every resource. The checks of §§1–7 run for every resource of the manifest; the links in this section and the next go to the Account's.",
        &[
            "tenant.*",
            "auth.*",
            "errors.*",
            "update.*",
            "races.concurrent_conditional_patches",
            "races.no_lost_update",
        ],
    ),
    unchecked(
        Resources,
        "A resource without an `app_id` stamp has no app scope: every token of the tenant sees all of it; one without a uniqueness rule has no 409 for duplicates.",
        "both of this API's resources have an app stamp and a uniqueness rule; `app_scope.no_app_scope` checks the first for a resource without the stamp (`examples/user-api`'s Deal, in `conformance/tests/user_api.rs`), and a resource without a rule gets no uniqueness checks",
    ),
    rule(
        Resources,
        "A required client field: absent or null in a create is a 422 naming it; null in an update is a 422 naming it; absent in an update leaves it unchanged; responses always carry it.",
        &["validation.required_fields"],
    ),
    rule(
        Resources,
        "An integer is a JSON number whose value is whole (`5`, `5.0` and `5e0` are one integer; `5.5` and `true` are not), within the field's bounds, else a 422; it comes back as a plain integer. This holds for the update body's `version` too.",
        &[
            "validation.integer_*",
            "versioning.body_version_type_422",
            "versioning.body_version_mismatch_is_409",
        ],
    ),
    rule(
        Resources,
        "A date is an RFC 3339 `full-date` (`YYYY-MM-DD`), year 0001 to 9999, a real calendar day, else a 422; it comes back as sent.",
        &["validation.date_*"],
    ),
    rule(
        Account,
        "Accounts live at `/api/v1/crm/accounts`, one at `/api/v1/crm/accounts/{id}`; the server writes the same stamps as the Contact's, with soft delete and versioning as §§3–5.",
        &[
            "stamping.create_stamps",
            "stamping.server_fields_ignored",
            "stamping.update_stamps",
            "stamping.stamps_are_utc",
            "stamping.app_id_stamped",
            "app_scope.*",
            "soft_delete.*",
            "versioning.*",
        ],
    ),
    rule(
        Account,
        "`id` is `acc-` and a lowercase hyphenated UUID, the form a Contact's `account_id` takes (a time-ordered UUID is recommended, not required).",
        &["stamping.id_format"],
    ),
    rule(
        Account,
        "`name` is required, 1 to 255 characters.",
        &[
            "validation.required_fields",
            "validation.max_length_name",
            "validation.min_length_name",
        ],
    ),
    rule(
        Account,
        "`domain` is a host name as the email grammar's host (two or more labels of letters, digits and inner hyphens), at most 253 characters, stored as sent.",
        &["validation.format_domain"],
    ),
    rule(
        Account,
        "`employee_count` is an integer from 0 to 10,000,000; `founded_on` is a date; `website` is as the Contact's `linkedin_url`; `industry` is text; `tags` and `custom_fields` are as the Contact's.",
        &[
            "validation.integer_*",
            "validation.date_*",
            "validation.format_website",
            "validation.max_length_*",
            "validation.array_*",
            "validation.json_*",
            "update.objects_merge_recursively",
            "update.arrays_replaced_whole",
        ],
    ),
    rule(
        Account,
        "Bodies are checked as the Contact's: wrong types and unknown fields named all at once, U+0000 refused, null accepted by every field that is not required.",
        &[
            "validation.wrong_types_all_named",
            "validation.unknown_fields",
            "validation.nul_refused",
            "validation.null_is_accepted",
        ],
    ),
    rule(
        Account,
        "Lists filter by `domain` (case-insensitive exact) and take `include_deleted`, `limit` and `cursor` as §4.",
        &["pagination.*"],
    ),
    rule(
        Account,
        "`domain` is unique within the tenant among accounts that are not soft-deleted, after ASCII lower-casing; apps do not split groups; a create or update that would break it is a 409, in the order of §7 with the domain's 409 in place of the email's.",
        &["uniqueness.*", "races.concurrent_creates_one_value"],
    ),
];

fn matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => id == pattern,
    }
}

/// The catalogue ids a rule names.
pub fn checks_of<'a>(rule: &Rule, catalogue: &'a [Check]) -> Vec<&'a Check> {
    catalogue
        .iter()
        .filter(|c| c.not_applicable.is_none())
        .filter(|c| rule.checks.iter().any(|p| matches(p, &c.id)))
        .collect()
}

/// The rules that link to `resource`'s catalogue.
pub fn rules_of(resource: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES
        .iter()
        .filter(move |r| r.section.resource() == resource)
}

/// For `resource`'s catalogue: rule patterns that name none of its checks
/// that apply, and its checks that apply that no rule of its sections names.
/// Both must be empty.
pub fn gaps(resource: &str, catalogue: &[Check]) -> (Vec<String>, Vec<String>) {
    let applies: Vec<&Check> = catalogue
        .iter()
        .filter(|c| c.not_applicable.is_none())
        .collect();
    let dangling = rules_of(resource)
        .flat_map(|r| r.checks.iter())
        .filter(|p| !applies.iter().any(|c| matches(p, &c.id)))
        .map(|p| (*p).to_owned())
        .collect();
    let orphans = applies
        .into_iter()
        .filter(|c| !rules_of(resource).any(|r| r.checks.iter().any(|p| matches(p, &c.id))))
        .map(|c| c.id.clone())
        .collect();
    (dangling, orphans)
}

/// A check's anchor in the document: the Contact's by id alone (stable
/// links), others prefixed by their resource.
fn anchor(resource: &str, id: &str) -> String {
    let id = id.replace('.', "-");
    if resource == "contacts" {
        id
    } else {
        format!("{resource}-{id}")
    }
}

/// The document: every rule with links to its checks, then each catalogue.
/// `catalogues` holds each resource's plural and checks; a section whose
/// resource is missing links nothing (its rules say so).
pub fn render(catalogues: &[(&str, &[Check])]) -> String {
    let mut out = String::from(
        "<!-- Generated by `cargo run -p conformance -- contract`. Do not edit: the rules live in conformance/src/contract.rs. -->\n\
         # The CRM contract\n\n\
         What every endpoint of the CRM API must do, for the Contact (§§1–7) and the Account (§9), and what holds for \
         every resource of an API (§8): what the conformance runner checks and the reference server does. \
         It follows HTTP (RFC 9110), problem details (RFC 9457), JSON Merge Patch (RFC 7396) and Google's AIPs \
         (133, 134, 135, 154, 158, 164, 203); where it departs from them it says so in the rule. \
         Each rule names the checks that test it; each check was seen failing against a server that breaks its rule \
         (`conformance/tests/mutants.rs`).\n",
    );
    let empty: &[Check] = &[];
    let catalogue_of = |resource: &str| {
        catalogues
            .iter()
            .find(|(r, _)| *r == resource)
            .map_or(empty, |(_, c)| *c)
    };
    for section in Section::ALL {
        out.push_str(&format!("\n## {}\n\n", section.title()));
        let resource = section.resource();
        for r in RULES.iter().filter(|r| r.section == section) {
            let links = match r.unchecked {
                Some(why) => format!("*Not checked by the runner:* {why}."),
                None => checks_of(r, catalogue_of(resource))
                    .iter()
                    .map(|c| format!("[`{}`](#{})", c.id, anchor(resource, &c.id)))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            out.push_str(&format!("- {}\n  — {links}\n", r.text));
        }
    }
    for (resource, catalogue) in catalogues {
        out.push_str(&format!(
            "\n## The checks of the {resource}\n\n| check | what it does |\n|---|---|\n"
        ));
        for c in catalogue.iter().filter(|c| c.not_applicable.is_none()) {
            out.push_str(&format!(
                "| <a id=\"{}\"></a>`{}` | {} |\n",
                anchor(resource, &c.id),
                c.id,
                c.description.replace('|', "\\|")
            ));
        }
    }
    out
}
