//! Tokens. Agent tokens are random and stored only as a SHA-256 hash, so a
//! leaked database cannot be replayed. Visitor tokens are stateless: the
//! visitor id, site and expiry, signed with HMAC-SHA256 under the server
//! secret (shared through the store by every node).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use protocol::Millis;

use crate::ids::random_bytes;

/// How long an agent stays logged in.
pub const AGENT_TOKEN_TTL_MS: Millis = 12 * 3600 * 1000;
/// How long a visitor token lives; it is renewed on every connection, so a
/// visitor who comes back within this time is recognised.
pub const VISITOR_TOKEN_TTL_MS: Millis = 90 * 24 * 3600 * 1000;

pub struct AgentTokens;

impl AgentTokens {
    /// A new bearer token (43 characters, 256 random bits).
    pub fn generate() -> String {
        B64.encode(random_bytes::<32>())
    }

    /// What the store keeps instead of the token.
    pub fn hash(token: &str) -> String {
        let digest = Sha256::digest(token.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Integrations' API tokens: `tdm_` and 256 random bits, stored (like agent
/// tokens) only as a SHA-256 hash. The prefix tells them from agents'
/// tokens at a glance, and lets secret scanners find a leaked one.
pub struct ApiTokens;

impl ApiTokens {
    pub const PREFIX: &str = "tdm_";

    pub fn generate() -> String {
        format!("{}{}", Self::PREFIX, B64.encode(random_bytes::<32>()))
    }

    /// What the store keeps instead of the secret.
    pub fn hash(token: &str) -> String {
        AgentTokens::hash(token)
    }

    /// Whether a bearer credential is an API token (not an agent's).
    pub fn is_api_token(token: &str) -> bool {
        token.starts_with(Self::PREFIX)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorClaims {
    pub vid: String,
    pub site: String,
    pub exp: Millis,
}

#[derive(Clone)]
pub struct VisitorTokens {
    key: Vec<u8>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature does not match")]
    BadSignature,
    #[error("token has expired")]
    Expired,
    #[error("token belongs to another site")]
    WrongSite,
}

impl VisitorTokens {
    pub fn new(key: Vec<u8>) -> Self {
        VisitorTokens { key }
    }

    fn mac(&self, payload: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(b"tandem-visitor-v1.");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn issue(&self, claims: &VisitorClaims) -> String {
        let payload = B64.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let sig = B64.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{sig}")
    }

    /// Checks signature, expiry and site; returns the claims.
    pub fn verify(
        &self,
        token: &str,
        site: &str,
        now: Millis,
    ) -> Result<VisitorClaims, TokenError> {
        let (payload, sig) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let sig = B64.decode(sig).map_err(|_| TokenError::Malformed)?;
        self.mac(payload)
            .verify_slice(&sig)
            .map_err(|_| TokenError::BadSignature)?;
        let bytes = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        let claims: VisitorClaims =
            serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if claims.site != site {
            return Err(TokenError::WrongSite);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_token_round_trip_and_rejections() {
        let t = VisitorTokens::new(b"k1".to_vec());
        let claims = VisitorClaims {
            vid: "v_1".into(),
            site: "demo".into(),
            exp: 1000,
        };
        let token = t.issue(&claims);
        assert_eq!(t.verify(&token, "demo", 999), Ok(claims));
        assert_eq!(t.verify(&token, "demo", 1000), Err(TokenError::Expired));
        assert_eq!(t.verify(&token, "other", 10), Err(TokenError::WrongSite));
        assert_eq!(
            VisitorTokens::new(b"k2".to_vec()).verify(&token, "demo", 10),
            Err(TokenError::BadSignature)
        );
        let (payload, sig) = token.split_once('.').unwrap();
        let forged = format!(
            "{}.{sig}",
            B64.encode(br#"{"vid":"v_2","site":"demo","exp":1000}"#)
        );
        assert_ne!(payload, forged.split_once('.').unwrap().0);
        assert_eq!(t.verify(&forged, "demo", 10), Err(TokenError::BadSignature));
        assert_eq!(t.verify("garbage", "demo", 10), Err(TokenError::Malformed));
    }

    #[test]
    fn agent_token_hash_is_stable_hex() {
        let tok = AgentTokens::generate();
        assert_eq!(tok.len(), 43);
        assert_eq!(AgentTokens::hash(&tok), AgentTokens::hash(&tok));
        assert_eq!(AgentTokens::hash(&tok).len(), 64);
    }
}
