//! The state every request handler and server function reaches through
//! context: one `AppState(Arc<App>)`, cloned cheaply per request.

use crate::account::limits::SignInLimits;
use crate::functions::database_manager::rebuilds::Rebuilds;
use crate::functions::descriptor::FunctionDescriptor;
use crate::store::EventStore;
use kiln_core::money::TaxRate;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request may need, shared by all requests.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<App>);

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct App {
    /// The event log and its projections.
    pub store: EventStore,
    /// Where the site's files are and what the browser bundle is called.
    pub leptos_options: LeptosOptions,
    /// Projection rebuilds asked for through the Database Manager.
    pub rebuilds: Rebuilds,
    /// Sign-in attempts per account and per address.
    pub sign_in_limits: SignInLimits,
    /// When frequent accesses (token use, refusals) were last put in the
    /// access log.
    pub recent_access: crate::store::access_log::RecentAccess,
    /// Whether cookies get the `Secure` flag (Kiln is served over TLS,
    /// usually behind a proxy that terminates it).
    pub secure_cookies: bool,
    /// The sales tax rate charged on every order line.
    pub sales_tax: TaxRate,
    /// How orders are paid online: bank transfer (no card) by default.
    pub payments: Arc<dyn crate::payments::PaymentGateway>,
    /// The functions Kiln is built with (`app::functions::BUILT`, passed in
    /// by the server): the console's menu and whatever else below the
    /// list of functions needs to know which are built read it here.
    pub functions: &'static [&'static FunctionDescriptor],
}

impl AppState {
    /// Bundles the parts into a shareable state; `secure_cookies` marks
    /// cookies `Secure` (for Kiln served over TLS), `sales_tax` is the rate
    /// orders are taxed at, `payments` how orders are paid online
    /// ([`crate::payments::BankTransfer`] takes no cards).
    pub fn new(
        store: EventStore,
        leptos_options: LeptosOptions,
        secure_cookies: bool,
        sales_tax: TaxRate,
        payments: Arc<dyn crate::payments::PaymentGateway>,
        functions: &'static [&'static FunctionDescriptor],
    ) -> Self {
        AppState(Arc::new(App {
            store,
            leptos_options,
            rebuilds: Rebuilds::default(),
            sign_in_limits: SignInLimits::default(),
            recent_access: Default::default(),
            secure_cookies,
            sales_tax,
            payments,
            functions,
        }))
    }

    /// When frequent accesses were last put in the access log.
    pub fn recent_access(&self) -> &crate::store::access_log::RecentAccess {
        &self.0.recent_access
    }

    /// How orders are paid online.
    pub fn payments(&self) -> &dyn crate::payments::PaymentGateway {
        self.0.payments.as_ref()
    }

    /// The sales tax rate charged on every order line.
    pub fn sales_tax(&self) -> TaxRate {
        self.0.sales_tax
    }

    /// Sign-in attempts per account and per address.
    pub fn sign_in_limits(&self) -> &SignInLimits {
        &self.0.sign_in_limits
    }

    /// Whether cookies get the `Secure` flag.
    pub fn secure_cookies(&self) -> bool {
        self.0.secure_cookies
    }

    /// The event store.
    pub fn store(&self) -> &EventStore {
        &self.0.store
    }

    /// Where the site's files are (`site_root`) and what the bundle is called.
    pub fn leptos_options(&self) -> &LeptosOptions {
        &self.0.leptos_options
    }

    /// Whether `function` is built (it has a descriptor among
    /// [`App::functions`]).
    pub fn page_built(&self, function: kiln_core::function::BusinessFunction) -> bool {
        crate::functions::descriptor::is_built(self.0.functions, function)
    }

    /// Projection rebuilds (one at a time, with published progress).
    pub fn rebuilds(&self) -> &Rebuilds {
        &self.0.rebuilds
    }

    /// The state of the request being served. Server functions call this; it
    /// fails only if the router was built without the state, which is a bug.
    pub fn from_context() -> Result<Self, crate::error::KilnError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the request context");
            crate::error::KilnError::Internal
        })
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.0.leptos_options.clone()
    }
}
