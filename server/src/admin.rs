//! The administrator's commands: staff accounts, API tokens, and the
//! outbox of mail waiting to be sent. Each takes an open store and closes
//! it when done, so everything it wrote is on disk when `kiln` exits.

use crate::cli::{TokenCommand, UserAddArgs};
use anyhow::Context;
use app::event::Actor;
use app::functions::platform_manager::{events::TokenHolder, projection, service};
use app::store::backend::redact;
use app::store::{EventStore, export, outbox};

/// Opens (and migrates) the database, with its URL, password hidden, in
/// any error.
pub async fn open(database_url: &str) -> anyhow::Result<EventStore> {
    crate::open_database(database_url)
        .await
        .with_context(|| format!("opening {}", redact(database_url)))
}

/// `kiln user add`: creates a staff account; prints a generated password
/// once unless one is read from standard input.
pub async fn add_user(database_url: &str, args: UserAddArgs) -> anyhow::Result<()> {
    use app::access::{Email, password::Password};
    use app::functions::platform_manager::{events::Role, service};

    // Everything the command line can get wrong is checked before anything
    // is written.
    let email = Email::parse(&args.email)?;
    let roles = args
        .roles
        .iter()
        .map(|role| Role::parse(role))
        .collect::<Result<Vec<_>, _>>()?;
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let typed = line.trim_end_matches(['\r', '\n']);
        (Password::parse(typed)?, false)
    } else {
        (Password::generate(), true)
    };

    let store = open(database_url).await?;
    let created = service::create_staff_account(
        &store,
        app::event::Actor::system("kiln-cli"),
        service::NewStaffAccount {
            email: email.clone(),
            name: args.name,
            roles: roles.clone(),
            password: password.clone(),
        },
    )
    .await;
    store.close().await;
    let account = created.context("creating the staff account")?;
    let roles = roles
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    println!("created staff account {account} for {email} with roles {roles}");
    if generated {
        println!(
            "password (shown once, not stored anywhere readable): {}",
            password.reveal()
        );
    }
    Ok(())
}

/// `kiln token issue|revoke|list`.
pub async fn token(database_url: &str, command: TokenCommand) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let result = match command {
        TokenCommand::Issue { holder, label } => issue_token(&store, &holder, label).await,
        TokenCommand::Revoke { token } => revoke_token(&store, &token).await,
        TokenCommand::List => list_tokens(&store).await,
    };
    store.close().await;
    result
}

async fn issue_token(store: &EventStore, holder: &str, label: String) -> anyhow::Result<()> {
    let holder = TokenHolder::parse(holder)?;
    let (token, secret) = service::issue_api_token(store, Actor::system("kiln-cli"), holder, label)
        .await
        .context("issuing the API token")?;
    println!("issued API token {token} for {holder}");
    println!(
        "secret (shown once; send it as `Authorization: Bearer <secret>`): {}",
        secret.reveal()
    );
    Ok(())
}

async fn revoke_token(store: &EventStore, token: &str) -> anyhow::Result<()> {
    let token = app::access::TokenId::parse(token)?;
    service::revoke_api_token(store, Actor::system("kiln-cli"), token.clone())
        .await
        .context("revoking the API token")?;
    println!("revoked API token {token}");
    Ok(())
}

async fn list_tokens(store: &EventStore) -> anyhow::Result<()> {
    let tokens = projection::api_tokens(store).await?;
    if tokens.is_empty() {
        println!("no API tokens have been issued");
    }
    for token in tokens {
        let status = if token.revoked { "revoked" } else { "live" };
        println!(
            "{}  {:<28} {:<8} {}",
            token.token, token.holder, status, token.label
        );
    }
    Ok(())
}

/// `kiln outbox`: prints the mail waiting to be sent.
pub async fn outbox(database_url: &str) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let messages = outbox::unsent(&store).await;
    store.close().await;
    let messages = messages?;
    if messages.is_empty() {
        println!("the outbox is empty");
    }
    for message in messages {
        println!(
            "#{} {} to {}\nSubject: {}\n\n{}\n",
            message.id,
            message.created_at.format("%Y-%m-%d %H:%M UTC"),
            message.recipient,
            message.subject,
            message.body
        );
    }
    Ok(())
}

/// `kiln backup FILE`: a consistent copy of the SQLite database.
pub async fn backup(database_url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    let copied = export::backup(&store, file).await;
    store.close().await;
    copied.with_context(|| format!("backing the database up to {}", file.display()))?;
    println!(
        "backed {} up to {}; to restore, stop Kiln and put the copy in the database file's place",
        redact(database_url),
        file.display()
    );
    Ok(())
}

/// `kiln export FILE`: the event log as NDJSON with a checksum line.
pub async fn export(database_url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let store = open(database_url).await?;
    // `create_new`: an export never overwrites a file, which might be the
    // only copy of an earlier log.
    let created = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(file)
        .with_context(|| format!("creating {}", file.display()));
    let written = match created {
        Ok(created) => {
            let mut out = std::io::BufWriter::new(created);
            export::export(&store, &mut out)
                .await
                .with_context(|| format!("exporting to {}", file.display()))
        }
        Err(error) => Err(error),
    };
    store.close().await;
    let end = written?;
    println!(
        "exported {} events, {} idempotency keys and {} anomalies to {} (SHA-256 {})",
        end.events,
        end.idempotency_keys,
        end.anomalies,
        file.display(),
        end.sha256
    );
    Ok(())
}

/// `kiln import FILE`: an export loaded into an empty database.
pub async fn import(database_url: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let input = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let store = open(database_url).await?;
    let imported = export::import(&store, std::io::BufReader::new(input)).await;
    store.close().await;
    let end = imported.with_context(|| format!("importing {}", file.display()))?;
    println!(
        "imported {} events, {} idempotency keys and {} anomalies into {} and rebuilt every projection",
        end.events,
        end.idempotency_keys,
        end.anomalies,
        redact(database_url)
    );
    println!(
        "credentials were not part of the export: people set their passwords again (\"Forgot your password?\"), and `kiln token issue` gives agents new tokens"
    );
    Ok(())
}
