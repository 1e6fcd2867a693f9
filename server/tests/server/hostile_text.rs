//! Hostile text: markup that closes raw-text elements, quotes that end
//! attributes, script URLs, invisible and right-to-left characters, emoji
//! and very long words, typed into every field people, dealers, shoppers
//! and agents write. Each page and JSON answer that shows the field is
//! read back and parsed with a real HTML parser: the text must arrive as
//! the same text, and no element may have been injected.
//!
//! A new writable field joins this file when it is added. (Whether each
//! page still hydrates with such text is the browser tests' part:
//! `end2end/tests/hostile-text.test.mjs`.)

use crate::support::{Browser, spawn_app};
use scraper::{Html, Selector};

/// What people may type. Every string that could inject markup carries
/// the marker `kiln-injected` in what it would inject, so an injection
/// shows as an element the parser found. Each fits every field's length
/// limit (60 characters at most, the shortest limit here).
const CORPUS: &[&str] = &[
    r#"</title><meta http-equiv="refresh" id="kiln-injected">"#,
    r#"</textarea><b id="kiln-injected">textarea</b>"#,
    r#""><img src=x onerror=alert(1) id="kiln-injected">"#,
    r#"' onmouseover='alert(1)' data-kiln-injected='"#,
    r#"<script id="kiln-injected">alert(1)</script>"#,
    r#"</script><b id="kiln-injected">script</b>"#,
    r#"</style><b id="kiln-injected">style</b><style>"#,
    r#"<!-- <b id="kiln-injected">comment</b> -->"#,
    "javascript:alert(1)",
    "&amp; &lt;b&gt; &#x3C;i&#x3E; stay as typed",
    "zero\u{200B}width\u{200D}join and \u{202E}reversed\u{202C} text",
    "كوب قهوة مرقط بالأزرق",
    "Mug 🏺 for the chef 👩🏽‍🍳",
    "Averyveryverylongwordwithoutanyspacesatalltobreakthelayout",
    "{{7*7}} ${7*7} %s%n {0}",
];

/// The elements an injection would have made.
fn injected_elements(document: &Html) -> Vec<String> {
    let selector = Selector::parse(
        "[id*=kiln-injected], [data-kiln-injected], img[onerror], meta[http-equiv], [onmouseover]",
    )
    .expect("a valid selector");
    document
        .select(&selector)
        .map(|element| element.html())
        .collect()
}

/// Whether `document` shows `text` as text: in its text (the title and a
/// textarea's content included) or as an attribute's value (an input's).
fn shows_as_text(document: &Html, text: &str) -> bool {
    let all_text: String = document.root_element().text().collect();
    all_text.contains(text)
        || document.root_element().descendants().any(|node| {
            node.value()
                .as_element()
                .is_some_and(|element| element.attrs().any(|(_, value)| value == text))
        })
}

/// Whether the JSON answer holds `text` as (part of) one of its strings.
fn json_holds(value: &serde_json::Value, text: &str) -> bool {
    match value {
        serde_json::Value::String(string) => string.contains(text),
        serde_json::Value::Array(items) => items.iter().any(|item| json_holds(item, text)),
        serde_json::Value::Object(fields) => fields.values().any(|field| json_holds(field, text)),
        _ => false,
    }
}

/// Opens `path` as `browser` and checks that every text of `texts` is
/// shown as text and that nothing was injected, in the page and in its
/// `<title>`.
async fn page_shows_safely(browser: &Browser, path: &str, texts: &[String]) {
    let response = browser.get(path).await;
    assert!(
        response.status().is_success(),
        "{path} answered {}",
        response.status()
    );
    let html = response.text().await.expect("HTML");
    let document = Html::parse_document(&html);
    let injected = injected_elements(&document);
    assert!(
        injected.is_empty(),
        "{path} has injected elements: {injected:?}"
    );
    // Pages streamed in order send their head before their title is
    // known, so some have none; none may have two.
    let titles = document
        .select(&Selector::parse("head > title").expect("a selector"))
        .count();
    assert!(titles <= 1, "{path} has {titles} titles");
    let missing: Vec<&String> = texts
        .iter()
        .filter(|text| !shows_as_text(&document, text))
        .collect();
    assert!(
        missing.is_empty(),
        "{path} does not show these as text: {missing:?}"
    );
}

/// Reads `path`'s JSON as `browser` and checks it holds every text of
/// `texts` exactly.
async fn json_holds_all(browser: &Browser, path: &str, texts: &[String]) {
    let json: serde_json::Value = browser.get(path).await.json().await.expect("JSON");
    let missing: Vec<&String> = texts
        .iter()
        .filter(|text| !json_holds(&json, text))
        .collect();
    assert!(missing.is_empty(), "{path} does not hold: {missing:?}");
}

/// Posts a form as `browser` and checks it was accepted: the answer
/// redirected to a page whose address does not carry a refusal (Leptos
/// puts a refused form's error in `__err`).
async fn accepted(
    browser: &Browser,
    path: &str,
    from: &str,
    fields: &[(&str, &str)],
) -> reqwest::Url {
    let response = browser.post_form(path, from, fields).await;
    let status = response.status();
    let landed = response.url().clone();
    let body = response.text().await.unwrap_or_default();
    assert!(
        status.is_success() && !landed.query().is_some_and(|query| query.contains("__err=")),
        "{path} refused {fields:?}: {status} {landed} {body:.300}"
    );
    landed
}

