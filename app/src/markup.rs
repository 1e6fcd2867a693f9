//! The one path by which text people, dealers, shoppers and agents wrote
//! reaches the few places of a page Leptos does not escape for it.
//!
//! Leptos escapes text children and attribute values. It does not escape
//! the children of raw-text elements (`<textarea>`, `<script>`, `<style>`,
//! `<noscript>`: tachys writes them as they are), and `leptos_meta` writes
//! the document's `<title>` as it is. A product named `</title><meta …>`
//! would otherwise inject that element into every shopper's product page,
//! and the broken markup stops the page from hydrating. So:
//!
//! - every title goes through the root `<Title formatter=…>` in `lib.rs`,
//!   whose formatter is [`page_title`]; pages set only its `text`, never a
//!   formatter of their own;
//! - every `<textarea>` is a [`TextArea`];
//! - nothing writes raw HTML into an element (Leptos' inner-HTML
//!   attribute) or writes a `<script>`, `<style>` or `<noscript>` element
//!   with text that came from outside.
//!
//! The test at the end of this file reads the crate's sources and fails
//! when a page writes a raw `<textarea>`, sets raw HTML, or sets a title
//! formatter of its own.
//!
//! The hostile-text test (`server/tests/server/hostile_text.rs`) puts markup into
//! every writable field and parses every page that shows it.

use leptos::prelude::*;
use std::borrow::Cow;

/// `text` with the five characters that mean markup in HTML (`&`, `<`,
/// `>`, `"`, `'`) written as character references, so that it reads as
/// the same text inside an element, a raw-text element or a quoted
/// attribute.
pub fn escape_html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    Cow::Owned(escaped)
}

/// Text for a raw-text element's content: escaped when the server writes
/// it as HTML, as it is in the browser, where it is set as text.
fn raw_text_content(text: String) -> String {
    if cfg!(feature = "ssr") {
        escape_html(&text).into_owned()
    } else {
        text
    }
}

/// The document title for a page's own title `page`: "`page` · the shop's
/// name". The server writes the title into the page's head unescaped, so
/// it is escaped here; the browser sets `document.title` as text, so there
/// it is left as it is.
pub fn page_title(page: String) -> String {
    raw_text_content(format!("{page} · Fenwick Clayworks"))
}

/// A multi-line text field, holding `text` (escaped: see the module's
/// documentation).
#[component]
pub fn TextArea(
    /// The form field's name, e.g. `form[description]`.
    name: &'static str,
    /// Its visible height in lines.
    rows: u32,
    /// The most characters it takes (the server checks again).
    maxlength: usize,
    /// Whether the form cannot be sent without it.
    #[prop(optional)]
    required: bool,
    /// Its classes.
    class: &'static str,
    /// The text it starts with.
    #[prop(optional, into)]
    text: String,
) -> impl IntoView {
    view! {
        <textarea name=name rows=rows maxlength=maxlength required=required class=class>{raw_text_content(text)}</textarea>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Rust source file under `dir`, with its path.
    fn sources(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                found.extend(sources(&path));
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                found.push((path, text));
            }
        }
        found
    }

    #[test]
    fn no_page_writes_raw_html_a_raw_textarea_or_a_title_formatter_of_its_own() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        // Spelled in pieces, so that this test does not find itself.
        let raw_html = concat!("inner", "_html");
        let raw_textarea = concat!("<text", "area");
        let formatter = concat!("<Title ", "formatter");
        let mut breaches = Vec::new();
        for (path, text) in sources(&root) {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            if text.contains(raw_html) {
                breaches.push(format!("{name} sets raw HTML"));
            }
            if name != "markup.rs" {
                // A textarea the browser fills (`prop:value`, the dealer's
                // order sheet) holds no server-written text: allowed.
                for (at, _) in text.match_indices(raw_textarea) {
                    let element =
                        &text[at..text[at..].find('>').map_or(text.len(), |end| at + end)];
                    if !element.contains("prop:value") {
                        breaches.push(format!("{name} writes a raw textarea"));
                    }
                }
            }
            // The root's (lib.rs) is the one formatter; this file names it.
            if !["lib.rs", "markup.rs"].contains(&name.as_str()) && text.contains(formatter) {
                breaches.push(format!("{name} sets a title formatter"));
            }
        }
        assert!(breaches.is_empty(), "{breaches:#?}");
    }

    #[test]
    fn text_without_markup_characters_is_returned_as_it_is() {
        assert!(matches!(
            escape_html("Speckled mug, 12 oz"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn markup_characters_become_character_references() {
        assert_eq!(
            escape_html(r#"</title><a href="x" title='y'>&"#),
            "&lt;/title&gt;&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;"
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_page_title_closing_the_title_element_stays_text_on_the_server() {
        assert_eq!(
            page_title("</title><meta http-equiv=refresh>".to_owned()),
            "&lt;/title&gt;&lt;meta http-equiv=refresh&gt; · Fenwick Clayworks"
        );
    }
}
