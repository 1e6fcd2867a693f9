//! A writer killed with SIGKILL mid-stream loses nothing it acknowledged,
//! leaves no partial append, and its projections equal a fresh rebuild.

use app::event::{Actor, StreamId};
use app::functions::BusinessFunction;
use app::functions::category::events::{CategoryEvent, Collection, ProductIntroduced, Sku};
use app::money::{Currency, Money};
use app::store::{EventMetadata, RecordedEvent, projections};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

#[path = "support/postgres.rs"]
mod postgres;

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
            "crash_child_process",
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
