//! The rows of the authorisation table: a route, its method and the
//! requirement its caller must meet. Each function declares its own rows
//! with these (its `routes` module); [`super::table`] puts every row
//! together.

use super::Requirement;

/// The HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET (and HEAD).
    Get,
    /// POST.
    Post,
}

/// How an entry matches a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPattern {
    /// Exactly this path.
    Exact(&'static str),
    /// Every path starting with this prefix (static files).
    Prefix(&'static str),
}

impl PathPattern {
    /// Whether `path` matches.
    pub fn matches(self, path: &str) -> bool {
        match self {
            PathPattern::Exact(exact) => path == exact,
            PathPattern::Prefix(prefix) => path.starts_with(prefix),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path.
    pub path: PathPattern,
    /// What its caller must meet.
    pub required: Requirement,
    /// What it is, in a few words (for the Platform Manager page).
    pub purpose: &'static str,
}

/// A row for an exact path.
pub const fn route(
    method: Method,
    path: &'static str,
    required: Requirement,
    purpose: &'static str,
) -> Route {
    Route {
        method,
        path: PathPattern::Exact(path),
        required,
        purpose,
    }
}
