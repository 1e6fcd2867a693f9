//! The HTTP surface: the Leptos pages and server functions, the site's
//! static files, and the health check.

use crate::client_address::TrustedProxies;
use crate::requests::RequestLimits;
use crate::sessions::KilnSessionStore;
use app::access::route::Method;
use app::access::table;
use app::functions::BusinessFunction;
use app::functions::database_manager::{
    self,
    service::EventSearchError,
    view::{EventQuery, RebuildUpdate},
};
use app::functions::view::{self, FunctionListing, TableQuery};
use app::staff;
use app::state::AppState;
use app::store::{RecordedEvent, catalog};
use app::{App, shell};
use axum::{
    Extension, Json, Router,
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::get,
};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use serde::Deserialize;
use std::convert::Infallible;
use std::future::Future;
use std::sync::OnceLock;
use tokio::net::TcpListener;
use tokio_stream::{
    Stream, StreamExt, wrappers::BroadcastStream, wrappers::errors::BroadcastStreamRecvError,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// The routes added to the router by hand (the others are Leptos pages and
/// server functions, listed by Leptos itself).
const HAND_MADE_ROUTES: &[(Method, &str)] = &[
    (Method::Get, "/healthz"),
    (Method::Get, "/api/events/catalog"),
    (Method::Get, "/api/events/live"),
    (Method::Get, "/api/database-manager/rebuild/progress"),
    (Method::Get, "/api/database-manager/events"),
    (Method::Get, "/api/database-manager/events/{position}"),
    (Method::Get, "/api/functions"),
    (Method::Get, "/api/functions/{function}"),
    (Method::Get, "/api/functions/{function}/live"),
    (Method::Get, "/api/functions/{function}/tables/{table}"),
];

/// The paths a router path stands for: a path with the `function`
/// parameter (`{function}`, or `:function` as Leptos may write it) stands
/// for one path per business function.
fn paths_of(path: &str) -> Vec<String> {
    for parameter in ["{function}", ":function"] {
        if path.contains(parameter) {
            return BusinessFunction::ALL
                .iter()
                .map(|function| path.replace(parameter, function.slug()))
                .collect();
        }
    }
    vec![path.to_owned()]
}

/// The application's Leptos routes, generated once per process.
///
/// Generating them walks the route tree with resource loading suppressed
/// for the whole process (leptos issue #4773: one `AtomicBool` in
/// `leptos_server`), and a page another thread renders in that moment can
/// wait forever on its resource. So the list is made once, before this
/// process serves anything: every server (and every test server) waits
/// here until it exists, and none generates it again while pages render.
fn app_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every route the router serves that the authorisation table
/// (`app::access::table`) does not list. Must be empty: `serve` refuses to
/// start otherwise, and a test fails.
pub fn routes_missing_from_table() -> Vec<String> {
    let mut routes: Vec<(Method, String)> = HAND_MADE_ROUTES
        .iter()
        .map(|(method, path)| (*method, (*path).to_owned()))
        .collect();
    for listing in app_routes() {
        for method in listing.methods() {
            let method = match method {
                leptos_router::Method::Get => Method::Get,
                _ => Method::Post,
            };
            routes.push((method, listing.path().to_owned()));
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let method = if method == axum::http::Method::GET {
            Method::Get
        } else {
            Method::Post
        };
        routes.push((method, path.to_owned()));
    }
    routes
        .into_iter()
        .flat_map(|(method, path)| paths_of(&path).into_iter().map(move |path| (method, path)))
        .filter(|(method, path)| table::requirement_of(*method, path).is_none())
        .map(|(method, path)| format!("{method:?} {path}"))
        .collect()
}

/// Tells the live streams that the server is shutting down, so that they
/// end and an open page does not hold the graceful shutdown open forever.
#[derive(Debug, Clone)]
struct ShuttingDown(tokio::sync::watch::Receiver<bool>);

impl ShuttingDown {
    /// `stream`, ending when the server starts shutting down.
    fn ends<S: Stream>(self, stream: S) -> impl Stream<Item = S::Item> {
        let mut stopping = self.0;
        futures_util::StreamExt::take_until(stream, async move {
            // An error means the sender is gone: the server has stopped.
            let _ = stopping.wait_for(|stopping| *stopping).await;
        })
    }
}

/// Every route of the application, behind the guard and the session layer.
fn router(
    state: AppState,
    sessions: KilnSessionStore,
    settings: HttpSettings,
    shutting_down: ShuttingDown,
) -> Router {
    let HttpSettings {
        limits,
        trusted_proxies,
    } = settings;
    let routes = app_routes();
    let options = state.0.leptos_options.clone();
    let secure_cookies = state.secure_cookies();
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/events/catalog", get(event_catalog))
        .route("/api/events/live", get(live_events))
        .route(
            "/api/database-manager/rebuild/progress",
            get(rebuild_progress),
        )
        .route("/api/database-manager/events", get(event_search))
        .route("/api/database-manager/events/{position}", get(event_detail))
        .route("/api/functions", get(function_index))
        .route("/api/functions/{function}", get(function_page))
        .route("/api/functions/{function}/live", get(function_live_events))
        .route(
            "/api/functions/{function}/tables/{table}",
            get(function_table),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            crate::content_security::provide_page_nonce,
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(crate::content_security::provide_page_nonce, shell))
        .layer(axum::middleware::from_fn(
            crate::refusals::refusals_are_bad_requests,
        ))
        // After the guard: a request it refuses is refused before its body
        // is read.
        .layer(axum::middleware::from_fn_with_state(
            limits,
            crate::requests::read_within_limits,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::guard::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            crate::client_address::find_client_address,
        ))
        .layer(sessions.layer(secure_cookies))
        // Every answer's Content-Security-Policy: a page's allows its own
        // inline scripts by the request's nonce, every other answer's no
        // inline script (`content_security`).
        .layer(axum::middleware::from_fn(
            crate::content_security::answer_with_policy,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(axum::middleware::from_fn_with_state(
            limits,
            crate::requests::answer_within,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(axum::Extension(shutting_down))
        .with_state(state)
}

/// How the HTTP server treats requests: their limits, and whose
/// `X-Forwarded-For` it believes.
#[derive(Debug, Clone, Default)]
pub struct HttpSettings {
    /// How large and slow a request may be.
    pub limits: RequestLimits,
    /// The reverse proxies in front of Kiln, if any.
    pub trusted_proxies: TrustedProxies,
}

/// Serves `state` on `listener`, with sessions kept in `sessions`
/// ([`KilnSessionStore::open`]) and requests treated by `settings`, until
/// `shutdown` completes; requests already in flight then finish before
/// this returns. Refuses to start when a route is missing from the
/// authorisation table.
pub async fn serve(
    state: AppState,
    sessions: KilnSessionStore,
    listener: TcpListener,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let missing = routes_missing_from_table();
    if !missing.is_empty() {
        return Err(std::io::Error::other(format!(
            "these routes have no entry in the authorisation table (app/src/access/table.rs): {}",
            missing.join(", ")
        )));
    }
    // Expired sessions and old access records are deleted, and recovered
    // sign-in limits forgotten, hourly while the server runs.
    let cleanup = tokio::spawn({
        let sessions = sessions.clone();
        let state = state.clone();
        async move {
            let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                if let Err(error) = sessions.delete_expired().await {
                    tracing::warn!(%error, "deleting expired sessions failed");
                }
                if let Err(error) = app::store::access_log::forget_old(state.store()).await {
                    tracing::warn!(%error, "forgetting old access records failed");
                }
                state.sign_in_limits().forget_recovered();
            }
        }
    });
    let (stopping, shutting_down) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        // Nobody listening means no live stream is open.
        let _ = stopping.send(true);
    };
    let headers_within = settings.limits.headers_within;
    let served = crate::connections::serve_connections(
        listener,
        router(state, sessions, settings, ShuttingDown(shutting_down)),
        headers_within,
        shutdown,
    )
    .await;
    cleanup.abort();
    served
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, finishing open requests"),
        () = terminate => tracing::info!("SIGTERM received, finishing open requests"),
    }
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let version = env!("CARGO_PKG_VERSION");
    match state.store().ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "version": version })).into_response(),
        Err(error) => {
            tracing::error!(error = %error, "health check: database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "version": version, "reason": "database does not answer" })),
            )
                .into_response()
        }
    }
}

