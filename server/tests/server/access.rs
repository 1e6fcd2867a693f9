//! Who may do what, through the real server: signing in and out, the
//! guard's 401 and 403 answers, cross-site requests and security headers.

use crate::support::{TestApp, spawn_app};
use app::access::route::{Method, PathPattern};
use app::access::table::{self, FUNCTION_ROUTES};
use app::access::{Denial, Principal, Requirement, authorize};
use app::functions::BusinessFunction;
use serde_json::Value;

const OWNER: (&str, &str) = ("owner@fenwick.example", "fenwick-demo-owner");
/// Holds category:operate and procurement:view only.
const POTTER: (&str, &str) = ("potter@fenwick.example", "fenwick-demo-potter");
/// A consumer.
const SHOPPER: (&str, &str) = ("shopper@fenwick.example", "fenwick-demo-shopper");
/// A user of dealer A, Clay & Cup Café (trade tier).
const DEALER_A: (&str, &str) = ("orders@clayandcup.example", "fenwick-demo-dealer-a");
/// A user of dealer B, Hollow Oak Gifts (partner tier).
const DEALER_B: (&str, &str) = ("buyer@hollowoak.example", "fenwick-demo-dealer-b");

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
    // The form's redirect leads to the administrator's first function page.
    assert_eq!(signed_in.status(), 200);
    assert_eq!(signed_in.url().path(), "/staff/overview");
    let account = app.get("/account").await;
    assert_eq!(account.status(), 200);
    let html = account.text().await.expect("HTML");
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
    for path in ["/", "/login", "/no-such-page", "/api/events/catalog"] {
        let response = app.get(path).await;
        let headers = response.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let policy = headers["content-security-policy"]
            .to_str()
            .expect("ASCII header")
            .to_owned();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(policy.contains("script-src 'self'"), "{path}: {policy}");
        assert!(
            !policy.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {policy}"
        );
        let body = response.text().await.expect("body");
        // A page's inline scripts carry the nonce its policy allows; other
        // answers allow no inline script.
        let nonces: Vec<&str> = body
            .split("<script")
            .skip(1)
            .filter_map(|tag| tag.split("nonce=\"").nth(1))
            .filter_map(|rest| rest.split('"').next())
            .collect();
        if path.starts_with("/api/") {
            assert!(!policy.contains("'nonce-"), "{path}: {policy}");
        } else {
            assert!(!nonces.is_empty(), "{path} has no nonced script");
            let scripts = body.matches("<script").count();
            assert_eq!(nonces.len(), scripts, "{path}: a script without the nonce");
            for nonce in nonces {
                assert!(
                    policy.contains(&format!("'nonce-{nonce}'")),
                    "{path}: {policy} does not allow {nonce}"
                );
            }
        }
    }
}

/// An email address and its password.
type Login = (&'static str, &'static str);

/// How a principal of the matrix proves who it is.
enum Credentials {
    Nothing,
    Login(Login),
    Bearer(String),
}

