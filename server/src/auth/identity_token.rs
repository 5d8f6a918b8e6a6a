//! Identity tokens: a JSON Web Token (RFC 7519) in compact form, signed
//! with HS256 by the site's backend using the site's identity secret. It says
//! who the visitor is (`sub`) and until when that may be believed (`exp`), so
//! a token copied out of a page stops working on its own, unlike the bare
//! HMAC of a user id it replaces (see identity.rs).
//!
//! Written here rather than taken from a JWT crate: only one algorithm is
//! ever accepted, so the whole verifier is a split, two base64 decodes, one
//! HMAC and a few claim checks, all visible in this file (a general crate
//! brings key types, algorithm negotiation and a `none` path we would have
//! to switch off).
//!
//! The checks, in order: size, three base64url parts, a header that names
//! HS256 (nothing else, `none` included) and no `crit` extension, the MAC
//! compared in constant time, and only then the claims are read: `sub`
//! (required), `exp` (required, not past, not further ahead than
//! `MAX_LIFETIME_SECS`), `nbf` and `iat` (optional, not in the future), and
//! `name`/`email` (optional strings). Clocks may differ by `CLOCK_SKEW_SECS`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use protocol::limits::{MAX_IDENTITY_TOKEN_BYTES, MAX_SHORT_CHARS};
use serde::Deserialize;
use sha2::Sha256;

/// How far the site's clock and ours may disagree, in seconds.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// The furthest ahead a token's `exp` may be, in seconds (24 hours). A token
/// that lives for months is as replayable as the old hash; a day covers a
/// page rendered into a cache or left open overnight, and the widget only
/// needs the token when it (re)connects.
pub const MAX_LIFETIME_SECS: i64 = 24 * 3600;

/// What a verified token vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityClaims {
    /// The site's user id.
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Expiry, in seconds since the Unix epoch.
    pub exp: i64,
}

/// Why a token was refused. The messages are shown to the site's developer
/// (through the widget's error event), so they say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the identity token is longer than {MAX_IDENTITY_TOKEN_BYTES} bytes")]
    TooLarge,
    #[error("the identity token is malformed: {0}")]
    Malformed(&'static str),
    #[error("the identity token must be signed with HS256")]
    Algorithm,
    #[error("the identity token is not signed with this site's identity secret")]
    BadSignature,
    #[error("the identity token has expired")]
    Expired,
    #[error("the identity token's exp is more than 24 hours ahead; sign short-lived tokens")]
    TooLongLived,
    #[error("the identity token is not valid yet (nbf or iat in the future)")]
    NotYetValid,
    #[error("the identity token's claims are invalid: {0}")]
    Claims(String),
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    /// Extensions the recipient must understand (RFC 7515 §4.1.11); we
    /// understand none, so any is a refusal.
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

/// Claims as sent; numbers are NumericDate (seconds, possibly fractional).
#[derive(Deserialize)]
struct RawClaims {
    sub: Option<String>,
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    iat: Option<f64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// Verifies `token` against the site's `secret` at `now` (Unix seconds).
pub fn verify(secret: &str, token: &str, now: i64) -> Result<IdentityClaims, TokenError> {
    let (claims, times) = open(secret, token)?;
    if claims.exp < now - CLOCK_SKEW_SECS {
        return Err(TokenError::Expired);
    }
    if claims.exp > now + MAX_LIFETIME_SECS + CLOCK_SKEW_SECS {
        return Err(TokenError::TooLongLived);
    }
    let future =
        |t: Option<f64>| t.is_some_and(|t| !t.is_finite() || t > (now + CLOCK_SKEW_SECS) as f64);
    if future(times.nbf) || future(times.iat) {
        return Err(TokenError::NotYetValid);
    }
    Ok(claims)
}

/// The claims of a token signed with `secret`, whatever its dates say. Only
/// for recognising the token a visitor was already verified with when their
/// page sends it again after a reconnect (see `hub::identify`): a stale
/// token must never verify anyone new.
pub fn verify_signature_only(secret: &str, token: &str) -> Result<IdentityClaims, TokenError> {
    open(secret, token).map(|(claims, _)| claims)
}

/// The optional dates of a token.
struct Times {
    nbf: Option<f64>,
    iat: Option<f64>,
}

/// Every check but the dates.
fn open(secret: &str, token: &str) -> Result<(IdentityClaims, Times), TokenError> {
    if token.len() > MAX_IDENTITY_TOKEN_BYTES {
        return Err(TokenError::TooLarge);
    }
    let mut parts = token.split('.');
    let (Some(header_part), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed("expected three dot-separated parts"));
    };
    let header: Header = serde_json::from_slice(&decode(header_part)?)
        .map_err(|_| TokenError::Malformed("the header is not a JSON object with alg"))?;
    if header.alg != "HS256" || header.crit.is_some() {
        return Err(TokenError::Algorithm);
    }
    if header
        .typ
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case("JWT"))
    {
        return Err(TokenError::Malformed("typ must be JWT when given"));
    }
    let signed = &token[..header_part.len() + 1 + payload.len()];
    let signature = decode(signature)?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(signed.as_bytes());
    // `verify_slice` compares in constant time and refuses other lengths.
    mac.verify_slice(&signature)
        .map_err(|_| TokenError::BadSignature)?;

    // Only now, with the signature checked, is the payload read.
    let raw: RawClaims = serde_json::from_slice(&decode(payload)?).map_err(|e| {
        TokenError::Claims(format!("not a JSON object of the expected claims ({e})"))
    })?;
    let sub = raw
        .sub
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| TokenError::Claims("sub (the user id) is required".into()))?;
    let exp = raw
        .exp
        .filter(|e| e.is_finite())
        .ok_or_else(|| TokenError::Claims("exp (the expiry) is required".into()))?
        .floor() as i64;
    for (name, value) in [
        ("sub", Some(&sub)),
        ("name", raw.name.as_ref()),
        ("email", raw.email.as_ref()),
    ] {
        if value.is_some_and(|v| v.chars().count() > MAX_SHORT_CHARS) {
            return Err(TokenError::Claims(format!(
                "{name} is longer than {MAX_SHORT_CHARS} characters"
            )));
        }
    }
    let claims = IdentityClaims {
        sub,
        name: raw.name,
        email: raw.email,
        exp,
    };
    Ok((
        claims,
        Times {
            nbf: raw.nbf,
            iat: raw.iat,
        },
    ))
}

