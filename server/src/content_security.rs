//! The Content-Security-Policy of every answer, and the nonce a page's
//! inline scripts carry.
//!
//! Each request is given a fresh nonce here, before it reaches the router.
//! Leptos is handed the same nonce through context ([`provide_page_nonce`],
//! run by every page and server-function handler), so the scripts it writes
//! carry it, and the answer goes out with the policy that allows exactly
//! that nonce: a page (an HTML answer) runs its own inline scripts and no
//! other; every other answer allows no inline script at all.
//!
//! The policy is set here, on the answer itself, rather than by the page
//! through Leptos' `ResponseOptions`: the browser tests caught pages whose
//! shell had put the nonce's policy into `ResponseOptions` and whose answer
//! still went out with the default one, now and then (about one page in a
//! few hundred), so that the page's scripts were blocked and it never
//! hydrated. Why that header was lost is not known; this path does not
//! depend on it.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

/// Gives the request its nonce and the answer its policy.
pub async fn answer_with_policy(mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|content_type| content_type.starts_with("text/html"));
    let policy = app::content_security::policy(is_page.then_some(&*nonce));
    // A nonce is URL-safe base64, so the policy is always a valid header
    // value; were it not, the strictest policy is sent instead.
    let value = HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, value);
    response
}

/// Hands Leptos the request's nonce, in place of the one it made itself,
/// so that the scripts a page writes carry the nonce its policy allows.
/// Run as the additional context of every Leptos handler.
pub fn provide_page_nonce() {
    use leptos::prelude::{provide_context, use_context};
    let nonce = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}
