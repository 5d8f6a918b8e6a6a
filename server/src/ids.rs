//! Random identifiers and secrets. Ids carry a short prefix naming what they
//! identify (`s_` session, `v_` visitor, `a_` agent) so logs read well.

use rand::RngCore;

/// `prefix` + 32 hex characters (128 random bits).
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let mut id = String::with_capacity(prefix.len() + 32);
    id.push_str(prefix);
    for b in bytes {
        id.push_str(&format!("{b:02x}"));
    }
    id
}

/// `n` random bytes from the OS-seeded generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}
