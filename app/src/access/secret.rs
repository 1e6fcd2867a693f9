//! Random secrets handed out once — API tokens and password reset tokens —
//! and the SHA-256 digests they are stored as (server only).
//!
//! These secrets carry 256 random bits, so unlike a password they cannot
//! be guessed from their digest, and a fast hash is the right one: the
//! guard looks a token up by its digest on every request.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use std::fmt;

/// A freshly generated secret: shown to its holder once, then only its
/// digest is kept. `Debug` shows nothing of it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// 32 random bytes as 64 hex digits, after `prefix` (e.g. `kiln_` for
    /// API tokens, so a leaked one is recognisable in a code scan).
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0_u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Secret(format!("{prefix}{}", hex(&bytes)))
    }

    /// The secret itself, to show once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Its digest, as stored.
    pub fn digest(&self) -> String {
        digest(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The SHA-256 digest of `text`, as 64 lower-case hex digits.
pub fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_long_random_and_stored_only_as_its_digest() {
        let first = Secret::generate("kiln_");
        let second = Secret::generate("kiln_");
        assert!(first.reveal().starts_with("kiln_"));
        assert_eq!(first.reveal().len(), 5 + 64);
        assert_ne!(first.reveal(), second.reveal());
        assert_eq!(first.digest(), digest(first.reveal()));
        assert_ne!(first.digest(), first.reveal());
        assert_eq!(format!("{first:?}"), "Secret(…)");
    }

    #[test]
    fn the_digest_is_sha_256() {
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
