//! Bearer JWT verification: HS256 with a shared secret and/or RS256 with a public key.

use crate::problem::Problem;
use axum::http::{HeaderMap, header};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Who is calling: the claims the contract uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The JWT `sub`.
    pub sub: String,
    /// The JWT `tenant_id`.
    pub tenant_id: String,
    /// The JWT `app_id`, for application tokens.
    pub app_id: Option<String>,
}

/// Checks tokens against the configured keys.
#[derive(Clone)]
pub struct Verifier {
    hs256: Option<DecodingKey>,
    rs256: Option<DecodingKey>,
    /// Tokens whose signature and claims were checked, with their dates,
    /// which are checked again on every use: a client sends the same token
    /// with every request, and checking a signature is most of a get's cost
    /// outside the database.
    seen: Arc<Mutex<HashMap<Box<str>, Seen>>>,
}

/// A token already checked: who it names and when it is valid.
#[derive(Clone)]
struct Seen {
    caller: Caller,
    exp: f64,
    nbf: Option<f64>,
}

/// The most tokens remembered; past it the memory starts afresh.
const SEEN_CAP: usize = 10_000;

/// Why a verifier could not be built.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Neither a secret nor a public key was given.
    #[error("no JWT key configured: give --jwt-secret or --jwt-public-key")]
    NoKey,
    /// The secret is empty.
    #[error("the JWT secret is empty")]
    EmptySecret,
    /// The public key is not an RSA public key in PEM.
    #[error("the JWT public key is not an RSA public key in PEM: {0}")]
    BadPublicKey(jsonwebtoken::errors::Error),
}

/// Clock leeway on `exp` and `nbf`, in seconds (the contract allows up to 60).
const LEEWAY: f64 = 30.0;

/// The longest `sub`, `tenant_id` or `app_id`, in characters (CONTRACT.md §2).
pub const MAX_CLAIM_CHARS: usize = 255;

impl Verifier {
    /// A verifier for HS256 with `secret` and/or RS256 with the PEM `public_key`.
    pub fn new(secret: Option<&[u8]>, public_key: Option<&[u8]>) -> Result<Self, KeyError> {
        let hs256 = match secret {
            Some([]) => return Err(KeyError::EmptySecret),
            Some(s) => Some(DecodingKey::from_secret(s).map_err(|_| KeyError::EmptySecret)?),
            None => None,
        };
        let rs256 = match public_key {
            Some(pem) => Some(DecodingKey::from_rsa_pem(pem).map_err(KeyError::BadPublicKey)?),
            None => None,
        };
        if hs256.is_none() && rs256.is_none() {
            return Err(KeyError::NoKey);
        }
        Ok(Verifier {
            hs256,
            rs256,
            seen: Arc::default(),
        })
    }

    /// The caller of a request, or the 401 to answer with.
    pub fn caller(&self, headers: &HeaderMap) -> Result<Caller, Problem> {
        self.caller_checked(headers, true)
    }

    /// As [`Verifier::caller`]; `check_exp: false` only for the `accept_expired_tokens` fault.
    pub(crate) fn caller_checked(
        &self,
        headers: &HeaderMap,
        check_exp: bool,
    ) -> Result<Caller, Problem> {
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        let value = values
            .next()
            .ok_or_else(|| Problem::unauthorized(resource_model::problem::MISSING_AUTHORIZATION))?;
        if values.next().is_some() {
            return Err(Problem::unauthorized("More than one Authorization header."));
        }
        let value = value
            .to_str()
            .map_err(|_| Problem::unauthorized("Malformed Authorization header."))?;
        let (scheme, token) = value
            .split_once(' ')
            .ok_or_else(|| Problem::unauthorized("Expected `Authorization: Bearer <token>`."))?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(Problem::unauthorized("Expected the Bearer scheme."));
        }
        let token = token.trim();
        let now = now();
        let seen = self.seen.lock().expect("token memory").get(token).cloned();
        if let Some(seen) = seen {
            check_dates(seen.exp, seen.nbf, now, check_exp).map_err(Problem::unauthorized)?;
            return Ok(seen.caller);
        }
        let header = decode_header(token).map_err(|_| Problem::unauthorized("Malformed token."))?;
        let key = match header.alg {
            Algorithm::HS256 => self.hs256.as_ref(),
            Algorithm::RS256 => self.rs256.as_ref(),
            _ => None,
        }
        .ok_or_else(|| Problem::unauthorized("Unsupported token algorithm."))?;
        // The signature only: the claims are checked below, to the contract's
        // rules (numeric dates may be fractional; `aud` and other claims are ignored).
        let mut validation = Validation::new(header.alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|_| Problem::unauthorized("Invalid token."))?;
        let caller = check_claims(&data.claims, now, check_exp).map_err(Problem::unauthorized)?;
        let date = |k: &str| data.claims.get(k).and_then(Value::as_f64);
        let entry = Seen {
            caller: caller.clone(),
            exp: date("exp").unwrap_or(f64::NEG_INFINITY),
            nbf: date("nbf"),
        };
        let mut seen = self.seen.lock().expect("token memory");
        if seen.len() >= SEEN_CAP {
            seen.clear();
        }
        seen.insert(token.into(), entry);
        Ok(caller)
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The caller the claims name, or why they break CONTRACT.md §2: `sub` and
/// `tenant_id` required, `app_id` optional, each a non-empty string of at most
/// 255 characters without U+0000; a numeric `exp` not in the past and an
/// optional numeric `nbf` not in the future (with [`LEEWAY`]). A listed claim
/// that is `null` or of another type is malformed, not absent.
pub fn check_claims(
    claims: &Map<String, Value>,
    now: f64,
    check_exp: bool,
) -> Result<Caller, String> {
    let date = |name: &str| -> Result<Option<f64>, String> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|f| f.is_finite())
                .map(Some)
                .ok_or_else(|| format!("The token's `{name}` is not a number.")),
            Some(_) => Err(format!("The token's `{name}` is not a number.")),
        }
    };
    let exp = date("exp")?.ok_or("The token has no `exp`.")?;
    check_dates(exp, date("nbf")?, now, check_exp)?;
    let text = |name: &str| -> Result<Option<String>, String> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::String(s))
                if !s.is_empty() && s.chars().count() <= MAX_CLAIM_CHARS && !s.contains('\0') =>
            {
                Ok(Some(s.clone()))
            }
            Some(_) => Err(format!(
                "The token's `{name}` must be a non-empty string of at most {MAX_CLAIM_CHARS} characters without U+0000."
            )),
        }
    };
    let sub = text("sub")?.ok_or("The token has no `sub`.")?;
    let tenant_id = text("tenant_id")?.ok_or("The token has no `tenant_id`.")?;
    let app_id = text("app_id")?;
    Ok(Caller {
        sub,
        tenant_id,
        app_id,
    })
}

