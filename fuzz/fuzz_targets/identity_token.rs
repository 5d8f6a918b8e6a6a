//! Identity tokens (server/src/auth/identity_token.rs `verify`): the JWT a
//! site's backend signs for a signed-in customer, read from every `hello`
//! that carries one. Random input stops at the MAC, so the input is also
//! signed with the site's secret, as a site's backend would sign it, to reach
//! the header checks and the claims reader behind them: the bytes before the
//! first NUL are the header, the rest the claims (with no NUL, the header is
//! the usual HS256 one and every byte is the claims).
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use tandem_server::auth::identity_token::{verify, verify_signature_only};

const SECRET: &str = "fuzz-site-secret";
/// A fixed "now" (Unix seconds) inside the seeds' validity window.
const NOW: i64 = 1_800_000_000;
const HS256: &[u8] = br#"{"alg":"HS256","typ":"JWT"}"#;

/// `header.claims` signed with HS256 under `SECRET`.
fn signed(header: &[u8], claims: &[u8]) -> String {
    let input = format!("{}.{}", B64.encode(header), B64.encode(claims));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = verify(SECRET, token, NOW);
    }
    let (header, claims) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (HS256, data),
    };
    let token = signed(header, claims);
    let verified = verify(SECRET, &token, NOW);
    // Whatever passes the full check must pass the signature-only one, which
    // recognises a reconnecting visitor's token, with the same claims.
    if let Ok(claims) = verified {
        assert_eq!(verify_signature_only(SECRET, &token), Ok(claims));
    }
});
