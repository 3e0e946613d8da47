//! Telegram's text formatting, as the Bot API server applies it to `parse_mode` text: HTML,
//! MarkdownV2 and legacy Markdown turn into the visible text plus `MessageEntity` JSON whose
//! offsets and lengths count UTF-16 code units. Errors are the detail after
//! "Bad Request: can't parse entities: ".
//!
//! HTML is deliberately a little stricter than Telegram in one place: a bare `&` in text that
//! does not start `&lt;`, `&gt;`, `&amp;`, `&quot;` or a numeric entity is rejected (Telegram
//! shows it literally), because in a bot it is almost always an escaping bug.

use serde_json::{Value, json};

/// Text after entity parsing.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Formatted {
    pub text: String,
    pub entities: Vec<Value>,
}

/// The length of `s` in UTF-16 code units, the unit of entity offsets.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

#[derive(Default)]
struct Out {
    text: String,
    utf16: usize,
    entities: Vec<Value>,
}

impl Out {
    fn push(&mut self, c: char) {
        self.text.push(c);
        self.utf16 += c.len_utf16();
    }

    fn entity(&mut self, mut kind: Value, start: usize) {
        let length = self.utf16.saturating_sub(start);
        if length == 0 {
            return;
        }
        if let Some(obj) = kind.as_object_mut() {
            obj.insert("offset".into(), json!(start));
            obj.insert("length".into(), json!(length));
        }
        self.entities.push(kind);
    }

    fn finish(mut self) -> Formatted {
        self.entities.sort_by(|a, b| {
            let key = |v: &Value| {
                (
                    v["offset"].as_u64().unwrap_or(0),
                    u64::MAX - v["length"].as_u64().unwrap_or(0),
                )
            };
            key(a).cmp(&key(b))
        });
        Formatted {
            text: self.text,
            entities: self.entities,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const HTML_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
];

struct OpenTag {
    name: String,
    start: usize,
    entity: Option<Value>,
    language: Option<String>,
}

/// Decodes the HTML entity at the start of `s` (which starts with `&`): the character and the
/// number of bytes consumed. Only the entities Telegram supports.
fn decode_entity(s: &str) -> Option<(char, usize)> {
    let (semi, _) = s.char_indices().take(12).find(|&(_, c)| c == ';')?;
    let body = &s[1..semi];
    let ch = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let num = body.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')?
        }
    };
    Some((ch, semi + 1))
}

