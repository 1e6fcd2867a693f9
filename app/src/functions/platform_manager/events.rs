//! What the Platform Manager records in the event log about who may use
//! Kiln: staff accounts and the roles granted to them.
//!
//! Passwords are never events: the log is kept forever and cannot forget a
//! secret. They live in the credentials table (see
//! docs/decisions/0005-accounts-and-credentials.md).

use crate::access::{AccountId, Capability, Email, Grant};
use crate::functions::BusinessFunction;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every event the Platform Manager posts. The variant name is the event's
/// stable type name in the log; its fields are the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "type", content = "data")]
pub enum PlatformEvent {
    /// An administrator created an account for a member of staff. It has no
    /// role until one is granted.
    StaffAccountCreated(StaffAccountCreated),
    /// A staff account was given a role.
    RoleGranted(RoleChanged),
    /// A role was taken away from a staff account.
    RoleRevoked(RoleChanged),
}

/// Payload of [`PlatformEvent::StaffAccountCreated`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct StaffAccountCreated {
    /// The new account's id.
    pub account: AccountId,
    /// The address the person signs in with.
    pub email: Email,
    /// The name colleagues know them by.
    pub name: String,
}

/// Payload of [`PlatformEvent::RoleGranted`] and [`PlatformEvent::RoleRevoked`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
pub struct RoleChanged {
    /// The staff account.
    pub account: AccountId,
    /// The role given or taken.
    pub role: Role,
}

/// A role a staff account can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Role {
    /// Administration: accounts, roles and tokens, and everything in every
    /// function.
    Admin,
    /// A capability in one business function.
    Function {
        /// The function.
        function: BusinessFunction,
        /// view, operate or approve.
        capability: Capability,
    },
}

impl Role {
    /// The grant this role gives, or `None` for [`Role::Admin`].
    pub fn grant(self) -> Option<Grant> {
        match self {
            Role::Admin => None,
            Role::Function {
                function,
                capability,
            } => Some(Grant {
                function,
                capability,
            }),
        }
    }

    /// Parses `admin` or `<function>:<capability>`, e.g. `category:operate`.
    pub fn parse(text: &str) -> Result<Self, InvalidRole> {
        let invalid = || InvalidRole {
            text: text.to_owned(),
        };
        if text == "admin" {
            return Ok(Role::Admin);
        }
        let (function, capability) = text.split_once(':').ok_or_else(invalid)?;
        let function = BusinessFunction::from_slug(function).ok_or_else(invalid)?;
        let capability = match capability {
            "view" => Capability::View,
            "operate" => Capability::Operate,
            "approve" => Capability::Approve,
            _ => return Err(invalid()),
        };
        Ok(Role::Function {
            function,
            capability,
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Admin => f.write_str("admin"),
            Role::Function {
                function,
                capability,
            } => write!(f, "{}:{}", function.slug(), capability.as_str()),
        }
    }
}

/// Why a text names no [`Role`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{text}” is not a role: use admin or <function>:<view|operate|approve>, e.g. category:operate"
)]
pub struct InvalidRole {
    /// The text offered.
    pub text: String,
}

impl crate::event::DomainEvent for PlatformEvent {
    const FUNCTION: BusinessFunction = BusinessFunction::PlatformManager;
    const SCHEMA_VERSION: i64 = 1;

    fn event_type(&self) -> &'static str {
        match self {
            PlatformEvent::StaffAccountCreated(_) => "StaffAccountCreated",
            PlatformEvent::RoleGranted(_) => "RoleGranted",
            PlatformEvent::RoleRevoked(_) => "RoleRevoked",
        }
    }

    fn encode(&self) -> Result<serde_json::Value, serde_json::Error> {
        crate::event::encode_tagged(self)
    }

    /// Version 1 is the only schema so far, so there is nothing to upcast.
    fn decode(
        event_type: &str,
        _schema_version: i64,
        payload: serde_json::Value,
    ) -> Result<Self, serde_json::Error> {
        crate::event::decode_tagged(event_type, payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_and_print_as_the_same_text() {
        for text in [
            "admin",
            "category:view",
            "procurement:operate",
            "accounts-receivable:approve",
        ] {
            let role = Role::parse(text).expect("valid role");
            assert_eq!(role.to_string(), text);
        }
        let refused = Role::parse("category:own").expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "“category:own” is not a role: use admin or <function>:<view|operate|approve>, e.g. category:operate"
        );
        assert!(Role::parse("sales:view").is_err());
    }
}
