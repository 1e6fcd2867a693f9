//! Support tickets (one stream per ticket): opening, replies from the
//! customer and from staff, closing, and flags raised to other functions.

use super::applications::{CustomerError, required};
use crate::functions::customers::events::CustomerEvent;
use crate::functions::customers::events::{
    SupportTicketClosed, SupportTicketOpened, SupportTicketReplied, TicketCustomer, TicketId,
    TicketParty,
};
use kiln_core::identity::AccountId;

/// The longest ticket subject accepted, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest ticket message accepted, in characters.
pub const MAX_TICKET_MESSAGE_CHARS: usize = 5000;

/// A request about a support ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketCommand {
    /// A customer opens a ticket.
    Open {
        /// Its id (chosen by the service).
        ticket: TicketId,
        /// The customer.
        customer: TicketCustomer,
        /// What it is about.
        subject: String,
        /// The first message.
        message: String,
    },
    /// Someone writes on the ticket.
    Reply {
        /// The ticket.
        ticket: TicketId,
        /// Staff, or the customer (then `account` must be the ticket's).
        from: TicketParty,
        /// The writer's account.
        account: AccountId,
        /// The writer's name.
        author_name: String,
        /// What they wrote.
        message: String,
    },
    /// Staff close the ticket.
    Close {
        /// The ticket.
        ticket: TicketId,
    },
    /// Staff flag the ticket's feedback to the function it concerns.
    Flag {
        /// The ticket.
        ticket: TicketId,
        /// The function.
        function: kiln_core::function::BusinessFunction,
        /// What that function should know.
        note: String,
    },
}

/// The longest note on a flagged ticket, in characters.
pub const MAX_FLAG_NOTE_CHARS: usize = 500;

/// A ticket as its rules need it, folded from its stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketState {
    /// The customer's account, once opened.
    pub owner: Option<AccountId>,
    /// Whether staff closed it.
    pub closed: bool,
    /// The functions its feedback was flagged to.
    pub flagged_to: Vec<kiln_core::function::BusinessFunction>,
}

impl TicketState {
    /// Folds a ticket's past events, oldest first.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a CustomerEvent>) -> Self {
        let mut state = Self::default();
        for event in events {
            match event {
                CustomerEvent::SupportTicketOpened(opened) => {
                    state.owner = Some(opened.customer.account.clone());
                }
                CustomerEvent::SupportTicketClosed(_) => state.closed = true,
                CustomerEvent::SupportTicketFlagged(flagged) => {
                    state.flagged_to.push(flagged.function);
                }
                _ => {}
            }
        }
        state
    }
}

/// A ticket rule that refused a request; shown verbatim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// No such ticket (or, for a customer, not theirs: the same answer,
    /// so ticket ids cannot be probed).
    #[error("there is no ticket {ticket}")]
    NoSuchTicket {
        /// The id asked for.
        ticket: TicketId,
    },
    /// Ticket ids are never reused.
    #[error("ticket {ticket} is already open")]
    AlreadyOpened {
        /// The id.
        ticket: TicketId,
    },
    /// A closed ticket takes no more messages: open a new one.
    #[error("ticket {ticket} is closed: open a new one")]
    Closed {
        /// The id.
        ticket: TicketId,
    },
    /// A blank or overlong subject or message.
    #[error("{0}")]
    Field(CustomerError),
    /// Feedback is flagged to another business function, one that owns
    /// work (not the overview or the system's own pages).
    #[error("feedback cannot be flagged to {function}: choose the business function it concerns")]
    NotAFunctionForFeedback {
        /// The refused function's name.
        function: &'static str,
    },
    /// Flagging twice to one function says nothing new.
    #[error("ticket {ticket} is already flagged to {function}")]
    AlreadyFlagged {
        /// The ticket.
        ticket: TicketId,
        /// The function's name.
        function: &'static str,
    },
    /// A note longer than anyone would read.
    #[error("the note may have at most {max} characters")]
    NoteTooLong {
        /// The limit.
        max: usize,
    },
}

