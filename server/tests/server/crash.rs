//! A writer killed with SIGKILL mid-stream loses nothing it acknowledged,
//! leaves no partial append, and its projections equal a fresh rebuild;
//! and `kiln serve` killed while shoppers and dealers place orders loses no
//! acknowledged order, and a retry never places one twice.

use app::event::{Actor, StreamId};
use app::functions::BusinessFunction;
use app::functions::category::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
use app::money::{Currency, Money};
use app::store::{EventMetadata, RecordedEvent, projections};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crate::support::postgres;

const CHILD_DATABASE: &str = "KILN_CRASH_CHILD_DATABASE";
const EVENTS_PER_APPEND: i64 = 10;

/// Not a test of its own: the body of the child process that
/// `acknowledged_appends_survive_a_sigkill` starts (it does nothing unless
/// that test set the database variable). Appends forever, printing the last
/// position of each committed append.
#[tokio::test]
async fn crash_child_process() {
    let Ok(url) = std::env::var(CHILD_DATABASE) else {
        return;
    };
    let store = kiln::open_database(&url)
        .await
        .expect("child opens the database");
    let metadata = EventMetadata::new(Actor::system("crash-test"), BusinessFunction::Category);
    let mut stdout = std::io::stdout();
    for append in 0.. {
        let events: Vec<CategoryEvent> = (0..EVENTS_PER_APPEND)
            .map(|i| {
                CategoryEvent::ProductIntroduced(ProductIntroduced {
                    sku: Sku::parse(&format!("CRASH-{append}-{i}")).expect("valid SKU"),
                    name: "Crash mug".into(),
                    collection: Collection::Mugs,
                    description: String::new(),
                    base_price: Money::new(1000, Currency::Usd),
                    image: "/products/mug-tide-10.svg".into(),
                    variant: None,
                    unit_cost: None,
                })
            })
            .collect();
        let appended = store
            .append(
                &StreamId::new(format!("crash-{append}")),
                0,
                &events,
                &metadata,
            )
            .await
            .expect("append");
        let last = appended.events.last().expect("events").position;
        writeln!(stdout, "acknowledged {last}").expect("report");
        stdout.flush().expect("flush");
    }
}

#[tokio::test]
async fn acknowledged_appends_survive_a_sigkill_on_sqlite() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("kiln.db").display());
    let positions = crash_a_writer(&url).await;
    assert_eq!(
        positions,
        (1..=positions.len() as i64).collect::<Vec<_>>(),
        "positions are not contiguous"
    );
}

#[tokio::test]
async fn acknowledged_appends_survive_a_sigkill_on_postgres() {
    let url = postgres::fresh_postgres_database().await;
    let positions = crash_a_writer(&url).await;
    // A killed PostgreSQL client's open transaction is rolled back, which
    // may leave a gap at the end; positions must still strictly increase.
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "positions are not increasing"
    );
}

/// Starts a child that appends to `url` in a loop, kills it with SIGKILL
/// once it has acknowledged 300 appends, and checks what survived: every
/// acknowledged append, no partial append, projections equal to a rebuild.
/// Returns the positions in the log.
async fn crash_a_writer(url: &str) -> Vec<i64> {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            // The test's name inside the one server test binary.
            "crash::crash_child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DATABASE, url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child");

    let mut acknowledged = 0_i64;
    let mut lines = BufReader::new(child.stdout.take().expect("child stdout")).lines();
    while acknowledged < 300 * EVENTS_PER_APPEND {
        let line = lines
            .next()
            .expect("the child reports before it is killed")
            .expect("readable line");
        if let Some(position) = line.strip_prefix("acknowledged ") {
            acknowledged = position.parse().expect("a position");
        }
    }
    // Rust's Child::kill sends SIGKILL on Unix: no destructor, no flush.
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");

    let store = kiln::open_database(url)
        .await
        .expect("reopen after the crash");
    let mut events = Vec::new();
    loop {
        let after = events
            .last()
            .map_or(0, |event: &RecordedEvent| event.position);
        let page = store.read_after(after, 10_000).await.expect("read the log");
        if page.is_empty() {
            break;
        }
        events.extend(page);
    }
    let positions: Vec<i64> = events.iter().map(|event| event.position).collect();
    let last = *positions.last().expect("events survived");
    assert!(
        last >= acknowledged,
        "acknowledged {acknowledged} but only {last} survived"
    );
    assert_eq!(
        events.len() as i64 % EVENTS_PER_APPEND,
        0,
        "a partial append survived"
    );
    assert!(
        events
            .iter()
            .all(|event| event.stream_version <= EVENTS_PER_APPEND),
        "a stream holds more than one append"
    );

    let report = projections::rebuild(&store, None, |_| {})
        .await
        .expect("rebuild");
    assert!(
        report.all_equal(),
        "projections differ from a fresh rebuild: {report:?}"
    );
    assert_eq!(report.tables[0].1.rows, events.len() as u64);
    store.close().await;
    positions
}

