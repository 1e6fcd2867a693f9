//! The browser entry point: hydrates the page the server rendered.

/// Called by the generated JavaScript once the WebAssembly has loaded: takes
/// over the server-rendered `<body>` and makes it interactive. Lazy pages
/// (`lazy_page!` in the app crate) load their own WebAssembly first, hence
/// `hydrate_lazy`.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
