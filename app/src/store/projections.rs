//! The inline projectors: each function's tables, updated in the same
//! transaction as the append that caused them.

use super::{RecordedEvent, StoreError};
use crate::functions::{BusinessFunction, category};
use sqlx::SqliteConnection;

/// Applies one freshly appended event to every inline projection that
/// handles it.
pub(super) async fn apply_inline(
    connection: &mut SqliteConnection,
    event: &RecordedEvent,
) -> Result<(), StoreError> {
    if event.function == BusinessFunction::Category.slug() {
        category::projection::apply(connection, event).await?;
    }
    Ok(())
}
