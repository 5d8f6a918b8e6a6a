//! Agent passwords, hashed with Argon2id (the crate's default parameters,
//! which follow OWASP's recommendation: 19 MiB, two passes) into PHC strings,
//! and the rules a new password must pass.

use std::collections::HashSet;
use std::sync::OnceLock;

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Shortest password `tandem agent add` and `set-password` accept.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The most memory a stored hash may ask for when verified with
/// [`verify_in`]: the default cost. Hashes are only ever made with it, so a
/// bigger one is not ours and never verifies.
pub const MAX_BLOCKS: usize = Params::DEFAULT_M_COST as usize;

pub fn hash(password: &str) -> String {
    let salt = SaltString::encode_b64(&crate::ids::random_bytes::<16>())
        .expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Constant-time check of a password against a stored PHC string.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// [`verify`] with the caller's working memory instead of a fresh 19 MiB
/// allocation per check. The login path keeps one buffer per hashing slot
/// (see `auth::hashing`), so the server's memory stays flat however many
/// logins arrive: freed Argon2 buffers are not reliably given back to the OS
/// by the allocator, and each blocking thread's arena may keep one.
pub fn verify_in(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let out = &mut out[..expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password.as_bytes(), salt, out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(out).is_ok_and(|out| out == expected)
}

/// A hash of nothing, verified against when an email is unknown, so a login
/// takes as long for a missing account as for a wrong password.
pub fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash("tandem-decoy-password"))
}

/// Why a new password is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password needs at least {} characters", MIN_PASSWORD_CHARS)]
    TooShort,
    #[error("the password is one of the most common passwords; choose another")]
    Common,
}

/// The rules for a new password: long enough, and not a common password,
/// compared case-insensitively, also once digits and symbols around it are
/// taken off ("Summer2024!" is "summer").
pub fn check_new(password: &str) -> Result<(), WeakPassword> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort);
    }
    let lower = password.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    let common = common_passwords();
    if common.contains(lower.as_str()) || (!core.is_empty() && common.contains(core)) {
        return Err(WeakPassword::Common);
    }
    Ok(())
}

/// The 10,000 most frequent passwords of Mark Burnett's public corpus of ten
/// million leaked passwords (in order of frequency, lower-cased, one a line),
/// as ranked in the `data/passwords.txt` frequency list of Dropbox's zxcvbn.
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| include_str!("common_passwords.txt").lines().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash("correct horse");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn verify_in_agrees_with_verify_and_reuses_its_memory() {
        let h = hash("correct horse");
        let mut memory = Vec::new();
        assert!(verify_in("correct horse", &h, &mut memory));
        let capacity = memory.capacity();
        assert!(!verify_in("wrong horse", &h, &mut memory));
        assert!(!verify_in("correct horse", "not a hash", &mut memory));
        assert_eq!(memory.capacity(), capacity);
        assert!(verify_in("tandem-decoy-password", decoy(), &mut memory));
    }

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert_eq!(check_new("abc123xyz"), Err(WeakPassword::TooShort));
        assert_eq!(check_new("1234567890"), Err(WeakPassword::Common));
        assert_eq!(check_new("QwertyUiop"), Err(WeakPassword::Common));
        assert_eq!(check_new("Password123"), Err(WeakPassword::Common));
        assert_eq!(check_new("basketball2024!"), Err(WeakPassword::Common));
        assert_eq!(check_new("correct horse battery staple"), Ok(()));
        assert_eq!(common_passwords().len(), 10_000);
    }
}
