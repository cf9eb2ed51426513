//! Deliberate contract violations, one switched on at a time, to prove that
//! the conformance runner catches each. Compiled only with the `faults`
//! feature: in a default build [`fault!`] is `false` and no fault exists.

/// A named violation of CONTRACT.md, and the section it breaks.
#[cfg(feature = "faults")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Fault {
    /// §1: `display_name` is not computed from the names.
    DisplayNameNotComputed,
    /// §1: `tenant_id` is taken from the create body.
    TenantFromBody,
    /// §2: another tenant's contact is readable by id.
    CrossTenantRead,
    /// §2: another tenant's contact can be updated and deleted by id.
    CrossTenantWrite,
    /// §2: expired tokens are accepted.
    AcceptExpiredTokens,
    /// §3: lists include soft-deleted contacts by default.
    ListShowsDeleted,
    /// §3: a coarse clock (creation times in whole seconds) and a cursor that
    /// resumes after the last page's time alone, skipping items that share it.
    CursorSkipsTies,
    /// §3: soft-deleted contacts can be updated.
    UpdateDeleted,
    /// §3: unknown body fields are ignored instead of a 422.
    UnknownFieldsAccepted,
    /// §4: `If-Match` is ignored.
    IgnoreIfMatch,
    /// §4: writes do not raise `version`.
    VersionNotIncremented,
    /// §5: a duplicate email answers 422 instead of 409.
    DuplicateEmail422,
    /// §6: a 422 names only the first offending field.
    ValidationNamesOneField,
    /// §6: 4xx bodies are plain text, not problem+json.
    PlainTextErrors,
}

/// Whether the named fault is switched on: `fault!(state, ListShowsDeleted)`.
/// Always `false` without the `faults` feature.
macro_rules! fault {
    ($state:expr, $name:ident) => {{
        #[cfg(feature = "faults")]
        let on = $state.fault == Some($crate::fault::Fault::$name);
        #[cfg(not(feature = "faults"))]
        let on = {
            let _ = &$state;
            false
        };
        on
    }};
}
pub(crate) use fault;