/// Decides a ticket request against the ticket's history.
pub fn decide_ticket(
    state: &TicketState,
    command: TicketCommand,
) -> Result<Vec<CustomerEvent>, TicketError> {
    let field = |text: &str, name: &'static str, max: usize| {
        required(text, name, max).map_err(TicketError::Field)
    };
    match command {
        TicketCommand::Open {
            ticket,
            customer,
            subject,
            message,
        } => {
            if state.owner.is_some() {
                return Err(TicketError::AlreadyOpened { ticket });
            }
            let subject = field(&subject, "subject", MAX_SUBJECT_CHARS)?;
            let message = field(&message, "message", MAX_TICKET_MESSAGE_CHARS)?;
            Ok(vec![CustomerEvent::SupportTicketOpened(
                SupportTicketOpened {
                    ticket,
                    customer,
                    subject,
                    message,
                },
            )])
        }
        TicketCommand::Reply {
            ticket,
            from,
            account,
            author_name,
            message,
        } => {
            let Some(owner) = &state.owner else {
                return Err(TicketError::NoSuchTicket { ticket });
            };
            if from == TicketParty::Customer && *owner != account {
                return Err(TicketError::NoSuchTicket { ticket });
            }
            if state.closed {
                return Err(TicketError::Closed { ticket });
            }
            let message = field(&message, "message", MAX_TICKET_MESSAGE_CHARS)?;
            Ok(vec![CustomerEvent::SupportTicketReplied(
                SupportTicketReplied {
                    ticket,
                    from,
                    author_name: author_name.trim().to_owned(),
                    message,
                },
            )])
        }
        TicketCommand::Close { ticket } => {
            if state.owner.is_none() {
                return Err(TicketError::NoSuchTicket { ticket });
            }
            if state.closed {
                return Err(TicketError::Closed { ticket });
            }
            Ok(vec![CustomerEvent::SupportTicketClosed(
                SupportTicketClosed { ticket },
            )])
        }
        TicketCommand::Flag {
            ticket,
            function,
            note,
        } => {
            use kiln_core::function::BusinessFunction;
            if state.owner.is_none() {
                return Err(TicketError::NoSuchTicket { ticket });
            }
            if matches!(
                function,
                BusinessFunction::Customers
                    | BusinessFunction::Overview
                    | BusinessFunction::DatabaseManager
            ) {
                return Err(TicketError::NotAFunctionForFeedback {
                    function: function.title(),
                });
            }
            if state.flagged_to.contains(&function) {
                return Err(TicketError::AlreadyFlagged {
                    ticket,
                    function: function.title(),
                });
            }
            let note = note.trim();
            if note.chars().count() > MAX_FLAG_NOTE_CHARS {
                return Err(TicketError::NoteTooLong {
                    max: MAX_FLAG_NOTE_CHARS,
                });
            }
            Ok(vec![CustomerEvent::SupportTicketFlagged(
                crate::functions::customers::events::SupportTicketFlagged {
                    ticket,
                    function,
                    note: note.to_owned(),
                },
            )])
        }
    }
}

#[cfg(test)]
mod ticket_tests {
    use super::*;
    use kiln_core::identity::Email;

    fn ticket() -> TicketId {
        TicketId::from_random([3; 8])
    }

    fn ada() -> AccountId {
        AccountId::parse("acc-0101010101010101").expect("valid account id")
    }

    fn open(subject: &str, message: &str) -> TicketCommand {
        TicketCommand::Open {
            ticket: ticket(),
            customer: TicketCustomer {
                account: ada(),
                company: None,
                name: "Ada Lovell".into(),
                email: Email::parse("shopper@fenwick.example").expect("valid address"),
            },
            subject: subject.into(),
            message: message.into(),
        }
    }

    fn reply(from: TicketParty, account: AccountId, message: &str) -> TicketCommand {
        TicketCommand::Reply {
            ticket: ticket(),
            from,
            account,
            author_name: "Mara Fenwick".into(),
            message: message.into(),
        }
    }

    fn given(events: &[CustomerEvent]) -> TicketState {
        TicketState::from_events(events)
    }

    fn flag(function: kiln_core::function::BusinessFunction, note: &str) -> TicketCommand {
        TicketCommand::Flag {
            ticket: ticket(),
            function,
            note: note.into(),
        }
    }

