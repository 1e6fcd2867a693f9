//! Category Management: the catalog of products, their listing and their
//! base prices (briefing, "Category Management Function").
//!
//! Built so far: introducing a product to the catalog, and the storefront's
//! read of listed products. Not built yet: the staff page, listing and
//! delisting, base price changes and product performance (the selling issue).

pub mod decide;
pub mod events;
pub mod view;

#[cfg(feature = "ssr")]
pub mod projection;
#[cfg(feature = "ssr")]
pub mod service;
