//! Customer Management: every customer relationship, consumers and dealers
//! (briefing, "Customer Management Function").
//!
//! Built so far: the dealer onboarding pipeline — an application form on
//! the public site (`/dealers/apply`), the applications list, and approving
//! (which opens the dealer company at a price tier and creates its first
//! user, who gets a link to choose a password) or declining with a reason,
//! all needing `customers:approve` (see `crate::access::table`). Not built
//! yet: the staff page `/staff/customers`, the agent proposing onboarding
//! decisions for a person to approve (today a person decides directly),
//! segments, support tickets, feedback (selling and function-pages issues).

pub mod decide;
pub mod endpoints;
pub mod events;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
