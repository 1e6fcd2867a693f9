//! Builds a function's page: its own figures and tables come from the
//! function's service, the event feed and the plain statements of what is
//! not built yet are the same for every function.

use crate::functions::view::{FeedEntry, FunctionListing, FunctionPage, ListedEndpoint};
use crate::functions::{customers, platform_manager};
use crate::store::{EventStore, RecordedEvent, StoreError};
use kiln_core::function::BusinessFunction;

/// How many events a page's feed shows.
pub const FEED_LENGTH: i64 = 25;

/// How many conversations of its agent a page shows.
pub const CONVERSATIONS_SHOWN: i64 = 10;

/// How many of its agent's steps a page lists, newest first.
pub const AGENT_STEPS_SHOWN: i64 = 20;

/// The newest steps of `agent` (of every agent when `None`), as a table.
async fn agent_steps_table(
    store: &EventStore,
    agent: Option<BusinessFunction>,
) -> Result<crate::functions::view::DataTable, StoreError> {
    let mut table = crate::functions::view::DataTable::new(
        "agent-steps",
        &format!("The agent's steps (the newest {AGENT_STEPS_SHOWN})"),
        &[
            "When (UTC)",
            "Agent",
            "Woken by",
            "Brain",
            "What it saw",
            "What it did",
            "Position",
        ],
        "The agent has not taken a step yet.",
    );
    if agent.is_none() {
        table.title = format!("Every agent's steps (the newest {AGENT_STEPS_SHOWN})");
        table.empty = "No agent has taken a step yet.".to_owned();
    }
    for step in platform_manager::projection::agent_steps(store, agent, AGENT_STEPS_SHOWN).await? {
        table.row(vec![
            step.taken_at
                .get(..16)
                .unwrap_or(&step.taken_at)
                .replace('T', " "),
            format!("agent:{}", step.agent),
            step.trigger_text,
            step.brain,
            step.observations,
            if step.actions.is_empty() {
                "nothing".to_owned()
            } else {
                step.actions.replace('\n', "; ")
            },
            format!("#{}", step.last_position),
        ]);
    }
    Ok(table)
}

impl FunctionPage {
    /// The page of `function` with its name, group and purpose, and no
    /// figures yet; the function's service fills those in.
    pub fn of(function: BusinessFunction) -> Self {
        let agent_runs = crate::functions::descriptor(function)
            .is_some_and(|descriptor| descriptor.agent.is_some());
        let operated_by = if agent_runs {
            format!(
                "People, with the {} agent (agent:{}): it reads the function's data and proposes; people decide",
                function.title(),
                function.slug()
            )
        } else if function.has_agent() {
            format!(
                "People alone for now: the {} agent (agent:{}) is not built yet",
                function.title(),
                function.slug()
            )
        } else {
            "People only: the briefing gives this function no agent".to_owned()
        };
        let mut not_built_yet = Vec::new();
        if !crate::functions::page_built(function) {
            not_built_yet.push(format!(
                "{} is not built yet: no commands, data or figures exist for it.",
                function.title()
            ));
        }
        if function.has_agent() && !function.takes_proposals() {
            not_built_yet.push(
                "Decisions awaiting approval and recently decided: this function takes no proposals yet (Category Management's base prices, Customer Management's dealer applications and the Platform Manager's change request triage do)."
                    .to_owned(),
            );
        }
        FunctionPage {
            function,
            title: function.title().to_owned(),
            group: function.group(),
            purpose: function.purpose().to_owned(),
            operated_by,
            built: crate::functions::page_built(function),
            metrics: Vec::new(),
            charts: Vec::new(),
            trends: Vec::new(),
            catalog: Vec::new(),
            choices: Vec::new(),
            tables: Vec::new(),
            decisions: Vec::new(),
            conversations: Vec::new(),
            events: Vec::new(),
            change_requests: Vec::new(),
            not_built_yet,
        }
    }
}

/// The page of `function` as it stands now.
pub async fn function_page(
    store: &EventStore,
    function: BusinessFunction,
) -> Result<FunctionPage, StoreError> {
    let mut page = FunctionPage::of(function);
    if let Some(descriptor) = crate::functions::descriptor(function) {
        (descriptor.fill_page)(store, crate::functions::BUILT, &mut page).await?;
    }
    // Customer feedback staff flagged to this function, on the pages of
    // built functions that take feedback (the flags to a function not
    // built yet wait in Customer Management's list).
    if page.built
        && !matches!(
            function,
            BusinessFunction::Customers
                | BusinessFunction::Overview
                | BusinessFunction::DatabaseManager
        )
    {
        page.tables.push(flagged_to(store, function).await?);
    }
    let watched = if oversees_everything(function) {
        None
    } else {
        Some(function)
    };
    page.events = feed(store, watched).await?;
    if function.has_agent() {
        page.conversations =
            platform_manager::projection::conversations(store, function, CONVERSATIONS_SHOWN)
                .await?;
    }
    // A function's own agent's health and steps; the Platform Manager,
    // which keeps the agent network, and the Business Overview show every
    // agent's health, the Platform Manager every agent's steps too.
    let built = crate::functions::BUILT;
    if matches!(
        function,
        BusinessFunction::PlatformManager | BusinessFunction::Overview
    ) {
        page.tables
            .push(crate::agents::health::health_table(store, built, None).await?);
        if function == BusinessFunction::PlatformManager {
            page.tables.push(agent_steps_table(store, None).await?);
        }
    } else if crate::functions::descriptor(function)
        .is_some_and(|descriptor| descriptor.agent.is_some())
    {
        page.tables
            .push(crate::agents::health::health_table(store, built, Some(function)).await?);
        page.tables
            .push(agent_steps_table(store, Some(function)).await?);
    }
    // The Platform Manager triages every function's change requests.
    let concerning = (function != BusinessFunction::PlatformManager).then_some(function);
    page.change_requests = platform_manager::projection::change_requests(store, concerning).await?;
    Ok(page)
}