/// Attribute values: entities decoded, a bare `&` kept (URLs with query strings are common
/// and Telegram accepts them).
fn decode_attr(s: &str) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '&'
            && let Some((ch, len)) = decode_entity(&s[i..])
        {
            out.push(ch);
            i += len;
            continue;
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn link_entity(href: &str, user: &dyn Fn(u64) -> Option<Value>) -> Option<Value> {
    if let Some(id) = href.strip_prefix("tg://user?id=") {
        let id: u64 = id.parse().ok()?;
        return user(id).map(|u| json!({"type": "text_mention", "user": u}));
    }
    let parsed = url::Url::parse(href)
        .or_else(|_| url::Url::parse(&format!("http://{href}")))
        .ok()?;
    Some(json!({"type": "text_link", "url": parsed.as_str()}))
}

/// Parses Telegram-flavoured HTML. `user` resolves `tg://user?id=` links to a User JSON.
pub(crate) fn parse_html(
    src: &str,
    user: &dyn Fn(u64) -> Option<Value>,
) -> Result<Formatted, String> {
    let bytes = src.as_bytes();
    let mut out = Out::default();
    let mut stack: Vec<OpenTag> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                let (ch, len) = decode_entity(&src[i..]).ok_or_else(|| {
                    format!(
                        "Character '&' at byte offset {i} does not begin a supported HTML entity \
                         (&lt; &gt; &amp; &quot; &#N;); escape it as &amp;"
                    )
                })?;
                out.push(ch);
                i += len;
            }
            b'<' if bytes.get(i + 1) == Some(&b'/') => {
                let close = src[i..]
                    .find('>')
                    .ok_or_else(|| format!("Unclosed end tag at byte offset {i}"))?;
                let name = src[i + 2..i + close].trim().to_ascii_lowercase();
                let Some(open) = stack.pop() else {
                    return Err(format!("Unexpected end tag at byte offset {i}"));
                };
                if open.name != name {
                    return Err(format!(
                        "Unmatched end tag at byte offset {i}, expected \"</{}>\", found \"</{}>\"",
                        open.name, name
                    ));
                }
                if open.name == "code"
                    && open.language.is_some()
                    && let Some(parent) = stack.last_mut()
                    && parent.name == "pre"
                    && let Some(Value::Object(pre)) = parent.entity.as_mut()
                {
                    pre.insert("language".into(), json!(open.language));
                } else if let Some(kind) = open.entity {
                    out.entity(kind, open.start);
                }
                i += close + 1;
            }
            b'<' => {
                let tag_start = i;
                i += 1;
                let name_len = bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
                    .count();
                let name = src[i..i + name_len].to_ascii_lowercase();
                if !HTML_TAGS.contains(&name.as_str()) {
                    return Err(format!(
                        "Unsupported start tag \"{name}\" at byte offset {tag_start}"
                    ));
                }
                i += name_len;
                let mut attrs: Vec<(String, String)> = Vec::new();
                loop {
                    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                        i += 1;
                    }
                    match bytes.get(i) {
                        None => {
                            return Err(format!("Unclosed start tag at byte offset {tag_start}"));
                        }
                        Some(b'>') => {
                            i += 1;
                            break;
                        }
                        Some(_) => {}
                    }
                    let attr_len = bytes[i..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
                        .count();
                    if attr_len == 0 {
                        return Err(format!(
                            "Unexpected character in the start tag \"{name}\" at byte offset {i}"
                        ));
                    }
                    let attr = src[i..i + attr_len].to_ascii_lowercase();
                    i += attr_len;
                    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                        i += 1;
                    }
                    let mut value = String::new();
                    if bytes.get(i) == Some(&b'=') {
                        i += 1;
                        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
                            i += 1;
                        }
                        match bytes.get(i) {
                            Some(&q) if q == b'"' || q == b'\'' => {
                                let end = src[i + 1..].find(q as char).ok_or_else(|| {
                                    format!("Unclosed start tag at byte offset {tag_start}")
                                })?;
                                value = decode_attr(&src[i + 1..i + 1 + end]);
                                i += end + 2;
                            }
                            Some(_) => {
                                let len = bytes[i..]
                                    .iter()
                                    .take_while(|b| !b.is_ascii_whitespace() && **b != b'>')
                                    .count();
                                value = decode_attr(&src[i..i + len]);
                                i += len;
                            }
                            None => {
                                return Err(format!(
                                    "Unclosed start tag at byte offset {tag_start}"
                                ));
                            }
                        }
                    }
                    attrs.push((attr, value));
                }
                let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
                let mut language = None;
                let entity = match name.as_str() {
                    "b" | "strong" => Some(json!({"type": "bold"})),
                    "i" | "em" => Some(json!({"type": "italic"})),
                    "u" | "ins" => Some(json!({"type": "underline"})),
                    "s" | "strike" | "del" => Some(json!({"type": "strikethrough"})),
                    "tg-spoiler" => Some(json!({"type": "spoiler"})),
                    "span" => {
                        if attr("class").as_deref() != Some("tg-spoiler") {
                            return Err(format!(
                                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {tag_start}"
                            ));
                        }
                        Some(json!({"type": "spoiler"}))
                    }
                    "a" => attr("href").and_then(|h| link_entity(&h, user)),
                    "code" => {
                        language = attr("class")
                            .and_then(|c| c.strip_prefix("language-").map(str::to_owned))
                            .filter(|l| !l.is_empty());
                        Some(json!({"type": "code"}))
                    }
                    "pre" => Some(json!({"type": "pre"})),
                    "blockquote" => {
                        if attr("expandable").is_some() {
                            Some(json!({"type": "expandable_blockquote"}))
                        } else {
                            Some(json!({"type": "blockquote"}))
                        }
                    }
                    "tg-emoji" => {
                        let Some(id) = attr("emoji-id").filter(|id| !id.is_empty()) else {
                            return Err(format!(
                                "Tag \"tg-emoji\" must have attribute \"emoji-id\" at byte offset {tag_start}"
                            ));
                        };
                        Some(json!({"type": "custom_emoji", "custom_emoji_id": id}))
                    }
                    _ => None,
                };
                stack.push(OpenTag {
                    name,
                    start: out.utf16,
                    entity,
                    language,
                });
            }
            _ => {
                let Some(c) = src[i..].chars().next() else {
                    break;
                };
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{}\"",
            open.name
        ));
    }
    Ok(out.finish())
}

