//! Dealer applications: one stream per application,
//! `dealer-application-<id>`, submitted on the public site and approved at a
//! tier or declined with a reason by a person, directly or by approving
//! what Customer Management's agent proposed.

use crate::functions::customers::events::{
    ApplicationId, ApplicationOutcome, CustomerEvent, DealerApplicationApproved,
    DealerApplicationDeclined, DealerApplicationSubmitted, DealerApplicationVerdictProposed,
    DealerTier,
};
use kiln_core::decision::{
    DecisionError, DecisionId, DecisionVerdict, Proposal, Verdict, checked_proposal,
    checked_verdict,
};
use kiln_core::function::BusinessFunction;
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
    /// Propose a verdict for a person to approve (Customer Management's
    /// agent, or anyone who may propose for the function).
    ProposeVerdict {
        /// The application.
        application: ApplicationId,
        /// The verdict proposed.
        outcome: ApplicationOutcome,
        /// What every proposal says.
        proposal: Proposal,
    },
    /// A person's verdict on the application's waiting proposal: approving
    /// it carries out the verdict proposed.
    DecideProposal {
        /// The application.
        application: ApplicationId,
        /// The proposal's decision.
        decision: DecisionId,
        /// Approve or reject.
        verdict: Verdict,
        /// What the person says (required to reject).
        comment: String,
        /// The company approving would open (chosen by the service).
        company: CompanyId,
    },
}