fn decode(part: &str) -> Result<Vec<u8>, TokenError> {
    if part.is_empty() {
        return Err(TokenError::Malformed("a part is empty"));
    }
    // Unpadded base64url only (RFC 7515 §2); padding or `+`/`/` are refused.
    B64.decode(part)
        .map_err(|_| TokenError::Malformed("a part is not base64url"))
}

/// Signs `claims` as a site's backend would (tests, benchmarks, examples).
pub fn sign(secret: &str, claims: &serde_json::Value) -> String {
    let header = B64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = B64.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(signing_input.as_bytes());
    let signature = B64.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const SECRET: &str = "6b1f0c2d-site-secret";
    const NOW: i64 = 1_800_000_000;

    fn token(claims: serde_json::Value) -> String {
        sign(SECRET, &claims)
    }

    /// A token with a hand-made header, signed properly.
    fn with_header(header: &str, claims: serde_json::Value) -> String {
        let input = format!("{}.{}", B64.encode(header), B64.encode(claims.to_string()));
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn a_fresh_token_gives_its_claims() {
        let t = token(
            json!({"sub": "4711", "exp": NOW + 600, "iat": NOW, "name": "Ann", "email": "ann@example.com"}),
        );
        let c = verify(SECRET, &t, NOW).unwrap();
        assert_eq!(c.sub, "4711");
        assert_eq!(c.name.as_deref(), Some("Ann"));
        assert_eq!(c.email.as_deref(), Some("ann@example.com"));
        assert_eq!(c.exp, NOW + 600);
        // typ is optional, and other header fields (kid) are ignored.
        let t = with_header(
            r#"{"alg":"HS256","kid":"k1"}"#,
            json!({"sub": "4711", "exp": NOW + 60}),
        );
        assert!(verify(SECRET, &t, NOW).is_ok());
    }

    #[test]
    fn an_expired_token_is_refused_after_the_allowed_skew() {
        let t = token(json!({"sub": "4711", "exp": NOW - 30}));
        assert!(verify(SECRET, &t, NOW).is_ok(), "within the skew");
        let t = token(json!({"sub": "4711", "exp": NOW - CLOCK_SKEW_SECS - 1}));
        assert_eq!(verify(SECRET, &t, NOW), Err(TokenError::Expired));
    }

    #[test]
    fn a_token_valid_for_more_than_a_day_is_refused() {
        let t = token(json!({"sub": "4711", "exp": NOW + 365 * 86_400}));
        assert_eq!(verify(SECRET, &t, NOW), Err(TokenError::TooLongLived));
        let t = token(json!({"sub": "4711", "exp": NOW + MAX_LIFETIME_SECS}));
        assert!(verify(SECRET, &t, NOW).is_ok());
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let t = token(json!({"sub": "4711", "exp": NOW + 600, "iat": NOW + 300}));
        assert_eq!(verify(SECRET, &t, NOW), Err(TokenError::NotYetValid));
        let t = token(json!({"sub": "4711", "exp": NOW + 600, "nbf": NOW + 300}));
        assert_eq!(verify(SECRET, &t, NOW), Err(TokenError::NotYetValid));
    }

    #[test]
    fn alg_none_and_every_other_algorithm_are_refused() {
        let claims = json!({"sub": "4711", "exp": NOW + 600});
        // An unsigned token: `none` with an empty signature part.
        let unsigned = format!(
            "{}.{}.",
            B64.encode(r#"{"alg":"none"}"#),
            B64.encode(claims.to_string())
        );
        assert!(verify(SECRET, &unsigned, NOW).is_err());
        for alg in ["none", "None", "HS384", "HS512", "RS256", "hs256", ""] {
            let t = with_header(&format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#), claims.clone());
            assert_eq!(verify(SECRET, &t, NOW), Err(TokenError::Algorithm), "{alg}");
        }
        let t = with_header(r#"{"alg":"HS256","crit":["exp"]}"#, claims.clone());
        assert_eq!(verify(SECRET, &t, NOW), Err(TokenError::Algorithm));
        let t = with_header(r#"{"typ":"JWT"}"#, claims);
        assert!(matches!(
            verify(SECRET, &t, NOW),
            Err(TokenError::Malformed(_))
        ));
    }

    #[test]
    fn a_bad_signature_is_refused() {
        let t = token(json!({"sub": "4711", "exp": NOW + 600}));
        assert_eq!(
            verify("another-secret", &t, NOW),
            Err(TokenError::BadSignature)
        );
        // Claims changed after signing: the signature no longer covers them.
        let (head, rest) = t.split_once('.').unwrap();
        let sig = rest.rsplit('.').next().unwrap();
        let forged = format!(
            "{head}.{}.{sig}",
            B64.encode(json!({"sub": "1", "exp": NOW + 600}).to_string())
        );
        assert_eq!(verify(SECRET, &forged, NOW), Err(TokenError::BadSignature));
        // A truncated signature is refused too (no prefix comparison).
        let short = &t[..t.len() - 4];
        assert!(verify(SECRET, short, NOW).is_err());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = token(json!({"sub": "4711", "exp": NOW + 600}));
        let padded = format!("{good}=");
        let bad = [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "..",
            "!!!.e30.e30",
            padded.as_str(),
            &good.replace('.', ".."),
        ];
        for t in bad {
            assert!(
                matches!(verify(SECRET, t, NOW), Err(TokenError::Malformed(_))),
                "{t:?}"
            );
        }
        // Signed but carrying claims of the wrong shape.
        for claims in [
            json!({"exp": NOW + 600}),
            json!({"sub": "", "exp": NOW + 600}),
            json!({"sub": "4711"}),
            json!({"sub": 4711, "exp": NOW + 600}),
            json!({"sub": "4711", "exp": "tomorrow"}),
            json!({"sub": "4711", "exp": NOW + 600, "name": "x".repeat(201)}),
            json!(["sub", "exp"]),
        ] {
            assert!(
                matches!(
                    verify(SECRET, &token(claims.clone()), NOW),
                    Err(TokenError::Claims(_))
                ),
                "{claims}"
            );
        }
    }

    #[test]
    fn an_oversized_token_is_refused_before_any_work() {
        let big = token(
            json!({"sub": "4711", "exp": NOW + 600, "pad": "x".repeat(MAX_IDENTITY_TOKEN_BYTES)}),
        );
        assert_eq!(verify(SECRET, &big, NOW), Err(TokenError::TooLarge));
    }
}