/// A `kiln serve` process on `url`'s database, on a free port.
struct Server {
    process: std::process::Child,
    address: String,
}

impl Server {
    fn start(url: &str) -> Server {
        let site_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
        let mut process = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["serve", "--addr", "127.0.0.1:0", "--site-root"])
            .arg(&site_root)
            .env("KILN_DATABASE_URL", url)
            .env("KILN_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start kiln serve");
        let mut lines = BufReader::new(process.stderr.take().expect("stderr")).lines();
        let address = loop {
            let line = lines
                .next()
                .expect("kiln serve says where it listens before anything else")
                .expect("a log line");
            if let Some(at) = line.find("http://127.0.0.1:") {
                let port: String = line[at + "http://127.0.0.1:".len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                break format!("http://127.0.0.1:{port}");
            }
        };
        // The log is drained so that a full pipe never blocks the server.
        std::thread::spawn(move || lines.for_each(drop));
        Server { process, address }
    }
}

/// A server a failing test leaves behind is stopped with it.
impl Drop for Server {
    fn drop(&mut self) {
        // Already gone when the test killed it itself: nothing to do then.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One attempt to place an order: its id, the form that places it, and
/// whether the server acknowledged it (answered with the order's page).
struct Attempt {
    order: String,
    form: Vec<(String, String)>,
    acknowledged: bool,
}

/// A buyer with its own cookies: a guest shopper or a signed-in dealer.
struct Buyer {
    client: reqwest::Client,
    dealer: bool,
    attempts: Vec<Attempt>,
}

impl Buyer {
    fn new(dealer: bool) -> Buyer {
        Buyer {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .timeout(std::time::Duration::from_secs(20))
                .build()
                .expect("a client"),
            dealer,
            attempts: Vec::new(),
        }
    }

    /// The order id the order page (checkout or quick order) hands out.
    async fn fresh_order_id(&self, address: &str) -> Option<String> {
        let page = if self.dealer {
            "/portal/order"
        } else {
            "/checkout"
        };
        let html = self
            .client
            .get(format!("{address}{page}"))
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        let start = html.find("name=\"form[order]\"")?;
        let value = html[start..].find("value=\"")? + start + "value=\"".len();
        let end = html[value..].find('"')? + value;
        Some(html[value..end].to_owned())
    }

    /// Sends `form` to place an order; the order's page, or what came
    /// instead.
    async fn place(
        &self,
        address: &str,
        order: &str,
        form: &[(String, String)],
    ) -> Result<(), String> {
        let (function, page) = if self.dealer {
            ("/api/portal/order", "/portal/order")
        } else {
            ("/api/checkout/place", "/checkout")
        };
        let answer = self
            .client
            .post(format!("{address}{function}"))
            .header("accept", "text/html")
            .header("referer", format!("{address}{page}"))
            .form(form)
            .send()
            .await;
        let answer = answer.map_err(|error| error.to_string())?;
        if answer.status().is_success() && answer.url().path() == format!("/orders/{order}") {
            return Ok(());
        }
        let landed = answer.url().clone();
        let refusal = landed
            .query_pairs()
            .find(|(key, _)| key == "__err")
            .map(|(_, value)| value.into_owned());
        Err(format!("{} at {landed}: {refusal:?}", answer.status()))
    }

    /// Places orders one after another until `stop` is set.
    async fn keep_ordering(
        mut self,
        address: String,
        stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
        acknowledged: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) -> Buyer {
        use std::sync::atomic::Ordering;
        while !stop.load(Ordering::Relaxed) {
            if !self.dealer {
                let added = self
                    .client
                    .post(format!("{address}/api/cart/add"))
                    .header("accept", "text/html")
                    .header("referer", format!("{address}/shop/MUG-SPECKLE-12"))
                    .form(&[("item[sku]", "MUG-SPECKLE-12"), ("item[quantity]", "1")])
                    .send()
                    .await;
                if added.is_err() {
                    continue;
                }
            }
            let Some(order) = self.fresh_order_id(&address).await else {
                continue;
            };
            let form = order_form(self.dealer, &order);
            let outcome = self.place(&address, &order, &form).await;
            let placed = outcome.is_ok();
            if placed {
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
            self.attempts.push(Attempt {
                order,
                form,
                acknowledged: placed,
            });
        }
        self
    }
}

/// The form that places order `order`: a guest's checkout, or a dealer's
/// quick order of two mugs.
fn order_form(dealer: bool, order: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("form[order]", order),
        ("form[line1]", "12 Kiln Lane"),
        ("form[line2]", ""),
        ("form[city]", "Stoke"),
        ("form[postcode]", "ST1 4AB"),
        ("form[country]", "United Kingdom"),
        ("form[shipping]", "standard"),
    ];
    if dealer {
        form.extend([
            ("form[name]", "Clay & Cup Café"),
            ("form[sheet]", ""),
            ("form[grid][0][sku]", "MUG-SPECKLE-12"),
            ("form[grid][0][quantity]", "2"),
        ]);
    } else {
        form.extend([
            ("form[name]", "Ada Byron"),
            ("form[email]", "ada@example.com"),
        ]);
    }
    form.into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_acknowledged_before_a_sigkill_under_load_exist_once_and_retries_place_none_twice() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("kiln.db").display());
    let seeded = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["seed", "--demo"])
        .env("KILN_DATABASE_URL", &url)
        .output()
        .expect("kiln seed runs");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    let mut server = Server::start(&url);
    let mut buyers: Vec<Buyer> = (0..6).map(|_| Buyer::new(false)).collect();
    for (email, password) in [
        ("orders@clayandcup.example", "fenwick-demo-dealer-a"),
        ("buyer@hollowoak.example", "fenwick-demo-dealer-b"),
    ] {
        let dealer = Buyer::new(true);
        let signed_in = dealer
            .client
            .post(format!("{}/api/account/sign-in", server.address))
            .header("accept", "text/html")
            .header("referer", format!("{}/login", server.address))
            .form(&[("form[email]", email), ("form[password]", password)])
            .send()
            .await
            .expect("an answer");
        assert!(
            signed_in.url().path().starts_with("/portal"),
            "{}",
            signed_in.url()
        );
        buyers.push(dealer);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let ordering: Vec<_> = buyers
        .into_iter()
        .map(|buyer| {
            tokio::spawn(buyer.keep_ordering(
                server.address.clone(),
                stop.clone(),
                acknowledged.clone(),
            ))
        })
        .collect();
    // Killed in the middle of the load: after some orders, with more in
    // flight.
    let started = std::time::Instant::now();
    while acknowledged.load(Ordering::Relaxed) < 40 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "only {} orders were placed in a minute",
            acknowledged.load(Ordering::Relaxed)
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server.process.kill().expect("SIGKILL the server");
    server.process.wait().expect("reap it");
    stop.store(true, Ordering::Relaxed);
    let mut buyers = Vec::new();
    for task in ordering {
        buyers.push(task.await.expect("a buyer's task"));
    }

    // Every buyer sends each of its orders again to the restarted server,
    // newest first: the one the crash cut off, as a browser retries after
    // an error, then the ones answered before. (Sending an old checkout
    // again empties the cart, so the newest goes first while its cart is
    // still there.)
    let mut server = Server::start(&url);
    for buyer in &buyers {
        for attempt in buyer.attempts.iter().rev() {
            if let Err(answer) = buyer
                .place(&server.address, &attempt.order, &attempt.form)
                .await
            {
                panic!(
                    "sending {} (acknowledged: {}) again did not answer with its page: {answer}",
                    attempt.order, attempt.acknowledged
                );
            }
        }
    }
    server.process.kill().expect("stop the server");
    server.process.wait().expect("reap it");

    let store = kiln::open_database(&url).await.expect("reopen");
    let mut placed = std::collections::HashMap::<String, usize>::new();
    let mut after = 0;
    loop {
        let page = store.read_after(after, 10_000).await.expect("read the log");
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in page
            .iter()
            .filter(|event| event.event_type == "OrderPlaced")
        {
            let order = event.payload["order"]
                .as_str()
                .expect("an order id")
                .to_owned();
            *placed.entry(order).or_default() += 1;
        }
    }
    let attempts: Vec<&Attempt> = buyers.iter().flat_map(|buyer| &buyer.attempts).collect();
    assert!(
        attempts
            .iter()
            .filter(|attempt| attempt.acknowledged)
            .count()
            >= 40
    );
    for attempt in attempts {
        assert_eq!(
            placed.get(&attempt.order).copied(),
            Some(1),
            "order {} (acknowledged before the crash: {}) is in the log that many times",
            attempt.order,
            attempt.acknowledged
        );
    }
    let report = projections::rebuild(&store, None, |_| {})
        .await
        .expect("rebuild");
    assert!(
        report.all_equal(),
        "projections differ from a rebuild: {report:?}"
    );
    store.close().await;
}

/// `kiln serve` killed again and again while Category Management's agent
/// works (its first look at the demo, then market notes that wake it
/// again between lives): after the last restart the agent catches up,
/// every step is recorded once, and every decision a step chose was
/// proposed exactly once. (`app::agents::runtime`'s tests stop a life at
/// each point of a round deterministically; this one kills a real server
/// wherever the kill lands.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_killed_mid_work_loses_and_repeats_no_decision_after_a_restart() {
    use app::agents::step::AgentStep;
    use app::functions::platform_manager::events::PlatformEvent;
    use app::store::subscriptions::Subscriber;

    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("kiln.db").display());
    let seeded = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["seed", "--demo"])
        .env("KILN_DATABASE_URL", &url)
        .output()
        .expect("kiln seed runs");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );

    // Rivals noticed between lives, each calling for a proposal.
    let notes = [
        ("PLN-FOOTED-8", "Garden centre's spring catalogue", "64.00"),
        ("MUG-TIDE-10-IND", "Hearth & Kiln online shop", "38.00"),
        ("PLN-FOOTED-8", "Saltmarsh Pottery", "66.00"),
    ];
    for (life, delay_ms) in [0_u64, 15, 60, 150].into_iter().enumerate() {
        let mut server = Server::start(&url);
        tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
        server.process.kill().expect("SIGKILL the server");
        server.process.wait().expect("reap it");
        if let Some((sku, source, price)) = notes.get(life) {
            let store = kiln::open_database(&url).await.expect("open");
            app::functions::category::service::note_market_price(
                &store,
                Actor::parse("user:acc-0000000000000001").expect("actor"),
                app::functions::category::view::MarketNoteForm {
                    sku: (*sku).into(),
                    source: (*source).into(),
                    their_price: (*price).into(),
                    note: "Seen this week".into(),
                },
            )
            .await
            .expect("noted");
            store.close().await;
        }
    }

    // The last life runs until every agent has caught up with the log and
    // the log has stopped growing: Category's agent may wait on
    // Fulfillment's answer before it proposes.
    let mut server = Server::start(&url);
    let store = kiln::open_database(&url).await.expect("open");
    let checkpoints: Vec<Subscriber> = [
        "agent-category",
        "agent-customers",
        "agent-fulfillment",
        "agent-platform-manager",
    ]
    .into_iter()
    .map(|name| Subscriber::new(name, store.clone()))
    .collect();
    let started = std::time::Instant::now();
    let mut quiet_at = None;
    loop {
        let head = store.head_position().await.expect("head");
        let mut caught_up = true;
        for checkpoint in &checkpoints {
            caught_up &= checkpoint.checkpoint().await.expect("checkpoint") >= head;
        }
        if caught_up && quiet_at == Some(head) {
            break;
        }
        quiet_at = caught_up.then_some(head);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the agents did not catch up in 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    }
    server.process.kill().expect("stop the server");
    server.process.wait().expect("reap it");

    let steps: Vec<AgentStep> = store
        .load::<PlatformEvent>(&AgentStep::stream(BusinessFunction::Category))
        .await
        .expect("the agent's steps")
        .events
        .into_iter()
        .filter_map(|event| match event {
            PlatformEvent::AgentStepTaken(step) => Some(step),
            _ => None,
        })
        .collect();
    // How many steps there are depends on how far each life got before
    // its kill: on a loaded machine no life may reach the agent's first
    // round, and the last life's one step then covers the demo and every
    // note. What must hold whatever the timing is below: no step twice,
    // no decision twice, none lost.
    assert!(!steps.is_empty(), "the agent took no step");
    let keys: std::collections::HashSet<String> = steps
        .iter()
        .map(|step| AgentStep::key(step.agent, &step.trigger))
        .collect();
    assert_eq!(keys.len(), steps.len(), "a step was recorded twice");
    let chosen: Vec<String> = steps
        .iter()
        .flat_map(|step| &step.actions)
        .filter_map(|action| action.decision().map(ToString::to_string))
        .collect();
    assert!(
        chosen.len() >= 3,
        "the demo and the notes call for proposals: {chosen:?}"
    );

    let mut proposed = std::collections::HashMap::<String, usize>::new();
    let mut after = 0;
    loop {
        let page = store.read_after(after, 10_000).await.expect("read the log");
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in page.iter().filter(|event| {
            event.event_type == "PriceChangeProposed"
                && event.metadata.actor == Actor::agent(BusinessFunction::Category)
        }) {
            let decision = event.metadata.decision_id.clone().expect("a decision id");
            *proposed.entry(decision).or_default() += 1;
        }
    }
    for decision in &chosen {
        assert_eq!(
            proposed.get(decision).copied(),
            Some(1),
            "decision {decision} proposed that many times"
        );
    }
    assert_eq!(
        proposed.len(),
        chosen.len(),
        "a proposal no recorded step chose"
    );
    let report = projections::rebuild(&store, None, |_| {})
        .await
        .expect("rebuild");
    assert!(
        report.all_equal(),
        "projections differ from a rebuild: {report:?}"
    );
    store.close().await;
}
