//! Dealer onboarding: applications, the decisions on them, and the dealer
//! companies approved applications open.

use crate::functions::customers::events::{ApplicationId, CustomerEvent, DealerTier};
use crate::store::backend::{Connection, per_backend};
use crate::store::projections::{Projector, Row, Value, decode_one, upsert_rows};
use crate::store::{EventStore, RecordedEvent, StoreError, database};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::CompanyId;

/// The dealer onboarding projection.
pub const DEALERS: Projector = Projector {
    name: "dealers",
    function: BusinessFunction::Customers,
    handles: &[
        "DealerApplicationSubmitted",
        "DealerApplicationApproved",
        "DealerApplicationDeclined",
    ],
    tables: &[
        "dealer_applications",
        "dealer_application_decisions",
        "dealer_companies",
    ],
    apply: |connection, events| Box::pin(apply(connection, events)),
};
/// Applies Customer Management events, in position order; rows remember
/// the position of the last event applied, so replaying changes nothing.
pub async fn apply(
    mut connection: Connection<'_>,
    events: &[&RecordedEvent],
) -> Result<(), StoreError> {
    let mut decoded = Vec::with_capacity(events.len());
    for event in events {
        let customer_event = decode_one::<CustomerEvent>(event)?;
        decoded.push((event.position, customer_event));
    }
    let mut applications = Vec::new();
    let mut decisions = Vec::new();
    let mut companies = Vec::new();
    for (position, event) in &decoded {
        let position = *position;
        match event {
            CustomerEvent::DealerApplicationSubmitted(submitted) => applications.push(Row {
                values: vec![
                    Value::Text(submitted.application.as_str()),
                    Value::Text(&submitted.company_name),
                    Value::Text(&submitted.contact_name),
                    Value::Text(submitted.email.as_str()),
                    Value::Text(&submitted.message),
                ],
                position,
            }),
            CustomerEvent::DealerApplicationApproved(approved) => {
                decisions.push(Row {
                    values: vec![
                        Value::Text(approved.application.as_str()),
                        Value::Text("approved"),
                        Value::Text(approved.company.as_str()),
                    ],
                    position,
                });
                companies.push(Row {
                    values: vec![
                        Value::Text(approved.company.as_str()),
                        Value::Text(&approved.company_name),
                        Value::Text(approved.tier.as_str()),
                        Value::Text(approved.application.as_str()),
                    ],
                    position,
                });
            }
            CustomerEvent::DealerApplicationDeclined(declined) => decisions.push(Row {
                values: vec![
                    Value::Text(declined.application.as_str()),
                    Value::Text("declined"),
                    Value::Text(&declined.reason),
                ],
                position,
            }),
            // Not handled by this projector: ORDERS projects orders,
            // TICKETS the support tickets, PROMOTIONS the promotions,
            // APPLICATION_PROPOSALS the proposals on applications.
            CustomerEvent::OrderPlaced(_)
            | CustomerEvent::OrderPaymentCaptured(_)
            | CustomerEvent::OrderPaymentDeclined(_)
            | CustomerEvent::SupportTicketOpened(_)
            | CustomerEvent::SupportTicketReplied(_)
            | CustomerEvent::SupportTicketClosed(_)
            | CustomerEvent::SupportTicketFlagged(_)
            | CustomerEvent::DealerPromotionOffered(_)
            | CustomerEvent::DealerPromotionWithdrawn(_)
            | CustomerEvent::DealerApplicationVerdictProposed(_)
            | CustomerEvent::DealerApplicationProposalApproved(_)
            | CustomerEvent::DealerApplicationProposalRejected(_) => {}
        }
    }
    upsert_rows(
        connection.reborrow(),
        "dealer_applications",
        "application_id",
        &[
            "application_id",
            "company_name",
            "contact_name",
            "email",
            "message",
        ],
        &applications,
    )
    .await?;
    upsert_rows(
        connection.reborrow(),
        "dealer_application_decisions",
        "application_id",
        &["application_id", "outcome", "detail"],
        &decisions,
    )
    .await?;
    upsert_rows(
        connection,
        "dealer_companies",
        "company_id",
        &["company_id", "name", "tier", "application_id"],
        &companies,
    )
    .await
}