/// A proposal waiting on an application for a person's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingProposal {
    /// Its decision.
    pub decision: DecisionId,
    /// The verdict it proposes.
    pub outcome: ApplicationOutcome,
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
        /// The proposal waiting for a person, if any.
        waiting: Option<WaitingProposal>,
        /// Proposals people rejected: the application still waits.
        rejected: Vec<DecisionId>,
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
            state = match (event, state) {
                (CustomerEvent::DealerApplicationSubmitted(submitted), _) => {
                    ApplicationState::Pending {
                        company_name: submitted.company_name.clone(),
                        waiting: None,
                        rejected: Vec::new(),
                    }
                }
                (
                    CustomerEvent::DealerApplicationVerdictProposed(proposed),
                    ApplicationState::Pending {
                        company_name,
                        rejected,
                        ..
                    },
                ) => ApplicationState::Pending {
                    company_name,
                    waiting: Some(WaitingProposal {
                        decision: proposed.proposal.decision.clone(),
                        outcome: proposed.outcome.clone(),
                    }),
                    rejected,
                },
                (
                    CustomerEvent::DealerApplicationProposalRejected(verdict),
                    ApplicationState::Pending {
                        company_name,
                        mut rejected,
                        ..
                    },
                ) => {
                    rejected.push(verdict.decision.clone());
                    ApplicationState::Pending {
                        company_name,
                        waiting: None,
                        rejected,
                    }
                }
                // The verdict approved follows in the same append.
                (CustomerEvent::DealerApplicationProposalApproved(_), state) => state,
                (CustomerEvent::DealerApplicationApproved(_), _) => ApplicationState::Approved,
                (CustomerEvent::DealerApplicationDeclined(_), _) => ApplicationState::Declined,
                // A proposal or rejection on an application that is not
                // pending is refused by `decide`; none reaches the log.
                (
                    CustomerEvent::DealerApplicationVerdictProposed(_)
                    | CustomerEvent::DealerApplicationProposalRejected(_),
                    state,
                ) => state,
                // Orders, tickets and promotions live in streams of their own.
                (
                    CustomerEvent::OrderPlaced(_)
                    | CustomerEvent::OrderPaymentCaptured(_)
                    | CustomerEvent::OrderPaymentDeclined(_)
                    | CustomerEvent::SupportTicketOpened(_)
                    | CustomerEvent::SupportTicketReplied(_)
                    | CustomerEvent::SupportTicketClosed(_)
                    | CustomerEvent::SupportTicketFlagged(_)
                    | CustomerEvent::DealerPromotionOffered(_)
                    | CustomerEvent::DealerPromotionWithdrawn(_),
                    state,
                ) => state,
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
    /// An application has one proposal waiting at a time.
    #[error(
        "dealer application {application} already has proposal {decision} waiting for a person"
    )]
    ProposalWaiting {
        /// The application.
        application: ApplicationId,
        /// The proposal waiting.
        decision: DecisionId,
    },
    /// A proposal or verdict broke the rules every decision shares.
    #[error(transparent)]
    Decision(#[from] DecisionError),
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
            let outcome = ApplicationOutcome::Approve { tier };
            let mut events = closed_proposal(state, &outcome);
            events.push(CustomerEvent::DealerApplicationApproved(
                DealerApplicationApproved {
                    application,
                    company,
                    company_name,
                    tier,
                },
            ));
            Ok(events)
        }
        CustomerCommand::Decline {
            application,
            reason,
        } => {
            pending(state, &application)?;
            let reason = required(&reason, "reason", MAX_MESSAGE_CHARS)?;
            let outcome = ApplicationOutcome::Decline {
                reason: reason.clone(),
            };
            let mut events = closed_proposal(state, &outcome);
            events.push(CustomerEvent::DealerApplicationDeclined(
                DealerApplicationDeclined {
                    application,
                    reason,
                },
            ));
            Ok(events)
        }
        CustomerCommand::ProposeVerdict {
            application,
            outcome,
            proposal,
        } => {
            let company_name = pending(state, &application)?;
            if let ApplicationState::Pending {
                waiting: Some(waiting),
                ..
            } = state
            {
                return Err(CustomerError::ProposalWaiting {
                    application,
                    decision: waiting.decision.clone(),
                });
            }
            let outcome = match outcome {
                ApplicationOutcome::Approve { tier } => ApplicationOutcome::Approve { tier },
                ApplicationOutcome::Decline { reason } => ApplicationOutcome::Decline {
                    reason: required(&reason, "reason", MAX_MESSAGE_CHARS)?,
                },
            };
            let proposal = checked_proposal(BusinessFunction::Customers, proposal)?;
            Ok(vec![CustomerEvent::DealerApplicationVerdictProposed(
                DealerApplicationVerdictProposed {
                    proposal,
                    application,
                    company_name,
                    outcome,
                },
            )])
        }
        CustomerCommand::DecideProposal {
            application,
            decision,
            verdict,
            comment,
            company,
        } => {
            let company_name = pending(state, &application)?;
            let waiting = waiting_proposal(state, &decision)?;
            let verdict_given = checked_verdict(verdict, decision, &comment)?;
            match (verdict, &waiting.outcome) {
                (Verdict::Reject, _) => Ok(vec![CustomerEvent::DealerApplicationProposalRejected(
                    verdict_given,
                )]),
                (Verdict::Approve, ApplicationOutcome::Approve { tier }) => Ok(vec![
                    CustomerEvent::DealerApplicationProposalApproved(verdict_given),
                    CustomerEvent::DealerApplicationApproved(DealerApplicationApproved {
                        application,
                        company,
                        company_name,
                        tier: *tier,
                    }),
                ]),
                (Verdict::Approve, ApplicationOutcome::Decline { reason }) => Ok(vec![
                    CustomerEvent::DealerApplicationProposalApproved(verdict_given),
                    CustomerEvent::DealerApplicationDeclined(DealerApplicationDeclined {
                        application,
                        reason: reason.clone(),
                    }),
                ]),
            }
        }
    }
}

/// The application's waiting proposal `decision`, or why there is none.
fn waiting_proposal<'a>(
    state: &'a ApplicationState,
    decision: &DecisionId,
) -> Result<&'a WaitingProposal, DecisionError> {
    match state {
        ApplicationState::Pending {
            waiting: Some(waiting),
            ..
        } if &waiting.decision == decision => Ok(waiting),
        ApplicationState::Pending { rejected, .. } if rejected.contains(decision) => {
            Err(DecisionError::AlreadyDecided {
                decision: decision.clone(),
                status: "rejected",
            })
        }
        _ => Err(DecisionError::NoSuchDecision {
            decision: decision.clone(),
        }),
    }
}

