//! Quality's application service: raise a non-conformance, and fill the
//! page from the `non_conformances` table.

use super::decide::{NonConformanceState, QualityCommand, QualityError, decide};
use super::events::{NonConformanceId, NonConformanceSource, QualityEvent};
use super::projection;
use crate::functions::view::{Choice, ChoiceList, DataTable, FunctionPage, Metric};
use crate::store::{EventMetadata, EventStore, StoreError};
use kiln_core::event::{Actor, StreamId};
use kiln_core::function::BusinessFunction;

/// How many of the newest non-conformances the page lists.
pub const NON_CONFORMANCES_SHOWN: i64 = 50;

/// Why a Quality request was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum QualityServiceError {
    /// A Quality rule refused it; the message is safe to show.
    #[error(transparent)]
    Refused(#[from] QualityError),
    /// The store failed; nothing was recorded.
    #[error("the non-conformance was not recorded")]
    Store(#[from] StoreError),
}

/// Raises a non-conformance on behalf of `actor`; answers its id.
pub async fn raise_non_conformance(
    store: &EventStore,
    actor: Actor,
    source: NonConformanceSource,
    subject: String,
    description: String,
) -> Result<NonConformanceId, QualityServiceError> {
    let non_conformance = NonConformanceId::generate();
    let command = QualityCommand::RaiseNonConformance {
        non_conformance: non_conformance.clone(),
        source,
        subject,
        description,
    };
    let metadata = EventMetadata::new(actor, BusinessFunction::Quality);
    store
        .decide_and_append(
            &StreamId::new(format!("non-conformance-{non_conformance}")),
            &metadata,
            |history: &[QualityEvent]| {
                decide(&NonConformanceState::from_events(history), command.clone())
                    .map_err(QualityServiceError::from)
            },
        )
        .await?;
    Ok(non_conformance)
}

/// Fills Quality's page: how many non-conformances were raised, the
/// newest of them, and the sources the form offers.
pub async fn fill_page(store: &EventStore, page: &mut FunctionPage) -> Result<(), StoreError> {
    let raised = projection::count(store).await?;
    page.metrics = vec![Metric::count(
        "non-conformances",
        "Non-conformances raised",
        raised,
    )];
    let mut table = DataTable::new(
        "non-conformances",
        &format!("Non-conformances (the newest {NON_CONFORMANCES_SHOWN})"),
        &[
            "Raised (UTC)",
            "Non-conformance",
            "Source",
            "Subject",
            "Description",
            "Raised by",
        ],
        "No non-conformance has been raised.",
    );
    for row in projection::newest(store, NON_CONFORMANCES_SHOWN).await? {
        let source = NonConformanceSource::from_name(&row.source)
            .map_or(row.source.clone(), |source| source.label().to_owned());
        table.row(vec![
            row.raised_at
                .get(..16)
                .unwrap_or(&row.raised_at)
                .replace('T', " "),
            row.non_conformance,
            source,
            row.subject,
            row.description,
            row.raised_by,
        ]);
    }
    page.tables.push(table);
    page.choices.push(ChoiceList {
        key: "non-conformance-sources".to_owned(),
        options: NonConformanceSource::ALL
            .into_iter()
            .map(|source| Choice {
                value: source.as_str().to_owned(),
                label: source.label().to_owned(),
            })
            .collect(),
    });
    page.not_built_yet.push(
        "Closing a non-conformance with its corrective action, quality holds on products and batches, supplier quality issues, root causes and improvement projects: not built yet."
            .to_owned(),
    );
    Ok(())
}

/// Quality's figure on the Business Overview: the non-conformances raised.
pub async fn headline(
    store: &EventStore,
) -> Result<crate::functions::descriptor::Headline, StoreError> {
    Ok(crate::functions::descriptor::Headline {
        metrics: vec![Metric::count(
            "non-conformances",
            "Non-conformances raised",
            projection::count(store).await?,
        )],
        ..Default::default()
    })
}
