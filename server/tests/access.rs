//! Who may do what, through the real server: signing in and out, the
//! guard's 401 and 403 answers, cross-site requests and security headers.

#[allow(
    dead_code,
    reason = "each test binary uses a different part of the shared support"
)]
mod support;

use app::access::table::{Method, PathPattern, ROUTES};
use app::access::{Denial, Principal, authorize};
use serde_json::Value;
use support::spawn_app;

const OWNER: (&str, &str) = ("owner@fenwick.example", "fenwick-demo-owner");
/// Holds category:operate and procurement:view only.
const POTTER: (&str, &str) = ("potter@fenwick.example", "fenwick-demo-potter");

#[tokio::test]
async fn nobody_signed_in_gets_401_with_what_was_needed() {
    let app = spawn_app().await;
    let response = app.get("/api/events/catalog").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("JSON refusal");
    assert_eq!(
        body["message"],
        "sign in first: this needs the view permission in database-manager"
    );

    let page = app.get("/account").await;
    assert_eq!(page.status(), 401);
    let html = page.text().await.expect("HTML refusal");
    assert!(html.contains("sign in first"), "{html}");
    assert!(html.contains(r#"href="/login""#), "{html}");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_address_gets_one_answer_and_no_session() {
    let app = spawn_app().await;
    for (email, password) in [
        (OWNER.0, "not-the-password"),
        ("nobody@fenwick.example", OWNER.1),
        ("not an address", OWNER.1),
    ] {
        let response = app.sign_in(email, password).await;
        // Back on the sign-in page, which shows why.
        assert_eq!(response.url().path(), "/login", "{email}");
        let body = response.text().await.expect("body");
        assert!(
            body.contains("the email address or the password is wrong"),
            "{body}"
        );
    }
    assert_eq!(app.get("/account").await.status(), 401);
}

#[tokio::test]
async fn a_signed_in_administrator_sees_the_account_page_and_signing_out_ends_the_session() {
    let app = spawn_app().await;
    let signed_in = app.sign_in(OWNER.0, OWNER.1).await;
    // The form's redirect leads to the account page.
    assert_eq!(signed_in.status(), 200);
    assert_eq!(signed_in.url().path(), "/account");
    let html = signed_in.text().await.expect("HTML");
    assert!(html.contains("Mara Fenwick"), "{html}");
    assert!(html.contains("admin"), "{html}");

    assert_eq!(app.get("/api/events/catalog").await.status(), 200);

    let signed_out = app
        .client
        .post(format!("{}/api/account/sign-out", app.address))
        .send()
        .await
        .expect("request reaches the server");
    assert!(signed_out.status().is_success());
    assert_eq!(app.get("/account").await.status(), 401);
    assert_eq!(app.get("/api/events/catalog").await.status(), 401);
}

#[tokio::test]
async fn staff_without_a_grant_in_a_function_get_403_naming_it() {
    let app = spawn_app().await;
    assert!(app.sign_in(POTTER.0, POTTER.1).await.status().is_success());
    assert_eq!(app.get("/account").await.status(), 200);
    let response = app.get("/api/events/catalog").await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("JSON refusal");
    assert_eq!(
        body["message"],
        "not allowed: this needs the view permission in database-manager, and this account has no view grant in database-manager"
    );
    let rebuild = app
        .client
        .post(format!("{}/api/database-manager/rebuild", app.address))
        .json(&serde_json::json!({ "request": {} }))
        .send()
        .await
        .expect("request reaches the server");
    assert_eq!(rebuild.status(), 403);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = client
        .post(format!("{}/api/account/sign-in", app.address))
        .form(&[("form[email]", OWNER.0), ("form[password]", OWNER.1)])
        .send()
        .await
        .expect("request reaches the server");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("kiln_session="))
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_before_anything_happens() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/account/sign-in", app.address))
        .header("origin", "https://evil.example")
        .form(&[("form[email]", OWNER.0), ("form[password]", OWNER.1)])
        .send()
        .await
        .expect("request reaches the server");
    assert_eq!(response.status(), 403);
    assert_eq!(
        app.get("/account").await.status(),
        401,
        "it signed in anyway"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/login", "/api/events/catalog"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let policy = headers["content-security-policy"]
            .to_str()
            .expect("ASCII header");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
    }
}

/// An email address and its password.
type Login = (&'static str, &'static str);

/// The people of the matrix: who they are to the rule, and how to sign in.
fn matrix_people() -> Vec<(&'static str, Principal, Option<Login>)> {
    use app::access::{AccountId, Capability, Grant, StaffGrants};
    use app::functions::BusinessFunction;
    let staff = |grants: &[(BusinessFunction, Capability)], admin: bool| Principal::Staff {
        // The rule does not look at the id.
        account: AccountId::from_random([0; 8]),
        grants: StaffGrants {
            grants: grants
                .iter()
                .map(|&(function, capability)| Grant {
                    function,
                    capability,
                })
                .collect(),
            admin,
        },
    };
    vec![
        ("anonymous", Principal::Anonymous, None),
        (
            "staff with category:operate and procurement:view",
            staff(
                &[
                    (BusinessFunction::Category, Capability::Operate),
                    (BusinessFunction::Procurement, Capability::View),
                ],
                false,
            ),
            Some(POTTER),
        ),
        ("administrator", staff(&[], true), Some(OWNER)),
    ]
}

/// A request path for a table row (a file under a prefix).
fn sample_path(pattern: PathPattern) -> String {
    match pattern {
        PathPattern::Exact(path) => path.to_owned(),
        PathPattern::Prefix(prefix) => format!("{prefix}sample"),
    }
}

#[tokio::test]
async fn every_route_answers_every_principal_exactly_as_the_table_says() {
    let app = spawn_app().await;
    let mut mismatches = Vec::new();
    for (who, principal, login) in matrix_people() {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let sign_in = || async {
            if let Some((email, password)) = login {
                let signed_in = client
                    .post(format!("{}/api/account/sign-in", app.address))
                    .form(&[("form[email]", email), ("form[password]", password)])
                    .send()
                    .await
                    .expect("request reaches the server");
                assert!(signed_in.status().is_success(), "{who} could not sign in");
            }
        };
        sign_in().await;
        for route in ROUTES {
            let url = format!("{}{}", app.address, sample_path(route.path));
            let request = match route.method {
                Method::Get => client.get(&url),
                Method::Post => client.post(&url).json(&serde_json::json!({})),
            };
            let status = request
                .send()
                .await
                .expect("request reaches the server")
                .status()
                .as_u16();
            let expected = match authorize(&principal, route.required) {
                Ok(()) => "allowed",
                Err(Denial::NotSignedIn { .. }) => "401",
                Err(Denial::Forbidden { .. }) => "403",
            };
            let actual = match status {
                401 => "401",
                403 => "403",
                _ => "allowed",
            };
            if expected != actual {
                mismatches.push(format!(
                    "{who}: {:?} {} answered {status}, the table says {expected}",
                    route.method,
                    sample_path(route.path)
                ));
            }
            // Signing out (and signing in with an empty form) ends or
            // replaces the session: start the next route signed in again.
            if route.path == PathPattern::Exact("/api/account/sign-out") {
                sign_in().await;
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[tokio::test]
async fn the_sixth_quick_sign_in_for_one_account_is_refused_even_with_the_right_password() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.sign_in(POTTER.0, "not-the-password").await;
    }
    let response = app.sign_in(POTTER.0, POTTER.1).await;
    let body = response.text().await.expect("body");
    assert!(
        body.contains("too many sign-in attempts for this account"),
        "{body}"
    );
    assert_eq!(app.get("/account").await.status(), 401);
}

#[tokio::test]
async fn a_trailing_slash_leads_to_the_page_the_table_knows() {
    let app = spawn_app().await;
    let response = app.get("/account/").await;
    // Followed to /account, which needs someone signed in.
    assert_eq!(response.url().path(), "/account");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn another_spelling_of_a_guarded_path_never_shows_the_signed_in_account() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    // (A trailing slash is redirected to /account itself, see above.)
    for path in ["/%61ccount", "//account"] {
        let response = app.get(path).await;
        let status = response.status();
        let html = response.text().await.expect("body");
        assert!(
            !html.contains("owner@fenwick.example"),
            "{path} ({status}) showed the account"
        );
    }
}
