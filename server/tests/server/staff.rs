//! The staff console through the real server: each function's page and
//! its JSON are the same view model, the index lists every function,
//! functions not built yet say so, and pages follow new events.

use crate::support::spawn_app;
use app::access::Email;
use app::event::Actor;
use app::functions::BusinessFunction;
use app::functions::platform_manager::events::{Role, TokenHolder};
use app::functions::platform_manager::{projection, service};
use app::functions::view::FunctionPage;

/// The text of the element following `marker` in `html`, with Leptos'
/// hydration comments taken out.
fn text_after(html: &str, marker: &str, then: &str) -> String {
    let from = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} is not on the page"));
    let rest = &html[from..];
    let start = rest
        .find(then)
        .unwrap_or_else(|| panic!("{then} does not follow {marker}"));
    let rest = &rest[start + then.len()..];
    let rest = &rest[rest.find('>').expect("a tag ends") + 1..];
    let end = rest.find("</").expect("an element ends");
    rest[..end]
        .replace("<!>", "")
        .replace("<!---->", "")
        .trim()
        .to_owned()
}

/// Posts `fields` to the form endpoint `path` from the page `from`, as a
/// browser without JavaScript does, and checks that the page it is sent
/// back to says `message` and quotes no more than 80 characters of any
/// field (the tests send 1 MB ones).
async fn assert_refused(
    browser: &crate::support::Browser,
    path: &str,
    from: &str,
    fields: &[(&str, &str)],
    message: &str,
) {
    let body = browser
        .post_form(path, from, fields)
        .await
        .text()
        .await
        .expect("body");
    assert!(
        body.contains(message),
        "{message}: {}",
        &body[..body.len().min(500)]
    );
    for (name, value) in fields {
        let long: String = value.chars().take(81).collect();
        assert!(
            long.chars().count() <= 80 || !body.contains(&long),
            "the refusal repeats {name} whole"
        );
    }
}

async fn page_json(browser: &crate::support::Browser, function: BusinessFunction) -> FunctionPage {
    let response = browser
        .get(&format!("/api/functions/{}", function.slug()))
        .await;
    assert_eq!(response.status(), 200, "{}", function.slug());
    response.json().await.expect("a function page as JSON")
}

/// `text` as Leptos writes it into a page (`'` either way).
fn on_page(html: &str, text: &str) -> bool {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    html.contains(&escaped) || html.contains(&escaped.replace('\'', "&#x27;"))
}