/// Adds a plain mug `sku` called `name` to the catalog, as `staff`.
async fn add_plain_product(staff: &Browser, sku: &str, name: &str) {
    accepted(
        staff,
        "/api/category/add-product",
        "/staff/category",
        &[
            ("form[sku]", sku),
            ("form[name]", name),
            ("form[collection]", "mugs"),
            ("form[description]", "A plain mug."),
            ("form[price]", "20"),
            ("form[unit_cost]", "5"),
            ("form[image]", "/products/mug-tall-16.svg"),
            ("form[family]", ""),
            ("form[option]", ""),
        ],
    )
    .await;
}

/// The corpus, each entry made distinct by `label` (so that a field
/// written once per entry can be told apart).
fn corpus(label: &str) -> Vec<String> {
    CORPUS
        .iter()
        .map(|text| format!("{text} {label}"))
        .collect()
}

#[tokio::test]
async fn product_names_and_descriptions_arrive_as_text_on_the_shop_the_product_pages_and_the_staff_page()
 {
    let app = spawn_app().await;
    let potter = app.another_browser();
    potter
        .sign_in("potter@fenwick.example", "fenwick-demo-potter")
        .await;
    let names: Vec<String> = CORPUS.iter().map(|text| (*text).to_owned()).collect();
    let descriptions = corpus("(description)");
    for (index, (name, description)) in names.iter().zip(&descriptions).enumerate() {
        let sku = format!("HOSTILE-{index}");
        accepted(
            &potter,
            "/api/category/add-product",
            "/staff/category",
            &[
                ("form[sku]", &sku),
                ("form[name]", name),
                ("form[collection]", "mugs"),
                ("form[description]", description),
                ("form[price]", "20"),
                ("form[unit_cost]", "5"),
                ("form[image]", "/products/mug-tall-16.svg"),
                ("form[family]", ""),
                ("form[option]", ""),
            ],
        )
        .await;
        // The product's own page: its name in the title and the heading.
        page_shows_safely(
            &app,
            &format!("/shop/{sku}"),
            &[name.clone(), description.clone()],
        )
        .await;
        let html = app
            .get(&format!("/shop/{sku}"))
            .await
            .text()
            .await
            .expect("HTML");
        let title: String = Html::parse_document(&html)
            .select(&Selector::parse("head > title").expect("a selector"))
            .flat_map(|title| title.text())
            .collect();
        assert_eq!(title, format!("{name} · Fenwick Clayworks"));
    }
    page_shows_safely(&app, "/", &names).await;
    page_shows_safely(&app, "/?collection=mugs", &names).await;
    // In a shopper's cart and at checkout, and on a dealer's price list.
    let shopper = app.another_browser();
    for index in 0..names.len() {
        let sku = format!("HOSTILE-{index}");
        accepted(
            &shopper,
            "/api/cart/add",
            &format!("/shop/{sku}"),
            &[("item[sku]", &sku), ("item[quantity]", "1")],
        )
        .await;
    }
    page_shows_safely(&shopper, "/cart", &names).await;
    page_shows_safely(&shopper, "/checkout", &names).await;
    let dealer = app.another_browser();
    dealer
        .sign_in("orders@clayandcup.example", "fenwick-demo-dealer-a")
        .await;
    page_shows_safely(&dealer, "/portal", &names).await;
    page_shows_safely(&dealer, "/portal/order", &names).await;
    // The staff page also fills the edit forms: names in inputs,
    // descriptions in textareas.
    let everything: Vec<String> = names.iter().chain(&descriptions).cloned().collect();
    page_shows_safely(&potter, "/staff/category", &everything).await;
    json_holds_all(&potter, "/api/functions/category", &names).await;
}

