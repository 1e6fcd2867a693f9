//! Cutting text that came from outside down to a size a message may carry.

/// `text` as a message may quote it: at most 80 characters, with "…" when
/// cut. Refusals travel back to the asker (in a redirect's address,
/// without JavaScript), and must not grow with what was sent.
pub fn quoted(text: &str) -> String {
    cut_to(text, 80)
}

/// `text` cut to at most `max_chars` characters, with "…" when cut.
pub fn cut_to(text: &str, max_chars: usize) -> String {
    let mut shown: String = text.chars().take(max_chars).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}
