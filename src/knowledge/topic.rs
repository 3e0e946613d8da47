//! One FAQ topic: its front matter, its two answers, and the Markdown file format it lives in.
//!
//! A topic file is TOML front matter between two `+++` lines, then a body with exactly two
//! level-1 headings, `# en` and then `# zh`, each followed by that language's answer:
//!
//! ```text
//! +++
//! id = "health-factor"
//! tags = ["hf", "健康因子"]
//! related = ["liquidation"]
//! escalate = false
//!
//! [en]
//! title = "What is the health factor?"
//! questions = ["what does HF mean"]
//!
//! [zh]
//! title = "什么是健康因子？"
//! questions = ["HF是什么意思"]
//! +++
//! # en
//! English answer…
//!
//! # zh
//! 中文答案……
//! ```
//!
//! Answers are stored trimmed, with `\n` line endings; [`Topic::to_markdown`] writes that form
//! back, so `parse_topic(to_markdown(t)) == t` for any topic whose answers are trimmed and do
//! not themselves contain a `# en` / `# zh` line.

use serde::{Deserialize, Serialize};

use super::KnowledgeError;
use crate::lang::Lang;

/// One FAQ topic in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// Kebab-case id, equal to the file stem (`health-factor`).
    pub id: String,
    /// Keywords and synonyms in both languages; they help matching.
    pub tags: Vec<String>,
    /// Ids of topics the bot may suggest next.
    pub related: Vec<String>,
    /// True when a person should look at the conversation.
    pub escalate: bool,
    /// The English text.
    pub en: TopicText,
    /// The Simplified Chinese text.
    pub zh: TopicText,
}

/// A topic's text in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicText {
    /// One line, as the user sees it.
    pub title: String,
    /// Realistic ways a user asks this.
    pub questions: Vec<String>,
    /// The answer, light Markdown.
    pub answer: String,
}

impl Topic {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &TopicText {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// Renders the topic in the file format [`parse_topic`] reads.
    pub fn to_markdown(&self) -> String {
        let mut out = String::with_capacity(
            512 + self.en.answer.len() + self.zh.answer.len() + 64 * self.tags.len(),
        );
        out.push_str("+++\n");
        out.push_str(&format!("id = {}\n", toml_string(&self.id)));
        out.push_str(&format!("tags = {}\n", toml_inline_list(&self.tags)));
        out.push_str(&format!("related = {}\n", toml_inline_list(&self.related)));
        out.push_str(&format!("escalate = {}\n", self.escalate));
        for (lang, text) in [(Lang::En, &self.en), (Lang::Zh, &self.zh)] {
            out.push_str(&format!("\n[{}]\n", lang.code()));
            out.push_str(&format!("title = {}\n", toml_string(&text.title)));
            out.push_str("questions = [\n");
            for q in &text.questions {
                out.push_str(&format!("  {},\n", toml_string(q)));
            }
            out.push_str("]\n");
        }
        out.push_str("+++\n# en\n");
        push_answer(&mut out, &self.en.answer);
        out.push_str("\n# zh\n");
        push_answer(&mut out, &self.zh.answer);
        out
    }
}

fn push_answer(out: &mut String, answer: &str) {
    if !answer.is_empty() {
        out.push_str(answer);
        out.push('\n');
    }
}

/// A TOML basic string, escaped.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_inline_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// The front matter as written in a file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    escalate: bool,
    en: FrontText,
    zh: FrontText,
}

/// One language's table in the front matter. Missing titles and questions parse as empty so
/// that `faq check` can report them by name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontText {
    #[serde(default)]
    title: String,
    #[serde(default)]
    questions: Vec<String>,
}

/// Where the parts of a topic file are, found without interpreting them.
pub(crate) struct Layout<'a> {
    /// The TOML between the `+++` lines.
    pub front: &'a str,
    /// The English answer lines, untrimmed.
    pub en: Vec<&'a str>,
    /// The Chinese answer lines, untrimmed.
    pub zh: Vec<&'a str>,
}