/// `exp` not in the past and `nbf` not in the future, with [`LEEWAY`].
fn check_dates(exp: f64, nbf: Option<f64>, now: f64, check_exp: bool) -> Result<(), String> {
    if check_exp && exp + LEEWAY < now {
        return Err("The token has expired.".into());
    }
    if let Some(nbf) = nbf
        && nbf - LEEWAY > now
    {
        return Err("The token is not valid yet (`nbf`).".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn well_formed_claims_name_the_caller() {
        let c = check_claims(
            &claims(json!({"sub": "u", "tenant_id": "t", "exp": 2e9, "nbf": 1.5e9, "aud": 7})),
            1.7e9,
            true,
        )
        .unwrap();
        assert_eq!(
            (c.sub.as_str(), c.tenant_id.as_str(), c.app_id),
            ("u", "t", None)
        );
        let long = "x".repeat(MAX_CLAIM_CHARS);
        let c = check_claims(
            &claims(json!({"sub": "u", "tenant_id": long, "app_id": "a", "exp": 2000000000})),
            1.7e9,
            true,
        )
        .unwrap();
        assert_eq!(c.app_id.as_deref(), Some("a"));
    }

    #[test]
    fn claims_that_break_the_rules_are_refused() {
        let ok = json!({"sub": "u", "tenant_id": "t", "exp": 2e9});
        let with = |k: &str, v: Value| {
            let mut m = claims(ok.clone());
            m.insert(k.into(), v);
            m
        };
        let without = |k: &str| {
            let mut m = claims(ok.clone());
            m.remove(k);
            m
        };
        let long = Value::from("x".repeat(MAX_CLAIM_CHARS + 1));
        let cases = [
            without("exp"),
            without("sub"),
            without("tenant_id"),
            with("exp", json!("2000000000")),
            with("exp", Value::Null),
            with("exp", json!(1.0e9)),
            with("nbf", json!(1.8e9)),
            with("nbf", Value::Null),
            with("sub", json!("")),
            with("sub", json!(7)),
            with("tenant_id", long.clone()),
            with("tenant_id", json!("a\u{0}b")),
            with("app_id", Value::Null),
            with("app_id", json!("")),
            with("app_id", json!(["a"])),
            with("app_id", long),
        ];
        for c in cases {
            assert!(check_claims(&c, 1.7e9, true).is_err(), "{c:?}");
        }
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let v = Verifier::new(Some(b"k"), None).unwrap();
        let token = |exp: f64| {
            jsonwebtoken::encode(
                &jsonwebtoken::Header::default(),
                &json!({"sub": "u", "tenant_id": "t", "exp": exp}),
                &jsonwebtoken::EncodingKey::from_secret(b"k").unwrap(),
            )
            .unwrap()
        };
        let headers = |t: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().unwrap(),
            );
            h
        };
        let t = token(now() + 600.0);
        assert!(v.caller(&headers(&t)).is_ok());
        assert!(v.caller(&headers(&t)).is_ok(), "from memory");
        // The remembered dates are checked on every use.
        let entry = v.seen.lock().unwrap().get(t.as_str()).cloned().unwrap();
        v.seen.lock().unwrap().insert(
            t.as_str().into(),
            Seen {
                exp: now() - 120.0,
                ..entry
            },
        );
        assert!(v.caller(&headers(&t)).is_err());
        // A token signed with another key is never remembered.
        let other = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "u", "tenant_id": "t", "exp": now() + 600.0}),
            &jsonwebtoken::EncodingKey::from_secret(b"other").unwrap(),
        )
        .unwrap();
        assert!(v.caller(&headers(&other)).is_err());
        assert!(v.caller(&headers(&other)).is_err());
        assert!(!v.seen.lock().unwrap().contains_key(other.as_str()));
    }

    #[test]
    fn leeway_is_thirty_seconds() {
        let at = |exp: f64, nbf: f64| {
            check_claims(
                &claims(json!({"sub": "u", "tenant_id": "t", "exp": exp, "nbf": nbf})),
                1000.0,
                true,
            )
        };
        assert!(at(975.0, 1025.0).is_ok());
        assert!(at(969.0, 1000.0).is_err());
        assert!(at(2000.0, 1031.0).is_err());
    }
}