/// `GET /api/events/catalog`: every event type, its owner, payload schema and
/// the tables it changes (the schema documentation).
async fn event_catalog(State(state): State<AppState>) -> Json<catalog::EventCatalog> {
    Json(catalog::event_catalog(state.store().registry()))
}

/// Which live events a client wants.
#[derive(Debug, Deserialize)]
struct LiveFilter {
    /// A function slug; every function when absent.
    function: Option<String>,
}

/// `GET /api/events/live[?function=<slug>]`: server-sent events, one per
/// event committed from now on (SSE event name: its type; data: the event as
/// JSON). A client that falls behind gets a `lagged` event with the number
/// of events it missed, and can read them from the log.
async fn live_events(
    State(state): State<AppState>,
    Extension(shutting_down): Extension<ShuttingDown>,
    Query(filter): Query<LiveFilter>,
) -> Response {
    let function = match filter
        .function
        .as_deref()
        .map(|slug| (slug, BusinessFunction::from_slug(slug)))
    {
        None => None,
        Some((_, Some(function))) => Some(function),
        Some((slug, None)) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("there is no business function called “{slug}”"),
            )
                .into_response();
        }
    };
    let events = BroadcastStream::new(state.store().subscribe_live());
    let posted_by_function = move |event: &RecordedEvent| {
        function.is_none_or(|wanted| wanted == event.metadata.function)
    };
    Sse::new(shutting_down.ends(live_stream(events, posted_by_function, LiveForm::Events)))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `GET /api/functions`: every business function, its page, its JSON
