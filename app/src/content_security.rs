//! The Content-Security-Policy Kiln sends. Pages allow their own inline
//! scripts (the hydration script, streamed resources) by a nonce made for
//! each request, which Leptos puts on every script it writes; every other
//! answer allows no inline script at all. The server sets it on every
//! answer (its `content_security` module).

/// The policy for an answer whose inline scripts carry `nonce`, or, with
/// `None`, for one that has none. WebAssembly needs `'wasm-unsafe-eval'`.
/// Styles still allow `'unsafe-inline'`: the stylesheet is a file, but
/// inline `style` attributes are harmless enough not to be worth a nonce.
pub fn policy(nonce: Option<&str>) -> String {
    let inline_scripts = nonce
        .map(|nonce| format!(" 'nonce-{nonce}'"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'{inline_scripts} 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_allows_inline_scripts_by_nonce_only_and_other_answers_none() {
        let page = policy(Some("abc123"));
        assert!(page.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        let other = policy(None);
        assert!(other.contains("script-src 'self' 'wasm-unsafe-eval';"));
        for policy in [page, other] {
            assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
            assert!(policy.contains("frame-ancestors 'none'"));
        }
    }
}
