//! The one authorisation guard. Every request passes through it before any
//! handler, page or server function does any work: it refuses cross-site
//! state changes, works out who is asking (the [`Principal`]), looks the
//! route up in `app::access::table`, and answers 401 or 403 with a clear
//! message when [`authorize`] says no. Allowed requests carry the
//! principal in their extensions for the handlers.

use app::access::route::Method;
use app::access::table;
use app::access::{AccountId, ClientAddress, Denial, Principal, authorize};
use app::account::SESSION_ACCOUNT_KEY;
use app::functions::platform_manager::{projection, service};
use app::state::AppState;
use app::store::access_log::{self, AccessKind};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tower_sessions::Session;

/// Whether `path` is one the guard can judge as written: no `.` or `..`
/// segment (also percent-encoded), no backslash, no empty segment. The
/// guard matches paths as they arrive, but the router of the pages reads
/// them as a browser would (`/a/x/../b` is `/a/b`); a path the two read
/// differently could reach a page the guard never checked, so it is
/// refused instead.
fn is_plain_path(path: &str) -> bool {
    let lowered = path.to_ascii_lowercase();
    if lowered.contains('\\') || lowered.contains("%5c") {
        return false;
    }
    let Some(rest) = lowered.strip_prefix('/') else {
        return false;
    };
    // "/" alone, and a trailing "/" (redirected below), are plain.
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.is_empty()
        || rest.split('/').all(|segment| {
            let decoded = segment.replace("%2e", ".");
            !segment.is_empty() && decoded != "." && decoded != ".."
        })
}

/// The guard, as an axum middleware (`axum::middleware::from_fn_with_state`).
pub async fn guard(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let method = match *request.method() {
        axum::http::Method::GET | axum::http::Method::HEAD => Method::Get,
        axum::http::Method::POST => Method::Post,
        _ => {
            return (
                StatusCode::METHOD_NOT_ALLOWED,
                "Kiln answers GET and POST only",
            )
                .into_response();
        }
    };
    let path = request.uri().path().to_owned();
    if !is_plain_path(&path) {
        tracing::warn!(%path, "refused a path with dot segments, backslashes or empty segments");
        return deny(
            StatusCode::BAD_REQUEST,
            &path,
            "refused: this address has “.” or “..” segments, a backslash or “//” in its path",
        );
    }
    if method == Method::Post && !same_origin(request.headers()) {
        tracing::warn!(%path, "refused a cross-site POST");
        return deny(
            StatusCode::FORBIDDEN,
            &path,
            "refused: this request came from another site",
        );
    }
    // `/account/` means `/account`: send the browser to the one spelling
    // the table knows rather than render a page it does not guard.
    if method == Method::Get && path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        if !trimmed.is_empty() && table::requirement_of(method, trimmed).is_some() {
            let query = request
                .uri()
                .query()
                .map(|query| format!("?{query}"))
                .unwrap_or_default();
            return axum::response::Redirect::permanent(&format!("{trimmed}{query}"))
                .into_response();
        }
    }
    let Some(required) = table::requirement_of(method, &path) else {
        // Not a route of Kiln's: the router answers 404. (Every route the
        // router has is in the table; `http::serve` checks at start.) Should
        // a spelling of a path the table misses (a trailing slash, an
        // escaped letter) still reach a page, that page sees nobody signed
        // in, so whatever it asks of a server function is refused.
        request.extensions_mut().insert(Principal::Anonymous);
        return next.run(request).await;
    };
    let address = request
        .extensions()
        .get::<ClientAddress>()
        .map(|ClientAddress(address)| *address);
    let principal = match principal_of(&state, &session, request.headers()).await {
        Ok(principal) => principal,
        Err(GuardError::InvalidBearer) => {
            tracing::warn!(%path, "refused an unknown, mistyped or revoked API token");
            at_the_door(
                &state,
                AccessKind::Refused,
                "a token that is not valid",
                address,
                &path,
            )
            .await;
            return deny(
                StatusCode::UNAUTHORIZED,
                &path,
                "this API token is not valid: it is unknown, mistyped or revoked",
            );
        }
        Err(error) => {
            tracing::error!(%error, "cannot work out who is signed in");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Kiln could not check who you are; try again later",
            )
                .into_response();
        }
    };
    if let Err(denial) = authorize(&principal, required) {
        tracing::warn!(%path, principal = ?principal_label(&principal), %denial, "refused");
        at_the_door(
            &state,
            AccessKind::Refused,
            &principal_label(&principal),
            address,
            &format!("{path}: {denial}"),
        )
        .await;
        let status = match denial {
            Denial::NotSignedIn { .. } => StatusCode::UNAUTHORIZED,
            Denial::Forbidden { .. } => StatusCode::FORBIDDEN,
        };
        return deny(status, &path, &denial.to_string());
    }
    if matches!(principal, Principal::Agent { .. } | Principal::Token { .. }) {
        at_the_door(
            &state,
            AccessKind::TokenUse,
            &principal_label(&principal),
            address,
            &path,
        )
        .await;
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

/// Puts what happened at the door into the access log, unless the same
/// kind was recorded for the same caller from the same address a short
/// while ago (an agent's every request would otherwise be a row). A
/// failure to record is logged, never a reason to refuse the request.
async fn at_the_door(
    state: &AppState,
    kind: AccessKind,
    who: &str,
    address: Option<std::net::IpAddr>,
    detail: &str,
) {
    let every = match kind {
        AccessKind::TokenUse => std::time::Duration::from_secs(10 * 60),
        _ => std::time::Duration::from_secs(60),
    };
    let key = format!("{}|{who}|{address:?}", kind.as_str());
    if !state.recent_access().due(key, every) {
        return;
    }
    if let Err(error) = access_log::record(state.store(), kind, who, address, detail).await {
        tracing::warn!(%error, "the access log could not be written");
    }
}

/// Who is asking: the holder of the API token in an `Authorization:
/// Bearer` header when there is one (agents), otherwise whoever the
/// session belongs to, with their roles as they are now, or nobody.
async fn principal_of(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
) -> Result<Principal, GuardError> {
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let secret = authorization
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(GuardError::InvalidBearer)?;
        return service::principal_of_bearer(state.store(), secret.trim())
            .await?
            .ok_or(GuardError::InvalidBearer);
    }
    let Some(account) = session.get::<String>(SESSION_ACCOUNT_KEY).await? else {
        return Ok(Principal::Anonymous);
    };
    let Ok(account) = AccountId::parse(&account) else {
        session.flush().await?;
        return Ok(Principal::Anonymous);
    };
    match projection::account(state.store(), &account).await? {
        Some(signed_in) => Ok(signed_in.principal()),
        // The account is gone: the session is worth nothing any more.
        None => {
            session.flush().await?;
            Ok(Principal::Anonymous)
        }
    }
}