/// endpoints and whether it is built, for agents discovering the system.
async fn function_index() -> Json<Vec<FunctionListing>> {
    Json(
        BusinessFunction::ALL
            .into_iter()
            .map(staff::service::function_listing)
            .collect(),
    )
}

/// The answer for a path naming no business function. (The guard has
/// already refused such paths; this is the handlers' own check.)
fn no_such_function(slug: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(serde_json::json!({
            "kind": "not_found",
            "message": format!("there is no business function called “{slug}”"),
        })),
    )
        .into_response()
}

/// `GET /api/functions/<slug>`: the function's page as JSON, the same
/// struct its HTML page is rendered from.
async fn function_page(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let Some(function) = BusinessFunction::from_slug(&slug) else {
        return no_such_function(&slug);
    };
    match staff::service::function_page(state.store(), function).await {
        Ok(page) => Json(page).into_response(),
        Err(error) => {
            tracing::error!(%error, function = slug, "cannot build a function page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({
                    "kind": "internal",
                    "message": "Kiln could not build this page; the details are in the server log",
                })),
            )
                .into_response()
        }
    }
}

/// `GET /api/functions/<slug>/tables/<key>?filter=&sort=&order=asc|desc&page=&per_page=`:
/// one of the function's tables, filtered, sorted and a page at a time;
/// the rows come from the same view model as the page and its JSON.
async fn function_table(
    State(state): State<AppState>,
    Path((slug, key)): Path<(String, String)>,
    query: Result<Query<TableQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(function) = BusinessFunction::from_slug(&slug) else {
        return no_such_function(&slug);
    };
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "rejected",
                view::quoted(&rejection.body_text()),
            );
        }
    };
    let page = match staff::service::function_page(state.store(), function).await {
        Ok(page) => page,
        Err(error) => {
            tracing::error!(%error, function = slug, "cannot build a function page");
            return json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Kiln could not build this page; the details are in the server log".to_owned(),
            );
        }
    };
    let Some(table) = page.tables.iter().find(|table| table.key == key) else {
        let known: Vec<&str> = page.tables.iter().map(|table| table.key.as_str()).collect();
        return json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "{} has no table “{}”; its tables are: {}",
                function.title(),
                view::quoted(&key),
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        );
    };
    match table.page(&query) {
        Ok(rows) => Json(rows).into_response(),
        Err(refused) => json_error(StatusCode::BAD_REQUEST, "rejected", refused.to_string()),
    }
}

