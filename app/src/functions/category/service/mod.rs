//! Category Management's application service, the one way its commands
//! reach the event log and its projections reach the pages, a file per
//! subject: products and their prices, agents' price proposals and people's
//! verdicts on them, what the storefront reads, and the figures its page and
//! the Business Overview show. Each file's items are re-exported here, so
//! callers write `service::handle` whichever file holds it.

mod page_figures;
mod products;
mod proposals;
mod storefront;

pub use page_figures::*;
pub use products::*;
pub use proposals::*;
pub use storefront::*;