#[tokio::test]
async fn market_notes_proposals_agent_messages_and_reversal_reasons_arrive_as_text_on_the_category_page()
 {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let notes = corpus("(note)");
    // A source is at most 60 characters: the corpus as it is.
    let sources: Vec<String> = CORPUS.iter().map(|text| (*text).to_owned()).collect();
    for (note, source) in notes.iter().zip(&sources) {
        accepted(
            &app,
            "/api/category/market-note",
            "/staff/category",
            &[
                ("form[sku]", "MUG-SPECKLE-12"),
                ("form[source]", source),
                ("form[their_price]", "22.50"),
                ("form[note]", note),
            ],
        )
        .await;
        // The page shows the newest notes: each is read as it is added.
        page_shows_safely(&app, "/staff/category", &[note.clone(), source.clone()]).await;
    }

    let agent = app
        .issue_token("category:propose", "hostile agent")
        .await
        .secret;
    let summaries = corpus("(summary)");
    let reasonings = corpus("(reasoning)");
    let messages = corpus("(message)");
    let agent_posts = |path: &'static str, fields: Vec<(&'static str, String)>| {
        let client = reqwest::Client::new();
        let url = format!("{}{path}", app.address);
        let secret = agent.clone();
        async move {
            let response = client
                .post(url)
                .bearer_auth(secret)
                .form(&fields)
                .send()
                .await
                .expect("an answer");
            let status = response.status();
            assert!(
                status.is_success(),
                "{path}: {status} {}",
                response.text().await.unwrap_or_default()
            );
        }
    };
    for (index, ((summary, reasoning), message)) in
        summaries.iter().zip(&reasonings).zip(&messages).enumerate()
    {
        // A product takes one waiting price change at a time: each
        // proposal is for a product of its own.
        let sku = format!("PROPOSED-{index}");
        add_plain_product(&app, &sku, &format!("Proposed mug {index}")).await;
        agent_posts(
            "/api/category/proposals/price",
            vec![
                ("form[sku]", sku),
                ("form[price]", "30.00".to_owned()),
                ("form[summary]", summary.clone()),
                ("form[reasoning]", reasoning.clone()),
                ("form[risk]", "low".to_owned()),
            ],
        )
        .await;
        agent_posts(
            "/api/agents/messages",
            vec![
                ("form[to]", "customers".to_owned()),
                ("form[text]", message.clone()),
            ],
        )
        .await;
        // A conversation shows its newest messages, on both agents' pages.
        for page in ["/staff/category", "/staff/customers"] {
            page_shows_safely(&app, page, std::slice::from_ref(message)).await;
        }
    }

    page_shows_safely(&app, "/staff/category", &summaries).await;
    json_holds_all(&app, "/api/functions/category", &summaries).await;

    // A person's reason for reversing a decision carried out automatically
    // shows on its card. (The proposals are carried out here as the agent
    // runtime would, under a policy that allows any size.)
    let waiting = app::functions::category::projection::price_proposals(&app.store, 0)
        .await
        .expect("cards");
    let reasons = corpus("(reversal)");
    for (card, reason) in waiting.iter().zip(&reasons) {
        let sku = app::functions::category::projection::proposal_sku(&app.store, &card.decision)
            .await
            .expect("read")
            .expect("its product");
        app::functions::category::service::carry_out_automatically(
            &app.store,
            app::store::EventMetadata::new(
                app::event::Actor::agent(app::functions::BusinessFunction::Category),
                app::functions::BusinessFunction::Category,
            ),
            sku,
            card.decision.clone(),
            app::decision::AutonomyPolicy::CarryOut,
        )
        .await
        .expect("carried out");
        accepted(
            &app,
            "/api/category/proposals/reverse",
            "/staff/category",
            &[
                ("form[decision]", card.decision.as_str()),
                ("form[comment]", reason),
            ],
        )
        .await;
    }
    let reversed: Vec<String> = reasons.into_iter().take(waiting.len()).collect();
    assert!(!reversed.is_empty());
    page_shows_safely(&app, "/staff/category", &reversed).await;
}

#[tokio::test]
async fn what_a_model_said_arrives_as_text_in_the_agent_steps_on_the_category_page() {
    use app::agents::step::{AgentStep, AgentTrigger};
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let head = app.store.head_position().await.expect("head");
    for (index, said) in corpus("(model)").iter().enumerate() {
        // What the model's brain records of a model's words: made visible,
        // never cleaned of markup.
        let observations = format!("The model said: {}", app::agents::model::visible(said, 600));
        let through = head + i64::try_from(index).expect("index") + 1;
        let step = AgentStep {
            agent: app::functions::BusinessFunction::Category,
            trigger: AgentTrigger::Events {
                after: 0,
                through,
                count: 1,
                first: vec![],
            },
            reads: Vec::new(),
            brain: "llm".into(),
            model: Some("fake-model".into()),
            prompt_version: "category-llm-1".into(),
            observations: observations.clone(),
            actions: Vec::new(),
            input_tokens: 10,
            output_tokens: 2,
            cost_micro_usd: 60,
            duration_ms: 1,
            raw_answer: Some(said.clone()),
        };
        let key = AgentStep::key(step.agent, &step.trigger);
        app::agents::runtime::record_step(&app.store, &step, &key)
            .await
            .expect("recorded");
        page_shows_safely(&app, "/staff/category", &[observations]).await;
    }
}

#[tokio::test]
async fn dealer_applications_arrive_as_text_for_the_staff() {
    let app = spawn_app().await;
    let companies = corpus("(company)");
    let contacts = corpus("(contact)");
    let messages = corpus("(about)");
    for (index, ((company, contact), message)) in
        companies.iter().zip(&contacts).zip(&messages).enumerate()
    {
        let visitor = app.another_browser();
        accepted(
            &visitor,
            "/api/customers/dealer-applications/submit",
            "/dealers/apply",
            &[
                ("form[company_name]", company),
                ("form[contact_name]", contact),
                ("form[email]", &format!("dealer{index}@hostile.example")),
                ("form[message]", message),
            ],
        )
        .await;
    }
    app.sign_in_as_owner().await;
    let applicants: Vec<String> = [companies, contacts].concat();
    page_shows_safely(&app, "/staff/customers", &applicants).await;
    json_holds_all(&app, "/api/functions/customers", &applicants).await;
    // What an applicant wrote about the business is read from the list of
    // applications the staff decide on.
    let listed: serde_json::Value = app
        .client
        .post(format!("{}/api/customers/dealer-applications", app.address))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    let unlisted: Vec<&String> = messages
        .iter()
        .filter(|message| !json_holds(&listed, message))
        .collect();
    assert!(
        unlisted.is_empty(),
        "not in the applications: {unlisted:?} {listed:.2000}"
    );
}

