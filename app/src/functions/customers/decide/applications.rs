//! Dealer applications: one stream per application,
//! `dealer-application-<id>`, submitted on the public site and approved at a
//! tier or declined with a reason by a person.

use crate::functions::customers::events::{
    ApplicationId, CustomerEvent, DealerApplicationApproved, DealerApplicationDeclined,
    DealerApplicationSubmitted, DealerTier,
};
use kiln_core::identity::{CompanyId, Email};
use serde::{Deserialize, Serialize};

/// The longest company or person name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest message or reason accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A request about a dealer application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerCommand {
    /// Apply for a trade account (anyone, on the public site).
    SubmitApplication {
        /// Its id (chosen by the service).
        application: ApplicationId,
        /// The business applying.
        company_name: String,
        /// The person applying.
        contact_name: String,
        /// Their address.
        email: Email,
        /// What they want to tell us.
        message: String,
    },
    /// Approve an application, opening the company at a tier.
    Approve {
        /// The application.
        application: ApplicationId,
        /// The new company's id (chosen by the service).
        company: CompanyId,
        /// Its price tier.
        tier: DealerTier,
    },
    /// Decline an application.
    Decline {
        /// The application.
        application: ApplicationId,
        /// Why.
        reason: String,
    },
}

/// Where an application stands, folded from its stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ApplicationState {
    /// Nothing has been submitted under this id.
    #[default]
    Unknown,
    /// Submitted, waiting for a decision.
    Pending {
        /// The company's name, as applied.
        company_name: String,
    },
    /// Approved.
    Approved,
    /// Declined.
    Declined,
}

impl ApplicationState {
    /// Folds an application's past events, oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CustomerEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            state = match event {
                CustomerEvent::DealerApplicationSubmitted(submitted) => ApplicationState::Pending {
                    company_name: submitted.company_name.clone(),
                },
                CustomerEvent::DealerApplicationApproved(_) => ApplicationState::Approved,
                CustomerEvent::DealerApplicationDeclined(_) => ApplicationState::Declined,
                // Orders, tickets and promotions live in streams of their own.
                CustomerEvent::OrderPlaced(_)
                | CustomerEvent::OrderPaymentCaptured(_)
                | CustomerEvent::OrderPaymentDeclined(_)
                | CustomerEvent::SupportTicketOpened(_)
                | CustomerEvent::SupportTicketReplied(_)
                | CustomerEvent::SupportTicketClosed(_)
                | CustomerEvent::SupportTicketFlagged(_)
                | CustomerEvent::DealerPromotionOffered(_)
                | CustomerEvent::DealerPromotionWithdrawn(_) => continue,
            };
        }
        state
    }
}

/// A rule that refused a command; shown verbatim to whoever sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    /// A field that must be filled in is blank.
    #[error("the {field} is missing")]
    Missing {
        /// Which field.
        field: &'static str,
    },
    /// A field is longer than anyone needs.
    #[error("the {field} may have at most {max} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// Its limit.
        max: usize,
    },
    /// The address already signs in to an account.
    #[error("{email} already has an account; sign in, or apply with the business's own address")]
    EmailTaken {
        /// The address.
        email: Email,
    },
    /// Application ids are never reused.
    #[error("application {application} already exists")]
    ApplicationExists {
        /// The id.
        application: ApplicationId,
    },
    /// The application asked for does not exist.
    #[error("there is no dealer application {application}")]
    NoSuchApplication {
        /// The id.
        application: ApplicationId,
    },
    /// Only a pending application can be decided, once.
    #[error("dealer application {application} was already decided")]
    AlreadyDecided {
        /// The id.
        application: ApplicationId,
    },
}

/// Decides a command against the application's state. `email_taken` says
/// whether the applicant's address already signs in (looked up by the
/// service; only submissions look at it).
pub fn decide(
    state: &ApplicationState,
    email_taken: bool,
    command: CustomerCommand,
) -> Result<Vec<CustomerEvent>, CustomerError> {
    match command {
        CustomerCommand::SubmitApplication {
            application,
            company_name,
            contact_name,
            email,
            message,
        } => {
            if *state != ApplicationState::Unknown {
                return Err(CustomerError::ApplicationExists { application });
            }
            let company_name = required(&company_name, "company name", MAX_NAME_CHARS)?;
            let contact_name = required(&contact_name, "contact name", MAX_NAME_CHARS)?;
            let message = message.trim();
            if message.chars().count() > MAX_MESSAGE_CHARS {
                return Err(CustomerError::TooLong {
                    field: "message",
                    max: MAX_MESSAGE_CHARS,
                });
            }
            if email_taken {
                return Err(CustomerError::EmailTaken { email });
            }
            Ok(vec![CustomerEvent::DealerApplicationSubmitted(
                DealerApplicationSubmitted {
                    application,
                    company_name,
                    contact_name,
                    email,
                    message: message.to_owned(),
                },
            )])
        }
        CustomerCommand::Approve {
            application,
            company,
            tier,
        } => {
            let company_name = pending(state, &application)?;
            Ok(vec![CustomerEvent::DealerApplicationApproved(
                DealerApplicationApproved {
                    application,
                    company,
                    company_name,
                    tier,
                },
            )])
        }
        CustomerCommand::Decline {
            application,
            reason,
        } => {
            pending(state, &application)?;
            let reason = required(&reason, "reason", MAX_MESSAGE_CHARS)?;
            Ok(vec![CustomerEvent::DealerApplicationDeclined(
                DealerApplicationDeclined {
                    application,
                    reason,
                },
            )])
        }
    }
}