/// `GET /api/functions/<slug>/live`: server-sent events (unnamed, data:
/// the event's feed row as JSON: position, type, function, actor, stream,
/// time, never its payload), one per event the function posts from now on
/// and per message its agent sends or receives; for the Business Overview
/// and the Database Manager, every function's events. Payloads stay out
/// because the Business Overview follows every function's events and its
/// viewers may not read them all; whole events are the Database Manager's
/// to show (`/api/events/live`).
async fn function_live_events(
    State(state): State<AppState>,
    Extension(shutting_down): Extension<ShuttingDown>,
    Path(slug): Path<String>,
) -> Response {
    let Some(function) = BusinessFunction::from_slug(&slug) else {
        return no_such_function(&slug);
    };
    let watched = (!staff::service::oversees_everything(function)).then_some(function);
    let events = BroadcastStream::new(state.store().subscribe_live());
    let follows = move |event: &RecordedEvent| staff::service::follows(watched, event);
    Sse::new(shutting_down.ends(live_stream(events, follows, LiveForm::FeedRows)))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// What a live stream sends of each event, and how it names them.
#[derive(Debug, Clone, Copy)]
enum LiveForm {
    /// The whole event, named by its type (`/api/events/live`: a client
    /// listens per type).
    Events,
    /// The event's feed row, unnamed (`message`), so a page's `onmessage`
    /// hears every one.
    FeedRows,
}

fn live_stream(
    events: BroadcastStream<RecordedEvent>,
    wanted: impl Fn(&RecordedEvent) -> bool + Send + 'static,
    form: LiveForm,
) -> impl Stream<Item = Result<Event, Infallible>> {
    events.filter_map(move |received| match received {
        Ok(event) if wanted(&event) => {
            let sse = match form {
                LiveForm::Events => Event::default()
                    .event(event.event_type.clone())
                    .json_data(&event),
                LiveForm::FeedRows => {
                    Event::default().json_data(view::FeedEntry::of(&event))
                }
            };
            match sse {
                Ok(sse) => Some(Ok(sse.id(event.position.to_string()))),
                Err(error) => {
                    tracing::error!(%error, position = event.position, "cannot encode a live event");
                    None
                }
            }
        }
        Ok(_) => None,
        Err(BroadcastStreamRecvError::Lagged(missed)) => {
            Some(Ok(Event::default().event("lagged").data(missed.to_string())))
        }
    })
}

/// A refusal or failure as the JSON endpoints answer it:
/// `{"kind": …, "message": …}`.
fn json_error(status: StatusCode, kind: &str, message: String) -> Response {
    (
        status,
        Json(serde_json::json!({ "kind": kind, "message": message })),
    )
        .into_response()
}

/// `GET /api/database-manager/events?function=&event_type=&actor=&stream=&from=&until=&before=`:
/// a page of the events matching every filter given, newest first; the
/// answer's `older_than` is the `before` of the next page.
async fn event_search(
    State(state): State<AppState>,
    query: Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        // The only field that can fail to read is the position.
        Err(rejection) if rejection.body_text().contains("before") => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "rejected",
                "before must be an event position (a whole number)".to_owned(),
            );
        }
        Err(rejection) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                "rejected",
                view::quoted(&rejection.body_text()),
            );
        }
    };
    match database_manager::service::search_events(state.store(), query).await {
        Ok(search) => Json(search).into_response(),
        Err(EventSearchError::Store(error)) => {
            tracing::error!(%error, "the event search failed");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Kiln could not search the log; the details are in the server log".to_owned(),
            )
        }
        Err(refused) => json_error(StatusCode::BAD_REQUEST, "rejected", refused.to_string()),
    }
}

/// `GET /api/database-manager/events/<position>`: one event in full, its
/// metadata, payload and what its type means.
async fn event_detail(State(state): State<AppState>, Path(position): Path<String>) -> Response {
    let Ok(position) = position.parse::<i64>() else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "rejected",
            format!("“{}” is not an event position", view::quoted(&position)),
        );
    };
    match database_manager::service::event_detail(state.store(), position).await {
        Ok(Some(detail)) => Json(detail).into_response(),
        Ok(None) => json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("the log has no event at position {position}"),
        ),
        Err(error) => {
            tracing::error!(%error, position, "cannot read an event");
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Kiln could not read the event; the details are in the server log".to_owned(),
            )
        }
    }
}

/// `GET /api/database-manager/rebuild/progress`: server-sent events for
/// every rebuild step from now on (SSE event name: `progress`, `finished`
/// or `failed`; data: the update as JSON).
async fn rebuild_progress(
    State(state): State<AppState>,
    Extension(shutting_down): Extension<ShuttingDown>,
) -> Response {
    let updates = BroadcastStream::new(state.rebuilds().subscribe());
    Sse::new(
        shutting_down.ends(updates.filter_map(|received| match received {
            Ok(update) => {
                let name = match &update {
                    RebuildUpdate::Progress { .. } => "progress",
                    RebuildUpdate::Finished(_) => "finished",
                    RebuildUpdate::Failed { .. } => "failed",
                };
                match Event::default().event(name).json_data(&update) {
                    Ok(sse) => Some(Ok::<_, Infallible>(sse)),
                    Err(error) => {
                        tracing::error!(%error, "cannot encode a rebuild update");
                        None
                    }
                }
            }
            Err(BroadcastStreamRecvError::Lagged(missed)) => Some(Ok(
                Event::default().event("lagged").data(missed.to_string()),
            )),
        })),
    )
    .keep_alive(KeepAlive::default())
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_the_router_serves_is_in_the_authorisation_table() {
        assert_eq!(routes_missing_from_table(), Vec::<String>::new());
    }
}