// ---------------------------------------------------------------------------------------------
// MarkdownV2 and legacy Markdown
// ---------------------------------------------------------------------------------------------

const MD2_RESERVED: &str = "_*[]()~`>#+-=|{}.!";

struct MdOpen {
    marker: &'static str,
    at: usize,
    start: usize,
    kind: Value,
}

fn md_kind_name(marker: &str) -> &'static str {
    match marker {
        "*" => "Bold",
        "_" => "Italic",
        "__" => "Underline",
        "~" => "Strikethrough",
        "||" => "Spoiler",
        "`" => "Code",
        "```" => "Pre",
        "[" => "TextUrl",
        _ => "entity",
    }
}

fn md_toggle(
    stack: &mut Vec<MdOpen>,
    out: &mut Out,
    marker: &'static str,
    kind: Value,
    at: usize,
    legacy: bool,
) -> Result<(), String> {
    if stack.last().is_some_and(|o| o.marker == marker) {
        if let Some(open) = stack.pop() {
            out.entity(open.kind, open.start);
        }
    } else if let Some(open) = stack.iter().find(|o| o.marker == marker) {
        return Err(format!(
            "Can't find end of {} entity at byte offset {}",
            md_kind_name(open.marker),
            open.at
        ));
    } else if legacy && !stack.is_empty() {
        return Err(format!(
            "Can't find end of the entity starting at byte offset {}",
            stack[0].at
        ));
    } else {
        stack.push(MdOpen {
            marker,
            at,
            start: out.utf16,
            kind,
        });
    }
    Ok(())
}

