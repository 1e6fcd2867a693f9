//! The server through HTTP, as a browser or an agent reaches it.

mod support;

use serde_json::{Value, json};
use support::spawn_app;

#[tokio::test]
async fn the_health_check_answers_ok_while_the_database_answers() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn the_health_check_reports_unavailable_once_the_database_is_closed() {
    let app = spawn_app().await;
    app.store.close().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn the_home_page_is_rendered_on_the_server_with_the_catalog_and_the_hydration_script() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("HTML body");
    for expected in [
        "Fenwick Clayworks",
        "Speckled Morning Mug",
        "$28.00",
        "Terracotta Planter, 6 in",
        "href=\"/login\"",
        "/pkg/kiln.js",
        "/pkg/kiln.css",
    ] {
        assert!(html.contains(expected), "home page lacks {expected:?}");
    }
}

#[tokio::test]
async fn a_collection_in_the_url_renders_only_that_collection() {
    let app = spawn_app().await;
    let html = app
        .get("/?collection=planters")
        .await
        .text()
        .await
        .expect("HTML body");
    assert!(html.contains("Hanging Planter"));
    assert!(!html.contains("Speckled Morning Mug"));
}

#[tokio::test]
async fn an_unknown_collection_in_the_url_says_so_and_shows_everything() {
    let app = spawn_app().await;
    let html = app
        .get("/?collection=vases")
        .await
        .text()
        .await
        .expect("HTML body");
    assert!(html.contains("There is no collection called"));
    assert!(html.contains("vases"));
    assert!(html.contains("Speckled Morning Mug") && html.contains("Pouring Jug"));
}

#[tokio::test]
async fn the_storefront_products_endpoint_answers_agents_with_json_filtered_by_collection() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/storefront/products", app.address))
        .json(&json!({ "query": { "collection": "mugs" } }))
        .send()
        .await
        .expect("request reaches the server");
    assert_eq!(response.status(), 200);
    let cards: Vec<Value> = response.json().await.expect("JSON list");
    assert_eq!(cards.len(), 4);
    assert!(cards.iter().all(|card| card["collection"] == "mugs"));
    let espresso = cards
        .iter()
        .find(|card| card["sku"] == "MUG-ESPRESSO-4")
        .expect("espresso cup listed");
    assert_eq!(
        espresso["price"],
        json!({ "minor_units": 1800, "currency": "USD" })
    );
}

#[tokio::test]
async fn the_storefront_products_endpoint_refuses_an_unknown_collection_with_a_clear_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/storefront/products", app.address))
        .json(&json!({ "query": { "collection": "vases" } }))
        .send()
        .await
        .expect("request reaches the server");
    assert!(
        !response.status().is_success(),
        "status {}",
        response.status()
    );
    let body = response.text().await.expect("error body");
    assert!(body.contains("unknown variant `vases`"), "{body}");
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page_with_a_way_back() {
    let app = spawn_app().await;
    let response = app.get("/no-such-page").await;
    assert_eq!(response.status(), 404);
    let html = response.text().await.expect("HTML body");
    assert!(html.contains("This page does not exist"));
}

#[tokio::test]
async fn the_sign_in_page_says_plainly_that_sign_in_is_not_open_yet() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .expect("HTML body")
            .contains("not open yet")
    );
}

#[tokio::test]
async fn public_files_are_served_from_the_site_root() {
    let app = spawn_app().await;
    let response = app.get("/products/mug-speckle-12.svg").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"]
            .to_str()
            .expect("ASCII header"),
        "image/svg+xml"
    );
    assert_eq!(app.get("/nothing-here.svg").await.status(), 404);
}

#[tokio::test]
async fn shutting_down_ends_the_server_cleanly() {
    let app = spawn_app().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.shut_down().await.expect("server stops without error");
}
