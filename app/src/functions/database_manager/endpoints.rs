//! The Database Manager's server functions: JSON endpoints its page (not
//! built yet) and agents call.

use super::view::{RebuildOutcome, RebuildRequest};
use crate::error::KilnError;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Rebuilds the requested projection (or all) from the log and reports
/// each table's checksum before and after. Progress is published while it
/// runs at `GET /api/database-manager/rebuild/progress`.
/// `POST /api/database-manager/rebuild` with `{"request": {"projection": "catalog"}}`.
#[server(prefix = "/api", endpoint = "database-manager/rebuild", input = Json)]
pub async fn rebuild_projections(request: RebuildRequest) -> Result<RebuildOutcome, KilnError> {
    use super::service::RebuildError;
    use crate::state::AppState;

    let state = AppState::from_context()?;
    state
        .rebuilds()
        .run(state.store(), request.projection.as_deref())
        .await
        .map_err(|error| match error {
            RebuildError::Refused(message) => KilnError::Rejected(message),
            RebuildError::Store(error) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "rebuilding projections failed");
                KilnError::Internal
            }
        })
}
