//! The `kiln` command line, run as a user runs it.

use std::process::{Command, Output};

use crate::support::postgres;

/// A fresh database for one test, and `kiln` pointed at it.
struct DataDir {
    dir: tempfile::TempDir,
    url: String,
}

impl DataDir {
    /// A SQLite database inside a directory that does not exist yet.
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("data/kiln.db").display());
        DataDir { dir, url }
    }

    /// An empty database on the tests' PostgreSQL server.
    fn postgres() -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        DataDir {
            dir: tempfile::tempdir().expect("temporary directory"),
            url: runtime.block_on(postgres::fresh_postgres_database()),
        }
    }

    fn database_url(&self) -> String {
        self.url.clone()
    }

    fn kiln(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(args)
            .env("KILN_DATABASE_URL", self.database_url())
            .env("KILN_LOG", "info")
            .output()
            .expect("kiln runs")
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn version_prints_the_package_version() {
    let output = DataDir::new().kiln(&["--version"]);
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("kiln {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn migrate_creates_the_database_and_its_directory() {
    let data = DataDir::new();
    let output = data.kiln(&["migrate"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(data.dir.path().join("data/kiln.db").exists());
    assert!(stderr(&output).contains("schema is up to date"));
}

#[test]
fn seeding_the_demo_twice_is_refused_the_second_time_and_changes_nothing() {
    let data = DataDir::new();
    let first = data.kiln(&["seed", "--demo"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stderr(&first).contains("loaded the demo business"));

    let second = data.kiln(&["seed", "--demo"]);
    assert!(!second.status.success());
    assert!(
        stderr(&second).contains("the database already holds 154 events; the demo business is only loaded into an empty one"),
        "{}",
        stderr(&second)
    );

    let if_empty = data.kiln(&["seed", "--demo", "--if-empty"]);
    assert!(if_empty.status.success(), "{}", stderr(&if_empty));
    assert!(stderr(&if_empty).contains("demo business not loaded"));
}

#[test]
fn seed_without_a_data_set_asks_for_one() {
    let output = DataDir::new().kiln(&["seed"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--demo"), "{}", stderr(&output));
}

#[test]
fn a_database_url_of_another_engine_is_refused_without_showing_its_password() {
    let output = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args([
            "migrate",
            "--database-url",
            "mysql://kiln:s3cret@localhost/kiln",
        ])
        .output()
        .expect("kiln runs");
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("the URL must start with sqlite:// or postgres://"),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");
}

#[test]
fn migrate_seed_rebuild_and_check_work_on_postgres() {
    let data = DataDir::postgres();
    for args in [
        &["migrate"][..],
        &["seed", "--demo"],
        &["integrity", "check"],
    ] {
        let output = data.kiln(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let output = data.kiln(&["projections", "rebuild"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains(&format!("rebuilt {} from 154 events", every_projection())),
        "{report}"
    );
    for table in ["catalog_products", "accounts", "staff_roles"] {
        let row = report
            .lines()
            .find(|line| line.starts_with(table))
            .unwrap_or_else(|| panic!("a row for {table} in {report}"));
        assert!(row.ends_with("yes"), "{row}");
    }
}

#[test]
fn a_bad_log_filter_is_refused_with_a_clear_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["migrate", "--log", "kiln=loud"])
        .output()
        .expect("kiln runs");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is not a valid log filter"),
        "{}",
        stderr(&output)
    );
}

/// Every projection's name, in the order the functions' descriptors
/// list them.
fn every_projection() -> String {
    app::functions::registry()
        .expect("the registry")
        .projector_names()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn rebuilding_projections_reports_equal_checksums() {
    let data = DataDir::new();
    assert!(data.kiln(&["seed", "--demo"]).status.success());
    let output = data.kiln(&["projections", "rebuild"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains(&format!("rebuilt {} from 154 events", every_projection())),
        "{report}"
    );
    for table in ["catalog_products", "accounts", "staff_roles"] {
        let row = report
            .lines()
            .find(|line| line.starts_with(table))
            .unwrap_or_else(|| panic!("a row for {table} in {report}"));
        assert!(row.ends_with("yes"), "{row}");
    }
}

#[test]
fn rebuilding_an_unknown_projection_fails_and_names_the_known_ones() {
    let data = DataDir::new();
    let output = data.kiln(&["projections", "rebuild", "inventory"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!(
            "there is no projection called “inventory”; known projections: {}",
            every_projection()
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn integrity_check_reports_every_invariant_holding_on_the_demo() {
    let data = DataDir::new();
    assert!(data.kiln(&["seed", "--demo"]).status.success());
    let output = data.kiln(&["integrity", "check"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(report.contains("catalog-matches-introductions"), "{report}");
    assert!(!report.contains("violation"), "{report}");
}

#[test]
fn the_store_benchmark_ends_with_one_json_line_of_every_figure() {
    assert_benchmark_figures(&["--backend", "sqlite"]);
}

#[test]
fn the_store_benchmark_measures_postgres_on_a_throwaway_database() {
    let server = std::env::var("KILN_TEST_POSTGRES_URL")
        .expect("KILN_TEST_POSTGRES_URL names the tests' PostgreSQL server");
    assert_benchmark_figures(&["--backend", "postgres", "--postgres-server", &server]);
}

#[test]
fn the_agents_benchmark_times_reactions_that_each_end_in_a_proposal_and_prints_json() {
    let data = DataDir::new();
    let output = data.kiln(&[
        "bench",
        "agents",
        "--reactions",
        "3",
        "--append-events",
        "400",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    let last = report.lines().last().expect("output");
    let figures: serde_json::Value = serde_json::from_str(last).expect("last line is JSON");
    for key in [
        "reaction_p50_ms",
        "reaction_p99_ms",
        "steps_per_s",
        "append_events_per_s_agents_off",
        "append_events_per_s_agents_on",
        "append_cost_percent",
    ] {
        assert!(figures[key].is_number(), "{key} missing in {last}");
    }
    assert!(figures["agent_steps_while_appending"].is_u64(), "{last}");
}

fn assert_benchmark_figures(backend: &[&str]) {
    let data = DataDir::new();
    let mut args = vec![
        "bench",
        "store",
        "--events",
        "1000",
        "--single-appends",
        "20",
    ];
    args.extend_from_slice(backend);
    let output = data.kiln(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stdout(&output);
    let last = report.lines().last().expect("output");
    let figures: serde_json::Value = serde_json::from_str(last).expect("last line is JSON");
    for key in [
        "batched_events_per_s",
        "single_append_p50_ms",
        "single_append_p99_ms",
        "rebuild_events",
        "rebuild_s",
        "rebuild_peak_rss_mb",
    ] {
        assert!(figures[key].is_number(), "{key} missing in {last}");
    }
    assert_eq!(figures["rebuild_events"], 1020);
}

#[test]
fn the_postgres_benchmark_asks_for_a_server() {
    let output = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["bench", "store", "--backend", "postgres"])
        .env_remove("KILN_BENCH_POSTGRES_URL")
        .output()
        .expect("kiln runs");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("--backend postgres needs a server to measure"),
        "{}",
        stderr(&output)
    );
}

impl DataDir {
    /// Runs `kiln` with `stdin` as its standard input.
    fn kiln_with_input(&self, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(args)
            .env("KILN_DATABASE_URL", self.database_url())
            .env("KILN_LOG", "debug")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kiln starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("kiln runs")
    }

    /// Every byte of the SQLite database and its write-ahead log.
    fn database_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for name in ["data/kiln.db", "data/kiln.db-wal"] {
            if let Ok(content) = std::fs::read(self.dir.path().join(name)) {
                bytes.extend(content);
            }
        }
        bytes
    }
}

const ADD_STAFF: &[&str] = &[
    "user",
    "add",
    "--staff",
    "--email",
    "Ines@Fenwick.example",
    "--name",
    "Ines Okafor",
    "--role",
    "admin",
    "--role",
    "category:approve",
];

#[test]
fn adding_a_staff_user_prints_a_generated_password_once() {
    let data = DataDir::new();
    let output = data.kiln(ADD_STAFF);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(
        printed.contains("for ines@fenwick.example with roles admin, category:approve"),
        "{printed}"
    );
    let password = printed
        .lines()
        .find_map(|line| line.strip_prefix("password (shown once, not stored anywhere readable): "))
        .expect("the generated password is printed");
    assert_eq!(password.len(), 20);
    assert!(
        !stderr(&output).contains(password),
        "the password reached the log"
    );
}

#[test]
fn a_password_given_on_stdin_is_never_logged_or_stored_in_plain_text() {
    let data = DataDir::new();
    let mut args = ADD_STAFF.to_vec();
    args.push("--password-stdin");
    let password = "kiln-secret-glaze-77";
    let output = data.kiln_with_input(&args, &format!("{password}\n"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stdout(&output).contains(password));
    assert!(
        !stderr(&output).contains(password),
        "the password reached the log"
    );
    let stored = data.database_bytes();
    assert!(!stored.is_empty(), "the database was written");
    assert!(
        !stored
            .windows(password.len())
            .any(|window| window == password.as_bytes()),
        "the password is in the database in plain text"
    );
}

#[test]
fn a_second_account_for_an_address_is_refused() {
    let data = DataDir::new();
    assert!(data.kiln(ADD_STAFF).status.success());
    let again = data.kiln(ADD_STAFF);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("ines@fenwick.example already has an account"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_bad_role_or_a_short_password_is_refused_before_anything_is_written() {
    let data = DataDir::new();
    let mut bad_role = ADD_STAFF.to_vec();
    bad_role[8] = "category:own";
    let output = data.kiln(&bad_role);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("“category:own” is not a role"),
        "{}",
        stderr(&output)
    );

    let mut args = ADD_STAFF.to_vec();
    args.push("--password-stdin");
    let output = data.kiln_with_input(&args, "short\n");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("a password needs at least 10 characters"),
        "{}",
        stderr(&output)
    );
    assert!(
        !data.dir.path().join("data/kiln.db").exists(),
        "the database was created although the input was refused"
    );
}

/// A `kiln serve` process on a random port, logging at `debug`, and its
/// log so far.
struct RunningServer {
    child: std::process::Child,
    address: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl RunningServer {
    fn start(data: &DataDir) -> Self {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("KILN_DATABASE_URL", data.database_url())
            .env(
                "KILN_SITE_ROOT",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../public"),
            )
            .env("KILN_LOG", "debug")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kiln serve starts");
        let stderr = child.stderr.take().expect("piped standard error");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (address_found, address) = std::sync::mpsc::channel();
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some((_, rest)) = line.split_once("listening on http://") {
                    let address = rest.split_whitespace().next().unwrap_or_default();
                    let _ = address_found.send(address.to_owned());
                }
                let mut log = kept.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = address
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server says where it listens");
        RunningServer {
            child,
            address: format!("http://{address}"),
            log,
        }
    }

    /// Stops the server as SIGTERM would and returns everything it logged.
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        // The reading thread has seen the end of the pipe once the process
        // is gone; give it a moment to append the last lines.
        std::thread::sleep(std::time::Duration::from_millis(200));
        self.log.lock().expect("log lock").clone()
    }
}

/// Posts a form as a browser without JavaScript does.
async fn post_form(
    client: &reqwest::Client,
    server: &str,
    path: &str,
    from: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(format!("{server}{path}"))
        .header("accept", "text/html")
        .header("referer", format!("{server}{from}"))
        .form(fields)
        .send()
        .await
        .expect("request reaches the server")
}

#[test]
fn a_shoppers_password_is_in_neither_the_log_nor_the_database_after_sign_up() {
    let data = DataDir::new();
    assert!(data.kiln(&["seed", "--demo"]).status.success());
    let server = RunningServer::start(&data);
    let password = "plain-text-would-be-a-bug-31";
    let new_password = "reset-would-leak-this-too-47";
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let outbox = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let signed_up = post_form(
            &client,
            &server.address,
            "/api/account/sign-up",
            "/signup",
            &[
                ("form[name]", "Lin Shopper"),
                ("form[email]", "lin@example.com"),
                ("form[password]", password),
            ],
        )
        .await;
        assert_eq!(signed_up.url().path(), "/", "signed up and home");
        post_form(
            &client,
            &server.address,
            "/api/account/reset-request",
            "/forgot-password",
            &[("form[email]", "lin@example.com")],
        )
        .await;
        let outbox = data.kiln(&["outbox"]);
        assert!(outbox.status.success(), "{}", stderr(&outbox));
        let printed = stdout(&outbox);
        // The demo's dealers were sent welcome links too: take Lin's.
        let token = printed
            .split("\n#")
            .find(|message| message.contains("to lin@example.com"))
            .and_then(|message| message.split("/reset?token=").nth(1))
            .and_then(|rest| rest.split_whitespace().next())
            .expect("the outbox shows the reset link")
            .to_owned();
        let reset = post_form(
            &client,
            &server.address,
            "/api/account/reset",
            "/reset",
            &[("form[token]", &token), ("form[password]", new_password)],
        )
        .await;
        assert_eq!(reset.url().path(), "/login", "reset and sent to sign in");
        printed
    });
    let log = server.stop();
    assert!(log.contains("a shopper signed up"), "{log}");
    assert!(outbox.contains("to lin@example.com"), "{outbox}");
    let stored = data.database_bytes();
    for secret in [password, new_password] {
        assert!(!log.contains(secret), "a password reached the log");
        assert!(
            !stored
                .windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "a password is in the database in plain text"
        );
    }
}

#[test]
fn an_api_token_is_issued_listed_and_revoked_from_the_command_line() {
    let data = DataDir::new();
    let issued = data.kiln(&[
        "token",
        "issue",
        "--holder",
        "agent:procurement",
        "--label",
        "procurement agent",
    ]);
    assert!(issued.status.success(), "{}", stderr(&issued));
    let printed = stdout(&issued);
    let token = printed
        .split_whitespace()
        .find(|word| word.starts_with("tok-"))
        .expect("the token id is printed")
        .to_owned();
    let secret = printed
        .split_whitespace()
        .find(|word| word.starts_with("kiln_"))
        .expect("the secret is printed once")
        .to_owned();
    assert!(
        !stderr(&issued).contains(&secret),
        "the secret reached the log"
    );
    let stored = data.database_bytes();
    assert!(
        !stored
            .windows(secret.len())
            .any(|window| window == secret.as_bytes()),
        "the secret is in the database in plain text"
    );

    let listed = stdout(&data.kiln(&["token", "list"]));
    assert!(
        listed.contains(&token) && listed.contains("live"),
        "{listed}"
    );
    assert!(!listed.contains(&secret), "the list shows the secret");

    assert!(data.kiln(&["token", "revoke", &token]).status.success());
    let listed = stdout(&data.kiln(&["token", "list"]));
    assert!(listed.contains("revoked"), "{listed}");
    let again = data.kiln(&["token", "revoke", &token]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("is already revoked"),
        "{}",
        stderr(&again)
    );

    let bad = data.kiln(&[
        "token",
        "issue",
        "--holder",
        "procurement:approve",
        "--label",
        "x",
    ]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("“procurement:approve” is not a token holder"),
        "{}",
        stderr(&bad)
    );
}

/// The checksum of every projection table and of `held_events` of the
/// database at `url`, by table name.
fn table_checksums(url: &str) -> Vec<(&'static str, u64, String)> {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = kiln::open_database(url).await.expect("open the database");
        let mut tables: Vec<&'static str> = store
            .registry()
            .projectors()
            .iter()
            .flat_map(|projector| projector.tables.iter().copied())
            .collect();
        tables.extend(["held_events", "rejected_events"]);
        tables.sort_unstable();
        let mut sums = Vec::new();
        for table in tables {
            let sum = app::store::projections::checksum_now(&store, table)
                .await
                .expect("a checksum");
            sums.push((table, sum.rows, sum.checksum));
        }
        store.close().await;
        sums
    })
}

#[test]
fn the_demo_business_moves_from_sqlite_to_postgres_and_back_through_exports_unchanged() {
    let original = DataDir::new();
    for args in [&["migrate"][..], &["seed", "--demo"]] {
        let output = original.kiln(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let first = original.dir.path().join("first.ndjson");
    let output = original.kiln(&["export", first.to_str().expect("a path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("exported 154 events"),
        "{}",
        stdout(&output)
    );

    let postgres = DataDir::postgres();
    let output = postgres.kiln(&["import", first.to_str().expect("a path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let second = original.dir.path().join("second.ndjson");
    let output = postgres.kiln(&["export", second.to_str().expect("a path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(&first).expect("the first export"),
        std::fs::read_to_string(&second).expect("the second export"),
        "PostgreSQL gave back another log than SQLite gave it"
    );
    // PostgreSQL numbers new events after the imported ones.
    let output = postgres.kiln(&[
        "token",
        "issue",
        "--holder",
        "agent:category",
        "--label",
        "after the move",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(event_count(&postgres.database_url()), 155);

    // Checksums compare a table with itself on one engine: the log comes
    // back into a new SQLite database, whose tables must equal the first's.
    let back = DataDir::new();
    let output = back.kiln(&["import", second.to_str().expect("a path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        table_checksums(&original.database_url()),
        table_checksums(&back.database_url())
    );
}

/// How many events the database at `url` holds.
fn event_count(url: &str) -> i64 {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = kiln::open_database(url).await.expect("open the database");
        let count = store.event_count().await.expect("a count");
        store.close().await;
        count
    })
}

#[test]
fn an_import_refuses_a_changed_or_cut_export_and_a_database_with_events_and_writes_nothing() {
    let original = DataDir::new();
    for args in [&["migrate"][..], &["seed", "--demo"]] {
        let output = original.kiln(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let export = original.dir.path().join("export.ndjson");
    let output = original.kiln(&["export", export.to_str().expect("a path")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&export).expect("the export");

    let changed = original.dir.path().join("changed.ndjson");
    std::fs::write(&changed, text.replacen("Speckled", "Spackled", 1)).expect("write");
    let cut = original.dir.path().join("cut.ndjson");
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&cut, lines[..lines.len() / 2].join("\n") + "\n").expect("write");
    for (file, refusal) in [
        (&changed, "the export is incomplete or was changed"),
        (&cut, "it has no end line"),
    ] {
        let empty = DataDir::new();
        let output = empty.kiln(&["import", file.to_str().expect("a path")]);
        assert!(!output.status.success());
        assert!(stderr(&output).contains(refusal), "{}", stderr(&output));
        assert_eq!(event_count(&empty.database_url()), 0);
    }

    // Into the database it came from: it already has events.
    let output = original.kiln(&["import", export.to_str().expect("a path")]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("already holds 154 events"),
        "{}",
        stderr(&output)
    );
    // An export never overwrites a file.
    let output = original.kiln(&["export", export.to_str().expect("a path")]);
    assert!(!output.status.success());
    assert_eq!(std::fs::read_to_string(&export).expect("the export"), text);
}

#[test]
fn a_backup_taken_while_events_are_appended_is_a_consistent_database() {
    let data = DataDir::new();
    for args in [&["migrate"][..], &["seed", "--demo"]] {
        let output = data.kiln(args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let backup = data.dir.path().join("backup.db");
    runtime.block_on(async {
        let store = kiln::open_database(&data.database_url())
            .await
            .expect("open");
        // Appends keep arriving while the copy is taken.
        let appending = tokio::spawn({
            let store = store.clone();
            async move {
                for index in 0..200 {
                    app::functions::platform_manager::service::issue_api_token(
                        &store,
                        app::event::Actor::system("backup-test"),
                        app::functions::platform_manager::events::TokenHolder::Agent {
                            function: app::functions::BusinessFunction::Category,
                        },
                        format!("token {index}"),
                    )
                    .await
                    .expect("a token");
                }
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        app::store::export::backup(&store, &backup)
            .await
            .expect("a backup");
        appending.await.expect("the appends finished");
        // The Database Manager's page lists it.
        let taken = app::store::export::backups(&store, 10)
            .await
            .expect("the backups");
        assert_eq!(taken.len(), 1);
        assert!(taken[0].file.ends_with("backup.db"), "{taken:?}");
        assert!(taken[0].bytes > 0);
        store.close().await;
    });
    let copy = format!("sqlite://{}", backup.display());
    let check = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["integrity", "check"])
        .env("KILN_DATABASE_URL", &copy)
        .output()
        .expect("kiln runs");
    assert!(check.status.success(), "{}", stderr(&check));
    // The copy's tables are what its own log rebuilds to.
    let rebuild = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["projections", "rebuild"])
        .env("KILN_DATABASE_URL", &copy)
        .output()
        .expect("kiln runs");
    assert!(rebuild.status.success(), "{}", stderr(&rebuild));
    let report = stdout(&rebuild);
    assert!(
        report.lines().filter(|line| line.ends_with(" no")).count() == 0,
        "{report}"
    );
    // A second backup to the same file is refused.
    let output = data.kiln(&["backup", backup.to_str().expect("a path")]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("never overwrites"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_agents_pass_every_evaluated_situation() {
    let data = DataDir::new();
    let output = data.kiln(&["agents", "eval"]);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let report = stdout(&output);
    for situation in [
        "margin-squeeze",
        "suspicious-dealer-applications",
        "duplicate-change-requests",
        "agents-disagree",
        "silent-peer",
    ] {
        assert!(report.contains(&format!("✓ {situation}:")), "{report}");
    }
    assert!(report.contains("5 of 5 situations passed"), "{report}");
}
