//! The identities accounts are known by: their id and their sign-in
//! address.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Defines a random id newtype: `prefix` followed by 16 lower-case hex
/// digits, made from 8 random bytes the caller supplies (so making one
/// stays pure), parsed on the way in (serde included).
#[macro_export]
macro_rules! random_id {
    ($(#[$doc:meta])* $name:ident, $invalid:ident, $prefix:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        #[doc = concat!("Why a text is not ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("“{text}” is not {}", $what)]
        pub struct $invalid {
            /// The text offered.
            pub text: String,
        }

        impl $name {
            #[doc = concat!("Parses `", $prefix, "` followed by 16 lower-case hex digits.")]
            pub fn parse(text: &str) -> Result<Self, $invalid> {
                let well_formed = text.strip_prefix($prefix).is_some_and(|hex| {
                    hex.len() == 16
                        && hex
                            .chars()
                            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
                });
                if well_formed {
                    Ok($name(text.to_owned()))
                } else {
                    Err($invalid {
                        text: text.to_owned(),
                    })
                }
            }

            /// The id made of 8 random bytes (the caller supplies them).
            pub fn from_random(bytes: [u8; 8]) -> Self {
                $name(format!(concat!($prefix, "{:016x}"), u64::from_be_bytes(bytes)))
            }

            /// A new id from the operating system's random source.
            #[cfg(feature = "ssr")]
            pub fn generate() -> Self {
                Self::from_random($crate::identity::random_bytes())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $invalid;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                $name::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub use crate::random_id;

/// Eight bytes from the operating system's random source, for
/// [`random_id!`]'s `generate`. (If the operating system cannot give
/// randomness the process cannot make ids or secrets safely; `OsRng`
/// panics then, as it always has here.)
#[cfg(feature = "ssr")]
pub fn random_bytes() -> [u8; 8] {
    use rand_core::{OsRng, RngCore};
    let mut bytes = [0_u8; 8];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

random_id!(
    /// The id of an account, e.g. `acc-3f9c2a71d04e8b65`: opaque, stable for
    /// the account's life, never reused.
    AccountId,
    InvalidAccountId,
    "acc-",
    "an account id"
);

random_id!(
    /// The id of an API token, e.g. `tok-5d02c4e9a17f3b80`: shown in lists
    /// and logs to tell tokens apart. It is not the secret: that is shown
    /// once, when the token is issued, and stored only as a digest.
    TokenId,
    InvalidTokenId,
    "tok-",
    "an API token id"
);

random_id!(
    /// The id of a dealer company, e.g. `dlr-0b6e3f9a5c1d2e47`: the unit
    /// dealer data (prices, orders, invoices) belongs to.
    CompanyId,
    InvalidCompanyId,
    "dlr-",
    "a dealer company id"
);

/// An email address used to sign in, stored lower-case so that one address
/// is one login whatever its capitalisation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a text is not an [`Email`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}” is not an email address")]
pub struct InvalidEmail {
    /// The text offered, cut to its first 80 characters: the message
    /// travels back to the browser (in a redirect's address, without
    /// JavaScript), which a megabyte of text would break.
    pub text: String,
}

impl Email {
    /// Parses an address: one `@`, something before it, a domain with a dot
    /// after it, no spaces, at most 254 characters. (Whether mail reaches
    /// it is for the reset flow to find out, not for a parser.)
    pub fn parse(text: &str) -> Result<Self, InvalidEmail> {
        let trimmed = text.trim().to_lowercase();
        let well_formed = trimmed.len() <= 254
            && !trimmed.chars().any(char::is_whitespace)
            && trimmed.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if well_formed {
            Ok(Email(trimmed))
        } else {
            Err(InvalidEmail {
                text: crate::text::quoted(text),
            })
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Email::parse(&text)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_stored_lower_case_and_trimmed() {
        assert_eq!(
            Email::parse("  Mara@Fenwick.Example ").map(String::from),
            Ok("mara@fenwick.example".into())
        );
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "mara",
            "@fenwick.example",
            "mara@",
            "mara@localhost",
            "ma ra@x.example",
            "a@b@c.example",
            "mara@.example",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn account_ids_are_acc_and_sixteen_hex_digits() {
        let account = AccountId::from_random([0x3f, 0x9c, 0x2a, 0x71, 0xd0, 0x4e, 0x8b, 0x65]);
        assert_eq!(account.as_str(), "acc-3f9c2a71d04e8b65");
        assert_eq!(AccountId::parse(account.as_str()), Ok(account));
        assert!(AccountId::parse("acc-XYZ").is_err());
    }
}
