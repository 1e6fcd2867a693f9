//! Bad requests get the caller's status, never the server's: a body too
//! large 413, a content type no function reads 415, a body that does not
//! decode 400, a body that stops arriving 408; and none of them writes
//! anything.

use crate::support::{Browser, TestApp, spawn_app};

/// A test server whose requests are held to `limits`.
async fn spawn_app_with_limits(limits: kiln::requests::RequestLimits) -> TestApp {
    crate::support::spawn_app_with(kiln::http::HttpSettings {
        limits,
        ..Default::default()
    })
    .await
}

/// Every server function's path (they are all `POST`).
fn server_function_paths() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _method)| path)
        .collect();
    paths.sort_unstable();
    paths
}

/// Someone who calls server functions: a browser, and the secret of an
/// API token it sends instead of its cookies, if it is an agent.
struct Caller {
    who: &'static str,
    browser: Browser,
    token_secret: Option<String>,
}

/// The callers that may call some function: a visitor, a shopper, a
/// dealer, the administrator and an agent. Each function is tried as the
/// first one the guard lets through, so the body is what is judged.
async fn every_kind_of_caller(app: &TestApp) -> Vec<Caller> {
    let shopper = app.another_browser();
    shopper
        .sign_in("shopper@fenwick.example", "fenwick-demo-shopper")
        .await;
    let dealer = app.another_browser();
    dealer
        .sign_in("orders@clayandcup.example", "fenwick-demo-dealer-a")
        .await;
    let owner = app.another_browser();
    owner.sign_in_as_owner().await;
    let agent = owner.issue_token("category:propose", "requests test").await;
    let caller = |who, browser, token_secret| Caller {
        who,
        browser,
        token_secret,
    };
    vec![
        caller("a visitor", app.another_browser(), None),
        caller("a shopper", shopper, None),
        caller("a dealer", dealer, None),
        caller("the administrator", owner, None),
        caller("an agent", app.another_browser(), Some(agent.secret)),
    ]
}

