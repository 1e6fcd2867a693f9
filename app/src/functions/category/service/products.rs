//! Products and their prices: introduced and revised from the page's forms,
//! market prices noted, base prices changed.

use crate::functions::category::decide::{
    CategoryCommand, CategoryError, IntroduceProduct, ProductDetails, ProductState, decide,
};
use crate::functions::category::events::{
    CategoryEvent, Collection, FamilyKey, InvalidFamilyKey, InvalidSku, Sku, UnknownCollection,
    Variant,
};
use crate::functions::category::projection;
use crate::functions::category::view::{MarketNoteForm, ProductForm};
use crate::store::{Appended, EventMetadata, EventStore, StoreError};
use kiln_core::event::Actor;
use kiln_core::function::BusinessFunction;
use kiln_core::money::{Currency, Money};

/// Why a catalog command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum CatalogServiceError {
    /// A catalog rule refused it.
    #[error(transparent)]
    Rejected(#[from] CategoryError),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A SKU typed in a form is malformed.
    #[error(transparent)]
    Sku(#[from] InvalidSku),
    /// A collection chosen in a form does not exist.
    #[error(transparent)]
    Collection(#[from] UnknownCollection),
    /// A family key typed in a form is malformed.
    #[error(transparent)]
    Family(#[from] InvalidFamilyKey),
    /// A decision id that is not one.
    #[error(transparent)]
    DecisionId(#[from] kiln_core::decision::InvalidDecisionId),
    /// A risk other than low, medium or high.
    #[error("“{text}” is not a risk: use low, medium or high")]
    UnknownRisk {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// A verdict other than approve or reject.
    #[error("“{text}” is not a verdict: use approve or reject")]
    UnknownVerdict {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// A function slug among the agents involved that names no function.
    #[error("“{text}” is not a business function")]
    UnknownFunction {
        /// What was sent (its first 40 characters).
        text: String,
    },
    /// An option was typed without the family it is an option of.
    #[error("an option (“{option}”) needs the family it belongs to, e.g. speckled-mug")]
    OptionWithoutFamily {
        /// The option typed (its first 40 characters).
        option: String,
    },
}

/// The currency a first product is priced in. The shop sells in one
/// currency, the catalog's; Kiln has no setting for it yet.
const FIRST_PRODUCT_CURRENCY: Currency = Currency::Usd;

/// The text's first 40 characters, for quoting typed input in a refusal.
pub(super) fn quoted(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A product's details as typed in `form`, with amounts in `currency`.
fn details_from_form(
    form: &ProductForm,
    currency: Currency,
) -> Result<ProductDetails, CatalogServiceError> {
    let collection: Collection = form
        .collection
        .trim()
        .parse()
        .map_err(|_| UnknownCollection {
            text: quoted(&form.collection),
        })?;
    let family = form.family.trim();
    let option = form.option.trim();
    let variant = match (family.is_empty(), option.is_empty()) {
        (true, true) => None,
        (true, false) => {
            return Err(CatalogServiceError::OptionWithoutFamily {
                option: quoted(option),
            });
        }
        (false, _) => Some(Variant {
            family: FamilyKey::parse(family)?,
            option: form.option.clone(),
        }),
    };
    let cost = form.unit_cost.trim();
    let unit_cost = if cost.is_empty() {
        None
    } else {
        Some(
            Money::parse_amount(cost, currency)
                .map_err(|invalid| CategoryError::InvalidCost { text: invalid.text })?,
        )
    };
    Ok(ProductDetails {
        name: form.name.clone(),
        collection,
        description: form.description.clone(),
        image: form.image.clone(),
        variant,
        unit_cost,
    })
}

/// The SKU typed in a form.
pub(super) fn sku_from_form(text: &str) -> Result<Sku, InvalidSku> {
    Sku::parse(text.trim()).map_err(|_| InvalidSku { text: quoted(text) })
}

/// Introduces the product typed in the "introduce a product" form, priced
/// in the catalog's currency.
pub async fn introduce_from_form(
    store: &EventStore,
    actor: Actor,
    form: ProductForm,
) -> Result<Appended, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = projection::catalog(store)
        .await?
        .first()
        .map_or(FIRST_PRODUCT_CURRENCY, |entry| entry.product.price.currency);
    let base_price = Money::parse_amount(&form.price, currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    let details = details_from_form(&form, currency)?;
    handle(
        store,
        actor,
        CategoryCommand::IntroduceProduct(IntroduceProduct {
            sku,
            base_price,
            details,
        }),
    )
    .await
}

/// The currency of `sku`'s prices, which amounts typed in its forms are
/// read in (refused when there is no such product).
pub(super) async fn product_currency(
    store: &EventStore,
    sku: &Sku,
) -> Result<Currency, CatalogServiceError> {
    let history = store.load::<CategoryEvent>(&sku.product_stream()).await?;
    Ok(ProductState::from_events(&history.events)
        .base_price
        .ok_or_else(|| CategoryError::NoSuchProduct { sku: sku.clone() })?
        .currency)
}

/// Revises the product edited in the "edit a product" form.
pub async fn revise_from_form(
    store: &EventStore,
    actor: Actor,
    form: ProductForm,
) -> Result<Appended, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = product_currency(store, &sku).await?;
    let details = details_from_form(&form, currency)?;
    let command = CategoryCommand::ReviseProduct { sku, details };
    handle(store, actor, command).await
}

/// Records the note typed in the "note a market price" form.
pub async fn note_market_price(
    store: &EventStore,
    actor: Actor,
    form: MarketNoteForm,
) -> Result<Appended, CatalogServiceError> {
    let sku = sku_from_form(&form.sku)?;
    let currency = product_currency(store, &sku).await?;
    let typed = form.their_price.trim();
    let their_price = if typed.is_empty() {
        None
    } else {
        Some(
            Money::parse_amount(typed, currency)
                .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?,
        )
    };
    let command = CategoryCommand::NoteMarketPrice {
        sku,
        source: form.source,
        their_price,
        note: form.note,
    };
    handle(store, actor, command).await
}

/// Decides `command` against the product's stream and appends the result
/// (see [`handle_with`]).
pub async fn handle(
    store: &EventStore,
    actor: Actor,
    command: CategoryCommand,
) -> Result<Appended, CatalogServiceError> {
    handle_with(
        store,
        command,
        &EventMetadata::new(actor, BusinessFunction::Category),
    )
    .await
}

/// Changes `sku`'s base price to the amount typed in `price` (in the
/// product's own currency), saying why. The typed amount is read here, at
/// the edge, because its currency is the product's. A change the event
/// checks flag (a new price more than ten times, or under a tenth of, the
/// old one), or one behind an earlier held change of the product, is
/// recorded but held back: `held_back` in the answer says so.
pub async fn change_base_price(
    store: &EventStore,
    actor: Actor,
    sku: crate::functions::category::events::Sku,
    price: &str,
    reason: String,
) -> Result<Appended, CatalogServiceError> {
    let currency = product_currency(store, &sku).await?;
    let to = kiln_core::money::Money::parse_amount(price, currency)
        .map_err(|invalid| CategoryError::InvalidPrice { text: invalid.text })?;
    handle(
        store,
        actor,
        CategoryCommand::ChangeBasePrice { sku, to, reason },
    )
    .await
}

/// Decides `command` against the product's stream and appends the result
/// with `metadata` (the store's one command path, which decides again when
/// another append to the product got in between).
pub(super) async fn handle_with(
    store: &EventStore,
    command: CategoryCommand,
    metadata: &EventMetadata,
) -> Result<Appended, CatalogServiceError> {
    store
        .decide_and_append(&command.sku().product_stream(), metadata, |history| {
            decide(&ProductState::from_events(history), command.clone())
                .map_err(CatalogServiceError::from)
        })
        .await
}
