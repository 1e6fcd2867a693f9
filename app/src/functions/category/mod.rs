//! Category Management: the catalog of products, their listing and their
//! base prices (briefing, "Category Management Function").
//!
//! Built so far: introducing a product to the catalog (the demo seed; no
//! form yet), the storefront's read of listed products, and on the staff
//! page the catalog with listing status, base price changes with their
//! reasons and history, delisting and relisting (`endpoints`, `page`). Not
//! built yet: creating and editing products from the page, variants,
//! product performance, market pricing notes (the selling issue).

pub mod decide;
pub mod endpoints;
pub mod events;
pub mod page;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
