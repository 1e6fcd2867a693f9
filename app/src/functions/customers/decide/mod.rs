//! Customer Management's commands and the pure rules that decide them, one
//! file per kind of stream: dealer applications, orders and their card
//! payments, support tickets, and dealers' promotional prices. Each file's
//! items are re-exported here, so callers write `decide::PlaceOrder`
//! whichever file holds it.

mod applications;
mod orders;
mod promotions;
mod tickets;

pub use applications::*;
pub use orders::*;
pub use promotions::*;
pub use tickets::*;
