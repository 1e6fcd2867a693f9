//! The status code of a refused server function.
//!
//! Leptos answers every error a server function returns with 500. A
//! refusal by the business rules (`KilnError::Rejected`) and a request
//! that could not be read as the function's input
//! (`KilnError::Unreadable`) are the caller's to mend, not faults of the
//! server, and an agent reading the status should be able to tell the two
//! apart: this layer answers them with 400 Bad Request and leaves
//! everything else as it was. Browsers posting
//! forms without JavaScript are not affected: they are redirected back to
//! the page (302), which is not an error status.

use app::error::KilnError;
use axum::{
    body::Body,
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::Response,
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// The largest error answer read to find out whether it is a refusal; a
/// refusal's message is a sentence, so anything longer is not one.
const LONGEST_ERROR_ANSWER: usize = 64 * 1024;

/// Answers a server function's refusal with 400 instead of 500.
pub async fn refusals_are_bad_requests(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    // Only a server function's error answer carries Leptos' error header;
    // every other answer passes untouched.
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LONGEST_ERROR_ANSWER).await else {
        tracing::error!("an error answer could not be read, or was too long to be a refusal");
        // The body is replaced: the old one's type and length no longer
        // describe it.
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(
            parts,
            Body::from("Kiln could not complete the request; the details are in the server log"),
        );
    };
    if matches!(
        serde_json::from_slice::<KilnError>(&bytes),
        Ok(KilnError::Rejected(_) | KilnError::Unreadable(_))
    ) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}
