//! Secrets never reach a report: every text that leaves the runner passes here.

use regex::Regex;
use std::sync::LazyLock;

/// A JSON Web Token in compact form: its header is base64url of `{"…`, so it starts `eyJ`.
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*").expect("valid regex")
});

/// Whatever follows a `Bearer` scheme name.
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+").expect("valid regex"));

/// Replaces every secret (tokens, the signing secret), every JWT-shaped
/// string and every bearer credential in text with `***`.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// A redactor for these secrets (empty ones are ignored; short ones are
    /// not: a report of a run with a three-letter secret hides every
    /// occurrence of those three letters rather than risk showing it).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        // Longest first, so a secret inside another is not left half-hidden.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// `text` with every secret, JWT and bearer credential replaced.
    pub fn apply(&self, text: &str) -> String {
        let mut out = JWT.replace_all(text, "***").into_owned();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        BEARER.replace_all(&out, "${1}***").into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_secrets_of_any_length_jwts_and_bearer_values() {
        let r = Redactor::new(["abc".to_owned(), "longer-secret".to_owned()]);
        assert_eq!(r.apply("key abc, longer-secret."), "key ***, ***.");
        assert_eq!(
            r.apply(r#"{"token":"eyJhbGciOi.eyJzdWIi.c2ln","n":1}"#),
            r#"{"token":"***","n":1}"#
        );
        assert_eq!(
            r.apply("authorization: bearer x.y.z"),
            "authorization: bearer ***"
        );
        assert_eq!(r.apply("nothing here"), "nothing here");
    }
}
