//! Short-lived TURN credentials in the "TURN REST API" style: the username
//! carries its own expiry and what it is bound to, the password is an HMAC of
//! the username under a secret only the server knows. Nothing is stored: any
//! node holding the secret can check a credential.
//!
//! username = "<expiry unix seconds>:<session id>:<role>"
//! password = base64(HMAC-SHA1(secret, username))

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use protocol::Role;
use sha1::Sha1;

/// Issues and checks credentials under one secret.
#[derive(Clone)]
pub struct Credentials {
    secret: Vec<u8>,
    ttl_secs: u64,
}

/// One issued credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnCredential {
    pub username: String,
    pub password: String,
    /// Unix seconds after which the TURN server refuses it.
    pub expires_at: u64,
}

/// What a credential's username claims, once its form and expiry are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub session: String,
    pub role: Role,
}

/// Why a username is refused before its password is even looked at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the username is not <expiry>:<session>:<role>")]
    Malformed,
    #[error("the credential expired {0} s ago")]
    Expired(u64),
    #[error("session {0} has no active call")]
    NoCall(String),
}

impl Credentials {
    pub fn new(secret: impl Into<Vec<u8>>, ttl_secs: u64) -> Credentials {
        Credentials {
            secret: secret.into(),
            ttl_secs: ttl_secs.max(1),
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// A credential for one side of a session's call, valid from `now` (unix seconds).
    pub fn issue(&self, session: &str, role: Role, now: u64) -> TurnCredential {
        let expires_at = now + self.ttl_secs;
        let username = format!("{expires_at}:{session}:{}", role.as_str());
        TurnCredential {
            password: self.password_for(&username),
            username,
            expires_at,
        }
    }

    /// The password that belongs to `username`.
    pub fn password_for(&self, username: &str) -> String {
        let mut mac =
            Hmac::<Sha1>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(username.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    /// Reads a username: its form, its expiry (at unix second `now`), its claim.
    pub fn check_username(&self, username: &str, now: u64) -> Result<Claim, Refusal> {
        let mut parts = username.splitn(3, ':');
        let (Some(expiry), Some(session), Some(role)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Refusal::Malformed);
        };
        let expiry: u64 = expiry.parse().map_err(|_| Refusal::Malformed)?;
        let role = match role {
            "visitor" => Role::Visitor,
            "agent" => Role::Agent,
            _ => return Err(Refusal::Malformed),
        };
        if session.is_empty() || session.len() > protocol::limits::MAX_ID_CHARS {
            return Err(Refusal::Malformed);
        }
        if expiry < now {
            return Err(Refusal::Expired(now - expiry));
        }
        Ok(Claim {
            session: session.to_string(),
            role,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_credentials_check_out_and_expire() {
        let creds = Credentials::new("secret", 600);
        let c = creds.issue("s_1", Role::Visitor, 1_000);
        assert_eq!(c.username, "1600:s_1:visitor");
        assert_eq!(c.expires_at, 1_600);
        assert_eq!(creds.password_for(&c.username), c.password);
        assert_eq!(
            creds.check_username(&c.username, 1_500),
            Ok(Claim {
                session: "s_1".into(),
                role: Role::Visitor
            })
        );
        assert_eq!(
            creds.check_username(&c.username, 1_700),
            Err(Refusal::Expired(100))
        );
    }

    #[test]
    fn another_secret_gives_another_password() {
        let a = Credentials::new("one", 600).issue("s_1", Role::Agent, 0);
        let b = Credentials::new("two", 600).issue("s_1", Role::Agent, 0);
        assert_eq!(a.username, b.username);
        assert_ne!(a.password, b.password);
    }

    #[test]
    fn malformed_usernames_are_refused() {
        let creds = Credentials::new("secret", 600);
        for bad in [
            "",
            "user",
            "12:s_1",
            "x:s_1:agent",
            "99:s_1:admin",
            "99::agent",
        ] {
            assert_eq!(
                creds.check_username(bad, 0),
                Err(Refusal::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn known_vector() {
        // RFC 2202 test case 2 for HMAC-SHA1, base64-encoded.
        let creds = Credentials::new("Jefe", 1);
        assert_eq!(
            creds.password_for("what do ya want for nothing?"),
            STANDARD.encode([
                0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74, 0x16, 0xd5, 0xf1, 0x84,
                0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79
            ])
        );
    }
}