/// A dealer application as staff review it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    /// Its id.
    pub application: ApplicationId,
    /// The business.
    pub company_name: String,
    /// The person.
    pub contact_name: String,
    /// Their address.
    pub email: String,
    /// What they wrote.
    pub message: String,
    /// `pending`, `approved` or `declined`.
    pub status: String,
}

/// Every dealer application, newest first.
pub async fn applications(store: &EventStore) -> Result<Vec<ApplicationRow>, StoreError> {
    type Raw = (String, String, String, String, String, Option<String>);
    let rows: Vec<Raw> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as(
            "SELECT a.application_id, a.company_name, a.contact_name, a.email, a.message, d.outcome
             FROM dealer_applications a
             LEFT JOIN dealer_application_decisions d ON d.application_id = a.application_id
             ORDER BY a.last_position DESC",
        )
        .fetch_all(pool)
        .await
    })
    .map_err(database("list dealer applications"))?;
    rows.into_iter()
        .map(
            |(application, company_name, contact_name, email, message, outcome)| {
                Ok(ApplicationRow {
                    application: ApplicationId::parse(&application).map_err(|_| {
                        StoreError::Corrupt {
                            what: "dealer application id",
                            value: application,
                        }
                    })?,
                    company_name,
                    contact_name,
                    email,
                    message,
                    status: outcome.unwrap_or_else(|| "pending".into()),
                })
            },
        )
        .collect()
}

/// A dealer company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealerCompany {
    /// Its id.
    pub company: CompanyId,
    /// Its name.
    pub name: String,
    /// Its price tier.
    pub tier: DealerTier,
}

/// The dealer company `company`, if it exists.
pub async fn dealer_company(
    store: &EventStore,
    company: &CompanyId,
) -> Result<Option<DealerCompany>, StoreError> {
    let row: Option<(String, String)> = per_backend!(store.database(), Database, pool => {
        sqlx::query_as("SELECT name, tier FROM dealer_companies WHERE company_id = $1")
            .bind(company.as_str())
            .fetch_optional(pool)
            .await
    })
    .map_err(database(format!("read dealer company {company}")))?;
    row.map(|(name, tier)| {
        Ok(DealerCompany {
            company: company.clone(),
            name,
            tier: DealerTier::from_name(&tier).ok_or(StoreError::Corrupt {
                what: "dealer tier",
                value: tier,
            })?,
        })
    })
    .transpose()
}

/// A dealer company with how many logins it has, as staff list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealerCompanySummary {
    /// The company.
    pub company: DealerCompany,
    /// How many users sign in for it.
    pub users: i64,
}

/// Every dealer company, by name, with its number of users.
pub async fn dealer_companies(store: &EventStore) -> Result<Vec<DealerCompanySummary>, StoreError> {
    let rows: Vec<(String, String, String, i64)> =
        per_backend!(store.database(), Database, pool => {
            sqlx::query_as(
                "SELECT c.company_id, c.name, c.tier, COUNT(u.account_id)
                 FROM dealer_companies c
                 LEFT JOIN dealer_users u ON u.company_id = c.company_id
                 GROUP BY c.company_id, c.name, c.tier
                 ORDER BY c.name, c.company_id",
            )
            .fetch_all(pool)
            .await
        })
        .map_err(database("list dealer companies"))?;
    rows.into_iter()
        .map(|(company, name, tier, users)| {
            Ok(DealerCompanySummary {
                company: DealerCompany {
                    company: CompanyId::parse(&company).map_err(|_| StoreError::Corrupt {
                        what: "dealer company id",
                        value: company,
                    })?,
                    name,
                    tier: DealerTier::from_name(&tier).ok_or(StoreError::Corrupt {
                        what: "dealer tier",
                        value: tier,
                    })?,
                },
                users,
            })
        })
        .collect()
}