/// Why the guard could not work out the principal.
#[derive(Debug, thiserror::Error)]
enum GuardError {
    #[error("the session store failed")]
    Session(#[from] tower_sessions::session::Error),
    #[error("the account could not be read")]
    Store(#[from] app::store::StoreError),
    #[error("the bearer token is not a valid API token")]
    InvalidBearer,
}

/// Whether a state-changing request comes from Kiln's own pages. Browsers
/// send `Origin` (and `Sec-Fetch-Site`) with every POST; a request from
/// another site names that site. Clients that are not browsers (agents,
/// the command line) send neither and carry no cookies a forger could
/// borrow, so they pass.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (None, _) => true,
        (Some(origin), Some(host)) => match (origin.to_str(), host.to_str()) {
            (Ok(origin), Ok(host)) => origin
                .split_once("://")
                .is_some_and(|(_, origin_host)| origin_host == host),
            _ => false,
        },
        (Some(_), None) => false,
    }
}

/// A short label for the log: never an email or a name.
fn principal_label(principal: &Principal) -> String {
    match principal {
        Principal::Anonymous => "anonymous".into(),
        Principal::Consumer { account }
        | Principal::Dealer { account, .. }
        | Principal::Staff { account, .. } => {
            format!("user:{account}")
        }
        Principal::Agent { function } => format!("agent:{}", function.slug()),
        Principal::Token { token, .. } => format!("token:{token}"),
    }
}

/// A refusal: JSON under `/api/`, a short page elsewhere.
fn deny(status: StatusCode, path: &str, message: &str) -> Response {
    if path.starts_with("/api/") {
        return (
            status,
            axum::Json(serde_json::json!({ "kind": "denied", "message": message })),
        )
            .into_response();
    }
    let escaped = app::markup::escape_html(message);
    let sign_in = if status == StatusCode::UNAUTHORIZED {
        r#"<p><a href="/login">Sign in</a></p>"#
    } else {
        ""
    };
    (
        status,
        Html(format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed</title></head>\
             <body><main><h1>Not allowed</h1><p>{escaped}</p>{sign_in}<p><a href=\"/\">Back to the shop</a></p></main></body></html>"
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_path_read_differently_by_a_browser_is_not_plain() {
        for plain in [
            "/",
            "/staff/overview",
            "/staff/overview/",
            "/pkg/kiln.css",
            "/shop/MUG-1",
        ] {
            assert!(is_plain_path(plain), "{plain}");
        }
        for tricky in [
            "/staff/database-manager/x/../events/1",
            "/staff/x/%2E%2e/database-manager",
            "/staff/./overview",
            "/staff//overview",
            "/staff\\..\\overview",
            "/staff/%5c../overview",
            "/..",
        ] {
            assert!(!is_plain_path(tricky), "{tricky}");
        }
    }

    #[test]
    fn a_post_from_the_same_site_or_from_no_browser_passes() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(same_origin(&headers(&[])));
    }

    #[test]
    fn a_post_from_another_site_is_refused() {
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
    }
}
