//! Visitor tokens (server/src/auth/token.rs `VisitorTokens::verify`): every
//! visitor connection presents one. Random input stops at the signature, so
//! the input is also signed with the verifier's key, as the server would
//! sign it, to reach the base64 and claims readers behind the check.
#![no_main]

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use tandem_server::auth::{VisitorClaims, VisitorTokens};

const KEY: &[u8] = b"fuzz key";

/// `payload` signed as `VisitorTokens::issue` signs it.
fn signed(payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY).expect("any key length");
    mac.update(b"tandem-visitor-v1.");
    mac.update(payload.as_bytes());
    format!("{payload}.{}", B64.encode(mac.finalize().into_bytes()))
}

fn tokens() -> &'static VisitorTokens {
    static TOKENS: OnceLock<VisitorTokens> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let tokens = VisitorTokens::new(KEY.to_vec());
        // If the token format moves, say so rather than fuzz only the MAC.
        let claims = VisitorClaims {
            vid: "v_1".into(),
            site: "demo".into(),
            exp: 1000,
        };
        let issued = tokens.issue(&claims);
        let (payload, _) = issued.split_once('.').expect("payload.sig");
        assert_eq!(
            signed(payload),
            issued,
            "the target signs as the server does"
        );
        tokens
    })
}

fuzz_target!(|data: &[u8]| {
    let tokens = tokens();
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = tokens.verify(token, "demo", 10);
        // The same text as a payload under a good signature.
        let _ = tokens.verify(&signed(token), "demo", 10);
    }
    // Raw bytes as the claims, base64-encoded and signed.
    let _ = tokens.verify(&signed(&B64.encode(data)), "demo", 10);
});
