//! Where a setting sits in a TOML file: the dotted key at a byte offset (`markets[1].rpc_url`)
//! and the line that sets a key, so that config errors point at what to fix.

/// One line: its 1-based number, where it starts, and the dotted key it sets (`is_key`) or
/// the table it is in.
struct KeyLine {
    number: usize,
    start: usize,
    key: String,
    is_key: bool,
}

/// Every line of `text` with the dotted key it sets, or on other lines the table it is in;
/// `[[array]]` tables count as `array[0]`, `array[1]`…
fn key_lines(text: &str) -> Vec<KeyLine> {
    let mut table = String::new();
    let mut arrays: Vec<(String, usize)> = Vec::new();
    let mut start = 0;
    let mut out = Vec::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        let mut key = None;
        if let Some((name, _)) = trimmed.strip_prefix("[[").and_then(|r| r.split_once("]]")) {
            let name = name.trim().to_string();
            let index = match arrays.iter_mut().find(|(n, _)| *n == name) {
                Some((_, count)) => {
                    *count += 1;
                    *count - 1
                }
                None => {
                    arrays.push((name.clone(), 1));
                    0
                }
            };
            table = format!("{name}[{index}]");
        } else if let Some((name, _)) = trimmed.strip_prefix('[').and_then(|r| r.split_once(']')) {
            table = name.trim().to_string();
        } else if let Some((name, _)) = trimmed.split_once('=')
            && !trimmed.starts_with('#')
        {
            let name = name.trim().trim_matches('"');
            key = Some(if table.is_empty() {
                name.to_string()
            } else {
                format!("{table}.{name}")
            });
        }
        out.push(KeyLine {
            number: i + 1,
            start,
            is_key: key.is_some(),
            key: key.unwrap_or_else(|| table.clone()),
        });
        start += line.len();
    }
    out
}

/// The 1-based line holding byte `offset`.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The setting (or, on a header line, the table) at byte `offset`.
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    key_lines(text)
        .into_iter()
        .take_while(|line| line.start <= offset)
        .last()
        .map(|line| line.key)
        .filter(|key| !key.is_empty())
}

/// The line that sets `key` (`default_market`, `markets[1].rpc_url`, `rpc.timeout_ms`).
pub fn line_of(text: &str, key: &str) -> Option<usize> {
    key_lines(text)
        .into_iter()
        .find(|line| line.is_key && line.key == key)
        .map(|line| line.number)
}

/// The line where the entry `key` begins when no line sets it itself: the header of an
/// `[[array]]` table (`markets[1]`), else the line setting the nearest enclosing key
/// (`markets[1]` in `markets = [...]` → the `markets` line).
pub fn entry_line(text: &str, key: &str) -> Option<usize> {
    let lines = key_lines(text);
    let mut key = key;
    loop {
        if let Some(line) = lines.iter().find(|line| line.key == key) {
            return Some(line.number);
        }
        let cut = key.rfind(['.', '['])?;
        key = &key[..cut];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "default_market = \"b\"\n\n[rpc]\ntimeout_ms = 5\n\n[[markets]]\nname = \"a\"\nrpc_url = \"http://x\"\n\n[[markets]]\nname = \"b\"\nrpc_url = \"ws://y\"\n";

    #[test]
    fn keys_of_array_tables_are_indexed() {
        assert_eq!(line_of(TEXT, "default_market"), Some(1));
        assert_eq!(line_of(TEXT, "rpc.timeout_ms"), Some(4));
        assert_eq!(line_of(TEXT, "markets[0].rpc_url"), Some(8));
        assert_eq!(line_of(TEXT, "markets[1].rpc_url"), Some(12));
        assert_eq!(line_of(TEXT, "markets[2].rpc_url"), None);
    }

    #[test]
    fn an_entry_without_a_line_of_its_own_points_at_its_header_or_array() {
        assert_eq!(entry_line(TEXT, "markets[1]"), Some(10));
        assert_eq!(entry_line(TEXT, "markets[1].preset"), Some(10));
        let inline = "[rpc]\ntimeout_ms = 5\n\nmarkets = [\"a\", \"b\"]\n";
        // A key after a table header belongs to the table: `markets` here is rpc.markets.
        assert_eq!(entry_line(inline, "rpc.markets[1]"), Some(4));
        assert_eq!(
            entry_line("markets = [\"a\",\n  \"b\"]\n", "markets[1]"),
            Some(1)
        );
        assert_eq!(entry_line(TEXT, "colour[0]"), None);
    }

    #[test]
    fn an_offset_names_its_setting_and_line() {
        let offset = TEXT.find("ws://").unwrap_or_default();
        assert_eq!(key_at(TEXT, offset).as_deref(), Some("markets[1].rpc_url"));
        assert_eq!(line_at(TEXT, offset), 12);
    }
}
