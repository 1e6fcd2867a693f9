//! The error a server function returns to its caller, person or agent.
//!
//! Inside the server every layer has its own typed error with context; at the
//! server-function edge they become one of these variants, whose message is
//! shown verbatim on the page and in the JSON answer.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

pub use kiln_core::text::{cut_to, quoted};

/// Why a server function could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum KilnError {
    /// The request was understood but the business rules refuse it; the
    /// message says which rule and is safe to show to the requester.
    #[error("{0}")]
    Rejected(String),
    /// Kiln itself failed (database unavailable, a bug); details are in the
    /// server log, the caller only learns that it should try again later.
    #[error("Kiln could not complete the request; the details are in the server log")]
    Internal,
    /// The request reached the server but could not be read as what the
    /// function takes (an empty or malformed body, a missing field, a body
    /// too large or of a type no function reads). The caller's mistake:
    /// answered 400, 413 or 415, and nothing was done.
    #[error("the request could not be read: {0}")]
    Unreadable(String),
    /// The request never reached the function, or its answer could not be
    /// read (network failure, a malformed answer).
    #[error("the request failed: {0}")]
    Transport(String),
}

impl FromServerFnError for KilnError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these three only come from reading the request:
            // its body (Leptos calls that "deserializing results" for JSON
            // input), its arguments, a missing argument. The server never
            // reads an answer, so none of them is a transport failure there.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(reason) | ServerFnErrorErr::Deserialization(reason) => {
                KilnError::Unreadable(reason)
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::MissingArg(name) => {
                KilnError::Unreadable(format!("the field {name} is missing"))
            }
            other => KilnError::Transport(other.to_string()),
        }
    }
}
