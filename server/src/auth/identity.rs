//! Verified visitor identities. A site's backend proves who its signed-in
//! user is with the site's identity secret, which never leaves its server:
//! it signs an identity token (a short-lived JWT, identity_token.rs) that the
//! page passes to `Tandem.identify({token})`.
//!
//! The older proof, `hash` = hex(HMAC-SHA256(secret, id)), never expires:
//! anyone who sees it once (page source, a cache, a third-party script) can
//! present it from any browser as that customer. It verifies only on sites
//! whose operator turned `legacy_identity_hash` on.
//!
//! Anything else leaves the identity unverified (shown as such, never
//! treated as the verified customer, never given their history).

use hmac::{Hmac, Mac};
use protocol::VisitorIdentity;
use sha2::Sha256;

use super::identity_token::{self, TokenError};
use crate::ids::random_bytes;
use crate::store::{Result, Store};

/// What a page sent to prove the identity it claims.
#[derive(Debug, Clone, Copy, Default)]
pub struct Proof<'a> {
    pub token: Option<&'a str>,
    pub hash: Option<&'a str>,
}

/// What the site accepts as proof.
#[derive(Debug, Clone, Copy)]
pub struct Acceptance<'a> {
    pub secret: &'a str,
    /// The site still accepts the bare hash.
    pub legacy_hash: bool,
}

/// Why an identity stays unverified; the message reaches the site's developer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the identity token is for another user than the id given to identify")]
    SubjectMismatch,
    #[error("the identity hash does not match this user id; check the site's identity secret")]
    BadHash,
    #[error(
        "this site does not accept the bare identity hash (it could be replayed forever); \
         pass a signed identity token instead (docs/sdk.md)"
    )]
    LegacyHashOff,
}

/// Checks the page's proof and settles `identity.verified`. A valid token
/// supplies the user id (and, when it carries them, name and email, which
/// then override the page's); a refused proof leaves the identity as the
/// page claimed it, unverified. `now` is in Unix seconds.
pub fn check(
    identity: &mut VisitorIdentity,
    proof: Proof<'_>,
    site: Acceptance<'_>,
    now: i64,
) -> Result<(), Unverified> {
    // Whatever the page says about verification counts for nothing.
    identity.verified = false;
    if let Some(token) = proof.token {
        let claims = identity_token::verify(site.secret, token, now)?;
        return apply(identity, claims);
    }
    match (&identity.id, proof.hash) {
        (Some(_), Some(_)) if !site.legacy_hash => Err(Unverified::LegacyHashOff),
        (Some(id), Some(hash)) => {
            identity.verified = verify(site.secret, id, hash);
            if identity.verified {
                Ok(())
            } else {
                Err(Unverified::BadHash)
            }
        }
        _ => Ok(()),
    }
}

/// A token that verified this visitor before, sent again by their page after
/// it expired (the widget repeats `identify` on every reconnect): it keeps
/// them verified when its signature holds and it names the user they are
/// already verified as. It never verifies a visitor who was not.
pub fn renew(
    identity: &mut VisitorIdentity,
    token: &str,
    secret: &str,
    stored: &VisitorIdentity,
) -> Result<(), Unverified> {
    identity.verified = false;
    let claims = identity_token::verify_signature_only(secret, token)?;
    if !(stored.verified && stored.id.as_deref() == Some(claims.sub.as_str())) {
        return Err(TokenError::Expired.into());
    }
    apply(identity, claims)
}

fn apply(
    identity: &mut VisitorIdentity,
    claims: identity_token::IdentityClaims,
) -> Result<(), Unverified> {
    if identity.id.as_ref().is_some_and(|id| *id != claims.sub) {
        return Err(Unverified::SubjectMismatch);
    }
    identity.id = Some(claims.sub);
    if claims.name.is_some() {
        identity.name = claims.name;
    }
    if claims.email.is_some() {
        identity.email = claims.email;
    }
    identity.verified = true;
    Ok(())
}

/// The site's identity secret, created on first use and kept in the store
/// so every node (and every restart) agrees on it.
pub async fn site_secret(store: &dyn Store, site: &str) -> Result<String> {
    let fresh: String = random_bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    store
        .setting_or_insert(&format!("identity_secret:{site}"), &fresh)
        .await
}

fn mac(secret: &str, user_id: &str) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(user_id.as_bytes());
    mac
}