/// Splits a topic file into front matter and the two answer sections.
pub(crate) fn split_layout<'a>(
    source_name: &str,
    text: &'a str,
) -> Result<Layout<'a>, KnowledgeError> {
    let front_err = |message: &str| KnowledgeError::FrontMatter {
        source_name: source_name.to_string(),
        message: message.to_string(),
    };
    let body_err = |message: String| KnowledgeError::Body {
        source_name: source_name.to_string(),
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Line boundaries as byte offsets, so the front matter stays one slice of the input.
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            lines.push((start, i));
            start = i + 1;
        }
    }
    if start < text.len() {
        lines.push((start, text.len()));
    }
    let line = |(s, e): (usize, usize)| text[s..e].trim_end_matches('\r');

    let is_fence = |l: (usize, usize)| line(l).trim_end() == "+++";
    // Blank lines may precede the opening `+++`; nothing else may.
    let open = lines
        .iter()
        .position(|&l| !line(l).trim().is_empty())
        .filter(|&i| is_fence(lines[i]))
        .ok_or_else(|| front_err("the file must start with a `+++` line (TOML front matter)"))?;
    let close = lines[open + 1..]
        .iter()
        .position(|&l| is_fence(l))
        .map(|p| p + open + 1)
        .ok_or_else(|| front_err("the front matter is not closed by a second `+++` line"))?;
    // Lines open+1 .. close exist, so the slice runs from the first to the closing fence.
    let front = &text[lines[open].1.min(text.len())..lines[close].0];

    let mut en = None;
    let mut zh = None;
    let mut current: Option<Lang> = None;
    let mut en_lines = Vec::new();
    let mut zh_lines = Vec::new();
    for (n, &l) in lines.iter().enumerate().skip(close + 1) {
        let s = line(l);
        match s.trim_end() {
            "# en" => {
                if en.is_some() {
                    return Err(body_err(format!("line {}: a second `# en` heading", n + 1)));
                }
                if zh.is_some() {
                    return Err(body_err("`# en` must come before `# zh`".to_string()));
                }
                en = Some(n);
                current = Some(Lang::En);
            }
            "# zh" => {
                if zh.is_some() {
                    return Err(body_err(format!("line {}: a second `# zh` heading", n + 1)));
                }
                if en.is_none() {
                    return Err(body_err("`# en` must come before `# zh`".to_string()));
                }
                zh = Some(n);
                current = Some(Lang::Zh);
            }
            _ => match current {
                Some(Lang::En) => en_lines.push(s),
                Some(Lang::Zh) => zh_lines.push(s),
                None if s.trim().is_empty() => {}
                None => {
                    return Err(body_err(format!(
                        "line {}: text before the `# en` heading",
                        n + 1
                    )));
                }
            },
        }
    }
    if en.is_none() {
        return Err(body_err("missing the `# en` heading".to_string()));
    }
    if zh.is_none() {
        return Err(body_err("missing the `# zh` heading".to_string()));
    }
    Ok(Layout {
        front,
        en: en_lines,
        zh: zh_lines,
    })
}

fn join_answer(lines: &[&str]) -> String {
    lines.join("\n").trim().to_string()
}