/// Parses MarkdownV2 (`legacy == false`) or the legacy Markdown mode (`legacy == true`: only
/// `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ```` and `[text](url)`, no nesting, no
/// reserved characters).
pub(crate) fn parse_markdown(src: &str, legacy: bool) -> Result<Formatted, String> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let at_of = |k: usize| chars.get(k).map_or(src.len(), |(a, _)| *a);
    let ch = |k: usize| chars.get(k).map(|(_, c)| *c);
    let mut out = Out::default();
    let mut stack: Vec<MdOpen> = Vec::new();
    let mut quote: Option<usize> = None;
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        let top = stack.last().map(|o| o.marker);
        // Inside code and pre only ` and \ are special.
        if matches!(top, Some("`") | Some("```")) {
            if c == '\\'
                && !legacy
                && let Some(n) = ch(k + 1)
            {
                out.push(n);
                k += 2;
                continue;
            }
            if c == '`' {
                let triple = ch(k + 1) == Some('`') && ch(k + 2) == Some('`');
                if top == Some("```") && triple {
                    let open = stack.pop().map(|o| (o.kind, o.start));
                    if let Some((kind, start)) = open {
                        out.entity(kind, start);
                    }
                    k += 3;
                    continue;
                }
                if top == Some("`") {
                    if let Some(open) = stack.pop() {
                        out.entity(open.kind, open.start);
                    }
                    k += 1;
                    continue;
                }
                if !legacy {
                    return Err(
                        "Character '`' is reserved and must be escaped with the preceding '\\'"
                            .to_owned(),
                    );
                }
            }
            out.push(c);
            k += 1;
            continue;
        }
        if c == '\\' {
            match ch(k + 1) {
                Some(n) if !legacy && (1..=126).contains(&(n as u32)) => {
                    out.push(n);
                    k += 2;
                }
                Some(n) if legacy && "_*`[".contains(n) => {
                    out.push(n);
                    k += 2;
                }
                _ => {
                    out.push('\\');
                    k += 1;
                }
            }
            continue;
        }
        let line_start = k == 0 || ch(k - 1) == Some('\n');
        match c {
            '*' => {
                md_toggle(
                    &mut stack,
                    &mut out,
                    "*",
                    json!({"type": "bold"}),
                    at,
                    legacy,
                )?;
                k += 1;
            }
            '_' if !legacy && ch(k + 1) == Some('_') => {
                md_toggle(
                    &mut stack,
                    &mut out,
                    "__",
                    json!({"type": "underline"}),
                    at,
                    legacy,
                )?;
                k += 2;
            }
            '_' => {
                md_toggle(
                    &mut stack,
                    &mut out,
                    "_",
                    json!({"type": "italic"}),
                    at,
                    legacy,
                )?;
                k += 1;
            }
            '~' if !legacy => {
                md_toggle(
                    &mut stack,
                    &mut out,
                    "~",
                    json!({"type": "strikethrough"}),
                    at,
                    legacy,
                )?;
                k += 1;
            }
            '|' if !legacy && ch(k + 1) == Some('|') => {
                md_toggle(
                    &mut stack,
                    &mut out,
                    "||",
                    json!({"type": "spoiler"}),
                    at,
                    legacy,
                )?;
                k += 2;
            }
            '`' if ch(k + 1) == Some('`') && ch(k + 2) == Some('`') => {
                let mut j = k + 3;
                let mut language = String::new();
                while let Some(n) = ch(j) {
                    if n == '\n' || n == '`' {
                        break;
                    }
                    language.push(n);
                    j += 1;
                }
                if ch(j) == Some('\n') {
                    j += 1;
                } else {
                    // No newline: what followed was content, not a language.
                    language.clear();
                    j = k + 3;
                }
                let kind = if language.trim().is_empty() {
                    json!({"type": "pre"})
                } else {
                    json!({"type": "pre", "language": language.trim()})
                };
                stack.push(MdOpen {
                    marker: "```",
                    at,
                    start: out.utf16,
                    kind,
                });
                k = j;
            }
            '`' => {
                stack.push(MdOpen {
                    marker: "`",
                    at,
                    start: out.utf16,
                    kind: json!({"type": "code"}),
                });
                k += 1;
            }
            '[' => {
                if legacy && !stack.is_empty() {
                    return Err(format!(
                        "Can't find end of the entity starting at byte offset {}",
                        stack[0].at
                    ));
                }
                stack.push(MdOpen {
                    marker: "[",
                    at,
                    start: out.utf16,
                    kind: Value::Null,
                });
                k += 1;
            }
            ']' if stack.last().is_some_and(|o| o.marker == "[") => {
                if ch(k + 1) != Some('(') {
                    if legacy {
                        // Legacy Markdown drops a bracket pair without a URL.
                        stack.pop();
                        k += 1;
                        continue;
                    }
                    return Err(
                        "Character ']' is reserved and must be escaped with the preceding '\\'"
                            .to_owned(),
                    );
                }
                let mut j = k + 2;
                let mut link = String::new();
                loop {
                    match ch(j) {
                        None => {
                            return Err(format!(
                                "Can't find end of a url at byte offset {}",
                                at_of(k + 1)
                            ));
                        }
                        Some(')') => break,
                        Some('\\') if !legacy => {
                            if let Some(n) = ch(j + 1) {
                                link.push(n);
                            }
                            j += 2;
                        }
                        Some(n) => {
                            link.push(n);
                            j += 1;
                        }
                    }
                }
                if let Some(open) = stack.pop()
                    && let Some(kind) = link_entity(&link, &|_| None)
                {
                    out.entity(kind, open.start);
                }
                k = j + 1;
            }
            '>' if !legacy && line_start => {
                if quote.is_none() {
                    quote = Some(out.utf16);
                }
                k += 1;
            }
            '\n' => {
                out.push('\n');
                k += 1;
                if let Some(start) = quote
                    && ch(k) != Some('>')
                {
                    out.entity(json!({"type": "blockquote"}), start);
                    quote = None;
                }
            }
            _ if !legacy && MD2_RESERVED.contains(c) => {
                return Err(format!(
                    "Character '{c}' is reserved and must be escaped with the preceding '\\'"
                ));
            }
            _ => {
                out.push(c);
                k += 1;
            }
        }
    }
    if let Some(start) = quote {
        out.entity(json!({"type": "blockquote"}), start);
    }
    if let Some(open) = stack.first() {
        return Err(if legacy {
            format!(
                "Can't find end of the entity starting at byte offset {}",
                open.at
            )
        } else {
            format!(
                "Can't find end of {} entity at byte offset {}",
                md_kind_name(open.marker),
                open.at
            )
        });
    }
    Ok(out.finish())
}
