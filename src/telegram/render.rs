//! Desk replies as Telegram messages: light Markdown to HTML (escaped for the HTML parse mode)
//! and buttons to an inline keyboard.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::desk::outcome::Button;

/// Escapes text for Telegram's HTML parse mode, turns `**bold**` into `<b>bold</b>` and a
/// fenced block (```` ``` ````) into `<pre>` (kept verbatim, e.g. an FAQ topic file staff copy).
/// Everything a user wrote arrives here escaped: `<`, `>` and `&` can never become markup.
pub fn html(text: &str) -> String {
    let blocks: Vec<&str> = text.split("```").collect();
    // An unpaired trailing fence stays literal.
    let paired = if blocks.len() % 2 == 1 {
        blocks.len()
    } else {
        blocks.len() - 1
    };
    let mut out = String::with_capacity(text.len() + 16);
    for (i, block) in blocks.iter().enumerate() {
        if i >= paired {
            out.push_str("```");
            out.push_str(&inline(block));
        } else if i % 2 == 1 {
            out.push_str("<pre>");
            out.push_str(escape(block.trim_matches('\n')).as_str());
            out.push_str("</pre>");
        } else {
            out.push_str(&inline(block));
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn inline(text: &str) -> String {
    let escaped = escape(text);
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

/// Telegram's limit is 4096 characters after parsing; stay clear of it.
const MAX_MESSAGE_CHARS: usize = 3_900;

/// Splits a long reply into messages under Telegram's limit: at paragraph breaks, else at
/// line breaks, else anywhere; `**` pairs are never split apart.
pub fn split(text: &str) -> Vec<String> {
    if text.chars().count() <= MAX_MESSAGE_CHARS {
        return vec![text.to_string()];
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        let fits = current.chars().count() + line.chars().count() <= MAX_MESSAGE_CHARS;
        if !fits && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        if line.chars().count() > MAX_MESSAGE_CHARS {
            let chars: Vec<char> = line.chars().collect();
            for chunk in chars.chunks(MAX_MESSAGE_CHARS) {
                parts.push(chunk.iter().collect::<String>().replace("**", ""));
            }
            continue;
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
        .into_iter()
        .map(|p| p.trim_end().to_string())
        .filter(|p| !p.is_empty())
        .collect()
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
        assert_eq!(
            html("file:\n```\n**kept** <x>\n```\n**b**"),
            "file:\n<pre>**kept** &lt;x&gt;</pre>\n<b>b</b>"
        );
        assert_eq!(html("a ``` b"), "a ``` b");
    }

    #[test]
    fn long_replies_are_split_at_lines_under_the_limit() {
        let line = format!("{}\n", "x".repeat(99));
        let text = line.repeat(100);
        let parts = split(&text);
        assert!(parts.len() >= 3);
        assert!(parts.iter().all(|p| p.chars().count() <= MAX_MESSAGE_CHARS));
        assert_eq!(parts.concat().replace('\n', ""), text.replace('\n', ""));
        assert_eq!(split("short"), vec!["short".to_string()]);
        let huge = "y".repeat(9_000);
        assert_eq!(split(&huge).len(), 3);
    }
}
