//! `spawn_app`: a real Kiln server on a random port with a fresh database
//! holding the demo business, for tests that go through HTTP.

pub mod postgres;

use app::state::AppState;
use std::net::SocketAddr;
use tokio::sync::oneshot;

pub struct TestApp {
    /// The first browser, already pointed at the server (`app.client`,
    /// `app.address`, `app.get(..)` reach it).
    browser: Browser,
    pub store: app::store::EventStore,
    /// The test database's URL, for tests that damage a table on purpose.
    pub database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _data: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(kiln::http::HttpSettings::default()).await
}

/// [`spawn_app`], with requests treated by `settings`.
pub async fn spawn_app_with(settings: kiln::http::HttpSettings) -> TestApp {
    let data = tempfile::tempdir().expect("temporary data directory");
    let url = format!("sqlite://{}", data.path().join("kiln.db").display());
    let store = kiln::open_database(&url)
        .await
        .expect("open a fresh database");
    app::demo::load_demo_business(&store)
        .await
        .expect("load the demo business");
    app::demo::load_demo_logins(&store)
        .await
        .expect("create the demo logins");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a random port");
    let addr: SocketAddr = listener.local_addr().expect("local address");
    // The site root is the repository's public/ without a browser bundle:
    // pages are server-rendered only in these tests.
    let site_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
    let options = kiln::leptos_options(&site_root, addr);
    let state = AppState::new(
        store.clone(),
        options,
        false,
        test_sales_tax(),
        std::sync::Arc::new(app::payments::BankTransfer),
        app::functions::BUILT,
    );
    let (shutdown, signal) = oneshot::channel::<()>();
    let sessions = kiln::sessions::KilnSessionStore::open(&store)
        .await
        .expect("prepare the session store");
    let server = tokio::spawn(kiln::http::serve(
        state,
        sessions,
        listener,
        settings,
        async {
            let _ = signal.await;
        },
    ));

    TestApp {
        browser: Browser::new(format!("http://{addr}")),
        store,
        database_url: url,
        shutdown: Some(shutdown),
        server: Some(server),
        _data: data,
    }
}

/// The sales tax rate test servers charge: 8.25%.
pub fn test_sales_tax() -> app::money::TaxRate {
    app::money::TaxRate { basis_points: 825 }
}

/// A browser: an HTTP client with its own cookies, at the server's address.
/// A token [`Browser::issue_token`] issued: its id, and the secret shown
/// once.
pub struct IssuedToken {
    pub token: String,
    pub secret: String,
}

pub struct Browser {
    pub address: String,
    pub client: reqwest::Client,
}

impl Browser {
    fn new(address: String) -> Self {
        Browser {
            address,
            // A cookie store, like a browser's, keeps the session between
            // requests.
            client: reqwest::Client::builder()
                .cookie_store(true)
                // A server that stops answering fails the test instead of
                // hanging the run.
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request reaches the server")
    }

    /// Posts a form to a server function as a browser without JavaScript
    /// does from the page at `from`: asking for HTML, so the server answers
    /// with a redirect (to the next page, or back to `from` with the
    /// refusal).
    pub async fn post_form(
        &self,
        path: &str,
        from: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("accept", "text/html")
            .header("referer", format!("{}{from}", self.address))
            .form(fields)
            .send()
            .await
            .expect("request reaches the server")
    }

    /// Issues an API token for `holder` (e.g. `category:propose`) as the
    /// administrator signed in on this browser.
    pub async fn issue_token(&self, holder: &str, label: &str) -> IssuedToken {
        let issued: serde_json::Value = self
            .client
            .post(format!(
                "{}/api/platform-manager/tokens/issue",
                self.address
            ))
            .json(&serde_json::json!({ "request": { "holder": holder, "label": label } }))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("JSON");
        IssuedToken {
            token: issued["token"].as_str().expect("an id").to_owned(),
            secret: issued["secret"].as_str().expect("a secret").to_owned(),
        }
    }

    /// Posts the sign-in form.
    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/account/sign-in",
            "/login",
            &[("form[email]", email), ("form[password]", password)],
        )
        .await
    }

    /// Posts the sign-up form.
    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> reqwest::Response {
        self.post_form(
            "/api/account/sign-up",
            "/signup",
            &[
                ("form[name]", name),
                ("form[email]", email),
                ("form[password]", password),
            ],
        )
        .await
    }

    /// The id of the dealer company Customer Management offers as `label`
    /// (e.g. "Hollow Oak Gifts (partner)"), as staff signed in on this
    /// browser read it from the page's choices.
    pub async fn dealer_company_id(&self, label: &str) -> String {
        let page: serde_json::Value = self
            .get("/api/functions/customers")
            .await
            .json()
            .await
            .expect("Customer Management's JSON");
        page["choices"]
            .as_array()
            .and_then(|lists| lists.iter().find(|list| list["key"] == "dealer-companies"))
            .and_then(|list| list["options"].as_array())
            .and_then(|options| options.iter().find(|option| option["label"] == label))
            .and_then(|option| option["value"].as_str())
            .unwrap_or_else(|| panic!("{label} is offered"))
            .to_owned()
    }

    /// Signs in as the demo's administrator (see the README's demo logins).
    pub async fn sign_in_as_owner(&self) {
        let response = self
            .sign_in("owner@fenwick.example", "fenwick-demo-owner")
            .await;
        assert!(
            response.status().is_success(),
            "sign-in failed: {}",
            response.status()
        );
    }
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.browser
    }
}

impl TestApp {
    /// A second browser on the same server, with no cookies of the first.
    pub fn another_browser(&self) -> Browser {
        Browser::new(self.browser.address.clone())
    }

    /// Asks the server to stop, as SIGTERM would, and waits until it has.
    pub async fn shut_down(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.server.take() {
            Some(server) => server.await.expect("server task did not panic"),
            None => Ok(()),
        }
    }
}
