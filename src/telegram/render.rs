//! Desk replies as Telegram messages: light Markdown to HTML (escaped for the HTML parse mode)
//! and buttons to an inline keyboard.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::desk::Button;

/// Escapes text for Telegram's HTML parse mode and turns `**bold**` into `<b>bold</b>`.
/// Everything a user wrote arrives here escaped: `<`, `>` and `&` can never become markup.
pub fn html(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split("**");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // An unpaired trailing marker stays literal.
    let paired = rest.len() - rest.len() % 2;
    for (i, part) in rest.iter().enumerate() {
        if i >= paired {
            out.push_str("**");
            out.push_str(part);
        } else if i % 2 == 0 {
            out.push_str("<b>");
            out.push_str(part);
        } else {
            out.push_str("</b>");
            out.push_str(part);
        }
    }
    out
}

/// Button rows as an inline keyboard (callback data is the desk's button data).
pub fn keyboard(rows: &[Vec<Button>]) -> Option<InlineKeyboardMarkup> {
    if rows.is_empty() {
        return None;
    }
    Some(InlineKeyboardMarkup::new(rows.iter().map(|row| {
        row.iter()
            .map(|b| InlineKeyboardButton::callback(b.label.clone(), b.data.clone()))
            .collect::<Vec<_>>()
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_becomes_html_and_user_text_is_escaped() {
        assert_eq!(
            html("**HF 1.2** <script>&"),
            "<b>HF 1.2</b> &lt;script&gt;&amp;"
        );
        assert_eq!(html("a ** b"), "a ** b");
        assert_eq!(html("**a** and **b**"), "<b>a</b> and <b>b</b>");
    }
}