    #[test]
    fn feedback_is_flagged_once_to_each_business_function_it_concerns() {
        use kiln_core::function::BusinessFunction;
        let mut history =
            decide_ticket(&given(&[]), open("Chipped mug", "Chipped.")).expect("opened");
        let flagged = decide_ticket(
            &given(&history),
            flag(BusinessFunction::Quality, " Kiln 2? "),
        )
        .expect("flagged");
        assert!(matches!(
            &flagged[..],
            [CustomerEvent::SupportTicketFlagged(f)]
                if f.function == BusinessFunction::Quality && f.note == "Kiln 2?"
        ));
        history.extend(flagged);
        assert!(decide_ticket(&given(&history), flag(BusinessFunction::Fulfillment, "")).is_ok());
        for (command, refusal) in [
            (
                flag(BusinessFunction::Quality, ""),
                "is already flagged to Quality",
            ),
            (
                flag(BusinessFunction::Customers, ""),
                "feedback cannot be flagged to Customer Management",
            ),
            (
                flag(BusinessFunction::Category, &"x".repeat(501)),
                "the note may have at most 500 characters",
            ),
        ] {
            let error = decide_ticket(&given(&history), command).expect_err("refused");
            assert!(error.to_string().contains(refusal), "{error}");
        }
        assert!(matches!(
            decide_ticket(&given(&[]), flag(BusinessFunction::Quality, "")),
            Err(TicketError::NoSuchTicket { .. })
        ));
    }

    #[test]
    fn a_customer_opens_a_ticket_staff_answer_and_close_it() {
        let mut history = decide_ticket(&given(&[]), open(" Chipped mug ", "One arrived chipped."))
            .expect("opened");
        assert!(matches!(
            &history[..],
            [CustomerEvent::SupportTicketOpened(opened)] if opened.subject == "Chipped mug"
        ));
        let staff = AccountId::parse("acc-0202020202020202").expect("valid account id");
        history.extend(
            decide_ticket(
                &given(&history),
                reply(TicketParty::Staff, staff, "Sorry: a new one is on its way."),
            )
            .expect("answered"),
        );
        history.extend(
            decide_ticket(
                &given(&history),
                reply(TicketParty::Customer, ada(), "Thank you!"),
            )
            .expect("the customer adds"),
        );
        history.extend(
            decide_ticket(&given(&history), TicketCommand::Close { ticket: ticket() })
                .expect("closed"),
        );
        assert_eq!(
            decide_ticket(
                &given(&history),
                reply(TicketParty::Customer, ada(), "One more thing")
            ),
            Err(TicketError::Closed { ticket: ticket() })
        );
    }

    #[test]
    fn another_customer_cannot_write_on_a_ticket_and_learns_nothing_of_it() {
        let history = decide_ticket(&given(&[]), open("Chipped mug", "One arrived chipped."))
            .expect("opened");
        let stranger = AccountId::parse("acc-0909090909090909").expect("valid account id");
        assert_eq!(
            decide_ticket(
                &given(&history),
                reply(TicketParty::Customer, stranger, "Hello")
            ),
            Err(TicketError::NoSuchTicket { ticket: ticket() })
        );
        assert_eq!(
            decide_ticket(&given(&[]), reply(TicketParty::Staff, ada(), "Hello")),
            Err(TicketError::NoSuchTicket { ticket: ticket() })
        );
    }

    #[test]
    fn a_blank_or_overlong_subject_or_message_is_refused_and_a_ticket_opens_once() {
        for (command, refusal) in [
            (open("  ", "Hello"), "the subject is missing"),
            (open("Hi", ""), "the message is missing"),
            (
                open(&"x".repeat(1_000_000), "Hello"),
                "the subject may have at most 200 characters",
            ),
            (
                open("Hi", &"é".repeat(5001)),
                "the message may have at most 5000 characters",
            ),
        ] {
            assert_eq!(
                decide_ticket(&given(&[]), command)
                    .expect_err("refused")
                    .to_string(),
                refusal
            );
        }
        let history = decide_ticket(&given(&[]), open("Hi", "Hello")).expect("opened");
        assert_eq!(
            decide_ticket(&given(&history), open("Hi", "Hello")),
            Err(TicketError::AlreadyOpened { ticket: ticket() })
        );
    }
}