/// Posts `body` as `content_type` to `path` as each caller in turn, and
/// returns the first answer the guard did not refuse (401, 403), with who
/// got it.
async fn post_as_first_allowed(
    callers: &[Caller],
    path: &str,
    content_type: Option<&str>,
    body: &'static [u8],
) -> (&'static str, reqwest::StatusCode, String) {
    let mut last = None;
    for Caller {
        who,
        browser,
        token_secret,
    } in callers
    {
        let mut request = browser
            .client
            .post(format!("{}{path}", browser.address))
            .header("accept", "application/json")
            .body(body);
        if let Some(secret) = token_secret {
            request = request.bearer_auth(secret);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if status != reqwest::StatusCode::UNAUTHORIZED && status != reqwest::StatusCode::FORBIDDEN {
            return (who, status, text);
        }
        last = Some((*who, status, text));
    }
    last.expect("at least one caller")
}

#[tokio::test]
async fn every_server_function_answers_a_body_that_does_not_decode_with_400_and_writes_nothing() {
    let app = spawn_app().await;
    let callers = every_kind_of_caller(&app).await;
    let before = app.store.event_count().await.expect("count");

    let mut wrong = Vec::new();
    let mut judged = 0;
    for path in server_function_paths() {
        // A function that takes no input reads any body as nothing: there
        // is nothing in it that could fail to decode.
        let (_, status, _) = post_as_first_allowed(
            &callers,
            path,
            Some("application/x-www-form-urlencoded"),
            b"",
        )
        .await;
        if status.is_success() || status.is_redirection() {
            continue;
        }
        judged += 1;
        for (content_type, body) in [
            ("application/x-www-form-urlencoded", &b""[..]),
            (
                "application/x-www-form-urlencoded",
                &b"form%5Bnonsense=%ZZ&&="[..],
            ),
            ("application/json", &b""[..]),
            ("application/json", &b"{\"request\": [1, 2"[..]),
        ] {
            let (who, status, text) =
                post_as_first_allowed(&callers, path, Some(content_type), body).await;
            if status != reqwest::StatusCode::BAD_REQUEST || !text.contains("unreadable") {
                wrong.push(format!(
                    "{path} as {who}, {content_type} {:?}: {status} {text}",
                    String::from_utf8_lossy(body)
                ));
            }
        }
    }
    assert!(judged > 30, "only {judged} functions take input");
    assert!(wrong.is_empty(), "not answered 400:\n{}", wrong.join("\n"));
    assert_eq!(
        app.store.event_count().await.expect("count"),
        before,
        "a refused request wrote an event"
    );
}

#[tokio::test]
async fn every_server_function_answers_a_content_type_it_cannot_read_with_415() {
    let app = spawn_app().await;
    let callers = every_kind_of_caller(&app).await;
    let before = app.store.event_count().await.expect("count");

    let mut wrong = Vec::new();
    for path in server_function_paths() {
        for content_type in [
            Some("text/plain"),
            Some("multipart/form-data; boundary=x"),
            None,
        ] {
            let (who, status, text) =
                post_as_first_allowed(&callers, path, content_type, b"form[email]=a").await;
            if status != reqwest::StatusCode::UNSUPPORTED_MEDIA_TYPE || !text.contains("unreadable")
            {
                wrong.push(format!(
                    "{path} as {who}, {content_type:?}: {status} {text}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "not answered 415:\n{}", wrong.join("\n"));
    assert_eq!(app.store.event_count().await.expect("count"), before);
}

#[tokio::test]
async fn a_twelve_megabyte_sign_in_form_is_refused_with_413_before_it_is_read() {
    let app = spawn_app().await;
    let before = app.store.event_count().await.expect("count");
    let password = "x".repeat(12 * 1024 * 1024);

    let response = app
        .client
        .post(format!("{}/api/account/sign-in", app.address))
        .form(&[
            ("form[email]", "owner@fenwick.example"),
            ("form[password]", &password),
        ])
        .send()
        .await
        .expect("an answer");

    assert_eq!(response.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    let refusal: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(refusal["kind"], "unreadable");
    assert!(
        refusal["message"]
            .as_str()
            .is_some_and(|message| message.contains("1048576 bytes")),
        "{refusal}"
    );
    assert_eq!(app.store.event_count().await.expect("count"), before);
}

#[tokio::test]
async fn a_body_without_a_declared_length_is_cut_off_at_the_limit_with_413() {
    let app = spawn_app().await;
    // A streamed body has no Content-Length: the limit is found while reading.
    let chunks = (0..40).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 64 * 1024]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));

    let response = app
        .client
        .post(format!("{}/api/account/sign-in", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("an answer");

    assert_eq!(response.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_when_its_time_is_up() {
    let app = spawn_app_with_limits(kiln::requests::RequestLimits {
        body_within: std::time::Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    // Half a form, then nothing: the stream never ends while the test waits.
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    sender
        .send(Ok(b"form%5Bemail%5D=owner".to_vec()))
        .await
        .expect("the first part is taken");
    let body = reqwest::Body::wrap_stream(tokio_stream::wrappers::ReceiverStream::new(receiver));

    let response = app
        .client
        .post(format!("{}/api/account/sign-in", app.address))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("an answer");

    assert_eq!(response.status(), reqwest::StatusCode::REQUEST_TIMEOUT);
    drop(sender);
}

#[tokio::test]
async fn a_form_sent_as_it_should_be_still_works() {
    let app = spawn_app().await;
    let response = app
        .sign_in("owner@fenwick.example", "fenwick-demo-owner")
        .await;
    assert!(response.status().is_success(), "{}", response.status());
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_let_go() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with_limits(kiln::requests::RequestLimits {
        headers_within: std::time::Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stalled = tokio::net::TcpStream::connect(&address)
        .await
        .expect("a connection");
    // Half a request's headers, then nothing.
    stalled
        .write_all(b"GET / HTTP/1.1\r\nHost: kiln\r\n")
        .await
        .expect("sent");
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stalled.read_to_end(&mut answer),
    )
    .await;
    assert!(
        matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
        "the server still holds the connection after ten seconds"
    );
    // Clients that do finish their headers are served as before.
    assert!(app.get("/healthz").await.status().is_success());
}