/// Whether a page of `watched` (every function's when `None`) follows
/// `event` live: the function's own events, and the messages its agent
/// sends or receives and the steps it takes (which the Platform Manager
/// records).
pub fn follows(watched: Option<BusinessFunction>, event: &RecordedEvent) -> bool {
    let Some(function) = watched else {
        return true;
    };
    if event.metadata.function == function {
        return true;
    }
    let names = |field: &str| {
        event.payload.get(field).and_then(|slug| slug.as_str()) == Some(function.slug())
    };
    event.metadata.function == BusinessFunction::PlatformManager
        && match event.event_type.as_str() {
            "AgentMessageSent" => names("from") || names("to"),
            "AgentStepTaken" => names("agent"),
            _ => false,
        }
}

/// Whether the function's feed (and live events) show every function's
/// events: the Business Overview and the Database Manager watch the
/// whole business.
pub fn oversees_everything(function: BusinessFunction) -> bool {
    matches!(
        function,
        BusinessFunction::Overview | BusinessFunction::DatabaseManager
    )
}

/// The newest events of `function` (of every function when `None`),
/// newest first.
async fn feed(
    store: &EventStore,
    function: Option<BusinessFunction>,
) -> Result<Vec<FeedEntry>, StoreError> {
    Ok(store
        .newest_events(function, FEED_LENGTH)
        .await?
        .iter()
        .map(FeedEntry::of)
        .collect())
}

/// The customer feedback flagged to `function`, newest first, as a table.
async fn flagged_to(
    store: &EventStore,
    function: BusinessFunction,
) -> Result<crate::functions::view::DataTable, StoreError> {
    let mut table = crate::functions::view::DataTable::new(
        "customer-feedback",
        &format!(
            "Customer feedback flagged here (the newest {})",
            customers::projection::FLAGS_SHOWN
        ),
        &[
            "Flagged (UTC)",
            "Ticket",
            "Subject",
            "Customer",
            "Latest message",
            "Note",
        ],
        "No customer feedback has been flagged to this function.",
    );
    for flag in customers::projection::flagged_feedback(
        store,
        Some(function),
        customers::projection::FLAGS_SHOWN,
    )
    .await?
    {
        table.row(vec![
            flag.flagged_at
                .get(..16)
                .unwrap_or(&flag.flagged_at)
                .replace('T', " "),
            flag.ticket.to_string(),
            flag.subject,
            flag.customer_name,
            flag.last_message,
            flag.note,
        ]);
    }
    Ok(table)
}

/// How `GET /api/functions` lists `function`.
pub fn function_listing(function: BusinessFunction) -> FunctionListing {
    FunctionListing {
        slug: function.slug().to_owned(),
        title: function.title().to_owned(),
        group: function.group(),
        phase: function.phase(),
        live: crate::functions::page_built(function),
        page: function.page_url(),
        json: format!("/api/functions/{}", function.slug()),
        live_events: format!("/api/functions/{}/live", function.slug()),
        table_json: format!("/api/functions/{}/tables/{{key}}", function.slug()),
        agent: function
            .has_agent()
            .then(|| format!("agent:{}", function.slug())),
        endpoints: own_endpoints(function),
    }
}

/// The API routes of the authorisation table that belong to `function`:
/// those needing a capability in it (the shared `/api/functions/…` ones
/// aside), those under its own `/api/<slug>/` (whatever they need, e.g.
/// an administrator's), and, for a function with an agent, the routes
/// only agents use. A route matching by prefix is shown ending in `…`.
fn own_endpoints(function: BusinessFunction) -> Vec<ListedEndpoint> {
    use crate::access::Requirement;
    use crate::access::route::{Method, PathPattern};
    use crate::access::table::every_route;
    let own_prefix = format!("/api/{}/", function.slug());
    every_route()
        .filter_map(|route| {
            let path = match route.path {
                PathPattern::Exact(path) => path.to_owned(),
                PathPattern::Prefix(prefix) => format!("{prefix}…"),
            };
            let belongs = match route.required {
                Requirement::Function {
                    function: needed, ..
                } => needed == function && !path.starts_with("/api/functions"),
                Requirement::Agent => function.has_agent(),
                _ => false,
            };
            ((belongs && path.starts_with("/api/")) || path.starts_with(&own_prefix)).then(|| {
                ListedEndpoint {
                    method: match route.method {
                        Method::Get => "GET",
                        Method::Post => "POST",
                    }
                    .to_owned(),
                    path,
                    needs: route.required.to_string(),
                    purpose: route.purpose.to_owned(),
                }
            })
        })
        .collect()
}