/// The hash a site's backend computes for `user_id` (lowercase hex).
pub fn signature(secret: &str, user_id: &str) -> String {
    mac(secret, user_id)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `hash` signs `user_id`; compared in constant time.
pub fn verify(secret: &str, user_id: &str, hash: &str) -> bool {
    let Some(bytes) = from_hex(hash.trim()) else {
        return false;
    };
    mac(secret, user_id).verify_slice(&bytes).is_ok()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &str = "s3cret";
    const NOW: i64 = 1_800_000_000;
    const STRICT: Acceptance = Acceptance {
        secret: SECRET,
        legacy_hash: false,
    };

    fn claimed(id: Option<&str>) -> VisitorIdentity {
        VisitorIdentity {
            id: id.map(str::to_string),
            name: Some("Page Name".into()),
            verified: true,
            ..Default::default()
        }
    }

    fn token(sub: &str, exp: i64) -> String {
        identity_token::sign(
            SECRET,
            &json!({"sub": sub, "exp": exp, "email": "ann@example.com"}),
        )
    }

    #[test]
    fn a_token_verifies_and_supplies_the_id_and_its_claims() {
        let t = token("4711", NOW + 600);
        for id in [None, Some("4711")] {
            let mut identity = claimed(id);
            let proof = Proof {
                token: Some(&t),
                hash: None,
            };
            assert_eq!(check(&mut identity, proof, STRICT, NOW), Ok(()));
            assert!(identity.verified);
            assert_eq!(identity.id.as_deref(), Some("4711"));
            assert_eq!(identity.email.as_deref(), Some("ann@example.com"));
            // The token has no name: the page's stays.
            assert_eq!(identity.name.as_deref(), Some("Page Name"));
        }
    }

    #[test]
    fn a_token_for_another_user_than_the_id_given_is_refused() {
        let t = token("4711", NOW + 600);
        let mut identity = claimed(Some("1"));
        let proof = Proof {
            token: Some(&t),
            hash: None,
        };
        assert_eq!(
            check(&mut identity, proof, STRICT, NOW),
            Err(Unverified::SubjectMismatch)
        );
        assert!(!identity.verified);
        assert_eq!(identity.id.as_deref(), Some("1"));
    }

    #[test]
    fn a_bare_hash_verifies_only_where_the_site_allows_it() {
        let hash = signature(SECRET, "4711");
        let proof = Proof {
            token: None,
            hash: Some(&hash),
        };
        let mut identity = claimed(Some("4711"));
        assert_eq!(
            check(&mut identity, proof, STRICT, NOW),
            Err(Unverified::LegacyHashOff)
        );
        assert!(!identity.verified);
        let legacy = Acceptance {
            legacy_hash: true,
            ..STRICT
        };
        assert_eq!(check(&mut identity, proof, legacy, NOW), Ok(()));
        assert!(identity.verified);
        let mut other = claimed(Some("4712"));
        assert_eq!(
            check(&mut other, proof, legacy, NOW),
            Err(Unverified::BadHash)
        );
        // Without any proof the page's claim is kept, unverified, silently.
        let mut bare = claimed(Some("4711"));
        assert_eq!(check(&mut bare, Proof::default(), legacy, NOW), Ok(()));
        assert!(!bare.verified);
    }

    #[test]
    fn an_expired_token_keeps_only_the_visitor_it_verified_before() {
        let t = token("4711", NOW - 3600);
        let proof = Proof {
            token: Some(&t),
            hash: None,
        };
        let mut identity = claimed(None);
        assert_eq!(
            check(&mut identity, proof, STRICT, NOW),
            Err(Unverified::Token(TokenError::Expired))
        );
        let verified_before = VisitorIdentity {
            id: Some("4711".into()),
            verified: true,
            ..Default::default()
        };
        assert_eq!(renew(&mut identity, &t, SECRET, &verified_before), Ok(()));
        assert!(identity.verified);
        // Another visitor (never verified, or verified as someone else) gets nothing.
        for stored in [
            VisitorIdentity::default(),
            VisitorIdentity {
                verified: false,
                ..verified_before.clone()
            },
            VisitorIdentity {
                id: Some("1".into()),
                ..verified_before.clone()
            },
        ] {
            let mut identity = claimed(None);
            assert!(renew(&mut identity, &t, SECRET, &stored).is_err());
            assert!(!identity.verified);
        }
        // A forged token renews nothing either.
        assert!(renew(&mut claimed(None), &t, "other", &verified_before).is_err());
    }

    #[test]
    fn a_signature_verifies_only_for_its_id_and_secret() {
        let hash = signature("s3cret", "user-42");
        assert_eq!(hash.len(), 64);
        assert!(verify("s3cret", "user-42", &hash));
        assert!(verify("s3cret", "user-42", &hash.to_uppercase()));
        assert!(!verify("s3cret", "user-43", &hash));
        assert!(!verify("other", "user-42", &hash));
        assert!(!verify("s3cret", "user-42", "zz"));
        assert!(!verify("s3cret", "user-42", &hash[..63]));
    }
}