#[tokio::test]
async fn every_figure_on_a_function_page_equals_its_json() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    // A decision waiting, a conversation and a change request, so the
    // pages have one of each to show.
    app::functions::category::service::propose_price_change(
        &app.store,
        Actor::agent(BusinessFunction::Category),
        app::functions::category::view::PriceProposalForm {
            sku: "MUG-SPECKLE-12".into(),
            price: "30.00".into(),
            summary: "Raise the speckled mug to $30: rivals charge $32".into(),
            reasoning: "Three market notes agree.".into(),
            risk: "low".into(),
            agents_involved: vec!["promotions".into()],
            data_considered: Vec::new(),
        },
    )
    .await
    .expect("proposed");
    service::send_agent_message(
        &app.store,
        Actor::agent(BusinessFunction::Category),
        BusinessFunction::Category,
        app::functions::platform_manager::view::AgentMessageForm {
            to: "promotions".into(),
            text: "Is a spring sale planned for the speckled mug?".into(),
            conversation: String::new(),
            about: String::new(),
            intent: "ask".into(),
        },
    )
    .await
    .expect("sent");
    service::raise_change_request(
        &app.store,
        Actor::agent(BusinessFunction::Category),
        service::NewChangeRequest {
            title: "Show the margin per product".into(),
            function: BusinessFunction::Category,
            impact: "Pricing decisions need it".into(),
            urgency: app::functions::platform_manager::events::Urgency::High,
        },
    )
    .await
    .expect("raised");

    for function in BusinessFunction::ALL {
        let json = page_json(&app, function).await;
        let html = app
            .get(&function.page_url())
            .await
            .text()
            .await
            .expect("HTML");
        assert!(html.contains(&json.title), "{}", function.slug());
        for metric in &json.metrics {
            let shown = text_after(
                &html,
                &format!(r#"data-metric="{}""#, metric.key),
                "data-value",
            );
            assert_eq!(shown, metric.value, "{} {}", function.slug(), metric.key);
        }
        for chart in &json.charts {
            for bar in &chart.bars {
                let label = bar.label.replace('&', "&amp;");
                let shown = text_after(
                    &html,
                    &format!(r#"data-chart="{}""#, chart.key),
                    &format!(r#"data-bar="{label}""#),
                );
                assert_eq!(shown, bar.value.to_string(), "{} {}", chart.key, bar.label);
            }
        }
        for table in &json.tables {
            let shown = text_after(
                &html,
                &format!(r#"data-table="{}""#, table.key),
                r#"data-field="rows""#,
            );
            assert_eq!(
                shown,
                format!("{} rows", table.rows.len()),
                "{} {}",
                function.slug(),
                table.key
            );
            // The server renders every row; the browser pages them.
            for cell in table.rows.iter().flatten() {
                assert!(
                    on_page(&html, cell),
                    "{} {}: {cell}",
                    function.slug(),
                    table.key
                );
            }
        }
        // Every value of every trend: a bar's or a line point's title
        // (bars of nothing are not drawn).
        for chart in &json.trends {
            for series in &chart.series {
                for (period, value) in chart.periods.iter().zip(&series.values) {
                    if series.style == app::functions::view::SeriesStyle::Bars && *value == 0 {
                        continue;
                    }
                    let title = app::staff::chart::point_title(
                        &series.name,
                        period,
                        &chart.unit.format(*value),
                    );
                    assert!(
                        on_page(&html, &title),
                        "{} {}: {title}",
                        function.slug(),
                        chart.key
                    );
                }
            }
        }
        for card in &json.decisions {
            assert!(
                html.contains(&format!(r#"data-decision="{}""#, card.decision))
                    && on_page(&html, &card.summary),
                "{}: decision {}",
                function.slug(),
                card.decision
            );
        }
        for thread in &json.conversations {
            for message in &thread.messages {
                assert!(
                    html.contains(&format!(r#"data-message="{}""#, message.message))
                        && on_page(&html, &message.text),
                    "{}: message {}",
                    function.slug(),
                    message.message
                );
            }
        }
        for request in &json.change_requests {
            assert!(
                on_page(&html, &request.title) && on_page(&html, &request.impact),
                "{}: change request {}",
                function.slug(),
                request.request
            );
        }
        if function == BusinessFunction::Category {
            assert_eq!(
                (
                    json.decisions.len(),
                    json.conversations.len(),
                    json.change_requests.len()
                ),
                (1, 1, 1),
                "the category page has one of each to compare"
            );
        }
        for event in &json.events {
            assert!(
                html.contains(&format!(r#"data-position="{}""#, event.position)),
                "{}: event {} missing",
                function.slug(),
                event.position
            );
        }
    }
}

#[tokio::test]
async fn the_built_pages_show_the_demo_business() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let figure = |page: &FunctionPage, key: &str| {
        page.metrics
            .iter()
            .find(|metric| metric.key == key)
            .unwrap_or_else(|| panic!("{key} missing"))
            .value
            .clone()
    };
    let overview = page_json(&app, BusinessFunction::Overview).await;
    let skus = app::demo::DEMO_CATALOG_SKUS;
    assert_eq!(figure(&overview, "listed-products"), skus.to_string());
    assert_eq!(figure(&overview, "dealer-companies"), "2");
    for metric in &overview.metrics {
        assert!(
            metric
                .source
                .as_deref()
                .is_some_and(|source| source.starts_with("/staff/")),
            "{} has no source page",
            metric.key
        );
    }
    let per_collection = &overview.charts[0];
    assert_eq!(per_collection.key, "products-per-collection");
    let products: i64 = per_collection.bars.iter().map(|bar| bar.value).sum();
    assert_eq!(products, skus as i64);
    let database = page_json(&app, BusinessFunction::DatabaseManager).await;
    let events = app.store.event_count().await.expect("count");
    assert_eq!(figure(&database, "events"), events.to_string());
    assert_eq!(database.events.len(), 25, "the feed shows the newest 25");
    let customers = page_json(&app, BusinessFunction::Customers).await;
    assert_eq!(figure(&customers, "dealer-companies"), "2");
    let category = page_json(&app, BusinessFunction::Category).await;
    assert_eq!(category.tables[0].rows.len(), skus);
    assert!(
        category
            .events
            .iter()
            .all(|event| event.function == BusinessFunction::Category),
        "a function's feed holds only its own events"
    );
}

#[tokio::test]
async fn a_function_not_built_yet_says_so_and_shows_no_figures() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let hr = page_json(&app, BusinessFunction::Hr).await;
    assert!(!hr.built);
    assert!(hr.metrics.is_empty() && hr.tables.is_empty());
    assert!(
        hr.not_built_yet[0].contains("HR is not built yet"),
        "{:?}",
        hr.not_built_yet
    );
    let html = app.get("/staff/hr").await.text().await.expect("HTML");
    assert!(html.contains("Not built yet"), "{html}");
    assert!(
        html.contains("Human resources and payroll management"),
        "{html}"
    );
}

#[tokio::test]
async fn the_function_index_lists_every_function_for_staff_and_agents() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let listed: Vec<serde_json::Value> =
        app.get("/api/functions").await.json().await.expect("JSON");
    let slugs: Vec<&str> = listed
        .iter()
        .map(|function| function["slug"].as_str().expect("a slug"))
        .collect();
    let expected: Vec<&str> = BusinessFunction::ALL.iter().map(|f| f.slug()).collect();
    assert_eq!(slugs, expected);
    let customers = &listed[12];
    assert_eq!(customers["page"], "/staff/customers");
    assert_eq!(customers["json"], "/api/functions/customers");
    assert_eq!(customers["agent"], "agent:customers");
    assert_eq!(customers["live"], true);
    assert_eq!(listed[18]["live"], false, "HR is not built");
    // Each function's own endpoints, with what they need.
    let category = &listed[10];
    assert_eq!(category["slug"], "category");
    let proposals = category["endpoints"]
        .as_array()
        .and_then(|endpoints| {
            endpoints
                .iter()
                .find(|endpoint| endpoint["path"] == "/api/category/proposals/price")
        })
        .expect("the proposal endpoint is listed");
    assert_eq!(proposals["method"], "POST");
    assert_eq!(proposals["needs"], "the operate permission in category");
    let listed_paths = |index: usize| listed[index]["endpoints"].to_string();
    assert!(listed_paths(1).contains("/api/database-manager/events/…"));
    // The administrators' token endpoints are the Platform Manager's; the
    // agents' message endpoint is every agent's, not the Database
    // Manager's (it has no agent).
    assert!(listed_paths(2).contains("/api/platform-manager/tokens/issue"));
    assert!(listed_paths(2).contains("an administrator"));
    assert!(listed_paths(10).contains("/api/agents/messages"));
    assert!(!listed_paths(1).contains("/api/agents/messages"));
    // HR is not built: its agent's identity may message, nothing more.
    let hr: Vec<&str> = listed[18]["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .map(|endpoint| endpoint["path"].as_str().expect("a path"))
        .collect();
    assert_eq!(hr, ["/api/agents/messages"]);
    assert_eq!(
        listed[1]["agent"],
        serde_json::Value::Null,
        "no Database Manager agent"
    );

    // An agent discovers the system with its token, and reads a page.
    let (_, secret) = service::issue_api_token(
        &app.store,
        Actor::system("test"),
        TokenHolder::Agent {
            function: BusinessFunction::Procurement,
        },
        "discovery".into(),
    )
    .await
    .expect("token issued");
    let agent = reqwest::Client::new();
    for path in ["/api/functions", "/api/functions/category"] {
        let response = agent
            .get(format!("{}{path}", app.address))
            .bearer_auth(secret.reveal())
            .send()
            .await
            .expect("request reaches the server");
        assert_eq!(response.status(), 200, "{path}");
    }
    // A shopper does not.
    let shopper = app.another_browser();
    shopper
        .sign_in("shopper@fenwick.example", "fenwick-demo-shopper")
        .await;
    assert_eq!(shopper.get("/api/functions").await.status(), 403);
    assert_eq!(shopper.get("/staff/overview").await.status(), 403);
}

#[tokio::test]
async fn a_grant_and_a_revocation_show_on_the_platform_manager_page() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let potter = projection::account_by_email(
        &app.store,
        &Email::parse("potter@fenwick.example").expect("valid"),
    )
    .await
    .expect("read")
    .expect("the potter has an account");
    let role = Role::parse("customers:view").expect("a role");
    service::grant_role(&app.store, Actor::system("test"), potter.clone(), role)
        .await
        .expect("granted");
    service::revoke_role(&app.store, Actor::system("test"), potter, role)
        .await
        .expect("revoked");

    let page = page_json(&app, BusinessFunction::PlatformManager).await;
    let changes = page.table("change-log").expect("the change log");
    let newest: Vec<(&str, &str, &str)> = changes.rows[..2]
        .iter()
        .map(|row| (row[1].as_str(), row[3].as_str(), row[4].as_str()))
        .collect();
    assert_eq!(
        newest,
        vec![
            ("role revoked", "customers:view", "system:test"),
            ("role granted", "customers:view", "system:test"),
        ]
    );
    assert!(changes.rows[0][2].contains("potter@fenwick.example"));
    assert_eq!(page.events[0].event_type, "RoleRevoked");
    let staff = page.table("staff").expect("staff and roles");
    let potter_row = staff
        .rows
        .iter()
        .find(|row| row[1] == "potter@fenwick.example")
        .expect("the potter is listed");
    assert_eq!(potter_row[2], "category:operate, procurement:view");
}

#[tokio::test]
async fn a_function_page_hears_each_new_event_of_its_function_as_it_happens() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let mut live = app
        .get("/api/functions/platform-manager/live")
        .await
        .bytes_stream();
    service::issue_api_token(
        &app.store,
        Actor::system("test"),
        TokenHolder::Agent {
            function: BusinessFunction::Category,
        },
        "live test".into(),
    )
    .await
    .expect("token issued");
    let received = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        use futures_util::StreamExt;
        let mut text = String::new();
        while let Some(chunk) = live.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk.expect("a chunk")));
            if text.contains("ApiTokenIssued") {
                return text;
            }
        }
        text
    })
    .await
    .expect("the event arrives within 10 s");
    assert!(
        received.starts_with("data:"),
        "an unnamed event: {received}"
    );
    // Its feed row, not its payload (whose label names the token).
    assert!(received.contains("\"actor\":\"system:test\""), "{received}");
    assert!(!received.contains("live test"), "{received}");
}

#[tokio::test]
async fn shutting_down_ends_open_live_streams() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let live = app.get("/api/functions/overview/live").await;
    assert_eq!(live.status(), 200);
    tokio::time::timeout(std::time::Duration::from_secs(20), app.shut_down())
        .await
        .expect("the server stops although a page still follows its events")
        .expect("the server stopped cleanly");
    drop(live);
}

