//! The identities accounts are known by: their id and their sign-in
//! address.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of an account, e.g. `acc-3f9c2a71d04e8b65`: opaque, stable for
/// the account's life, never reused.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

/// Why a text is not an [`AccountId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}” is not an account id")]
pub struct InvalidAccountId {
    /// The text offered.
    pub text: String,
}

impl AccountId {
    /// Parses `acc-` followed by 16 lower-case hex digits.
    pub fn parse(text: &str) -> Result<Self, InvalidAccountId> {
        if is_random_id(text, "acc-") {
            Ok(AccountId(text.to_owned()))
        } else {
            Err(InvalidAccountId {
                text: text.to_owned(),
            })
        }
    }

    /// The account id made of 8 random bytes (the caller supplies them, so
    /// this stays pure).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        AccountId(format!("acc-{:016x}", u64::from_be_bytes(bytes)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountId {
    type Error = InvalidAccountId;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        AccountId::parse(&text)
    }
}

impl From<AccountId> for String {
    fn from(account: AccountId) -> Self {
        account.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `text` is `prefix` followed by 16 lower-case hex digits: the
/// shape of every random id.
fn is_random_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 16
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// The id of an API token, e.g. `tok-5d02c4e9a17f3b80`: shown in lists
/// and logs to tell tokens apart. It is not the secret: that is shown
/// once, when the token is issued, and stored only as a hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct TokenId(String);

/// Why a text is not a [`TokenId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}” is not an API token id")]
pub struct InvalidTokenId {
    /// The text offered.
    pub text: String,
}

impl TokenId {
    /// Parses `tok-` followed by 16 lower-case hex digits.
    pub fn parse(text: &str) -> Result<Self, InvalidTokenId> {
        if is_random_id(text, "tok-") {
            Ok(TokenId(text.to_owned()))
        } else {
            Err(InvalidTokenId {
                text: text.to_owned(),
            })
        }
    }

    /// The token id made of 8 random bytes (supplied by the caller).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        TokenId(format!("tok-{:016x}", u64::from_be_bytes(bytes)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TokenId {
    type Error = InvalidTokenId;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        TokenId::parse(&text)
    }
}

impl From<TokenId> for String {
    fn from(token: TokenId) -> Self {
        token.0
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
    /// The text offered.
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
                text: text.to_owned(),
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