/// When a person decides an application directly while a proposal waits,
/// the proposal is closed in the same append: approved when the person's
/// verdict is the one proposed (a decline for any reason is a decline),
/// rejected otherwise. No proposal is left waiting on a decided application.
fn closed_proposal(state: &ApplicationState, decided: &ApplicationOutcome) -> Vec<CustomerEvent> {
    let ApplicationState::Pending {
        waiting: Some(waiting),
        ..
    } = state
    else {
        return Vec::new();
    };
    let as_proposed = match (&waiting.outcome, decided) {
        (ApplicationOutcome::Approve { tier }, ApplicationOutcome::Approve { tier: given }) => {
            tier == given
        }
        (ApplicationOutcome::Decline { .. }, ApplicationOutcome::Decline { .. }) => true,
        _ => false,
    };
    // The reason of a decline may be long; the comment keeps to a line.
    let comment = if as_proposed {
        "Decided directly on the application, as proposed.".to_owned()
    } else {
        format!(
            "Decided directly on the application: {}.",
            decided.describe().chars().take(200).collect::<String>()
        )
    };
    let verdict = DecisionVerdict {
        decision: waiting.decision.clone(),
        comment,
    };
    vec![if as_proposed {
        CustomerEvent::DealerApplicationProposalApproved(verdict)
    } else {
        CustomerEvent::DealerApplicationProposalRejected(verdict)
    }]
}

