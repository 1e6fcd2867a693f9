//! Passwords: what a valid one is, and hashing and checking them with
//! argon2id (server only). A password is never logged, stored or shown:
//! [`Password`]'s `Debug` prints nothing of it.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::fmt;

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most characters a password may have (argon2 accepts more; nobody
/// types more, and hashing a megabyte would be a cheap way to load the
/// server).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password as a person typed it, checked for length.
#[derive(Clone)]
pub struct Password(String);

/// Why a text cannot be a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPassword {
    /// Too short to resist guessing.
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Longer than anyone types.
    #[error("a password may have at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
}

impl Password {
    /// Accepts a password of 10 to 128 characters.
    pub fn parse(text: impl Into<String>) -> Result<Self, InvalidPassword> {
        let text = text.into();
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            Err(InvalidPassword::TooShort)
        } else if chars > MAX_PASSWORD_CHARS {
            Err(InvalidPassword::TooLong)
        } else {
            Ok(Password(text))
        }
    }

    /// A fresh random password of 20 letters and digits (about 115 bits),
    /// for an account created from the command line. Letters and digits
    /// that are easy to confuse (0/O, 1/l/I) are left out.
    pub fn generate() -> Self {
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let password = (0..20)
            .map(|_| {
                // Rejection sampling keeps every character equally likely.
                loop {
                    let byte = (OsRng.next_u32() & 0xff) as usize;
                    if byte < 256 - 256 % ALPHABET.len() {
                        return char::from(ALPHABET[byte % ALPHABET.len()]);
                    }
                }
            })
            .collect();
        Password(password)
    }

    /// The password itself, to show once to whoever must type it.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Hashes the password with argon2id (default parameters: 19 MiB,
    /// 2 passes) and a fresh random salt, as a PHC string. Takes tens of
    /// milliseconds on purpose: call it off the async threads.
    pub fn hash(&self) -> Result<String, HashingFailed> {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| HashingFailed(error.to_string()))
    }

    /// Whether the password matches `stored` (a PHC string). A malformed
    /// stored hash matches nothing.
    pub fn matches(&self, stored: &str) -> bool {
        PasswordHash::new(stored).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(self.0.as_bytes(), &parsed)
                .is_ok()
        })
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Hashing failed (the system's random number generator, or argon2's
/// parameters): a fault of the server, not of the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hashing a password failed: {0}")]
pub struct HashingFailed(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_matches_itself_only() {
        let password = Password::parse("glaze-and-fire-42").expect("valid");
        let hash = password.hash().expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("glaze-and-fire-42"));
        assert!(password.matches(&hash));
        assert!(
            !Password::parse("glaze-and-fire-43")
                .expect("valid")
                .matches(&hash)
        );
        assert!(!password.matches("not a hash"));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        let password = Password::parse("glaze-and-fire-42").expect("valid");
        assert_ne!(
            password.hash().expect("hash"),
            password.hash().expect("hash")
        );
    }

    #[test]
    fn generated_passwords_are_long_and_different() {
        let first = Password::generate();
        let second = Password::generate();
        assert_eq!(first.reveal().chars().count(), 20);
        assert!(Password::parse(first.reveal()).is_ok());
        assert_ne!(first.reveal(), second.reveal());
    }

    #[test]
    fn short_and_huge_passwords_are_refused_and_debug_shows_nothing() {
        assert_eq!(
            Password::parse("short").err(),
            Some(InvalidPassword::TooShort)
        );
        assert_eq!(
            Password::parse("x".repeat(129)).err(),
            Some(InvalidPassword::TooLong)
        );
        let password = Password::parse("glaze-and-fire-42").expect("valid");
        assert_eq!(format!("{password:?}"), "Password(…)");
    }
}
