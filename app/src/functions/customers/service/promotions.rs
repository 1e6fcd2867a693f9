//! Dealers' promotional prices: offered and withdrawn by staff.

use crate::functions::customers::events::promotions_stream;
use crate::store::{EventMetadata, EventStore, StoreError};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use kiln_core::identity::CompanyId;

/// Why a promotional price was not offered or withdrawn.
#[derive(Debug, thiserror::Error)]
pub enum PromotionServiceError {
    /// A promotion rule refused it.
    #[error(transparent)]
    Refused(#[from] crate::functions::customers::decide::PromotionError),
    /// The form names a company that does not exist (or is malformed).
    #[error("there is no dealer company “{company}”")]
    NoSuchCompany {
        /// The company as sent (its first 40 characters).
        company: String,
    },
    /// The form names a product that is not on sale (or is malformed).
    #[error("there is no listed product “{sku}”")]
    NoSuchProduct {
        /// The SKU as sent (its first 40 characters).
        sku: String,
    },
    /// The price as typed is not an amount of money.
    #[error("“{text}” is not a price: give it like 15 or 14.50")]
    InvalidPrice {
        /// What was typed (its first 40 characters).
        text: String,
    },
    /// The promotion to withdraw is not `<company>:<SKU>`.
    #[error("choose a promotional price to withdraw")]
    NoPromotionChosen,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Offers the company in `form` the promotional price typed for the
/// product in `form`.
pub async fn offer_promotion(
    store: &EventStore,
    actor: Actor,
    form: crate::functions::customers::view::PromotionForm,
) -> Result<(), PromotionServiceError> {
    use crate::functions::category::{events::Sku, service as catalog};
    use crate::functions::customers::decide::{PromotionCommand, PromotionState, decide_promotion};

    let quoted = |text: &str| text.chars().take(40).collect::<String>();
    let company_typed = form.company.trim();
    let company =
        CompanyId::parse(company_typed).map_err(|_| PromotionServiceError::NoSuchCompany {
            company: quoted(company_typed),
        })?;
    let dealer = crate::functions::customers::projection::dealer_company(store, &company)
        .await?
        .ok_or_else(|| PromotionServiceError::NoSuchCompany {
            company: quoted(company_typed),
        })?;
    let no_product = || PromotionServiceError::NoSuchProduct {
        sku: quoted(form.sku.trim()),
    };
    let sku = Sku::parse(form.sku.trim()).map_err(|_| no_product())?;
    let product = catalog::storefront_product(store, &sku)
        .await?
        .ok_or_else(no_product)?;
    let price = kiln_core::money::Money::parse_amount(&form.price, product.price.currency)
        .map_err(|invalid| PromotionServiceError::InvalidPrice { text: invalid.text })?;
    let stream = promotions_stream(&company);
    let command = PromotionCommand::Offer {
        company,
        company_name: dealer.name,
        sku,
        base_price: product.price,
        price,
        note: form.note,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_promotion(&PromotionState::from_events(history), command.clone())
                .map_err(PromotionServiceError::from)
        })
        .await?;
    Ok(())
}

/// Withdraws the promotional price named `<company>:<SKU>`.
pub async fn withdraw_promotion(
    store: &EventStore,
    actor: Actor,
    promotion: &str,
) -> Result<(), PromotionServiceError> {
    use crate::functions::category::events::Sku;
    use crate::functions::customers::decide::{PromotionCommand, PromotionState, decide_promotion};

    let (company, sku) = promotion
        .trim()
        .split_once(':')
        .and_then(|(company, sku)| Some((CompanyId::parse(company).ok()?, Sku::parse(sku).ok()?)))
        .ok_or(PromotionServiceError::NoPromotionChosen)?;
    let stream = promotions_stream(&company);
    let command = PromotionCommand::Withdraw { company, sku };
    let metadata = EventMetadata::new(actor, BusinessFunction::Customers);
    store
        .decide_and_append(&stream, &metadata, |history| {
            decide_promotion(&PromotionState::from_events(history), command.clone())
                .map_err(PromotionServiceError::from)
        })
        .await?;
    Ok(())
}
