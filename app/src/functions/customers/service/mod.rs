//! Customer Management's application service, a file per subject: dealer
//! onboarding, orders and card payments, promotional prices, support
//! tickets, and the figures its page and the Business Overview show. Each
//! file's items are re-exported here, so callers write `service::place_order`
//! whichever file holds it.

mod dealers;
mod orders;
mod page_figures;
mod promotions;
mod tickets;

pub use dealers::*;
pub use orders::*;
pub use page_figures::*;
pub use promotions::*;
pub use tickets::*;