// Sign-ups count against the per-address limit of sign-in attempts, as
// dealer applications do: each has a server of its own.
#[tokio::test]
async fn people_s_names_given_at_sign_up_arrive_as_text_on_their_account_page() {
    let app = spawn_app().await;
    let names = corpus("(person)");
    for (index, name) in names.iter().enumerate() {
        let shopper = app.another_browser();
        accepted(
            &shopper,
            "/api/account/sign-up",
            "/signup",
            &[
                ("form[name]", name),
                ("form[email]", &format!("shopper{index}@hostile.example")),
                ("form[password]", "a long enough password"),
            ],
        )
        .await;
        // Signed up is signed in.
        page_shows_safely(&shopper, "/account", std::slice::from_ref(name)).await;
    }
}

#[tokio::test]
async fn support_tickets_replies_and_answers_arrive_as_text_for_the_shopper_and_the_staff() {
    let app = spawn_app().await;
    let shopper = app.another_browser();
    shopper
        .sign_in("shopper@fenwick.example", "fenwick-demo-shopper")
        .await;
    let staff = app.another_browser();
    staff.sign_in_as_owner().await;
    let subjects = corpus("(subject)");
    let messages = corpus("(ticket)");
    let replies = corpus("(reply)");
    let answers = corpus("(answer)");
    for (((subject, message), reply), answer) in
        subjects.iter().zip(&messages).zip(&replies).zip(&answers)
    {
        let ticket_page = accepted(
            &shopper,
            "/api/support/open",
            "/support",
            &[("form[subject]", subject), ("form[message]", message)],
        )
        .await;
        let ticket_path = ticket_page.path().to_owned();
        let ticket = ticket_path.trim_start_matches("/support/").to_owned();
        accepted(
            &shopper,
            "/api/support/reply",
            &ticket_path,
            &[("form[ticket]", &ticket), ("form[message]", reply)],
        )
        .await;
        accepted(
            &staff,
            "/api/customers/tickets/answer",
            "/staff/customers",
            &[("form[ticket]", &ticket), ("form[message]", answer)],
        )
        .await;
        page_shows_safely(
            &shopper,
            &ticket_path,
            &[
                subject.clone(),
                message.clone(),
                reply.clone(),
                answer.clone(),
            ],
        )
        .await;
    }
    page_shows_safely(&shopper, "/support", &subjects).await;
    page_shows_safely(&staff, "/staff/customers", &subjects).await;
}

#[tokio::test]
async fn delivery_addresses_arrive_as_text_on_the_order_and_fulfillment_pages() {
    let app = spawn_app().await;
    let staff = app.another_browser();
    staff.sign_in_as_owner().await;
    let names = corpus("(name)");
    let streets = corpus("(street)");
    let cities = corpus("(city)");
    for ((name, street), city) in names.iter().zip(&streets).zip(&cities) {
        let shopper = app.another_browser();
        accepted(
            &shopper,
            "/api/cart/add",
            "/shop/MUG-SPECKLE-12",
            &[("item[sku]", "MUG-SPECKLE-12"), ("item[quantity]", "1")],
        )
        .await;
        let checkout = shopper.get("/checkout").await.text().await.expect("HTML");
        let order = Html::parse_document(&checkout)
            .select(&Selector::parse("input[name='form[order]']").expect("a selector"))
            .next()
            .and_then(|input| input.value().attr("value").map(str::to_owned))
            .expect("the checkout form carries its order id");
        let placed = accepted(
            &shopper,
            "/api/checkout/place",
            "/checkout",
            &[
                ("form[order]", &order),
                ("form[name]", name),
                ("form[email]", "ada@example.com"),
                ("form[line1]", street),
                ("form[line2]", ""),
                ("form[city]", city),
                ("form[postcode]", "ST1 4AB"),
                ("form[country]", "United Kingdom"),
                ("form[shipping]", "standard"),
            ],
        )
        .await;
        page_shows_safely(
            &shopper,
            placed.path(),
            &[name.clone(), street.clone(), city.clone()],
        )
        .await;
    }
    page_shows_safely(&staff, "/staff/customers", &names).await;
}