/// The company name of a pending application, or why it cannot be decided.
fn pending(state: &ApplicationState, application: &ApplicationId) -> Result<String, CustomerError> {
    match state {
        ApplicationState::Pending { company_name, .. } => Ok(company_name.clone()),
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
                company_name: "Clay & Cup Café".into(),
                waiting: None,
                rejected: Vec::new(),
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

    fn decision() -> DecisionId {
        DecisionId::from_random([3; 8])
    }

    fn propose(outcome: ApplicationOutcome) -> CustomerCommand {
        CustomerCommand::ProposeVerdict {
            application: application(),
            outcome,
            proposal: Proposal {
                decision: decision(),
                summary: " Approve Clay & Cup Café at the volume tier ".into(),
                reasoning: "Three cafés, about 400 mugs a month.".into(),
                agents_involved: vec![],
                data_considered: vec![],
                risk: kiln_core::decision::Risk::Medium,
            },
        }
    }

    fn decide_proposal(verdict: Verdict, comment: &str) -> CustomerCommand {
        CustomerCommand::DecideProposal {
            application: application(),
            decision: decision(),
            verdict,
            comment: comment.into(),
            company: clay_and_cup(),
        }
    }

    fn volume() -> ApplicationOutcome {
        ApplicationOutcome::Approve {
            tier: DealerTier::Volume,
        }
    }

    /// The application submitted, and a proposal to approve it at the
    /// volume tier waiting.
    fn proposed() -> Vec<CustomerEvent> {
        let mut history = submitted();
        let proposal = decide(&given(&history), false, propose(volume())).expect("proposed");
        history.extend(proposal);
        history
    }

    #[test]
    fn a_proposed_verdict_waits_with_its_summary_trimmed_and_its_function_first() {
        let history = proposed();
        let Some(CustomerEvent::DealerApplicationVerdictProposed(proposed)) = history.last() else {
            panic!("no proposal in {history:?}");
        };
        assert_eq!(proposed.outcome, volume());
        assert_eq!(proposed.company_name, "Clay & Cup Café");
        assert_eq!(
            proposed.proposal.summary,
            "Approve Clay & Cup Café at the volume tier"
        );
        assert_eq!(
            proposed.proposal.agents_involved,
            vec![BusinessFunction::Customers]
        );
    }

    #[test]
    fn a_second_proposal_while_one_waits_is_refused() {
        assert_eq!(
            decide(&given(&proposed()), false, propose(volume())),
            Err(CustomerError::ProposalWaiting {
                application: application(),
                decision: decision()
            })
        );
    }

    #[test]
    fn a_proposal_to_decline_needs_a_reason_and_one_on_a_decided_application_is_refused() {
        assert_eq!(
            decide(
                &given(&submitted()),
                false,
                propose(ApplicationOutcome::Decline { reason: " ".into() })
            ),
            Err(CustomerError::Missing { field: "reason" })
        );
        let mut history = submitted();
        history.extend(
            decide(
                &given(&history),
                false,
                CustomerCommand::Decline {
                    application: application(),
                    reason: "Outside our area".into(),
                },
            )
            .expect("declined"),
        );
        assert_eq!(
            decide(&given(&history), false, propose(volume())),
            Err(CustomerError::AlreadyDecided {
                application: application()
            })
        );
    }

    #[test]
    fn approving_the_proposal_opens_the_company_at_the_proposed_tier_in_the_same_append() {
        let events = decide(
            &given(&proposed()),
            false,
            decide_proposal(Verdict::Approve, ""),
        )
        .expect("approved");
        assert_eq!(
            events,
            vec![
                CustomerEvent::DealerApplicationProposalApproved(DecisionVerdict {
                    decision: decision(),
                    comment: String::new(),
                }),
                CustomerEvent::DealerApplicationApproved(DealerApplicationApproved {
                    application: application(),
                    company: clay_and_cup(),
                    company_name: "Clay & Cup Café".into(),
                    tier: DealerTier::Volume,
                }),
            ]
        );
    }

    #[test]
    fn rejecting_the_proposal_needs_a_reason_keeps_the_application_waiting_and_frees_it_for_another()
     {
        assert_eq!(
            decide(
                &given(&proposed()),
                false,
                decide_proposal(Verdict::Reject, " ")
            ),
            Err(CustomerError::Decision(
                DecisionError::MissingRejectionReason
            ))
        );
        let mut history = proposed();
        history.extend(
            decide(
                &given(&history),
                false,
                decide_proposal(Verdict::Reject, "Trade first; volume after a year"),
            )
            .expect("rejected"),
        );
        assert!(matches!(
            given(&history),
            ApplicationState::Pending { waiting: None, .. }
        ));
        assert_eq!(
            decide(
                &given(&history),
                false,
                decide_proposal(Verdict::Approve, "")
            ),
            Err(CustomerError::Decision(DecisionError::AlreadyDecided {
                decision: decision(),
                status: "rejected"
            }))
        );
    }

    #[test]
    fn a_verdict_on_a_decision_that_is_not_waiting_is_refused() {
        assert_eq!(
            decide(
                &given(&submitted()),
                false,
                decide_proposal(Verdict::Approve, "")
            ),
            Err(CustomerError::Decision(DecisionError::NoSuchDecision {
                decision: decision()
            }))
        );
    }

    #[test]
    fn a_person_deciding_directly_closes_the_waiting_proposal_as_approved_or_rejected() {
        let approve_at = |tier| CustomerCommand::Approve {
            application: application(),
            company: clay_and_cup(),
            tier,
        };
        let as_proposed =
            decide(&given(&proposed()), false, approve_at(DealerTier::Volume)).expect("approved");
        assert!(matches!(
            as_proposed.first(),
            Some(CustomerEvent::DealerApplicationProposalApproved(_))
        ));
        let otherwise =
            decide(&given(&proposed()), false, approve_at(DealerTier::Trade)).expect("approved");
        let Some(CustomerEvent::DealerApplicationProposalRejected(verdict)) = otherwise.first()
        else {
            panic!("the proposal is not rejected in {otherwise:?}");
        };
        assert_eq!(
            verdict.comment,
            "Decided directly on the application: approve at the trade tier (40 % off)."
        );
        assert!(matches!(
            otherwise.get(1),
            Some(CustomerEvent::DealerApplicationApproved(_))
        ));
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
