//! Verified visitor identities. A site's backend proves who its signed-in
//! user is by signing the user id it passes to `Tandem.identify` with the
//! site's identity secret: `hash` = hex(HMAC-SHA256(secret, id)). The page
//! cannot forge it without the secret, which never leaves the site's server.
//! A missing or wrong hash leaves the identity unverified (shown as such,
//! never treated as the verified customer).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::random_bytes;
use crate::store::{Result, Store};

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
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
