//! What a request must be before a server function reads it, and how long
//! a client and a handler may take.
//!
//! Every `POST` is a server function (the hand-made routes are all `GET`).
//! Leptos reads a server function's body whole and answers anything it
//! cannot read with 500, which tells the caller, person or agent, that the
//! server failed when the caller made the mistake. So before a server
//! function runs, this layer checks what arrived and answers the caller's
//! mistakes itself, each with a status that names it and a message that
//! says what was wrong (`KilnError::Unreadable`'s JSON, like every other
//! server function error):
//!
//! - a body larger than the limit: 413, refused on its declared length
//!   before any of it is read, or as soon as it grows past the limit;
//! - a body of a content type no server function reads, or of none: 415;
//! - a body that stops arriving: 408, when the body-read time is up.
//!
//! A plain form post (a browser without JavaScript) is sent back to its
//! page with the refusal instead, as Leptos does with every refused form.
//! What passes is handed on already read, so the function never waits on
//! the client. A body that arrives but does not decode as the function's
//! input becomes `KilnError::Unreadable` inside Leptos (`app::error`), and
//! `crate::refusals` answers it with 400.
//!
//! [`answer_within`] bounds every request's handling the same way: a page or
//! function that has not answered in time ends with 503 and a logged error
//! rather than a connection held open forever.

use app::error::KilnError;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use futures_util::StreamExt;
use leptos::server_fn::error::ServerFnUrlError;
use std::time::Duration;

/// The content types server functions read: forms (what pages post, also
/// without JavaScript) and JSON (what agents and integrations post).
const READABLE_CONTENT_TYPES: [&str; 2] = ["application/x-www-form-urlencoded", "application/json"];

/// How large and how slow a request may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// The largest body a server function is sent, in bytes.
    pub largest_body: usize,
    /// How long a client may take to send a request's headers
    /// (`connections`).
    pub headers_within: Duration,
    /// How long a client may take to send a body once its headers arrived.
    pub body_within: Duration,
    /// How long the server may take to start answering a request.
    pub answer_within: Duration,
}

impl RequestLimits {
    /// The default largest body: 1 MiB. The largest thing a person posts is
    /// a dealer's pasted order sheet, some kilobytes.
    pub const DEFAULT_LARGEST_BODY: usize = 1024 * 1024;
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            largest_body: Self::DEFAULT_LARGEST_BODY,
            headers_within: Duration::from_secs(20),
            body_within: Duration::from_secs(30),
            answer_within: Duration::from_secs(60),
        }
    }
}

/// Why this layer refused a request: the status that names the caller's
/// mistake, and what was wrong.
struct Refusal {
    status: StatusCode,
    reason: String,
}

fn refuse(status: StatusCode, reason: String) -> Refusal {
    Refusal { status, reason }
}

/// Where a plain form post (no JavaScript: it asks for HTML and says which
/// page it came from) goes back to, to show its refusal there, as Leptos
/// sends every other refused form (`__path` and `__err` in the address).
struct FormOrigin {
    page: String,
    function: String,
}

impl FormOrigin {
    fn of(request: &Request) -> Option<Self> {
        let accepts_html = request
            .headers()
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        let page = request.headers().get(header::REFERER)?.to_str().ok()?;
        accepts_html.then(|| FormOrigin {
            page: page.to_owned(),
            function: request.uri().path().to_owned(),
        })
    }
}

impl Refusal {
    /// The answer: back to the form's page with the refusal, for a plain
    /// form post; otherwise the status, with the reason as
    /// `KilnError::Unreadable`'s JSON.
    fn into_answer(self, origin: Option<FormOrigin>) -> Response {
        let error = KilnError::Unreadable(self.reason);
        if let Some(origin) = origin
            && let Ok(back) =
                ServerFnUrlError::new(origin.function, error.clone()).to_url(&origin.page)
        {
            return Redirect::to(back.as_str()).into_response();
        }
        let body = serde_json::to_string(&error).unwrap_or_else(|_| {
            r#"{"kind":"unreadable","message":"the request could not be read"}"#.to_owned()
        });
        (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response()
    }
}

/// The body of a `POST`, checked and read within `limits`, or the refusal.
async fn read_body(limits: RequestLimits, request: Request) -> Result<Request, Refusal> {
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is larger than the {} bytes Kiln takes",
                limits.largest_body
            ),
        )
    };
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok())
        .and_then(|length| length.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limits.largest_body as u64) {
        return Err(too_large());
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    // The media type without its parameters (`; charset=utf-8`).
    let readable = content_type
        .as_deref()
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .is_some_and(|media_type| READABLE_CONTENT_TYPES.contains(&media_type.as_str()));
    let unreadable_type = || {
        let sent = match &content_type {
            Some(content_type) => format!("was sent as {}", app::error::quoted(content_type)),
            None => "has a body but no content type".to_owned(),
        };
        refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Kiln's functions read {}; this request {sent}",
                READABLE_CONTENT_TYPES.join(" or ")
            ),
        )
    };
    // A request without a content type may still have no body at all (a
    // function that takes no input, called as `POST` with nothing): that
    // is judged once the body is read.
    if content_type.is_some() && !readable {
        return Err(unreadable_type());
    }

    let (parts, body) = request.into_parts();
    let mut chunks = body.into_data_stream();
    let mut bytes = Vec::with_capacity(declared_length.unwrap_or(0) as usize);
    let read = async {
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|error| {
                refuse(
                    StatusCode::BAD_REQUEST,
                    format!("the body could not be read to its end ({error})"),
                )
            })?;
            if bytes.len() + chunk.len() > limits.largest_body {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(())
    };
    match tokio::time::timeout(limits.body_within, read).await {
        Ok(Ok(())) if !readable && !bytes.is_empty() => Err(unreadable_type()),
        Ok(Ok(())) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(refusal)) => Err(refusal),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} seconds",
                limits.body_within.as_secs()
            ),
        )),
    }
}

/// Checks and reads every `POST`'s body before a server function sees it
/// (`axum::middleware::from_fn_with_state`, with the limits as state).
pub async fn read_within_limits(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let origin = FormOrigin::of(&request);
    match read_body(limits, request).await {
        Ok(request) => next.run(request).await,
        Err(refusal) => refusal.into_answer(origin),
    }
}

/// Ends a request whose answer has not started within
/// `limits.answer_within` with 503, and logs it as the server's failure.
/// (A streamed answer, a page or a live event stream, has started once its
/// headers are sent; this does not cut it off.)
pub async fn answer_within(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    match tokio::time::timeout(limits.answer_within, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(
                %method,
                path,
                seconds = limits.answer_within.as_secs(),
                "a request was not answered in time and was ended"
            );
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Kiln could not answer in time; the details are in the server log",
            )
                .into_response()
        }
    }
}