#[tokio::test]
async fn change_requests_token_labels_and_non_conformances_arrive_as_text_for_the_staff() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let titles = corpus("(title)");
    let impacts = corpus("(impact)");
    let labels: Vec<String> = CORPUS.iter().map(|text| (*text).to_owned()).collect();
    let subjects = corpus("(subject)");
    let descriptions = corpus("(description)");
    for (((title, impact), label), (subject, description)) in titles
        .iter()
        .zip(&impacts)
        .zip(&labels)
        .zip(subjects.iter().zip(&descriptions))
    {
        accepted(
            &app,
            "/api/platform-manager/change-requests/raise",
            "/staff/category",
            &[
                ("form[function]", "category"),
                ("form[title]", title),
                ("form[impact]", impact),
                ("form[urgency]", "high"),
            ],
        )
        .await;
        app.issue_token("category:read", label).await;
        accepted(
            &app,
            "/api/quality/non-conformances/raise",
            "/staff/quality",
            &[
                ("form[source]", "process"),
                ("form[subject]", subject),
                ("form[description]", description),
            ],
        )
        .await;
    }
    page_shows_safely(&app, "/staff/category", &titles).await;
    let platform: Vec<String> = [titles.clone(), impacts, labels].concat();
    page_shows_safely(&app, "/staff/platform-manager", &platform).await;
    let quality: Vec<String> = [subjects, descriptions].concat();
    page_shows_safely(&app, "/staff/quality", &quality).await;
    json_holds_all(&app, "/api/functions/quality", &quality).await;
}

#[tokio::test]
async fn addresses_typed_at_a_refused_sign_in_arrive_as_text_in_the_access_log() {
    let app = spawn_app().await;
    let stranger = app.another_browser();
    let typed: Vec<String> = CORPUS.iter().map(|text| (*text).to_owned()).collect();
    for text in &typed {
        stranger.sign_in(text, "not a password at all").await;
    }
    app.sign_in_as_owner().await;
    page_shows_safely(&app, "/staff/platform-manager", &typed).await;
    json_holds_all(&app, "/api/functions/platform-manager", &typed).await;
}

#[tokio::test]
async fn feedback_flags_and_triage_notes_arrive_as_text_for_the_staff() {
    let app = spawn_app().await;
    let shopper = app.another_browser();
    shopper
        .sign_in("shopper@fenwick.example", "fenwick-demo-shopper")
        .await;
    app.sign_in_as_owner().await;
    let flag_notes = corpus("(flag)");
    let triage_notes = corpus("(triage)");
    for (index, (flag_note, triage_note)) in flag_notes.iter().zip(&triage_notes).enumerate() {
        let ticket_page = accepted(
            &shopper,
            "/api/support/open",
            "/support",
            &[
                ("form[subject]", &format!("Feedback {index}")),
                ("form[message]", "The glaze could be darker."),
            ],
        )
        .await;
        let ticket = ticket_page
            .path()
            .trim_start_matches("/support/")
            .to_owned();
        accepted(
            &app,
            "/api/customers/tickets/flag",
            "/staff/customers",
            &[
                ("form[ticket]", &ticket),
                ("form[function]", "category"),
                ("form[note]", flag_note),
            ],
        )
        .await;

        accepted(
            &app,
            "/api/platform-manager/change-requests/raise",
            "/staff/category",
            &[
                ("form[function]", "category"),
                ("form[title]", &format!("Request {index}")),
                ("form[impact]", "Pricing needs it"),
                ("form[urgency]", "low"),
            ],
        )
        .await;
        let platform: serde_json::Value = app
            .get("/api/functions/platform-manager")
            .await
            .json()
            .await
            .expect("JSON");
        let request = platform["change_requests"]
            .as_array()
            .and_then(|requests| {
                requests
                    .iter()
                    .find(|request| request["title"] == format!("Request {index}"))
            })
            .and_then(|request| request["request"].as_str())
            .expect("the request is listed")
            .to_owned();
        accepted(
            &app,
            "/api/platform-manager/change-requests/triage",
            "/staff/platform-manager",
            &[
                ("form[request]", &request),
                ("form[status]", "accepted"),
                ("form[note]", triage_note),
            ],
        )
        .await;
    }
    page_shows_safely(&app, "/staff/customers", &flag_notes).await;
    page_shows_safely(&app, "/staff/category", &flag_notes).await;
    page_shows_safely(&app, "/staff/platform-manager", &triage_notes).await;
}

#[tokio::test]
async fn price_change_reasons_and_verdict_comments_arrive_as_text_on_the_category_page() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let agent = app
        .issue_token("category:propose", "verdict test")
        .await
        .secret;
    let reasons = corpus("(reason)");
    let comments = corpus("(comment)");
    for (index, (reason, comment)) in reasons.iter().zip(&comments).enumerate() {
        let sku = format!("PRICED-{index}");
        add_plain_product(&app, &sku, &format!("Priced mug {index}")).await;
        accepted(
            &app,
            "/api/category/base-price",
            "/staff/category",
            &[
                ("form[sku]", &sku),
                ("form[price]", "21"),
                ("form[reason]", reason),
            ],
        )
        .await;
        let proposed: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/category/proposals/price", app.address))
            .bearer_auth(&agent)
            .form(&[
                ("form[sku]", sku.as_str()),
                ("form[price]", "22.00"),
                ("form[summary]", "Raise it a dollar"),
                ("form[reasoning]", "Rivals charge more."),
                ("form[risk]", "low"),
            ])
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON");
        let decision = proposed["decision"]
            .as_str()
            .or_else(|| proposed.as_str())
            .unwrap_or_else(|| panic!("a decision id in {proposed}"))
            .to_owned();
        accepted(
            &app,
            "/api/category/proposals/decide",
            "/staff/category",
            &[
                ("form[decision]", &decision),
                ("form[verdict]", "reject"),
                ("form[comment]", comment),
            ],
        )
        .await;
        // The page shows the newest decided proposals: each comment is read
        // as it is given.
        page_shows_safely(&app, "/staff/category", std::slice::from_ref(comment)).await;
    }
    page_shows_safely(&app, "/staff/category", &reasons).await;
    json_holds_all(&app, "/api/functions/category", &reasons).await;
}

