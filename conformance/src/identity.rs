//! The five identities the runner acts as: minted from a signing secret, or
//! given as tokens whose claims the runner reads to know what to expect.

use jsonwebtoken::{EncodingKey, Header, encode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// A role a check acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Tenant A, a person (no app_id).
    A1,
    /// Tenant A, another person.
    A2,
    /// Tenant B, a person.
    B,
    /// Tenant A, application X.
    AppX,
    /// Tenant A, application Y.
    AppY,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Role::A1, Role::A2, Role::B, Role::AppX, Role::AppY];

    /// The name used on the command line (`--token a1=…`) and in environment variables.
    pub fn name(self) -> &'static str {
        match self {
            Role::A1 => "a1",
            Role::A2 => "a2",
            Role::B => "b",
            Role::AppX => "app-x",
            Role::AppY => "app-y",
        }
    }

    /// The role named `name`.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The claims the contract uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The subject.
    pub sub: String,
    /// The tenant.
    pub tenant_id: String,
    /// The application, for app tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
}

/// One identity: its bearer token and claims.
#[derive(Clone)]
pub struct Identity {
    /// The bearer token (a secret: never printed).
    pub token: String,
    /// What the token says.
    pub claims: Claims,
}

/// Why the identities are unusable.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// A role has no token and there is no secret to mint one.
    #[error("no token for role `{0}`: give --token {0}=TOKEN or --jwt-secret")]
    Missing(Role),
    /// A token's claims could not be read.
    #[error("the `{0}` token is not a JWT with string claims sub and tenant_id")]
    Unreadable(Role),
    /// The tokens do not relate as the roles require.
    #[error("the tokens do not fit their roles: {0}")]
    Inconsistent(String),
    /// The secret is empty or unusable.
    #[error("the JWT secret is empty")]
    BadSecret,
}

/// The five identities, and the secret when the runner mints tokens itself.
#[derive(Clone)]
pub struct Identities {
    ids: BTreeMap<Role, Identity>,
    key: Option<EncodingKey>,
}

fn random(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        ulid::Ulid::generate().to_string().to_lowercase()
    )
}

impl Identities {
    /// Mints five HS256 identities with fresh random tenants, subjects and apps.
    pub fn mint(secret: &[u8]) -> Result<Self, IdentityError> {
        if secret.is_empty() {
            return Err(IdentityError::BadSecret);
        }
        let key = EncodingKey::from_secret(secret).map_err(|_| IdentityError::BadSecret)?;
        Ok(Identities::with_key(key))
    }

    /// Five new identities like [`Identities::mint`]'s (fresh tenants,
    /// subjects and apps), when the runner holds the signing secret: a
    /// check's own tenants, whose lists hold only the check's items.
    pub fn fresh(&self) -> Option<Identities> {
        self.key.clone().map(Identities::with_key)
    }

    /// Whether the runner can mint tokens (it holds the signing secret).
    pub fn can_mint(&self) -> bool {
        self.key.is_some()
    }

    fn with_key(key: EncodingKey) -> Self {
        let (ta, tb) = (
            random("conformance-tenant-a"),
            random("conformance-tenant-b"),
        );
        let claims = |tenant: &str, app: Option<String>| Claims {
            sub: random("conformance-user"),
            tenant_id: tenant.to_owned(),
            app_id: app,
        };
        let mut ids = BTreeMap::new();
        for (role, c) in [
            (Role::A1, claims(&ta, None)),
            (Role::A2, claims(&ta, None)),
            (Role::B, claims(&tb, None)),
            (Role::AppX, claims(&ta, Some(random("conformance-app-x")))),
            (Role::AppY, claims(&ta, Some(random("conformance-app-y")))),
        ] {
            let token = sign(&key, &c, 3600);
            ids.insert(role, Identity { token, claims: c });
        }
        Identities {
            ids,
            key: Some(key),
        }
    }

    /// Identities from given tokens (missing ones minted when `secret` is given).
    pub fn from_tokens(
        tokens: &BTreeMap<Role, String>,
        secret: Option<&[u8]>,
    ) -> Result<Self, IdentityError> {
        let minted = secret.map(Identities::mint).transpose()?;
        let mut ids = BTreeMap::new();
        for role in Role::ALL {
            let id = match tokens.get(&role) {
                Some(token) => {
                    let claims: Claims = jsonwebtoken::dangerous::insecure_decode_claims(token)
                        .map_err(|_| IdentityError::Unreadable(role))?;
                    Identity {
                        token: token.clone(),
                        claims,
                    }
                }
                None => minted.as_ref().ok_or(IdentityError::Missing(role))?.ids[&role].clone(),
            };
            ids.insert(role, id);
        }
        let me = Identities {
            ids,
            key: minted.and_then(|m| m.key),
        };
        me.check()?;
        Ok(me)
    }

    fn check(&self) -> Result<(), IdentityError> {
        let c = |r: Role| &self.ids[&r].claims;
        let mut problems = Vec::new();
        for r in [Role::A2, Role::AppX, Role::AppY] {
            if c(r).tenant_id != c(Role::A1).tenant_id {
                problems.push(format!("{r} must share a1's tenant"));
            }
        }
        if c(Role::B).tenant_id == c(Role::A1).tenant_id {
            problems.push("b must be in another tenant than a1".into());
        }
        for r in [Role::A1, Role::A2, Role::B] {
            if c(r).app_id.is_some() {
                problems.push(format!("{r} must be a person (no app_id)"));
            }
        }
        match (&c(Role::AppX).app_id, &c(Role::AppY).app_id) {
            (Some(x), Some(y)) if x != y => {}
            _ => problems.push("app-x and app-y need two different app_id claims".into()),
        }
        if c(Role::A1).sub == c(Role::A2).sub {
            problems.push("a1 and a2 need different subs".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(IdentityError::Inconsistent(problems.join("; ")))
        }
    }

    /// The identity of `role`.
    pub fn get(&self, role: Role) -> &Identity {
        &self.ids[&role]
    }

    /// A token with arbitrary claims, when the runner holds the signing secret.
    pub fn mint_raw(&self, claims: &Value) -> Option<String> {
        let key = self.key.as_ref()?;
        encode(&Header::default(), claims, key).ok()
    }

    /// A token for `role` that expired `seconds_ago`, when the runner holds the secret.
    pub fn expired(&self, role: Role, seconds_ago: i64) -> Option<String> {
        let c = &self.get(role).claims;
        self.mint_raw(&json!({"sub": c.sub, "tenant_id": c.tenant_id, "exp": chrono::Utc::now().timestamp() - seconds_ago}))
    }

    /// Every token, for redaction.
    pub fn tokens(&self) -> Vec<String> {
        self.ids.values().map(|i| i.token.clone()).collect()
    }
}

fn sign(key: &EncodingKey, claims: &Claims, ttl: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut v = serde_json::to_value(claims).expect("claims serialise");
    v["iat"] = json!(now);
    v["exp"] = json!(now + ttl);
    encode(&Header::default(), &v, key).expect("HS256 signing does not fail")
}
