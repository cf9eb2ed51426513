//! Bearer JWT verification: HS256 with a shared secret and/or RS256 with a public key.

use crate::problem::Problem;
use axum::http::{HeaderMap, header};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;

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

#[derive(Deserialize)]
struct Claims {
    sub: String,
    tenant_id: String,
    #[serde(default)]
    app_id: Option<String>,
}

/// Checks tokens against the configured keys.
#[derive(Clone)]
pub struct Verifier {
    hs256: Option<DecodingKey>,
    rs256: Option<DecodingKey>,
}

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

/// Clock leeway on `exp`, in seconds (the contract allows up to 60).
const LEEWAY: u64 = 30;

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
        Ok(Verifier { hs256, rs256 })
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
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| Problem::unauthorized("Missing Authorization header."))?;
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
        let header = decode_header(token).map_err(|_| Problem::unauthorized("Malformed token."))?;
        let key = match header.alg {
            Algorithm::HS256 => self.hs256.as_ref(),
            Algorithm::RS256 => self.rs256.as_ref(),
            _ => None,
        }
        .ok_or_else(|| Problem::unauthorized("Unsupported token algorithm."))?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY;
        validation.validate_exp = check_exp;
        validation.required_spec_claims = ["exp".to_owned()].into();
        let data = decode::<Claims>(token, key, &validation)
            .map_err(|_| Problem::unauthorized("Invalid or expired token."))?;
        let c = data.claims;
        if c.sub.is_empty() || c.tenant_id.is_empty() || c.app_id.as_deref() == Some("") {
            return Err(Problem::unauthorized(
                "The token's sub, tenant_id and app_id must be non-empty.",
            ));
        }
        Ok(Caller {
            sub: c.sub,
            tenant_id: c.tenant_id,
            app_id: c.app_id,
        })
    }
}