#[tokio::test]
async fn dealer_delivery_addresses_and_promotion_notes_arrive_as_text() {
    let app = spawn_app().await;
    let dealer = app.another_browser();
    dealer
        .sign_in("buyer@hollowoak.example", "fenwick-demo-dealer-b")
        .await;
    app.sign_in_as_owner().await;
    let names = corpus("(recipient)");
    let streets = corpus("(dealer street)");
    for (name, street) in names.iter().zip(&streets) {
        let form = dealer
            .get("/portal/order")
            .await
            .text()
            .await
            .expect("HTML");
        let order = Html::parse_document(&form)
            .select(&Selector::parse("input[name='form[order]']").expect("a selector"))
            .next()
            .and_then(|input| input.value().attr("value").map(str::to_owned))
            .expect("the quick order carries its order id");
        let placed = accepted(
            &dealer,
            "/api/portal/order",
            "/portal/order",
            &[
                ("form[order]", &order),
                ("form[sheet]", ""),
                ("form[name]", name),
                ("form[line1]", street),
                ("form[line2]", ""),
                ("form[city]", "Whitby"),
                ("form[postcode]", "YO21 3PU"),
                ("form[country]", "United Kingdom"),
                ("form[shipping]", "standard"),
                ("form[grid][0][sku]", "MUG-SPECKLE-12"),
                ("form[grid][0][quantity]", "2"),
            ],
        )
        .await;
        page_shows_safely(&dealer, placed.path(), &[name.clone(), street.clone()]).await;
    }

    let hollow_oak = app.dealer_company_id("Hollow Oak Gifts (partner)").await;
    let notes = corpus("(promotion)");
    for (index, note) in notes.iter().enumerate() {
        // One promotional price per product: a product of its own each.
        let sku = format!("PROMOTED-{index}");
        add_plain_product(&app, &sku, &format!("Promoted mug {index}")).await;
        accepted(
            &app,
            "/api/customers/promotions/offer",
            "/staff/customers",
            &[
                ("form[company]", &hollow_oak),
                ("form[sku]", &sku),
                ("form[price]", "9"),
                ("form[note]", note),
            ],
        )
        .await;
    }
    page_shows_safely(&app, "/staff/customers", &notes).await;
}

#[tokio::test]
async fn edited_product_names_and_descriptions_arrive_as_text_on_the_product_page() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let descriptions = corpus("(edited)");
    for (index, (name, description)) in CORPUS.iter().zip(&descriptions).enumerate() {
        let sku = format!("EDITED-{index}");
        let product = |name: &str, description: &str| {
            vec![
                ("form[sku]".to_owned(), sku.clone()),
                ("form[name]".to_owned(), name.to_owned()),
                ("form[collection]".to_owned(), "mugs".to_owned()),
                ("form[description]".to_owned(), description.to_owned()),
                ("form[price]".to_owned(), "20".to_owned()),
                ("form[unit_cost]".to_owned(), "5".to_owned()),
                (
                    "form[image]".to_owned(),
                    "/products/mug-tall-16.svg".to_owned(),
                ),
                ("form[family]".to_owned(), String::new()),
                ("form[option]".to_owned(), String::new()),
            ]
        };
        for (path, fields) in [
            (
                "/api/category/add-product",
                product("A plain mug", "Plain."),
            ),
            ("/api/category/edit-product", product(name, description)),
        ] {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(field, value)| (field.as_str(), value.as_str()))
                .collect();
            accepted(&app, path, "/staff/category", &fields).await;
        }
        page_shows_safely(
            &app,
            &format!("/shop/{sku}"),
            &[(*name).to_owned(), description.clone()],
        )
        .await;
    }
}