/// The company name of a pending application, or why it cannot be decided.
fn pending(state: &ApplicationState, application: &ApplicationId) -> Result<String, CustomerError> {
    match state {
        ApplicationState::Pending { company_name } => Ok(company_name.clone()),
        ApplicationState::Unknown => Err(CustomerError::NoSuchApplication {
            application: application.clone(),
        }),
        ApplicationState::Approved | ApplicationState::Declined => {
            Err(CustomerError::AlreadyDecided {
                application: application.clone(),
            })
        }
    }
}

/// `text` trimmed; refused when blank or longer than `max` characters.
pub(super) fn required(
    text: &str,
    field: &'static str,
    max: usize,
) -> Result<String, CustomerError> {
    let text = text.trim();
    if text.is_empty() {
        Err(CustomerError::Missing { field })
    } else if text.chars().count() > max {
        Err(CustomerError::TooLong { field, max })
    } else {
        Ok(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn application() -> ApplicationId {
        ApplicationId::from_random([1; 8])
    }

    fn clay_and_cup() -> CompanyId {
        CompanyId::from_random([2; 8])
    }

    fn submit(company_name: &str) -> CustomerCommand {
        CustomerCommand::SubmitApplication {
            application: application(),
            company_name: company_name.into(),
            contact_name: " Priya Shah ".into(),
            email: Email::parse("orders@clayandcup.example").expect("valid"),
            message: "We run two cafés.".into(),
        }
    }

    fn given(events: &[CustomerEvent]) -> ApplicationState {
        ApplicationState::from_events(events)
    }

    fn submitted() -> Vec<CustomerEvent> {
        decide(&given(&[]), false, submit("Clay & Cup Café")).expect("submitted")
    }

    #[test]
    fn an_application_is_submitted_with_trimmed_names_and_waits() {
        let events = submitted();
        assert_eq!(
            events,
            vec![CustomerEvent::DealerApplicationSubmitted(
                DealerApplicationSubmitted {
                    application: application(),
                    company_name: "Clay & Cup Café".into(),
                    contact_name: "Priya Shah".into(),
                    email: Email::parse("orders@clayandcup.example").expect("valid"),
                    message: "We run two cafés.".into(),
                }
            )]
        );
        assert_eq!(
            given(&events),
            ApplicationState::Pending {
                company_name: "Clay & Cup Café".into()
            }
        );
    }

    #[test]
    fn an_application_with_a_blank_or_huge_name_or_a_taken_address_is_refused() {
        assert_eq!(
            decide(&given(&[]), false, submit("  ")),
            Err(CustomerError::Missing {
                field: "company name"
            })
        );
        assert_eq!(
            decide(&given(&[]), false, submit(&"x".repeat(MAX_NAME_CHARS + 1))),
            Err(CustomerError::TooLong {
                field: "company name",
                max: MAX_NAME_CHARS
            })
        );
        assert!(matches!(
            decide(&given(&[]), true, submit("Clay & Cup Café")),
            Err(CustomerError::EmailTaken { .. })
        ));
    }

    #[test]
    fn approving_a_pending_application_opens_the_company_at_its_tier_once() {
        let history = submitted();
        let approve = || CustomerCommand::Approve {
            application: application(),
            company: clay_and_cup(),
            tier: DealerTier::Trade,
        };
        let approved = decide(&given(&history), false, approve()).expect("approved");
        assert_eq!(
            approved,
            vec![CustomerEvent::DealerApplicationApproved(
                DealerApplicationApproved {
                    application: application(),
                    company: clay_and_cup(),
                    company_name: "Clay & Cup Café".into(),
                    tier: DealerTier::Trade,
                }
            )]
        );
        let mut after = history;
        after.extend(approved);
        assert_eq!(
            decide(&given(&after), false, approve()),
            Err(CustomerError::AlreadyDecided {
                application: application()
            })
        );
    }

    #[test]
    fn an_unknown_application_cannot_be_decided_and_a_decline_needs_a_reason() {
        assert_eq!(
            decide(
                &given(&[]),
                false,
                CustomerCommand::Decline {
                    application: application(),
                    reason: "Outside our area".into()
                }
            ),
            Err(CustomerError::NoSuchApplication {
                application: application()
            })
        );
        assert_eq!(
            decide(
                &given(&submitted()),
                false,
                CustomerCommand::Decline {
                    application: application(),
                    reason: " ".into()
                }
            ),
            Err(CustomerError::Missing { field: "reason" })
        );
    }

    #[test]
    fn a_tier_price_is_the_discounted_base_rounded_to_the_cent() {
        use kiln_core::money::{Currency, Money};
        let base = Money::new(2800, Currency::Usd);
        assert_eq!(
            DealerTier::Trade.price(base),
            Money::new(1680, Currency::Usd)
        );
        assert_eq!(
            DealerTier::Partner.price(base),
            Money::new(1400, Currency::Usd)
        );
        // 45% off $0.99 is 54.45 cents: rounded to 54.
        assert_eq!(
            DealerTier::Volume.price(Money::new(99, Currency::Usd)),
            Money::new(54, Currency::Usd)
        );
    }

    #[test]
    fn tier_discounts_grow_with_the_tier() {
        let discounts: Vec<i64> = DealerTier::ALL
            .iter()
            .map(|tier| tier.discount_percent())
            .collect();
        assert_eq!(discounts, [40, 45, 50]);
        for tier in DealerTier::ALL {
            assert_eq!(DealerTier::from_name(tier.as_str()), Some(tier));
        }
    }
}