/// Parses one topic file. `source_name` (usually the file name) is only used in errors.
pub fn parse_topic(source_name: &str, text: &str) -> Result<Topic, KnowledgeError> {
    let layout = split_layout(source_name, text)?;
    let front: FrontMatter =
        toml::from_str(layout.front).map_err(|source| KnowledgeError::Toml {
            source_name: source_name.to_string(),
            source,
        })?;
    Ok(Topic {
        id: front.id,
        tags: front.tags,
        related: front.related,
        escalate: front.escalate,
        en: TopicText {
            title: front.en.title,
            questions: front.en.questions,
            answer: join_answer(&layout.en),
        },
        zh: TopicText {
            title: front.zh.title,
            questions: front.zh.questions,
            answer: join_answer(&layout.zh),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "+++\nid = \"health-factor\"\ntags = [\"hf\", \"健康因子\"]\nrelated = [\"liquidation\"]\nescalate = false\n\n[en]\ntitle = \"What is the health factor?\"\nquestions = [\"What is the health factor?\", \"what does HF mean\"]\n\n[zh]\ntitle = \"什么是健康因子？\"\nquestions = [\"健康因子是什么？\"]\n+++\n# en\nEnglish answer.\n\nSecond paragraph.\n\n# zh\n中文答案。\n";

    #[test]
    fn parses_front_matter_and_sections() {
        let t = parse_topic("health-factor.md", SAMPLE).expect("parses");
        assert_eq!(t.id, "health-factor");
        assert_eq!(t.tags, ["hf", "健康因子"]);
        assert_eq!(t.related, ["liquidation"]);
        assert!(!t.escalate);
        assert_eq!(t.en.questions.len(), 2);
        assert_eq!(t.en.answer, "English answer.\n\nSecond paragraph.");
        assert_eq!(t.text(Lang::Zh).answer, "中文答案。");
        assert_eq!(t.text(Lang::Zh).title, "什么是健康因子？");
    }

    #[test]
    fn round_trips_through_markdown() {
        let mut t = parse_topic("x.md", SAMPLE).expect("parses");
        t.en.title = "Quotes \" and \\ backslashes\tand tabs".to_string();
        t.zh.questions.push("多行\n问题".to_string());
        t.escalate = true;
        let md = t.to_markdown();
        assert_eq!(parse_topic("x.md", &md).expect("reparses"), t);
        // And with CRLF line endings.
        let crlf = md.replace('\n', "\r\n");
        assert_eq!(parse_topic("x.md", &crlf).expect("reparses"), t);
    }

    #[test]
    fn empty_answers_round_trip() {
        let mut t = parse_topic("x.md", SAMPLE).expect("parses");
        t.en.answer.clear();
        t.related.clear();
        assert_eq!(parse_topic("x.md", &t.to_markdown()).expect("reparses"), t);
    }

    #[test]
    fn reports_structural_errors() {
        let no_front = "# en\nhi\n# zh\n你好\n";
        assert!(matches!(
            parse_topic("a.md", no_front),
            Err(KnowledgeError::FrontMatter { .. })
        ));
        let unclosed = "+++\nid = \"a\"\n# en\nhi\n";
        assert!(matches!(
            parse_topic("a.md", unclosed),
            Err(KnowledgeError::FrontMatter { .. })
        ));
        let swapped = SAMPLE
            .replace("# en", "# tmp")
            .replace("# zh", "# en")
            .replace("# tmp", "# zh");
        assert!(matches!(
            parse_topic("a.md", &swapped),
            Err(KnowledgeError::Body { .. })
        ));
        let no_zh = SAMPLE.replace("# zh", "zh");
        assert!(matches!(
            parse_topic("a.md", &no_zh),
            Err(KnowledgeError::Body { .. })
        ));
        let bad_toml = SAMPLE.replace("escalate = false", "escalate = nope");
        let err = parse_topic("a.md", &bad_toml).expect_err("bad toml");
        assert!(matches!(err, KnowledgeError::Toml { .. }));
        assert!(err.to_string().starts_with("a.md: front matter:"), "{err}");
        let unknown_key = SAMPLE.replace("escalate = false", "escalte = false");
        assert!(matches!(
            parse_topic("a.md", &unknown_key),
            Err(KnowledgeError::Toml { .. })
        ));
        let preamble = SAMPLE.replace("+++\n# en", "+++\nstray text\n# en");
        assert!(matches!(
            parse_topic("a.md", &preamble),
            Err(KnowledgeError::Body { .. })
        ));
    }

    #[test]
    fn serde_json_round_trip() {
        let t = parse_topic("x.md", SAMPLE).expect("parses");
        let json = serde_json::to_string(&t).expect("serializes");
        let back: Topic = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, t);
    }
}