#[tokio::test]
async fn quarantine_verdict_notes_arrive_as_text_on_the_database_manager_page() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let notes = corpus("(verdict)");
    for index in 0..notes.len() {
        let sku = format!("JUMPED-{index}");
        add_plain_product(&app, &sku, &format!("Jumped mug {index}")).await;
        // A tenfold jump: the event check holds it in the quarantine.
        app.post_form(
            "/api/category/base-price",
            "/staff/category",
            &[
                ("form[sku]", &sku),
                ("form[price]", "250"),
                ("form[reason]", "Typed an extra digit"),
            ],
        )
        .await;
    }
    let page: serde_json::Value = app
        .get("/api/functions/database-manager")
        .await
        .json()
        .await
        .expect("JSON");
    let anomalies: Vec<String> = page["tables"]
        .as_array()
        .and_then(|tables| tables.iter().find(|table| table["key"] == "quarantine"))
        .and_then(|table| table["rows"].as_array())
        .expect("the quarantine table")
        .iter()
        .filter_map(|row| row[0].as_str().map(str::to_owned))
        .collect();
    assert_eq!(anomalies.len(), notes.len(), "{anomalies:?}");
    for (anomaly, note) in anomalies.iter().zip(&notes) {
        accepted(
            &app,
            "/api/database-manager/quarantine/decide",
            "/staff/database-manager",
            &[
                ("form[anomaly]", anomaly),
                ("form[verdict]", "reject"),
                ("form[note]", note),
            ],
        )
        .await;
    }
    page_shows_safely(&app, "/staff/database-manager", &notes).await;
    json_holds_all(&app, "/api/functions/database-manager", &notes).await;
}

#[tokio::test]
async fn delist_reasons_and_every_payload_arrive_as_text_on_the_event_log_pages() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let reasons = corpus("(delisted)");
    for (index, reason) in reasons.iter().enumerate() {
        let sku = format!("DELISTED-{index}");
        add_plain_product(&app, &sku, CORPUS[index]).await;
        accepted(
            &app,
            "/api/category/delist",
            "/staff/category",
            &[("form[sku]", &sku), ("form[reason]", reason)],
        )
        .await;
    }
    // The reason is kept in the event only: the event log shows it, with
    // every other payload, on each event's own page.
    for (index, reason) in reasons.iter().enumerate() {
        let search: serde_json::Value = app
            .get(&format!(
                "/api/database-manager/events?event_type=ProductDelisted&stream=product-DELISTED-{index}"
            ))
            .await
            .json()
            .await
            .expect("JSON");
        let position = search["events"][0]["position"]
            .as_i64()
            .unwrap_or_else(|| panic!("the delisting of DELISTED-{index} in {search}"));
        // The page shows the payload as JSON: the reason as a JSON string.
        let as_json = serde_json::to_string(reason).expect("JSON");
        let shown = as_json.trim_matches('"').to_owned();
        let path = format!("/staff/database-manager/events/{position}");
        page_shows_safely(&app, &path, &[shown]).await;
    }
    page_shows_safely(
        &app,
        "/staff/database-manager/events?event_type=ProductIntroduced&function=category",
        &[],
    )
    .await;
}

/// Opens the event log page of the newest `event_type` event of `stream`
/// and checks that it shows `text` (as a JSON string: the page shows the
/// payload as JSON) and that nothing was injected.
async fn event_page_shows_safely(app: &Browser, event_type: &str, stream: &str, text: &str) {
    let search: serde_json::Value = app
        .get(&format!(
            "/api/database-manager/events?event_type={event_type}&stream={stream}"
        ))
        .await
        .json()
        .await
        .expect("JSON");
    let position = search["events"][0]["position"]
        .as_i64()
        .unwrap_or_else(|| panic!("a {event_type} of {stream} in {search}"));
    let as_json = serde_json::to_string(text).expect("JSON");
    let shown = as_json.trim_matches('"').to_owned();
    page_shows_safely(
        app,
        &format!("/staff/database-manager/events/{position}"),
        &[shown],
    )
    .await;
}

#[tokio::test]
async fn decline_reasons_relist_reasons_and_dealer_user_names_arrive_as_text_on_the_event_log_pages()
 {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let declines = corpus("(declined)");
    for index in 0..declines.len() {
        let visitor = app.another_browser();
        accepted(
            &visitor,
            "/api/customers/dealer-applications/submit",
            "/dealers/apply",
            &[
                ("form[company_name]", &format!("Applicant {index}")),
                ("form[contact_name]", "Sam Okoro"),
                ("form[email]", &format!("applicant{index}@hostile.example")),
                ("form[message]", ""),
            ],
        )
        .await;
    }
    let listed: serde_json::Value = app
        .client
        .post(format!("{}/api/customers/dealer-applications", app.address))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    for (index, reason) in declines.iter().enumerate() {
        let application = listed
            .as_array()
            .and_then(|applications| {
                applications
                    .iter()
                    .find(|application| application["company_name"] == format!("Applicant {index}"))
            })
            .and_then(|application| application["application"].as_str())
            .expect("the application is listed")
            .to_owned();
        let declined = app
            .client
            .post(format!(
                "{}/api/customers/dealer-applications/decide",
                app.address
            ))
            .json(&serde_json::json!({ "decision": { "application": application, "decision": "decline", "reason": reason } }))
            .send()
            .await
            .expect("an answer");
        assert!(declined.status().is_success(), "{}", declined.status());
        event_page_shows_safely(
            &app,
            "DealerApplicationDeclined",
            &format!("dealer-application-{application}"),
            reason,
        )
        .await;
    }
}