#[tokio::test]
async fn a_change_request_raised_from_a_page_is_listed_there_and_triaged_by_the_platform_manager() {
    let app = spawn_app().await;
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let raised = potter
        .post_form(
            "/api/platform-manager/change-requests/raise",
            "/staff/category",
            &[
                ("form[function]", "category"),
                ("form[title]", "Show margin per product"),
                ("form[impact]", "Pricing decisions need it"),
                ("form[urgency]", "high"),
            ],
        )
        .await;
    assert_eq!(raised.url().path(), "/staff/category");
    assert_eq!(raised.url().query(), Some("raised=1"));
    let html = raised.text().await.expect("HTML");
    assert!(html.contains("Show margin per product"), "{html}");

    let category = page_json(&potter, BusinessFunction::Category).await;
    assert_eq!(category.change_requests.len(), 1);
    let request = &category.change_requests[0];
    assert_eq!(request.status.as_str(), "new");
    assert_eq!(request.urgency.as_str(), "high");
    assert!(
        request.raised_by.starts_with("user:"),
        "{}",
        request.raised_by
    );
    // The potter may not triage: that needs platform-manager:operate.
    let refused = potter
        .post_form(
            "/api/platform-manager/change-requests/triage",
            "/staff/category",
            &[
                ("form[request]", request.request.as_str()),
                ("form[status]", "accepted"),
                ("form[note]", ""),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    // Nor is a request for another function shown on the customers page.
    app.sign_in_as_owner().await;
    let customers = page_json(&app, BusinessFunction::Customers).await;
    assert!(customers.change_requests.is_empty());

    let triaged = app
        .post_form(
            "/api/platform-manager/change-requests/triage",
            "/staff/platform-manager",
            &[
                ("form[request]", request.request.as_str()),
                ("form[status]", "scheduled"),
                ("form[note]", "phase 3"),
            ],
        )
        .await;
    assert_eq!(triaged.url().query(), Some("triaged=1"));
    let platform = page_json(&app, BusinessFunction::PlatformManager).await;
    assert_eq!(platform.change_requests[0].status.as_str(), "scheduled");
    assert_eq!(platform.change_requests[0].note, "phase 3");
    assert_eq!(platform.events[0].event_type, "ChangeRequestTriaged");

    // Moving it back is refused, with the rule's words, and changes nothing.
    let events = app.store.event_count().await.expect("count");
    let back = app
        .post_form(
            "/api/platform-manager/change-requests/triage",
            "/staff/platform-manager",
            &[
                ("form[request]", request.request.as_str()),
                ("form[status]", "accepted"),
                ("form[note]", ""),
            ],
        )
        .await;
    let body = back.text().await.expect("body");
    assert!(
        body.contains("is scheduled; it cannot become accepted"),
        "{body}"
    );
    assert_eq!(app.store.event_count().await.expect("count"), events);
}

#[tokio::test]
async fn a_change_request_with_bad_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let events = app.store.event_count().await.expect("count");
    let huge = "x".repeat(1_000_000);
    for (function, title, impact, urgency, message) in [
        (
            "sales",
            "t",
            "i",
            "high",
            "there is no business function called",
        ),
        ("category", "  ", "i", "high", "needs a title"),
        ("category", "t", "", "high", "needs its impact"),
        ("category", "t", "i", "whenever", "urgency is one of"),
        (
            "category",
            "t",
            huge.as_str(),
            "low",
            "at most 2000 characters",
        ),
    ] {
        let response = app
            .post_form(
                "/api/platform-manager/change-requests/raise",
                "/staff/category",
                &[
                    ("form[function]", function),
                    ("form[title]", title),
                    ("form[impact]", impact),
                    ("form[urgency]", urgency),
                ],
            )
            .await;
        let body = response.text().await.expect("body");
        assert!(
            body.contains(message),
            "{message}: {}",
            &body[..body.len().min(500)]
        );
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);
}

#[tokio::test]
async fn a_base_price_change_and_a_delisting_reach_the_catalog_the_shop_and_the_history() {
    let app = spawn_app().await;
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let changed = potter
        .post_form(
            "/api/category/base-price",
            "/staff/category",
            &[
                ("form[sku]", "MUG-SPECKLE-12"),
                ("form[price]", "30.50"),
                ("form[reason]", "Clay costs rose 8% this year"),
            ],
        )
        .await;
    assert_eq!(changed.url().query(), Some("changed=price"));
    let page = changed.text().await.expect("HTML");
    assert!(page.contains("The base price is changed"), "{page}");

    let category = page_json(&potter, BusinessFunction::Category).await;
    let history = category
        .table("base-price-changes")
        .expect("a price history table");
    assert_eq!(
        history.rows[0][1..],
        [
            "MUG-SPECKLE-12".to_owned(),
            "$28.00".to_owned(),
            "$30.50".to_owned(),
            "Clay costs rose 8% this year".to_owned()
        ]
    );
    let shop = app
        .get("/shop/MUG-SPECKLE-12")
        .await
        .text()
        .await
        .expect("HTML");
    assert!(
        shop.contains("$30.50"),
        "the shop still shows the old price"
    );

    // Bad input is refused in the rule's words and changes nothing.
    let events = app.store.event_count().await.expect("count");
    let huge = "x".repeat(1_000_000);
    for (sku, price, reason, message) in [
        (
            "MUG-SPECKLE-12",
            "-3",
            "Sale",
            "a base price must be above zero",
        ),
        (
            "MUG-SPECKLE-12",
            "0",
            "Sale",
            "a base price must be above zero",
        ),
        ("MUG-SPECKLE-12", "30.50", "Again", "already costs $30.50"),
        ("MUG-SPECKLE-12", "thirty", "Sale", "is not a price"),
        ("MUG-SPECKLE-12", huge.as_str(), "Sale", "is not a price"),
        ("MUG-SPECKLE-12", "31", " ", "the reason is missing"),
        (
            "MUG-SPECKLE-12",
            "31",
            huge.as_str(),
            "at most 500 characters",
        ),
        (
            "VASE-GHOST-1",
            "31",
            "New",
            "there is no product VASE-GHOST-1",
        ),
        ("not a sku", "31", "New", "is not a SKU"),
    ] {
        let html = potter
            .post_form(
                "/api/category/base-price",
                "/staff/category",
                &[
                    ("form[sku]", sku),
                    ("form[price]", price),
                    ("form[reason]", reason),
                ],
            )
            .await
            .text()
            .await
            .expect("HTML");
        assert!(html.contains(message), "{message}");
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);

    // Delisted, the mug leaves the shop and cannot be ordered; relisted,
    // it is back.
    let delisted = potter
        .post_form(
            "/api/category/delist",
            "/staff/category",
            &[
                ("form[sku]", "MUG-SPECKLE-12"),
                ("form[reason]", "Glaze discontinued"),
            ],
        )
        .await;
    assert_eq!(delisted.url().query(), Some("changed=delisted"));
    assert_eq!(app.get("/shop/MUG-SPECKLE-12").await.status(), 404);
    let home = app.get("/").await.text().await.expect("HTML");
    assert!(!home.contains("data-sku=\"MUG-SPECKLE-12\""));
    let category = page_json(&potter, BusinessFunction::Category).await;
    let catalog = &category.tables[0];
    let mug = catalog
        .rows
        .iter()
        .find(|row| row[0] == "MUG-SPECKLE-12")
        .expect("a delisted product stays in the catalog");
    assert_eq!(mug[7], "delisted");
    potter
        .post_form(
            "/api/category/relist",
            "/staff/category",
            &[("form[sku]", "MUG-SPECKLE-12")],
        )
        .await;
    assert_eq!(app.get("/shop/MUG-SPECKLE-12").await.status(), 200);

    // A shopper may not change prices.
    let shopper = app.another_browser();
    shopper
        .sign_in("shopper@fenwick.example", "fenwick-demo-shopper")
        .await;
    let refused = shopper
        .post_form(
            "/api/category/base-price",
            "/",
            &[
                ("form[sku]", "MUG-SPECKLE-12"),
                ("form[price]", "1"),
                ("form[reason]", "Cheaper please"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn a_product_added_with_options_and_a_cost_is_edited_and_noted_and_bad_input_changes_nothing()
{
    let app = spawn_app().await;
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let product = |sku: &'static str, price: &'static str, option: &'static str| {
        vec![
            ("form[sku]", sku),
            ("form[name]", "Ridged Tumbler"),
            ("form[collection]", "mugs"),
            (
                "form[description]",
                "Eight ounces, no handle, ridged for grip.",
            ),
            ("form[price]", price),
            ("form[unit_cost]", "7.25"),
            ("form[image]", "/products/mug-tall-16.svg"),
            ("form[family]", "ridged-tumbler"),
            ("form[option]", option),
        ]
    };
    for (sku, price, option) in [
        ("MUG-RIDGE-8-ASH", "24", "Ash"),
        ("MUG-RIDGE-8-RUST", "26.00", "Rust"),
    ] {
        let added = potter
            .post_form(
                "/api/category/add-product",
                "/staff/category",
                &product(sku, price, option),
            )
            .await;
        assert_eq!(added.url().query(), Some("changed=added"));
    }
    // The shop shows one card for both options, from the cheaper price,
    // and each option's page offers the other.
    let home = app
        .get("/?collection=mugs")
        .await
        .text()
        .await
        .expect("HTML");
    assert!(home.contains("data-sku=\"MUG-RIDGE-8-ASH\""), "{home}");
    assert!(!home.contains("data-sku=\"MUG-RIDGE-8-RUST\""));
    assert!(home.contains("from $24.00"));
    let page = app
        .get("/shop/MUG-RIDGE-8-RUST")
        .await
        .text()
        .await
        .expect("HTML");
    assert!(page.contains("data-option=\"MUG-RIDGE-8-ASH\"") && page.contains("Rust"));
    // Nobody counted it yet; the cost never reaches the shop.
    assert!(page.contains("data-stock=\"not-counted\""));
    assert!(!page.contains("7.25"));

    // Edited: a new name, the same price.
    let mut edited = product("MUG-RIDGE-8-ASH", "", "Ash");
    edited[1] = ("form[name]", "Ridged Cup");
    let saved = potter
        .post_form("/api/category/edit-product", "/staff/category", &edited)
        .await;
    assert_eq!(saved.url().query(), Some("changed=edited"));
    let page = app
        .get("/shop/MUG-RIDGE-8-ASH")
        .await
        .text()
        .await
        .expect("HTML");
    assert!(page.contains("Ridged Cup") && page.contains("$24.00"));

    let noted = potter
        .post_form(
            "/api/category/market-note",
            "/staff/category",
            &[
                ("form[sku]", "MUG-RIDGE-8-ASH"),
                ("form[source]", "Hearth & Kiln, Etsy"),
                ("form[their_price]", "22.50"),
                ("form[note]", "Sells a similar tumbler in four glazes"),
            ],
        )
        .await;
    assert_eq!(noted.url().query(), Some("changed=noted"));
    let category = page_json(&potter, BusinessFunction::Category).await;
    let notes = category
        .table("market-price-notes")
        .expect("a market notes table");
    assert_eq!(
        notes.rows[0][1..],
        [
            "MUG-RIDGE-8-ASH".to_owned(),
            "Hearth & Kiln, Etsy".to_owned(),
            "$22.50".to_owned(),
            "Sells a similar tumbler in four glazes".to_owned()
        ]
    );
    let catalog = &category.tables[0];
    let ash = catalog
        .rows
        .iter()
        .find(|row| row[0] == "MUG-RIDGE-8-ASH")
        .expect("the new product is in the catalog");
    assert_eq!(
        ash[1..7],
        ["Ridged Cup", "Ash", "Mugs", "$24.00", "$7.25", "69%"]
    );

    // Bad input is refused in the rule's words and changes nothing.
    let events = app.store.event_count().await.expect("count");
    let huge: &'static str = Box::leak("x".repeat(1_000_000).into_boxed_str());
    // (endpoint, form fields, what the refusal says)
    type Attempt<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let bad: Vec<Attempt> = vec![
        (
            "/api/category/add-product",
            product("MUG-RIDGE-8-ASH", "24", "Ash"),
            "already in the catalog",
        ),
        (
            "/api/category/add-product",
            product("mug lower", "24", "Ash"),
            "is not a SKU",
        ),
        (
            "/api/category/add-product",
            product("MUG-RIDGE-9", "-1", "Ash"),
            "a base price must be above zero",
        ),
        (
            "/api/category/add-product",
            product("MUG-RIDGE-9", "lots", "Ash"),
            "is not a price",
        ),
        (
            "/api/category/add-product",
            product("MUG-RIDGE-9", "24", huge),
            "may have at most 60 characters",
        ),
        (
            "/api/category/edit-product",
            product("MUG-NOPE-1", "", "Ash"),
            "there is no product MUG-NOPE-1",
        ),
        (
            "/api/category/edit-product",
            edited.clone(),
            "already has exactly these details",
        ),
        (
            "/api/category/market-note",
            vec![
                ("form[sku]", "MUG-RIDGE-8-ASH"),
                ("form[source]", "Etsy"),
                ("form[their_price]", "-2"),
                ("form[note]", "Odd"),
            ],
            "a price seen in the market is above zero",
        ),
        (
            "/api/category/market-note",
            vec![
                ("form[sku]", "MUG-RIDGE-8-ASH"),
                ("form[source]", "Etsy"),
                ("form[their_price]", ""),
                ("form[note]", huge),
            ],
            "the note may have at most 500 characters",
        ),
    ];
    for (endpoint, fields, message) in bad {
        let html = potter
            .post_form(endpoint, "/staff/category", &fields)
            .await
            .text()
            .await
            .expect("HTML");
        assert!(html.contains(message), "{endpoint}: {message}");
    }
    let mut with_unicode = product("MUG-RIDGE-9", "24", "Ash");
    with_unicode[1] = ("form[name]", "Zoë's Łódź Tumbler");
    with_unicode[7] = ("form[family]", "Ridged Tumbler");
    let html = potter
        .post_form(
            "/api/category/add-product",
            "/staff/category",
            &with_unicode,
        )
        .await
        .text()
        .await
        .expect("HTML");
    assert!(html.contains("is not a family key"), "{html}");
    assert_eq!(app.store.event_count().await.expect("count"), events);
}

#[tokio::test]
async fn the_event_log_is_searched_by_type_and_read_event_by_event_as_json_and_as_pages() {
    use app::functions::database_manager::view::{EventDetail, EventSearch};

    let app = spawn_app().await;
    app.sign_in_as_owner().await;

    let response = app
        .get("/api/database-manager/events?event_type=ProductIntroduced&function=category")
        .await;
    assert_eq!(response.status(), 200);
    let search: EventSearch = response.json().await.expect("an event search");
    assert_eq!(search.events.len(), app::demo::DEMO_CATALOG_SKUS);
    assert!(
        search
            .events
            .iter()
            .all(|event| event.event_type == "ProductIntroduced")
    );
    assert_eq!(search.older_than, None, "one page holds them all");

    let newest = search.events[0].clone();
    let response = app
        .get(&format!("/api/database-manager/events/{}", newest.position))
        .await;
    assert_eq!(response.status(), 200);
    let detail: EventDetail = response.json().await.expect("an event in full");
    assert_eq!(detail.entry, newest);
    assert_eq!(
        detail.payload["sku"],
        newest.stream.trim_start_matches("product-")
    );

    // The page shows the same event and its payload.
    let page = app
        .get(&format!(
            "/staff/database-manager/events/{}",
            newest.position
        ))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("a page");
    assert_eq!(
        text_after(&html, "data-field=\"Stream\"", ""),
        newest.stream,
        "the page's stream"
    );

    for (path, status, message) in [
        (
            "/api/database-manager/events?from=2026-13-01".to_owned(),
            400,
            "“2026-13-01” in from is not a date written as YYYY-MM-DD, from 1970 to 9998",
        ),
        (
            "/api/database-manager/events?function=sales".to_owned(),
            400,
            "there is no business function called “sales”",
        ),
        (
            "/api/database-manager/events?before=soon".to_owned(),
            400,
            "before must be an event position (a whole number)",
        ),
        (
            "/api/database-manager/events/999999".to_owned(),
            404,
            "the log has no event at position 999999",
        ),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), status, "{path}");
        let refusal: serde_json::Value = response.json().await.expect("a refusal");
        assert_eq!(refusal["message"], message, "{path}");
    }

    // The pages answer with the same status and say the same.
    for (path, status, message) in [
        (
            "/staff/database-manager/events?function=sales",
            400,
            "there is no business function called “sales”",
        ),
        (
            "/staff/database-manager/events/999999",
            404,
            "The log has no event at position 999999.",
        ),
        (
            "/staff/database-manager/events/newest",
            400,
            "“newest” is not an event position",
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        let html = response.text().await.expect("a page");
        assert!(html.contains(message), "{path}: {message}");
    }

    // Someone without the Database Manager's view permission reads neither.
    let shopper = app.another_browser();
    shopper
        .sign_up("Ada Shopper", "ada@example.com", "correct horse battery")
        .await;
    for path in [
        "/api/database-manager/events",
        "/api/database-manager/events/1",
        "/staff/database-manager/events",
    ] {
        assert_eq!(shopper.get(path).await.status(), 403, "{path}");
    }
}

#[tokio::test]
async fn a_function_table_is_filtered_sorted_and_paged_as_json_from_the_same_rows_as_its_page() {
    use app::functions::view::{TablePage, TableQuery};

    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let catalog = page_json(&app, BusinessFunction::Category)
        .await
        .tables
        .into_iter()
        .find(|table| table.key == "catalog")
        .expect("the catalog table");

    let response = app
        .get(
            "/api/functions/category/tables/catalog?sort=Base%20price&order=desc&per_page=5&page=2",
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: TablePage = response.json().await.expect("a table page");
    let expected = catalog
        .page(&TableQuery {
            sort: "Base price".into(),
            order: app::functions::view::SortOrder::Desc,
            per_page: 5,
            page: 2,
            ..TableQuery::default()
        })
        .expect("the same page, computed here");
    assert_eq!(page, expected);
    assert_eq!(page.rows.len(), 5);
    assert_eq!(page.matching_rows, catalog.rows.len());

    let mugs: TablePage = app
        .get("/api/functions/category/tables/catalog?filter=MUG")
        .await
        .json()
        .await
        .expect("a table page");
    assert!(!mugs.rows.is_empty());
    assert!(mugs.rows.len() < catalog.rows.len());
    assert!(
        mugs.rows
            .iter()
            .all(|row| row.iter().any(|cell| cell.to_lowercase().contains("mug")))
    );

    for (path, status, message) in [
        (
            "/api/functions/category/tables/stock",
            404,
            "Category Management has no table “stock”; its tables are: catalog, product-performance, base-price-changes, market-price-notes, customer-feedback, agent-health, agent-steps",
        ),
        (
            "/api/functions/category/tables/catalog?sort=Colour",
            400,
            "the table has no column “Colour”; its columns are: SKU, Product, Option, Collection, Base price, Unit cost, Margin, Status",
        ),
        (
            "/api/functions/category/tables/catalog?page=9",
            400,
            "page 9 does not exist; the pages are 1 to 1",
        ),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), status, "{path}");
        let refusal: serde_json::Value = response.json().await.expect("a refusal");
        assert_eq!(refusal["message"], message, "{path}");
    }
    let sideways = app
        .get("/api/functions/category/tables/catalog?order=sideways")
        .await;
    assert_eq!(sideways.status(), 400);
}

#[tokio::test]
async fn an_administrator_grants_and_revokes_a_role_from_the_page_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let roles_of_potter = |page: FunctionPage| {
        page.tables
            .into_iter()
            .find(|table| table.key == "staff")
            .expect("staff and roles")
            .rows
            .into_iter()
            .find(|row| row[1] == "potter@fenwick.example")
            .expect("the potter is listed")[2]
            .clone()
    };
    let change = |role: &'static str, change: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/api/platform-manager/roles/change",
                "/staff/platform-manager",
                &[
                    ("form[email]", "potter@fenwick.example"),
                    ("form[role]", role),
                    ("form[change]", change),
                ],
            )
            .await
        }
    };

    let granted = change("customers:view", "grant").await;
    assert_eq!(granted.url().path(), "/staff/platform-manager");
    assert_eq!(granted.url().query(), Some("role_changed=1"));
    assert_eq!(
        roles_of_potter(page_json(&app, BusinessFunction::PlatformManager).await),
        "category:operate, customers:view, procurement:view"
    );
    change("customers:view", "revoke").await;
    assert_eq!(
        roles_of_potter(page_json(&app, BusinessFunction::PlatformManager).await),
        "category:operate, procurement:view"
    );

    let events = app.store.event_count().await.expect("count");
    let huge = "x".repeat(1_000_000);
    for (email, role, change, message) in [
        (
            "nobody@fenwick.example",
            "customers:view",
            "grant",
            "no account signs in with nobody@fenwick.example",
        ),
        (
            "potter@fenwick.example",
            "sales:view",
            "grant",
            "sales:view",
        ),
        (
            "potter@fenwick.example",
            "customers:view",
            "promote",
            "the change is grant or revoke",
        ),
        (
            huge.as_str(),
            "customers:view",
            "grant",
            "is not an email address",
        ),
        (
            "owner@fenwick.example",
            "admin",
            "revoke",
            "you cannot take away your own admin role",
        ),
    ] {
        assert_refused(
            &app,
            "/api/platform-manager/roles/change",
            "/staff/platform-manager",
            &[
                ("form[email]", email),
                ("form[role]", role),
                ("form[change]", change),
            ],
            message,
        )
        .await;
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);

    // Only administrators change roles.
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let refused = potter
        .post_form(
            "/api/platform-manager/roles/change",
            "/staff/category",
            &[
                ("form[email]", "potter@fenwick.example"),
                ("form[role]", "admin"),
                ("form[change]", "grant"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(app.store.event_count().await.expect("count"), events);
}

#[tokio::test]
async fn an_anomaly_waits_in_the_quarantine_until_a_person_rejects_its_events_and_bad_verdicts_change_nothing()
 {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    // Damage a table behind the log's back, as a bug or a hand-edit would,
    // and let the checks find it.
    let damage = sqlx::SqlitePool::connect(&app.database_url)
        .await
        .expect("open the test database");
    sqlx::query("UPDATE catalog_products SET base_price_minor = 0 WHERE sku = 'PLN-HANG-5'")
        .execute(&damage)
        .await
        .expect("damage a price");
    damage.close().await;
    app::store::integrity::run_checks(&app.store, None)
        .await
        .expect("checks");

    let quarantine_of = |page: FunctionPage| {
        page.tables
            .into_iter()
            .find(|table| table.key == "quarantine")
            .expect("the quarantine table")
            .rows
    };
    let metric = |page: &FunctionPage, key: &str| {
        page.metrics
            .iter()
            .find(|metric| metric.key == key)
            .expect("metric")
            .value
            .clone()
    };
    let page = page_json(&app, BusinessFunction::DatabaseManager).await;
    assert_eq!(metric(&page, "quarantined"), "1");
    let rows = quarantine_of(page);
    assert_eq!(rows.len(), 1);
    let anomaly = rows[0][0].clone();
    assert_eq!(rows[0][2], "catalog-prices-positive");
    // A table check finds anomalies after the events were applied:
    // nothing is held back for it.
    assert_eq!(rows[0][5], "none");
    assert_eq!(rows[0][6], "waiting");
    let html = app
        .get("/staff/database-manager")
        .await
        .text()
        .await
        .expect("page");
    assert!(
        html.contains(&format!("data-anomaly=\"{anomaly}\"")),
        "the page has a card for the anomaly"
    );

    let events = app.store.event_count().await.expect("count");
    let huge = "9".repeat(1_000_000);
    for (anomaly, verdict, note, message) in [
        (
            anomaly.as_str(),
            "reject",
            "  ",
            "say why the events of anomaly",
        ),
        (
            anomaly.as_str(),
            "delete",
            "",
            "is not a verdict: release or reject",
        ),
        ("abc", "release", "", "“abc” is not an anomaly number"),
        ("999", "release", "", "there is no anomaly 999"),
        (huge.as_str(), "release", "", "is not an anomaly number"),
    ] {
        assert_refused(
            &app,
            "/api/database-manager/quarantine/decide",
            "/staff/database-manager",
            &[
                ("form[anomaly]", anomaly),
                ("form[verdict]", verdict),
                ("form[note]", note),
            ],
            message,
        )
        .await;
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);

    // Operating the Database Manager is not enough: a verdict needs the
    // approve permission, which no agent or token ever has.
    let granted = app
        .post_form(
            "/api/platform-manager/roles/change",
            "/staff/platform-manager",
            &[
                ("form[email]", "potter@fenwick.example"),
                ("form[role]", "database-manager:operate"),
                ("form[change]", "grant"),
            ],
        )
        .await;
    assert_eq!(granted.url().query(), Some("role_changed=1"));
    let issued = app.issue_token("database-manager:propose", "auditor").await;
    let secret = issued.secret;
    let events = app.store.event_count().await.expect("count");
    let verdict = [
        ("form[anomaly]", anomaly.as_str()),
        ("form[verdict]", "release"),
        ("form[note]", ""),
    ];
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let refused = potter
        .post_form(
            "/api/database-manager/quarantine/decide",
            "/staff/database-manager",
            &verdict,
        )
        .await;
    assert_eq!(refused.status(), 403);
    let by_token = reqwest::Client::new()
        .post(format!(
            "{}/api/database-manager/quarantine/decide",
            app.address
        ))
        .bearer_auth(&secret)
        .form(&verdict)
        .send()
        .await
        .expect("answer");
    assert_eq!(by_token.status(), 403);
    assert_eq!(app.store.event_count().await.expect("count"), events);

    let rejected = app
        .post_form(
            "/api/database-manager/quarantine/decide",
            "/staff/database-manager",
            &[
                ("form[anomaly]", anomaly.as_str()),
                ("form[verdict]", "reject"),
                ("form[note]", "a price of zero was typed by mistake"),
            ],
        )
        .await;
    assert_eq!(rejected.url().path(), "/staff/database-manager");
    assert_eq!(rejected.url().query(), Some("verdict=rejected"));
    let page = page_json(&app, BusinessFunction::DatabaseManager).await;
    assert_eq!(metric(&page, "quarantined"), "0");
    let verdict = &quarantine_of(page)[0][6];
    assert!(
        verdict.starts_with("rejected by user:acc-")
            && verdict.ends_with(": a price of zero was typed by mistake"),
        "{verdict}"
    );
    assert_eq!(app.store.event_count().await.expect("count"), events + 1);
}

#[tokio::test]
async fn a_price_slip_waits_in_the_quarantine_and_the_shop_keeps_the_old_price_until_a_person_releases_it()
 {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let changed = app
        .post_form(
            "/api/category/base-price",
            "/staff/category",
            &[
                ("form[sku]", "TBL-JUG-1L"),
                ("form[price]", "4400"),
                ("form[reason]", "New season"),
            ],
        )
        .await;
    assert_eq!(changed.url().query(), Some("changed=held"));
    let page = changed.text().await.expect("HTML");
    assert!(
        page.contains("it waits in the Database Manager&#x27;s quarantine")
            || page.contains("it waits in the Database Manager's quarantine"),
        "the page says the change waits"
    );
    let shop_price = || async {
        let shop = app
            .get("/shop/TBL-JUG-1L")
            .await
            .text()
            .await
            .expect("HTML");
        ["$44.00", "$4,400.00"]
            .into_iter()
            .find(|price| shop.contains(price))
            .expect("a price on the product page")
    };
    assert_eq!(shop_price().await, "$44.00");
    // A note about the jug, unflagged, waits behind the slip, and says so.
    let noted = app
        .post_form(
            "/api/category/market-note",
            "/staff/category",
            &[
                ("form[sku]", "TBL-JUG-1L"),
                ("form[source]", "Craft fair"),
                ("form[their_price]", "52.00"),
                ("form[note]", "A similar jug, stoneware"),
            ],
        )
        .await;
    assert_eq!(noted.url().query(), Some("changed=held"));

    let page = page_json(&app, BusinessFunction::DatabaseManager).await;
    let held = page
        .metrics
        .iter()
        .find(|metric| metric.key == "held-back")
        .expect("the held-back metric");
    assert_eq!(held.value, "2");
    let quarantine = page.table("quarantine").expect("the quarantine table");
    let row = &quarantine.rows[0];
    assert_eq!(row[2], "catalog-price-jumps");
    assert_eq!(
        row[3],
        "the base price of TBL-JUG-1L went from $44.00 to $4,400.00, more than ten times what it was"
    );
    assert_eq!(row[5], "2 events");
    assert_eq!(row[6], "waiting");
    let html = app
        .get("/staff/database-manager")
        .await
        .text()
        .await
        .expect("page");
    assert!(
        html.contains("Held back from the tables until you decide: 2 events"),
        "the card says the event is held back"
    );

    let released = app
        .post_form(
            "/api/database-manager/quarantine/decide",
            "/staff/database-manager",
            &[
                ("form[anomaly]", row[0].as_str()),
                ("form[verdict]", "release"),
                (
                    "form[note]",
                    "Checked with the owner: the new jug is hand-thrown",
                ),
            ],
        )
        .await;
    assert_eq!(released.url().query(), Some("verdict=released"));
    assert_eq!(shop_price().await, "$4,400.00");
    let page = page_json(&app, BusinessFunction::DatabaseManager).await;
    let held = page
        .metrics
        .iter()
        .find(|metric| metric.key == "held-back")
        .expect("the held-back metric");
    assert_eq!(held.value, "0");
}

#[tokio::test]
async fn an_approved_proposal_whose_price_jumps_tenfold_waits_in_the_quarantine_and_the_page_says_so()
 {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let decision = app::functions::category::service::propose_price_change(
        &app.store,
        Actor::agent(BusinessFunction::Category),
        app::functions::category::view::PriceProposalForm {
            sku: "TBL-JUG-1L".into(),
            price: "4400.00".into(),
            summary: "Price the jug at $4,400".into(),
            reasoning: "A slip the check should catch.".into(),
            risk: "high".into(),
            agents_involved: Vec::new(),
            data_considered: Vec::new(),
        },
    )
    .await
    .expect("proposed");
    let decided = app
        .post_form(
            "/api/category/proposals/decide",
            "/staff/category",
            &[
                ("form[decision]", decision.to_string().as_str()),
                ("form[verdict]", "approve"),
                ("form[comment]", "Looks right to me"),
            ],
        )
        .await;
    assert_eq!(decided.url().query(), Some("decision=held"));
    let page = decided.text().await.expect("HTML");
    assert!(
        on_page(&page, "waits in the Database Manager's quarantine"),
        "the page says the change waits"
    );
    let shop = app
        .get("/shop/TBL-JUG-1L")
        .await
        .text()
        .await
        .expect("HTML");
    assert!(shop.contains("$44.00") && !shop.contains("$4,400.00"));
}

#[tokio::test]
async fn an_administrator_revokes_a_token_from_the_page_and_it_stops_working_at_once() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let issued = app.issue_token("category:read", "pricing bot").await;
    let crate::support::IssuedToken { token, secret } = issued;
    let reads = |secret: String| {
        let address = app.address.clone();
        async move {
            reqwest::Client::new()
                .get(format!("{address}/api/functions/category"))
                .bearer_auth(secret)
                .send()
                .await
                .expect("answer")
                .status()
        }
    };
    assert_eq!(reads(secret.clone()).await, 200);
    let html = app
        .get("/staff/platform-manager")
        .await
        .text()
        .await
        .expect("page");
    assert!(
        html.contains(&format!("<option value=\"{token}\"")),
        "the revoke form offers the live token"
    );

    // Someone who is not an administrator may not.
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let refused = potter
        .post_form(
            "/api/platform-manager/tokens/revoke-form",
            "/staff/category",
            &[("request[token]", token.as_str())],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(reads(secret.clone()).await, 200);

    let events = app.store.event_count().await.expect("count");
    for (bad, message) in [
        ("tok-nonsense", "“tok-nonsense” is not an API token id"),
        (
            "tok-0000000000000000",
            "there is no API token tok-0000000000000000",
        ),
    ] {
        assert_refused(
            &app,
            "/api/platform-manager/tokens/revoke-form",
            "/staff/platform-manager",
            &[("request[token]", bad)],
            message,
        )
        .await;
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);

    let revoked = app
        .post_form(
            "/api/platform-manager/tokens/revoke-form",
            "/staff/platform-manager",
            &[("request[token]", token.as_str())],
        )
        .await;
    assert_eq!(revoked.url().path(), "/staff/platform-manager");
    assert_eq!(revoked.url().query(), Some("token_revoked=1"));
    assert_eq!(reads(secret).await, 401);
    let page = page_json(&app, BusinessFunction::PlatformManager).await;
    let table = |key: &str| page.table(key).unwrap_or_else(|| panic!("no table {key}"));
    let row = table("api-tokens")
        .rows
        .iter()
        .find(|row| row[0] == token)
        .expect("the token is listed");
    assert_eq!(row[3], "revoked");
    // The change log has its issue and its revocation, newest first, each
    // by the owner who made it.
    let logged: Vec<(&str, &str, &str)> = table("change-log")
        .rows
        .iter()
        .filter(|row| row[3].starts_with(token.as_str()))
        .map(|row| (row[1].as_str(), row[2].as_str(), row[3].as_str()))
        .collect();
    let named = format!("{token} “pricing bot”");
    assert_eq!(
        logged,
        [
            ("API token revoked", "category:read", named.as_str()),
            ("API token issued", "category:read", named.as_str()),
        ]
    );
    assert!(
        table("change-log").rows[0][4].starts_with("user:acc-"),
        "{:?}",
        table("change-log").rows[0]
    );
    let again = app
        .post_form(
            "/api/platform-manager/tokens/revoke-form",
            "/staff/platform-manager",
            &[("request[token]", token.as_str())],
        )
        .await
        .text()
        .await
        .expect("body");
    assert!(
        again.contains("already revoked"),
        "revoking twice is refused"
    );
}

#[tokio::test]
async fn an_agent_proposes_a_base_price_and_a_person_approves_it_on_the_category_page() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let proposer = app
        .issue_token("category:propose", "pricing bot")
        .await
        .secret;
    let reader = app.issue_token("category:read", "pricing bot").await.secret;
    let propose = |secret: &str, fields: &[(&str, &str)]| {
        reqwest::Client::new()
            .post(format!("{}/api/category/proposals/price", app.address))
            .bearer_auth(secret)
            .form(fields)
            .send()
    };
    let proposal = [
        ("form[sku]", "MUG-SPECKLE-12"),
        ("form[price]", "30.00"),
        (
            "form[summary]",
            "Raise the speckled mug to $30: two rivals charge $32",
        ),
        ("form[reasoning]", "Three market notes this month agree."),
        ("form[risk]", "low"),
        ("form[agents_involved][0]", "promotions"),
        ("form[data_considered][0][label]", "Market notes"),
        (
            "form[data_considered][0][href]",
            "/api/functions/category/tables/market-notes",
        ),
    ];

    // A token that may only read, and a proposal with a bad risk, record nothing.
    let events = app.store.event_count().await.expect("count");
    let refused = propose(&reader, &proposal).await.expect("answer");
    assert_eq!(refused.status(), 403);
    let mut bad = proposal;
    bad[4] = ("form[risk]", "tiny");
    let refused = propose(&proposer, &bad).await.expect("answer");
    assert_eq!(refused.status(), 400);
    let body = refused.text().await.expect("body");
    assert!(body.contains("“tiny” is not a risk"), "{body}");
    assert_eq!(app.store.event_count().await.expect("count"), events);

    let proposed = propose(&proposer, &proposal).await.expect("answer");
    assert_eq!(proposed.status(), 200);
    let decision: String = proposed.json().await.expect("the decision's id");
    assert!(decision.starts_with("dec-"), "{decision}");

    // The card is on the page and in its JSON, the same.
    let page = page_json(&app, BusinessFunction::Category).await;
    let card = page
        .decisions
        .iter()
        .find(|card| card.decision.as_str() == decision)
        .expect("the proposal is a card");
    assert_eq!(card.status, app::decision::DecisionStatus::Pending);
    assert_eq!(
        card.change,
        "Base price of MUG-SPECKLE-12 from $28.00 to $30.00"
    );
    assert!(card.proposed_by.starts_with("integration:tok-"));
    assert_eq!(
        card.agents_involved,
        [BusinessFunction::Category, BusinessFunction::Promotions]
    );
    let waiting = page
        .metrics
        .iter()
        .find(|metric| metric.key == "decisions-waiting")
        .expect("the waiting count");
    assert_eq!(waiting.value, "1");
    let html = app.get("/staff/category").await.text().await.expect("page");
    assert!(html.contains(&format!("data-decision=\"{decision}\"")));
    assert_eq!(
        text_after(
            &html,
            &format!("data-decision=\"{decision}\""),
            "data-field=\"change\""
        ),
        card.change
    );

    // Agents propose; people approve. A person without the approve grant neither.
    let token_decides = reqwest::Client::new()
        .post(format!("{}/api/category/proposals/decide", app.address))
        .bearer_auth(&proposer)
        .form(&[
            ("form[decision]", decision.as_str()),
            ("form[verdict]", "approve"),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(token_decides.status(), 403);
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let refused = potter
        .post_form(
            "/api/category/proposals/decide",
            "/staff/category",
            &[
                ("form[decision]", decision.as_str()),
                ("form[verdict]", "approve"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 403);
    let events = app.store.event_count().await.expect("count");
    assert_refused(
        &app,
        "/api/category/proposals/decide",
        "/staff/category",
        &[
            ("form[decision]", decision.as_str()),
            ("form[verdict]", "reject"),
            ("form[comment]", " "),
        ],
        "say why the proposal is rejected",
    )
    .await;
    assert_eq!(app.store.event_count().await.expect("count"), events);

    let approved = app
        .post_form(
            "/api/category/proposals/decide",
            "/staff/category",
            &[
                ("form[decision]", decision.as_str()),
                ("form[verdict]", "approve"),
                ("form[comment]", "Agreed"),
            ],
        )
        .await;
    assert_eq!(approved.url().path(), "/staff/category");
    assert_eq!(approved.url().query(), Some("decision=approved"));
    let page = page_json(&app, BusinessFunction::Category).await;
    let card = page
        .decisions
        .iter()
        .find(|card| card.decision.as_str() == decision)
        .expect("still a card");
    assert_eq!(card.status, app::decision::DecisionStatus::Approved);
    assert_eq!(card.comment, "Agreed");
    let mug = page
        .catalog
        .iter()
        .find(|entry| entry.product.sku.as_str() == "MUG-SPECKLE-12")
        .expect("the mug");
    assert_eq!(mug.product.price.to_string(), "$30.00");
    // The price change carries the decision that approved it.
    let head = app.store.head_position().await.expect("head");
    let change: app::functions::database_manager::view::EventDetail = app
        .get(&format!("/api/database-manager/events/{head}"))
        .await
        .json()
        .await
        .expect("the event as JSON");
    assert_eq!(change.entry.event_type, "BasePriceChanged");
    assert_eq!(change.decision_id.as_deref(), Some(decision.as_str()));
}

#[tokio::test]
async fn agents_message_each_other_and_both_pages_show_the_thread() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let category = app.issue_token("category:propose", "an agent").await.secret;
    let customers = app
        .issue_token("customers:propose", "an agent")
        .await
        .secret;
    let reader = app.issue_token("customers:read", "an agent").await.secret;
    let send = |secret: &str, fields: &[(&str, &str)]| {
        reqwest::Client::new()
            .post(format!("{}/api/agents/messages", app.address))
            .bearer_auth(secret)
            .form(fields)
            .send()
    };

    let events = app.store.event_count().await.expect("count");
    for (secret, fields, status, refusal) in [
        (
            reader.as_str(),
            &[("form[to]", "category"), ("form[text]", "Hello")][..],
            403,
            "this token may only read",
        ),
        (
            category.as_str(),
            &[("form[to]", "overview"), ("form[text]", "Hello")][..],
            400,
            "Business Overview has no agent to message",
        ),
    ] {
        let refused = send(secret, fields).await.expect("answer");
        assert_eq!(refused.status(), status);
        let body = refused.text().await.expect("body");
        assert!(body.contains(refusal), "{body}");
    }
    // People read conversations; they do not send as an agent.
    let refused = app
        .client
        .post(format!("{}/api/agents/messages", app.address))
        .form(&[("form[to]", "customers"), ("form[text]", "Hello")])
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 403);
    let body = refused.text().await.expect("body");
    assert!(body.contains("agents message each other"), "{body}");
    assert_eq!(app.store.event_count().await.expect("count"), events);

    let asked: serde_json::Value = send(
        &category,
        &[
            ("form[to]", "customers"),
            (
                "form[text]",
                "Which dealers order the pouring jug most? A price rise is coming.",
            ),
        ],
    )
    .await
    .expect("answer")
    .json()
    .await
    .expect("where it went");
    let conversation = asked["conversation"].as_str().expect("a conversation");
    let replied = send(
        &customers,
        &[
            ("form[to]", "category"),
            ("form[text]", "Two of six dealers; both reorder monthly."),
            ("form[conversation]", conversation),
        ],
    )
    .await
    .expect("answer");
    assert_eq!(replied.status(), 200);

    for function in [BusinessFunction::Category, BusinessFunction::Customers] {
        let page = page_json(&app, function).await;
        assert_eq!(page.conversations.len(), 1, "{function:?}");
        let thread = &page.conversations[0];
        assert_eq!(thread.conversation.as_str(), conversation);
        let said: Vec<String> = thread.messages.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "agent:category → agent:customers: Which dealers order the pouring jug most? A price rise is coming.",
                "agent:customers → agent:category: Two of six dealers; both reorder monthly.",
            ]
        );
        let html = app
            .get(function.page_url().as_str())
            .await
            .text()
            .await
            .expect("page");
        assert!(
            html.contains("Two of six dealers; both reorder monthly."),
            "{function:?}"
        );
    }
    assert!(
        page_json(&app, BusinessFunction::Fulfillment)
            .await
            .conversations
            .is_empty()
    );
}

#[tokio::test]
async fn a_non_conformance_raised_on_the_quality_page_is_listed_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let raised = app
        .post_form(
            "/api/quality/non-conformances/raise",
            "/staff/quality",
            &[
                ("form[source]", "process"),
                ("form[subject]", "Glaze crawling on </title><b>jugs</b>"),
                ("form[description]", "Kiln 2, shelf 3: bare patches"),
            ],
        )
        .await;
    assert_eq!(raised.url().query(), Some("non-conformance=raised"));
    let page = page_json(&app, BusinessFunction::Quality).await;
    assert!(page.built);
    let listed = page.table("non-conformances").expect("the table");
    assert_eq!(listed.rows.len(), 1);
    assert_eq!(listed.rows[0][2], "Production process");
    assert_eq!(listed.rows[0][3], "Glaze crawling on </title><b>jugs</b>");
    let html = app.get("/staff/quality").await.text().await.expect("HTML");
    assert!(on_page(&html, "Glaze crawling on </title><b>jugs</b>"));
    assert!(!html.contains("<b>jugs</b>"), "the subject was not escaped");
    // The Overview credits the figure to Quality's page.
    let overview = page_json(&app, BusinessFunction::Overview).await;
    let raised = overview
        .metrics
        .iter()
        .find(|metric| metric.key == "non-conformances")
        .expect("Quality's headline");
    assert_eq!(
        (raised.value.as_str(), raised.source.as_deref()),
        ("1", Some("/staff/quality"))
    );

    let events = app.store.event_count().await.expect("count");
    let huge = "x".repeat(1_000_000);
    for (source, subject, description, message) in [
        ("weather", "s", "", "is not a source"),
        ("supplier", "   ", "", "say in a line what does not conform"),
        ("supplier", huge.as_str(), "", "at most 120 characters"),
        ("customer", "s", huge.as_str(), "at most 2000 characters"),
    ] {
        assert_refused(
            &app,
            "/api/quality/non-conformances/raise",
            "/staff/quality",
            &[
                ("form[source]", source),
                ("form[subject]", subject),
                ("form[description]", description),
            ],
            message,
        )
        .await;
    }
    assert_eq!(app.store.event_count().await.expect("count"), events);
}