/// The principals of the matrix: a name, who they are to the rule, and
/// their credentials. Staff with one grant each are created here (with
/// the password `matrix-password`), and a token is issued for every
/// function's agent and for two external agents.
async fn matrix_principals(
    store: &app::store::EventStore,
) -> Vec<(String, Principal, Credentials)> {
    use app::access::password::Password;
    use app::access::{AccountId, Capability, CompanyId, Email, Grant, StaffGrants, TokenScope};
    use app::event::Actor;
    use app::functions::BusinessFunction::{self, Category, Procurement};
    use app::functions::platform_manager::events::{Role, TokenHolder};
    use app::functions::platform_manager::service;

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
    let mut principals = vec![
        (
            "anonymous".to_owned(),
            Principal::Anonymous,
            Credentials::Nothing,
        ),
        (
            "consumer".to_owned(),
            Principal::Consumer {
                account: AccountId::from_random([0; 8]),
            },
            Credentials::Login(SHOPPER),
        ),
        (
            "staff with category:operate and procurement:view".to_owned(),
            staff(
                &[
                    (Category, Capability::Operate),
                    (Procurement, Capability::View),
                ],
                false,
            ),
            Credentials::Login(POTTER),
        ),
        (
            "administrator".to_owned(),
            staff(&[], true),
            Credentials::Login(OWNER),
        ),
    ];
    for (name, login) in [("dealer A", DEALER_A), ("dealer B", DEALER_B)] {
        principals.push((
            name.to_owned(),
            Principal::Dealer {
                account: AccountId::from_random([0; 8]),
                company: CompanyId::from_random([0; 8]),
            },
            Credentials::Login(login),
        ));
    }
    let one_grant_staff: [(&'static str, BusinessFunction, Capability); 5] = [
        (
            "viewer@fenwick.example",
            BusinessFunction::DatabaseManager,
            Capability::View,
        ),
        (
            "operator@fenwick.example",
            BusinessFunction::DatabaseManager,
            Capability::Operate,
        ),
        (
            "approver@fenwick.example",
            BusinessFunction::DatabaseManager,
            Capability::Approve,
        ),
        ("buyer@fenwick.example", Procurement, Capability::Approve),
        (
            "accounts@fenwick.example",
            BusinessFunction::Customers,
            Capability::Approve,
        ),
    ];
    for (email, function, capability) in one_grant_staff {
        service::create_staff_account(
            store,
            Actor::system("test"),
            service::NewStaffAccount {
                email: Email::parse(email).expect("valid"),
                name: email.into(),
                roles: vec![Role::Function {
                    function,
                    capability,
                }],
                password: Password::parse("matrix-password").expect("valid"),
            },
        )
        .await
        .expect("staff account created");
        principals.push((
            format!(
                "staff with only {}:{}",
                function.slug(),
                capability.as_str()
            ),
            staff(&[(function, capability)], false),
            Credentials::Login((email, "matrix-password")),
        ));
    }
    let mut holders: Vec<TokenHolder> = BusinessFunction::ALL
        .iter()
        .map(|&function| TokenHolder::Agent { function })
        .collect();
    holders.push(TokenHolder::External {
        function: BusinessFunction::DatabaseManager,
        scope: TokenScope::Read,
    });
    holders.push(TokenHolder::External {
        function: BusinessFunction::DatabaseManager,
        scope: TokenScope::Propose,
    });
    for holder in holders {
        let (token, secret) =
            service::issue_api_token(store, Actor::system("test"), holder, "matrix".into())
                .await
                .expect("token issued");
        principals.push((
            format!("token for {holder}"),
            holder.principal(token),
            Credentials::Bearer(secret.reveal().to_owned()),
        ));
    }
    principals
}

/// A request path for a table row (a file under a prefix).
fn sample_path(pattern: PathPattern) -> String {
    match pattern {
        PathPattern::Exact(path) => path.to_owned(),
        PathPattern::Prefix(prefix) => format!("{prefix}sample"),
    }
}

/// Every route of the table with a path to request and its requirement:
/// the fixed routes, and each function's routes once per function.
/// Signing out ends the session, so it comes last.
fn every_route() -> Vec<(Method, String, Requirement)> {
    let sign_out = PathPattern::Exact("/api/account/sign-out");
    let fixed = table::every_route()
        .filter(|route| route.path != sign_out)
        .map(|route| (route.method, sample_path(route.path), route.required));
    let per_function = FUNCTION_ROUTES.iter().flat_map(|route| {
        BusinessFunction::ALL.into_iter().map(|function| {
            // A named route (one of a function's tables) is asked for a
            // name of its own, as a prefix route is for a file.
            let path = if route.named {
                format!("{}sample", route.path(function))
            } else {
                route.path(function)
            };
            (route.method, path, route.requirement(function))
        })
    });
    let last = table::every_route()
        .filter(|route| route.path == sign_out)
        .map(|route| (route.method, sample_path(route.path), route.required));
    fixed.chain(per_function).chain(last).collect()
}

#[tokio::test]
async fn every_route_answers_every_principal_exactly_as_the_table_says() {
    let app = spawn_app().await;
    let mut mismatches = Vec::new();
    for (who, principal, credentials) in matrix_principals(&app.store).await {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        if let Credentials::Login((email, password)) = credentials {
            let signed_in = client
                .post(format!("{}/api/account/sign-in", app.address))
                .form(&[("form[email]", email), ("form[password]", password)])
                .send()
                .await
                .expect("request reaches the server");
            assert!(signed_in.status().is_success(), "{who} could not sign in");
        }
        for (method, path, required) in every_route() {
            let url = format!("{}{path}", app.address);
            let mut request = match method {
                Method::Get => client.get(&url),
                // An empty body: the matrix is about who gets in, not what
                // they ask for, so nothing is changed by these requests.
                Method::Post => client.post(&url).json(&serde_json::json!({})),
            };
            if let Credentials::Bearer(secret) = &credentials {
                request = request.bearer_auth(secret);
            }
            let status = request
                .send()
                .await
                .expect("request reaches the server")
                .status()
                .as_u16();
            let expected = match authorize(&principal, required) {
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
                    "{who}: {method:?} {path} answered {status}, the table says {expected}"
                ));
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

#[tokio::test]
async fn each_tier_lands_on_its_home_after_signing_in() {
    let app = spawn_app().await;
    let shopper = app.sign_in(SHOPPER.0, SHOPPER.1).await;
    assert_eq!(
        shopper.url().path(),
        "/",
        "a shopper lands on the storefront"
    );
    let html = shopper.text().await.expect("HTML");
    // The header greets them instead of offering to sign in.
    assert!(html.contains(r#"data-signed-in="true""#), "{html}");
    assert!(html.contains("Ada"), "{html}");

    // Procurement comes first in the briefing, but it is not built yet.
    let staff = app.another_browser().sign_in(POTTER.0, POTTER.1).await;
    assert_eq!(
        staff.url().path(),
        "/staff/category",
        "staff land on the first built function page they may view"
    );
    let html = staff.text().await.expect("HTML");
    assert!(html.contains("Category Management"), "{html}");

    let owner = app.another_browser().sign_in(OWNER.0, OWNER.1).await;
    assert_eq!(owner.url().path(), "/staff/overview");
}

#[tokio::test]
async fn a_shopper_signs_up_and_is_signed_in_as_a_consumer() {
    let app = spawn_app().await;
    let response = app
        .sign_up("Grace Hopper", "grace@example.com", "compilers-are-fun")
        .await;
    assert_eq!(response.url().path(), "/");
    let account = app.get("/account").await;
    assert_eq!(account.status(), 200);
    let html = account.text().await.expect("HTML");
    assert!(html.contains("grace@example.com"), "{html}");
    assert!(html.contains("consumer"), "{html}");
    // A consumer reaches no business function.
    assert_eq!(app.get("/api/events/catalog").await.status(), 403);
}

#[tokio::test]
async fn a_sign_up_with_a_taken_address_a_short_password_or_a_huge_name_changes_nothing() {
    let app = spawn_app().await;
    let events = app.store.event_count().await.expect("count");
    let huge = "x".repeat(1_000_000);
    for (name, email, password, message) in [
        (
            "Ada",
            SHOPPER.0,
            "long-enough-password",
            "shopper@fenwick.example already has an account",
        ),
        (
            "Ada",
            "ada2@example.com",
            "short",
            "a password needs at least 10 characters",
        ),
        (
            "Ada",
            "not an address",
            "long-enough-password",
            "is not an email address",
        ),
        (
            huge.as_str(),
            "ada3@example.com",
            "long-enough-password",
            "a name or label may have at most 200 characters",
        ),
    ] {
        let response = app.sign_up(name, email, password).await;
        assert_eq!(response.url().path(), "/signup", "{message}");
        let body = response.text().await.expect("body");
        assert!(
            body.contains(message),
            "{message}: {}",
            &body[..body.len().min(2000)]
        );
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);
    assert_eq!(app.get("/account").await.status(), 401);
}

#[tokio::test]
async fn a_password_change_needs_the_current_password() {
    let app = spawn_app().await;
    app.sign_in(SHOPPER.0, SHOPPER.1).await;
    let wrong = app
        .post_form(
            "/api/account/password",
            "/account",
            &[
                ("form[current]", "not-the-password"),
                ("form[new]", "brand-new-secret"),
            ],
        )
        .await;
    let body = wrong.text().await.expect("body");
    assert!(body.contains("the current password is wrong"), "{body}");
    let changed = app
        .post_form(
            "/api/account/password",
            "/account",
            &[
                ("form[current]", SHOPPER.1),
                ("form[new]", "brand-new-secret"),
            ],
        )
        .await;
    assert_eq!(changed.url().query(), Some("password=changed"));
    let body = changed.text().await.expect("body");
    assert!(body.contains("Your password is changed."), "{body}");

    let fresh = app.another_browser();
    let old = fresh.sign_in(SHOPPER.0, SHOPPER.1).await;
    assert_eq!(old.url().path(), "/login");
    let new = fresh.sign_in(SHOPPER.0, "brand-new-secret").await;
    assert_eq!(new.url().path(), "/");
}

#[tokio::test]
async fn a_reset_link_from_the_outbox_sets_a_new_password_once() {
    let app = spawn_app().await;
    let asked = app
        .post_form(
            "/api/account/reset-request",
            "/forgot-password",
            &[("form[email]", SHOPPER.0)],
        )
        .await;
    assert_eq!(asked.url().query(), Some("sent=1"));
    // An unknown address gets the same answer and no message.
    let unknown = app
        .post_form(
            "/api/account/reset-request",
            "/forgot-password",
            &[("form[email]", "nobody@example.com")],
        )
        .await;
    assert_eq!(unknown.url().query(), Some("sent=1"));
    let messages = app::store::outbox::unsent(&app.store)
        .await
        .expect("outbox");
    // (The demo's dealers were sent their welcome links too.)
    let to_shopper: Vec<_> = messages
        .iter()
        .filter(|message| message.recipient == SHOPPER.0)
        .collect();
    assert_eq!(to_shopper.len(), 1);
    assert!(
        !messages
            .iter()
            .any(|message| message.recipient == "nobody@example.com")
    );
    let token = to_shopper[0]
        .body
        .split("/reset?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a link in the message")
        .to_owned();

    let page = app.get(&format!("/reset?token={token}")).await;
    let html = page.text().await.expect("HTML");
    assert!(html.contains(&token), "the form carries the token");
    let reset = app
        .post_form(
            "/api/account/reset",
            &format!("/reset?token={token}"),
            &[
                ("form[token]", token.as_str()),
                ("form[password]", "after-the-reset"),
            ],
        )
        .await;
    assert_eq!(reset.url().path(), "/login");
    assert_eq!(
        app.sign_in(SHOPPER.0, "after-the-reset").await.url().path(),
        "/"
    );

    let again = app
        .post_form(
            "/api/account/reset",
            &format!("/reset?token={token}"),
            &[
                ("form[token]", token.as_str()),
                ("form[password]", "a-third-password"),
            ],
        )
        .await;
    let body = again.text().await.expect("body");
    assert!(
        body.contains("this reset link has expired or was already used"),
        "{body}"
    );
}

#[tokio::test]
async fn an_agent_token_reads_every_function_and_a_revoked_one_gets_401() {
    use app::event::Actor;
    use app::functions::BusinessFunction;
    use app::functions::platform_manager::{events::TokenHolder, service};

    let app = spawn_app().await;
    let (token, secret) = service::issue_api_token(
        &app.store,
        Actor::system("test"),
        TokenHolder::Agent {
            function: BusinessFunction::Procurement,
        },
        "procurement agent".into(),
    )
    .await
    .expect("issued");
    let catalog = |secret: String| {
        app.client
            .get(format!("{}/api/events/catalog", app.address))
            .bearer_auth(secret)
            .send()
    };
    assert_eq!(
        catalog(secret.reveal().to_owned())
            .await
            .expect("answer")
            .status(),
        200
    );
    // It may not act as another function.
    let rebuild = app
        .client
        .post(format!("{}/api/database-manager/rebuild", app.address))
        .bearer_auth(secret.reveal())
        .json(&serde_json::json!({ "request": {} }))
        .send()
        .await
        .expect("answer");
    assert_eq!(rebuild.status(), 403);
    let body: Value = rebuild.json().await.expect("JSON");
    assert_eq!(
        body["message"],
        "not allowed: this needs the operate permission in database-manager, and agent:procurement may only act as its own function"
    );

    service::revoke_api_token(&app.store, Actor::system("test"), token)
        .await
        .expect("revoked");
    let refused = catalog(secret.reveal().to_owned()).await.expect("answer");
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(
        body["message"],
        "this API token is not valid: it is unknown, mistyped or revoked"
    );
    assert_eq!(
        catalog("kiln_nonsense".into())
            .await
            .expect("answer")
            .status(),
        401
    );
}

#[tokio::test]
async fn an_administrator_issues_and_revokes_tokens_over_http() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let issued = app.issue_token("database-manager:read", "dashboard").await;
    let crate::support::IssuedToken { token, secret } = issued;
    assert!(secret.starts_with("kiln_"), "{secret}");

    let reader = reqwest::Client::new();
    let read = reader
        .get(format!("{}/api/events/catalog", app.address))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("answer");
    assert_eq!(read.status(), 200);

    let bad: Value = app
        .client
        .post(format!("{}/api/platform-manager/tokens/issue", app.address))
        .json(&serde_json::json!({ "request": { "holder": "database-manager:approve", "label": "x" } }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert!(bad.to_string().contains("is not a token holder"), "{bad}");

    let revoked = app
        .client
        .post(format!(
            "{}/api/platform-manager/tokens/revoke",
            app.address
        ))
        .json(&serde_json::json!({ "request": { "token": token } }))
        .send()
        .await
        .expect("answer");
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let read = reader
        .get(format!("{}/api/events/catalog", app.address))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("answer");
    assert_eq!(read.status(), 401);

    let listed: Value = app
        .client
        .post(format!("{}/api/platform-manager/tokens", app.address))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(listed[0]["revoked"], true, "{listed}");
    assert!(
        !listed.to_string().contains(&secret),
        "the list never shows a secret"
    );
}

/// The dealer company of a demo dealer login, read from the store.
async fn company_of(app: &crate::support::TestApp, email: &str) -> app::access::CompanyId {
    use app::functions::platform_manager::projection;
    let email = app::access::Email::parse(email).expect("valid");
    let account = projection::account_by_email(&app.store, &email)
        .await
        .expect("read")
        .expect("the demo dealer exists");
    projection::account(&app.store, &account)
        .await
        .expect("read")
        .expect("exists")
        .company
        .expect("a dealer login has a company")
}

async fn price_list(
    browser: &crate::support::Browser,
    body: serde_json::Value,
    query: &str,
) -> Value {
    let response = browser
        .client
        .post(format!("{}/api/portal/prices{query}", browser.address))
        .json(&body)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn dealer_a_never_sees_dealer_b_s_company_or_prices_even_when_naming_b() {
    let app = spawn_app().await;
    let b_company = company_of(&app, DEALER_B.0).await;
    let a = app.another_browser();
    assert_eq!(
        a.sign_in(DEALER_A.0, DEALER_A.1).await.url().path(),
        "/portal"
    );
    let b = app.another_browser();
    assert_eq!(
        b.sign_in(DEALER_B.0, DEALER_B.1).await.url().path(),
        "/portal"
    );

    let own = price_list(&a, serde_json::json!({}), "").await;
    assert_eq!(own["company_name"], "Clay & Cup Café");
    assert_eq!(own["tier"], "trade");
    let theirs = price_list(&b, serde_json::json!({}), "").await;
    assert_eq!(theirs["company_name"], "Hollow Oak Gifts");
    // The same mug costs each dealer their own price, and neither pays
    // the storefront's.
    let mug = |list: &Value| {
        list["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|line| line["sku"] == "MUG-SPECKLE-12")
            .cloned()
            .expect("the speckled mug is listed")
    };
    assert_eq!(mug(&own)["base_price"]["minor_units"], 2800);
    assert_eq!(mug(&own)["your_price"]["minor_units"], 1680);
    assert_eq!(mug(&theirs)["your_price"]["minor_units"], 1400);

    // Naming B's company, in the body or the address, changes nothing.
    let b_id = b_company.to_string();
    for (body, query) in [
        (serde_json::json!({ "company": b_id }), String::new()),
        (serde_json::json!({}), format!("?company={b_id}")),
    ] {
        let answer = price_list(&a, body, &query).await;
        assert_eq!(answer, own, "A asked with B's id and got something else");
    }
    let portal = a.get(&format!("/portal?company={b_id}")).await;
    let html = portal.text().await.expect("HTML");
    assert!(
        html.contains("Clay &amp; Cup Café") || html.contains("Clay & Cup Café"),
        "{html}"
    );
    assert!(!html.contains("Hollow Oak"), "A's portal shows B");
    // The mug's price below the first volume break is A's trade price,
    // not B's partner price ($14.00).
    let mug_row = html
        .find("data-sku=\"MUG-SPECKLE-12\"")
        .map(|at| &html[at..])
        .expect("the mug is on A's price list");
    let your_price = mug_row
        .find("data-field=\"your-price\"")
        .map(|at| &mug_row[at..])
        .and_then(|cell| cell.split('>').nth(1))
        .and_then(|text| text.split('<').next())
        .unwrap_or_else(|| {
            panic!(
                "the mug's row has no price: {}",
                &mug_row[..mug_row.len().min(900)]
            )
        });
    assert_eq!(your_price, "$16.80", "A's portal shows B's partner price");

    // Nor can A reach B's application or any staff data about dealers.
    let applications = a
        .client
        .post(format!("{}/api/customers/dealer-applications", a.address))
        .send()
        .await
        .expect("answer");
    assert_eq!(applications.status(), 403);
    let decide = a
        .client
        .post(format!("{}/api/customers/dealer-applications/decide", a.address))
        .json(&serde_json::json!({ "decision": { "application": "apl-0000000000000001", "decision": "decline", "reason": "x" } }))
        .send()
        .await
        .expect("answer");
    assert_eq!(decide.status(), 403);
    // And staff, even administrators, do not see the portal.
    let owner = app.another_browser();
    owner.sign_in_as_owner().await;
    assert_eq!(owner.get("/portal").await.status(), 403);
}

#[tokio::test]
async fn a_dealer_application_approved_by_staff_becomes_a_login_that_lands_on_the_portal() {
    let app = spawn_app().await;
    let applicant = app.another_browser();
    let sent = applicant
        .post_form(
            "/api/customers/dealer-applications/submit",
            "/dealers/apply",
            &[
                ("form[company_name]", "Kettle & Kiln Tea Room"),
                ("form[contact_name]", "Sam Okoro"),
                ("form[email]", "sam@kettleandkiln.example"),
                ("form[message]", "A tea room in York."),
            ],
        )
        .await;
    assert_eq!(sent.url().query(), Some("sent=1"));

    app.sign_in_as_owner().await;
    let listed: Value = app
        .client
        .post(format!("{}/api/customers/dealer-applications", app.address))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let application = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|row| row["company_name"] == "Kettle & Kiln Tea Room")
        .expect("the application is listed");
    assert_eq!(application["status"], "pending");
    let bad_tier: Value = app
        .client
        .post(format!("{}/api/customers/dealer-applications/decide", app.address))
        .json(&serde_json::json!({ "decision": { "application": application["application"], "decision": "approve", "tier": "platinum" } }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert!(
        bad_tier.to_string().contains("is not a dealer tier"),
        "{bad_tier}"
    );
    let decided: Value = app
        .client
        .post(format!("{}/api/customers/dealer-applications/decide", app.address))
        .json(&serde_json::json!({ "decision": { "application": application["application"], "decision": "approve", "tier": "volume" } }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(decided["status"], "approved", "{decided}");

    let messages = app::store::outbox::unsent(&app.store)
        .await
        .expect("outbox");
    let welcome = messages
        .iter()
        .find(|message| message.recipient == "sam@kettleandkiln.example")
        .expect("a welcome message");
    assert!(
        !decided.to_string().contains("token"),
        "the approver never sees the link"
    );
    let token = welcome
        .body
        .split("/reset?token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a link");
    let chosen = applicant
        .post_form(
            "/api/account/reset",
            "/reset",
            &[
                ("form[token]", token),
                ("form[password]", "tea-and-stoneware"),
            ],
        )
        .await;
    assert_eq!(chosen.url().path(), "/login");
    let signed_in = applicant
        .sign_in("sam@kettleandkiln.example", "tea-and-stoneware")
        .await;
    assert_eq!(signed_in.url().path(), "/portal");
    let html = signed_in.text().await.expect("HTML");
    assert!(
        html.contains("Kettle &amp; Kiln Tea Room") || html.contains("Kettle & Kiln Tea Room"),
        "{html}"
    );
    assert!(html.contains("volume"), "{html}");
}

#[tokio::test]
async fn a_second_user_added_by_staff_sees_the_same_company_and_only_it() {
    let app = spawn_app().await;
    let a_company = company_of(&app, DEALER_A.0).await;
    app.sign_in_as_owner().await;
    let added = app
        .client
        .post(format!("{}/api/customers/dealer-users/add", app.address))
        .json(&serde_json::json!({ "user": { "company": a_company.to_string(), "name": "Ben Shah", "email": "ben@clayandcup.example" } }))
        .send()
        .await
        .expect("answer");
    assert!(added.status().is_success(), "{}", added.status());
    let unknown: Value = app
        .client
        .post(format!("{}/api/customers/dealer-users/add", app.address))
        .json(&serde_json::json!({ "user": { "company": "dlr-0000000000000001", "name": "Nobody", "email": "nobody@example.com" } }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        unknown["message"], "there is no dealer company dlr-0000000000000001",
        "{unknown}"
    );

    let messages = app::store::outbox::unsent(&app.store)
        .await
        .expect("outbox");
    let token = messages
        .iter()
        .find(|message| message.recipient == "ben@clayandcup.example")
        .and_then(|message| message.body.split("/reset?token=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a welcome link for Ben");
    let ben = app.another_browser();
    ben.post_form(
        "/api/account/reset",
        "/reset",
        &[("form[token]", token), ("form[password]", "second-user-pw")],
    )
    .await;
    assert_eq!(
        ben.sign_in("ben@clayandcup.example", "second-user-pw")
            .await
            .url()
            .path(),
        "/portal"
    );
    let list = price_list(&ben, serde_json::json!({}), "").await;
    assert_eq!(list["company_name"], "Clay & Cup Café");
}

/// Fails `count` sign-ins, each for another address, as a client whose
/// proxy says it forwards for `client`; returns the last answer's text.
async fn fail_sign_ins(app: &TestApp, client: &str, count: usize) -> String {
    let mut last = String::new();
    for attempt in 0..count {
        last = app
            .client
            .post(format!("{}/api/account/sign-in", app.address))
            .header("x-forwarded-for", client)
            .form(&[
                (
                    "form[email]",
                    format!("nobody{attempt}@{client}.example").as_str(),
                ),
                ("form[password]", "not the password"),
            ])
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("a body");
    }
    last
}

#[tokio::test]
async fn behind_a_trusted_proxy_sign_ins_are_limited_per_client_not_per_proxy() {
    let settings = kiln::http::HttpSettings {
        trusted_proxies: "127.0.0.1".parse().expect("valid"),
        ..Default::default()
    };
    let app = crate::support::spawn_app_with(settings).await;
    let limited = fail_sign_ins(&app, "203.0.113.1", 21).await;
    assert!(
        limited.contains("too many sign-in attempts from your network"),
        "{limited}"
    );
    // Another client behind the same proxy is not held back by the first.
    let other = fail_sign_ins(&app, "203.0.113.2", 1).await;
    assert!(
        other.contains("the email address or the password is wrong"),
        "{other}"
    );
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_for_header_changes_nothing() {
    let app = spawn_app().await;
    fail_sign_ins(&app, "203.0.113.1", 20).await;
    // Claiming to be someone else does not escape the limit.
    let claimed = fail_sign_ins(&app, "203.0.113.2", 1).await;
    assert!(
        claimed.contains("too many sign-in attempts from your network"),
        "{claimed}"
    );
}

#[tokio::test]
async fn sign_ins_token_use_and_refusals_show_on_the_platform_manager_page_without_passwords() {
    let app = spawn_app().await;
    let stranger = app.another_browser();
    stranger
        .sign_in("owner@fenwick.example", "a guess at the password")
        .await;
    // Not signed in: the staff pages refuse.
    assert_eq!(stranger.get("/api/functions/category").await.status(), 401);
    app.sign_in_as_owner().await;
    let token = app.issue_token("category:read", "door test").await;
    let read = reqwest::Client::new()
        .get(format!("{}/api/functions/category", app.address))
        .bearer_auth(&token.secret)
        .send()
        .await
        .expect("an answer");
    assert_eq!(read.status(), 200);

    let page: Value = app
        .get("/api/functions/platform-manager")
        .await
        .json()
        .await
        .expect("JSON");
    let table = page["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|table| table["key"] == "access-log")
        .expect("the access log table");
    let rows: Vec<String> = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row.to_string())
        .collect();
    let has = |what: &str, who: &str| {
        rows.iter()
            .any(|row| row.contains(what) && row.contains(who) && row.contains("127.0.0.1"))
    };
    assert!(has("Sign-in refused", "owner@fenwick.example"), "{rows:#?}");
    assert!(has("Signed in", "acc-"), "{rows:#?}");
    assert!(has("Refused", "anonymous"), "{rows:#?}");
    assert!(has("API token used", &token.token), "{rows:#?}");
    let everything = rows.join("\n");
    assert!(!everything.contains("a guess at the password"));
    assert!(!everything.contains(&token.secret));
}