#[tokio::test]
async fn dealer_user_names_arrive_as_text_on_the_event_log_pages() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let company = app.dealer_company_id("Hollow Oak Gifts (partner)").await;
    for (index, name) in corpus("(dealer user)").iter().enumerate() {
        let added = app
            .client
            .post(format!("{}/api/customers/dealer-users/add", app.address))
            .json(&serde_json::json!({ "user": {
                "company": company,
                "name": name,
                "email": format!("user{index}@dealer.example"),
            } }))
            .send()
            .await
            .expect("an answer");
        assert!(added.status().is_success(), "{}", added.status());
        let account: String = added.json().await.expect("the account's id");
        event_page_shows_safely(
            &app,
            "DealerUserCreated",
            &format!("account-{account}"),
            name,
        )
        .await;
    }
}

#[tokio::test]
async fn a_backup_file_named_with_markup_arrives_as_text_on_the_database_manager_page() {
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    let dir = tempfile::tempdir().expect("a directory");
    // A file name cannot hold "/": markup that needs none.
    let name = r#""><b id="kiln-injected" onmouseover='x'>backup.db"#;
    app::store::export::backup(&app.store, &dir.path().join(name))
        .await
        .expect("a backup");
    page_shows_safely(&app, "/staff/database-manager", &[name.to_owned()]).await;
}

#[tokio::test]
async fn agents_proposals_on_applications_and_change_requests_verdict_comments_and_people_s_notes_arrive_as_text()
 {
    use app::functions::BusinessFunction;
    let app = spawn_app().await;
    app.sign_in_as_owner().await;
    // What applicants and staff type, which the agents quote in their
    // proposals' summaries, changes and reasoning.
    let companies: Vec<String> = CORPUS.iter().map(|text| (*text).to_owned()).collect();
    let messages = corpus("about 50 pieces a month for our café");
    let titles = corpus("(title)");
    for (index, ((company, message), title)) in
        companies.iter().zip(&messages).zip(&titles).enumerate()
    {
        accepted(
            &app,
            "/api/customers/dealer-applications/submit",
            "/dealers/apply",
            &[
                ("form[company_name]", company),
                ("form[contact_name]", "Hostile applicant"),
                ("form[email]", &format!("applicant{index}@hostile.example")),
                ("form[message]", message),
            ],
        )
        .await;
        accepted(
            &app,
            "/api/platform-manager/change-requests/raise",
            "/staff/category",
            &[
                ("form[function]", "category"),
                ("form[title]", title),
                ("form[impact]", "Pricing waits on it"),
                ("form[urgency]", "normal"),
            ],
        )
        .await;
    }
    for function in [
        BusinessFunction::Customers,
        BusinessFunction::PlatformManager,
    ] {
        let agent = app::functions::descriptor(function)
            .and_then(|descriptor| descriptor.agent)
            .expect("an agent");
        app::agents::runtime::run_round(
            &app.store,
            function,
            &agent,
            agent.think,
            chrono::Utc::now(),
        )
        .await
        .expect("a round");
    }
    page_shows_safely(&app, "/staff/customers", &companies).await;
    json_holds_all(&app, "/api/functions/customers", &companies).await;
    page_shows_safely(&app, "/staff/platform-manager", &titles).await;

    // A person rejects each proposal, saying why.
    let comments = corpus("(why not)");
    for (function, path, page) in [
        (
            "customers",
            "/api/customers/proposals/decide",
            "/staff/customers",
        ),
        (
            "platform-manager",
            "/api/platform-manager/proposals/decide",
            "/staff/platform-manager",
        ),
    ] {
        let json: serde_json::Value = app
            .get(&format!("/api/functions/{function}"))
            .await
            .json()
            .await
            .expect("JSON");
        let waiting: Vec<String> = json["decisions"]
            .as_array()
            .expect("decisions")
            .iter()
            .filter(|card| card["status"] == "pending")
            .filter_map(|card| card["decision"].as_str().map(str::to_owned))
            .collect();
        assert!(waiting.len() >= comments.len(), "{function}: {waiting:?}");
        for (decision, comment) in waiting.iter().zip(&comments) {
            accepted(
                &app,
                path,
                page,
                &[
                    ("form[decision]", decision),
                    ("form[verdict]", "reject"),
                    ("form[comment]", comment),
                ],
            )
            .await;
        }
        // The page shows the ten decided most lately beside those waiting.
        page_shows_safely(&app, page, &comments[comments.len().saturating_sub(10)..]).await;
    }

    // People write notes in their function's agent conversations.
    let asked = app::functions::platform_manager::service::send_agent_message(
        &app.store,
        app::event::Actor::agent(BusinessFunction::Category),
        BusinessFunction::Category,
        app::functions::platform_manager::view::AgentMessageForm {
            to: "fulfillment".into(),
            text: "Is the jug overstocked?".into(),
            conversation: String::new(),
            about: String::new(),
            intent: "ask".into(),
        },
    )
    .await
    .expect("asked");
    let notes = corpus("(a person's note)");
    for note in &notes {
        accepted(
            &app,
            "/api/agents/conversations/reply",
            "/staff/category",
            &[
                ("form[conversation]", asked.conversation.as_str()),
                ("form[function]", "category"),
                ("form[text]", note),
            ],
        )
        .await;
    }
    for page in ["/staff/category", "/staff/fulfillment"] {
        page_shows_safely(&app, page, &notes).await;
    }
}
