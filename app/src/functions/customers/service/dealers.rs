//! Dealer onboarding: look up what the rules need, decide, append; on
//! approval, create the company's first login and send it a link to choose
//! a password.

use crate::access::secret::Secret;
use crate::functions::customers::decide::{
    ApplicationState, CustomerCommand, CustomerError, decide,
};
use crate::functions::customers::events::{
    ApplicationId, ApplicationOutcome, CustomerEvent, DealerApplicationSubmitted, DealerTier,
};
use crate::functions::platform_manager::{projection as accounts, service as account_service};
use crate::functions::view::DecisionVerdictForm;
use crate::store::{Appended, EventMetadata, EventStore, StoreError};
use chrono::Utc;
use kiln_core::decision::{DecisionError, DecisionId, Proposal, Verdict};
use kiln_core::event::{Actor, StreamId};
use kiln_core::function::BusinessFunction;
use kiln_core::identity::{AccountId, CompanyId, Email};

/// Why a dealer onboarding command did not go through.
#[derive(Debug, thiserror::Error)]
pub enum DealerServiceError {
    /// A rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] CustomerError),
    /// The company's first login could not be created or sent its link.
    #[error("the application was approved, but its first login could not be created")]
    FirstLogin(#[source] account_service::AccountServiceError),
    /// A user was to be added to a company that does not exist.
    #[error("there is no dealer company {company}")]
    NoSuchCompany {
        /// The id asked for.
        company: CompanyId,
    },
    /// The new user's login was refused (the address is taken, the name is
    /// blank) or could not be made.
    #[error(transparent)]
    Login(account_service::AccountServiceError),
    /// A decision id that is not one.
    #[error(transparent)]
    InvalidDecision(#[from] kiln_core::decision::InvalidDecisionId),
    /// A verdict other than approve or reject.
    #[error("“{text}” is not a verdict: use approve or reject")]
    UnknownVerdict {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An application as the public form sends it.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// The business.
    pub company_name: String,
    /// The person.
    pub contact_name: String,
    /// Their address.
    pub email: Email,
    /// What they wrote.
    pub message: String,
}

/// What approving an application made.
#[derive(Debug)]
pub struct ApprovedDealer {
    /// The dealer company.
    pub company: CompanyId,
    /// Its first user's login.
    pub account: AccountId,
    /// The token of the link the user chooses a password with. Sent through
    /// the outbox; returned only for the demo data, which sets the password
    /// itself. Never show it to the approver.
    pub welcome_token: Secret,
}

fn stream(application: &ApplicationId) -> StreamId {
    StreamId::new(format!("dealer-application-{application}"))
}

/// Records an application from the public site and returns its id.
pub async fn submit_application(
    store: &EventStore,
    new: NewApplication,
) -> Result<ApplicationId, DealerServiceError> {
    let application = ApplicationId::generate();
    let email_taken = accounts::account_by_email(store, &new.email)
        .await?
        .is_some();
    let command = CustomerCommand::SubmitApplication {
        application: application.clone(),
        company_name: new.company_name,
        contact_name: new.contact_name,
        email: new.email,
        message: new.message,
    };
    let metadata = EventMetadata::new(
        Actor::system("dealer-application-form"),
        BusinessFunction::Customers,
    );
    store
        .decide_and_append(&stream(&application), &metadata, |history| {
            decide(
                &ApplicationState::from_events(history),
                email_taken,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await?;
    Ok(application)
}

/// Approves a pending application on behalf of `actor`: opens the dealer
/// company at `tier`, creates its first user's login and queues a link for
/// them to choose a password.
pub async fn approve_application(
    store: &EventStore,
    actor: Actor,
    application: ApplicationId,
    tier: DealerTier,
) -> Result<ApprovedDealer, DealerServiceError> {
    let company = CompanyId::generate();
    let command = CustomerCommand::Approve {
        application: application.clone(),
        company: company.clone(),
        tier,
    };
    let metadata = EventMetadata::new(actor.clone(), BusinessFunction::Customers);
    let mut submitted = None;
    store
        .decide_and_append(&stream(&application), &metadata, |history| {
            submitted = history.iter().find_map(|event| match event {
                CustomerEvent::DealerApplicationSubmitted(submitted) => Some(submitted.clone()),
                _ => None,
            });
            decide(
                &ApplicationState::from_events(history),
                false,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await?;
    // `decide` accepted, so the application was submitted.
    let Some(submitted) = submitted else {
        return Err(CustomerError::NoSuchApplication { application }.into());
    };
    open_first_login(store, actor, &submitted, company).await
}

/// The first login of the dealer company `company` that approving
/// `submitted` opened, and the link its user chooses a password with.
async fn open_first_login(
    store: &EventStore,
    actor: Actor,
    submitted: &DealerApplicationSubmitted,
    company: CompanyId,
) -> Result<ApprovedDealer, DealerServiceError> {
    // The company is open from here on. Should its first login fail (the
    // address was taken meanwhile, the store failed), the approval stands
    // and the error says so; the application keeps the contact's details.
    let account = account_service::create_dealer_user(
        store,
        actor,
        submitted.email.clone(),
        submitted.contact_name.clone(),
        company.clone(),
    )
    .await
    .map_err(DealerServiceError::FirstLogin)?;
    let welcome = format!(
        "Welcome, {}: the trade account of {} is open at Fenwick Clayworks.",
        submitted.contact_name, submitted.company_name
    );
    let welcome_token =
        account_service::send_welcome_link(store, &account, &submitted.email, &welcome, Utc::now())
            .await
            .map_err(DealerServiceError::FirstLogin)?;
    Ok(ApprovedDealer {
        company,
        account,
        welcome_token,
    })
}

/// Records `proposal` of `outcome` for `application`, checked by the
/// application's rules, with `metadata` (an agent's step gives an
/// idempotency key, so carrying the proposal out twice records it once).
pub async fn record_application_proposal(
    store: &EventStore,
    metadata: EventMetadata,
    application: ApplicationId,
    outcome: ApplicationOutcome,
    proposal: Proposal,
) -> Result<Appended, DealerServiceError> {
    let metadata = metadata.with_decision(&proposal.decision);
    let stream = stream(&application);
    let command = CustomerCommand::ProposeVerdict {
        application,
        outcome,
        proposal,
    };
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide(
                &ApplicationState::from_events(history),
                false,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await
}

/// What a person's verdict on a proposal about an application did.
#[derive(Debug)]
pub struct ProposalDecided {
    /// The verdict given.
    pub verdict: Verdict,
    /// The append (whose `held_back` says whether the quarantine holds
    /// some of it back).
    pub appended: Appended,
    /// The company opened, when approving the proposal approved the
    /// application.
    pub opened: Option<ApprovedDealer>,
}

/// A person's verdict on a proposal about a dealer application: approving
/// it carries out the verdict proposed in the same append (and, for an
/// approval, creates the company's first login and sends its link, as
/// approving directly does).
pub async fn decide_application_proposal(
    store: &EventStore,
    actor: Actor,
    form: DecisionVerdictForm,
) -> Result<ProposalDecided, DealerServiceError> {
    let decision = DecisionId::parse(form.decision.trim()).map_err(|invalid| {
        kiln_core::decision::InvalidDecisionId {
            text: invalid.text.chars().take(40).collect(),
        }
    })?;
    let verdict = Verdict::from_name(form.verdict.trim()).ok_or_else(|| {
        DealerServiceError::UnknownVerdict {
            text: form.verdict.chars().take(40).collect(),
        }
    })?;
    let application =
        crate::functions::customers::projection::proposal_application(store, &decision)
            .await?
            .ok_or_else(|| {
                CustomerError::from(DecisionError::NoSuchDecision {
                    decision: decision.clone(),
                })
            })?;
    let company = CompanyId::generate();
    let command = CustomerCommand::DecideProposal {
        application: application.clone(),
        decision: decision.clone(),
        verdict,
        comment: form.comment,
        company: company.clone(),
    };
    let metadata =
        EventMetadata::new(actor.clone(), BusinessFunction::Customers).with_decision(&decision);
    let mut approved_from = None;
    let appended = store
        .decide_and_append(&stream(&application), &metadata, |history| {
            let events = decide(
                &ApplicationState::from_events(history),
                false,
                command.clone(),
            )?;
            // The application opened a company: its first login follows.
            approved_from = events
                .iter()
                .any(|event| matches!(event, CustomerEvent::DealerApplicationApproved(_)))
                .then(|| {
                    history.iter().find_map(|event| match event {
                        CustomerEvent::DealerApplicationSubmitted(submitted) => {
                            Some(submitted.clone())
                        }
                        _ => None,
                    })
                })
                .flatten();
            Ok::<_, DealerServiceError>(events)
        })
        .await?;
    let opened = match approved_from {
        Some(submitted) => Some(open_first_login(store, actor, &submitted, company).await?),
        None => None,
    };
    Ok(ProposalDecided {
        verdict,
        appended,
        opened,
    })
}

/// Adds another user to an existing dealer company, on behalf of `actor`:
/// a login without a password, and a link to choose one.
pub async fn add_dealer_user(
    store: &EventStore,
    actor: Actor,
    company: CompanyId,
    name: String,
    email: Email,
) -> Result<AccountId, DealerServiceError> {
    let Some(dealer) =
        crate::functions::customers::projection::dealer_company(store, &company).await?
    else {
        return Err(DealerServiceError::NoSuchCompany { company });
    };
    let account =
        account_service::create_dealer_user(store, actor, email.clone(), name.clone(), company)
            .await
            .map_err(DealerServiceError::Login)?;
    let welcome = format!(
        "Welcome, {name}: you have been given a login to the trade account of {} at Fenwick Clayworks.",
        dealer.name
    );
    account_service::send_welcome_link(store, &account, &email, &welcome, Utc::now())
        .await
        .map_err(DealerServiceError::Login)?;
    Ok(account)
}

impl DealerServiceError {
    /// Whether the message is about the request (safe and useful to show)
    /// rather than a fault of the server.
    pub fn is_refusal(&self) -> bool {
        match self {
            DealerServiceError::Refused(_)
            | DealerServiceError::NoSuchCompany { .. }
            | DealerServiceError::InvalidDecision(_)
            | DealerServiceError::UnknownVerdict { .. } => true,
            DealerServiceError::Login(error) => error.is_refusal(),
            DealerServiceError::FirstLogin(_) | DealerServiceError::Store(_) => false,
        }
    }
}

/// Declines a pending application on behalf of `actor`.
pub async fn decline_application(
    store: &EventStore,
    actor: Actor,
    application: ApplicationId,
    reason: String,
) -> Result<(), DealerServiceError> {
    let stream = stream(&application);
    let command = CustomerCommand::Decline {
        application,
        reason,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide(
                &ApplicationState::from_events(history),
                false,
                command.clone(),
            )
            .map_err(DealerServiceError::from)
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Principal;
    use crate::access::password::Password;
    use crate::functions::customers::projection;
    use crate::testing::store_tests;

    fn clay_and_cup() -> NewApplication {
        NewApplication {
            company_name: "Clay & Cup Café".into(),
            contact_name: "Priya Shah".into(),
            email: Email::parse("orders@clayandcup.example").expect("valid"),
            message: "Two cafés in Leeds.".into(),
        }
    }

    store_tests! {
        async fn an_approved_application_opens_the_company_and_its_user_signs_in_after_choosing_a_password(store) {
            let application = submit_application(&store, clay_and_cup()).await.expect("submitted");
            let listed = projection::applications(&store).await.expect("list");
            assert_eq!(listed[0].status, "pending");

            let approved = approve_application(&store, Actor::system("test"), application.clone(), DealerTier::Volume)
                .await
                .expect("approved");
            let company = projection::dealer_company(&store, &approved.company)
                .await
                .expect("read")
                .expect("exists");
            assert_eq!(company.name, "Clay & Cup Café");
            assert_eq!(company.tier, DealerTier::Volume);
            assert_eq!(projection::applications(&store).await.expect("list")[0].status, "approved");

            let email = Email::parse("orders@clayandcup.example").expect("valid");
            let password = || Password::parse("trade-account-pw").expect("valid");
            // No password until the link is used.
            assert_eq!(
                account_service::check_sign_in(&store, &email, password()).await.expect("checked"),
                None
            );
            let messages = crate::store::outbox::unsent(&store).await.expect("outbox");
            assert!(messages[0].body.contains(approved.welcome_token.reveal()));
            account_service::reset_password(&store, approved.welcome_token.reveal(), password(), Utc::now())
                .await
                .expect("password chosen");
            let account = account_service::check_sign_in(&store, &email, password())
                .await
                .expect("checked")
                .expect("signs in");
            let login = accounts::account(&store, &account).await.expect("read").expect("exists");
            assert_eq!(
                login.principal(),
                Principal::Dealer { account, company: approved.company }
            );

            let again = approve_application(&store, Actor::system("test"), application, DealerTier::Trade)
                .await
                .expect_err("refused");
            assert!(again.to_string().contains("was already decided"), "{again}");
        }

        async fn a_second_user_joins_an_existing_company_and_sees_it(store) {
            let application = submit_application(&store, clay_and_cup()).await.expect("submitted");
            let approved = approve_application(&store, Actor::system("test"), application, DealerTier::Trade)
                .await
                .expect("approved");
            let second = add_dealer_user(
                &store,
                Actor::system("test"),
                approved.company.clone(),
                "Ben Shah".into(),
                Email::parse("ben@clayandcup.example").expect("valid"),
            )
            .await
            .expect("added");
            let login = accounts::account(&store, &second).await.expect("read").expect("exists");
            assert_eq!(login.company, Some(approved.company.clone()));
            let taken = add_dealer_user(
                &store,
                Actor::system("test"),
                approved.company,
                "Ben again".into(),
                Email::parse("ben@clayandcup.example").expect("valid"),
            )
            .await
            .expect_err("refused");
            assert!(taken.is_refusal());
            assert_eq!(taken.to_string(), "ben@clayandcup.example already has an account");
            let nowhere = add_dealer_user(
                &store,
                Actor::system("test"),
                CompanyId::from_random([9; 8]),
                "Nobody".into(),
                Email::parse("nobody@example.com").expect("valid"),
            )
            .await
            .expect_err("refused");
            assert!(matches!(nowhere, DealerServiceError::NoSuchCompany { .. }));
        }

        async fn a_declined_application_opens_nothing(store) {
            let application = submit_application(&store, clay_and_cup()).await.expect("submitted");
            decline_application(&store, Actor::system("test"), application.clone(), "Outside our area".into())
                .await
                .expect("declined");
            assert_eq!(projection::applications(&store).await.expect("list")[0].status, "declined");
            let refused = approve_application(&store, Actor::system("test"), application, DealerTier::Trade)
                .await
                .expect_err("refused");
            assert!(refused.to_string().contains("was already decided"), "{refused}");
            let email = Email::parse("orders@clayandcup.example").expect("valid");
            assert_eq!(accounts::account_by_email(&store, &email).await.expect("read"), None);
        }
    }
}
