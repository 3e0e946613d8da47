//! `lendesk faq check`: validates the FAQ folder before it ships.
//!
//! Errors make the check fail; warnings are worth a look. Checked per file: front matter and
//! body sections are well formed; the id is kebab-case and equals the file name; both languages
//! have a one-line title, at least one question (a warning under three) and an answer; Chinese
//! text contains Chinese characters and English text is mostly ASCII; `#` is used only for the
//! two section headings; links go to the official docs only. Across files: ids are unique and
//! every `related` id exists.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use super::topic::{Topic, TopicText, parse_topic};
use super::{KnowledgeError, topic_files};
use crate::lang::{Lang, is_cjk};

/// Links allowed in answers.
const ALLOWED_LINKS: &[&str] = &["https://docs.aave.com", "https://docs.compound.finance"];

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name (or the folder, for a folder-level problem).
    pub file: String,
    /// What is wrong, for a moderator.
    pub message: String,
}

/// The result of checking a folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Topic files found (parsed or not).
    pub topics: usize,
    /// Problems that must be fixed.
    pub errors: Vec<Problem>,
    /// Problems worth a look.
    pub warnings: Vec<Problem>,
}

impl CheckReport {
    /// True when there are no errors.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    fn error(&mut self, file: &str, message: impl Into<String>) {
        self.errors.push(Problem {
            file: file.to_string(),
            message: message.into(),
        });
    }

    fn warn(&mut self, file: &str, message: impl Into<String>) {
        self.warnings.push(Problem {
            file: file.to_string(),
            message: message.into(),
        });
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.errors {
            writeln!(f, "error: {}: {}", p.file, p.message)?;
        }
        for p in &self.warnings {
            writeln!(f, "warning: {}: {}", p.file, p.message)?;
        }
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{}: {}, {}",
            plural(self.topics, "topic"),
            plural(self.errors.len(), "error"),
            plural(self.warnings.len(), "warning"),
        )?;
        if self.is_ok() {
            write!(f, " (ok)")?;
        }
        Ok(())
    }
}

/// Checks every topic file in `dir` (every `*.md` except `README.md`).
pub fn check_dir(dir: &Path) -> CheckReport {
    let mut report = CheckReport::default();
    let dir_name = dir.display().to_string();
    let files = match topic_files(dir) {
        Ok(files) => files,
        Err(e) => {
            report.error(&dir_name, e.to_string());
            return report;
        }
    };
    report.topics = files.len();
    let mut topics: Vec<(String, Topic)> = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                if let Some(t) =
                    check_file(&name, stem.as_deref().unwrap_or(""), &text, &mut report)
                {
                    topics.push((name, t));
                }
            }
            Err(e) => report.error(&name, format!("cannot read: {e}")),
        }
    }
    check_across(&topics, &mut report);
    report
}

/// Checks one file on its own; returns the topic when it parses.
fn check_file(name: &str, stem: &str, text: &str, report: &mut CheckReport) -> Option<Topic> {
    let topic = match parse_topic(name, text) {
        Ok(t) => t,
        Err(e) => {
            let message = match e {
                KnowledgeError::FrontMatter { message, .. } => message,
                KnowledgeError::Toml { source, .. } => format!("front matter: {source}"),
                KnowledgeError::Body { message, .. } => format!("body: {message}"),
                other => other.to_string(),
            };
            report.error(name, message.trim_end().to_string());
            return None;
        }
    };
    if topic.id != stem {
        report.error(
            name,
            format!("id {:?} differs from the file name {stem:?}", topic.id),
        );
    }
    if !is_kebab(&topic.id) {
        report.error(
            name,
            format!(
                "id {:?} is not kebab-case (a-z, 0-9, single hyphens)",
                topic.id
            ),
        );
    }
    for lang in [Lang::En, Lang::Zh] {
        check_text(name, lang, topic.text(lang), report);
    }
    check_lists(name, &topic, report);
    Some(topic)
}

fn check_text(name: &str, lang: Lang, text: &TopicText, report: &mut CheckReport) {
    let code = lang.code();
    if text.title.trim().is_empty() {
        report.error(name, format!("[{code}] title is missing"));
    } else if text.title.contains('\n') {
        report.error(name, format!("[{code}] title must be one line"));
    }
    match text.questions.len() {
        0 => report.error(name, format!("[{code}] needs at least one question")),
        n @ 1..3 => report.warn(
            name,
            format!("[{code}] only {n} question(s); 15–25 match better"),
        ),
        _ => {}
    }
    let mut seen = HashSet::new();
    for q in &text.questions {
        if q.trim().is_empty() {
            report.error(name, format!("[{code}] empty question"));
        } else if !seen.insert(q.trim().to_lowercase()) {
            report.warn(name, format!("[{code}] question {q:?} is listed twice"));
        }
    }
    if text.answer.trim().is_empty() {
        report.error(name, format!("[{code}] the `# {code}` answer is empty"));
    }
    match lang {
        Lang::Zh => {
            if !text.title.trim().is_empty() && !text.title.chars().any(is_cjk) {
                report.error(name, "[zh] title has no Chinese characters");
            }
            if !text.answer.trim().is_empty() && !text.answer.chars().any(is_cjk) {
                report.error(name, "[zh] answer has no Chinese characters");
            }
            for q in text.questions.iter().filter(|q| !q.trim().is_empty()) {
                if !q.chars().any(is_cjk) {
                    report.warn(
                        name,
                        format!("[zh] question {q:?} has no Chinese characters"),
                    );
                }
            }
        }
        Lang::En => {
            for (what, s) in [("title", &text.title), ("answer", &text.answer)] {
                let share = non_ascii_share(s);
                if share > 0.1 {
                    report.error(
                        name,
                        format!(
                            "[en] {what} is {:.0}% non-ASCII; is it English?",
                            share * 100.0
                        ),
                    );
                }
            }
            for q in &text.questions {
                if q.chars().any(is_cjk) {
                    report.warn(name, format!("[en] question {q:?} has Chinese characters"));
                }
            }
        }
    }
    check_markdown(name, code, &text.answer, report);
}

/// Headings and links in an answer.
fn check_markdown(name: &str, code: &str, answer: &str, report: &mut CheckReport) {
    for line in answer.lines() {
        let l = line.trim_start();
        if l == "#" || l.starts_with("# ") {
            report.error(
                name,
                format!("[{code}] {l:?}: only `# en` and `# zh` may be level-1 headings"),
            );
        } else if l.starts_with("##") {
            report.warn(
                name,
                format!("[{code}] {l:?}: use a **bold** line instead of a `##` heading"),
            );
        }
        let mut rest = l;
        while let Some(at) = rest.find("http") {
            let link = &rest[at..];
            if link.starts_with("http://") || link.starts_with("https://") {
                let end = link
                    .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '`' | '"'))
                    .unwrap_or(link.len());
                let url = &link[..end];
                if !ALLOWED_LINKS.iter().any(|ok| url.starts_with(ok)) {
                    report.warn(
                        name,
                        format!("[{code}] link {url} is not to the official docs"),
                    );
                }
            }
            rest = &link[4..];
        }
    }
}

fn check_lists(name: &str, topic: &Topic, report: &mut CheckReport) {
    let mut tags = HashSet::new();
    for tag in &topic.tags {
        if tag.trim().is_empty() {
            report.warn(name, "empty tag");
        } else if !tags.insert(tag.to_lowercase()) {
            report.warn(name, format!("tag {tag:?} is listed twice"));
        }
    }
    let mut related = HashSet::new();
    for r in &topic.related {
        if *r == topic.id {
            report.error(name, "`related` lists the topic itself");
        } else if !related.insert(r) {
            report.warn(name, format!("related id {r:?} is listed twice"));
        }
    }
}

fn check_across(topics: &[(String, Topic)], report: &mut CheckReport) {
    let mut ids: HashMap<&str, &str> = HashMap::new();
    for (file, t) in topics {
        if let Some(first) = ids.insert(&t.id, file) {
            report.error(file, format!("id {:?} is also used by {first}", t.id));
            ids.insert(&t.id, first);
        }
    }
    for (file, t) in topics {
        for r in &t.related {
            if *r != t.id && !ids.contains_key(r.as_str()) {
                report.error(file, format!("related id {r:?} does not exist"));
            }
        }
    }
}

/// `a-z`, `0-9` and single inner hyphens.
fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Share of non-whitespace characters that are not ASCII.
fn non_ascii_share(s: &str) -> f32 {
    let (mut all, mut non) = (0usize, 0usize);
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        all += 1;
        if !c.is_ascii() {
            non += 1;
        }
    }
    if all == 0 {
        0.0
    } else {
        non as f32 / all as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "+++\nid = \"alpha\"\ntags = [\"a\"]\nrelated = [\"beta\"]\nescalate = false\n\n[en]\ntitle = \"Alpha?\"\nquestions = [\"what is alpha\", \"alpha pls\", \"alpha explained\"]\n\n[zh]\ntitle = \"阿尔法？\"\nquestions = [\"阿尔法是什么\", \"阿尔法\", \"讲讲阿尔法\"]\n+++\n# en\nAlpha is the first letter.\n\n# zh\n阿尔法是第一个字母。\n";

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write");
    }

    #[test]
    fn clean_folder_passes() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "alpha.md", GOOD);
        write(
            dir.path(),
            "beta.md",
            &GOOD
                .replace("\"alpha\"", "\"beta\"")
                .replace("[\"beta\"]", "[\"alpha\"]"),
        );
        write(dir.path(), "README.md", "# not a topic\n");
        write(dir.path(), "notes.txt", "ignored");
        let report = check_dir(dir.path());
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.topics, 2);
        assert!(report.warnings.is_empty(), "{report}");
        assert!(
            report
                .to_string()
                .ends_with("2 topics: 0 errors, 0 warnings (ok)"),
            "{report}"
        );
    }

    #[test]
    fn finds_problems() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Wrong file name, missing related id, English in the Chinese section, `#` heading.
        let bad = GOOD
            .replace("阿尔法是第一个字母。", "Alpha in English.")
            .replace(
                "Alpha is the first letter.",
                "# Heading\nAlpha is the first letter. See https://example.com/x",
            )
            .replace(
                "[\"阿尔法是什么\", \"阿尔法\", \"讲讲阿尔法\"]",
                "[\"alpha\"]",
            );
        write(dir.path(), "gamma.md", &bad);
        write(
            dir.path(),
            "Bad_Id.md",
            &GOOD.replace("\"alpha\"", "\"Bad_Id\""),
        );
        write(
            dir.path(),
            "broken.md",
            &GOOD.replace("escalate = false", "escalate = "),
        );
        write(
            dir.path(),
            "nobody.md",
            &GOOD
                .replace("\"alpha\"", "\"nobody\"")
                .replace("# zh\n", ""),
        );
        let report = check_dir(dir.path());
        let text = report.to_string();
        assert!(!report.is_ok());
        assert_eq!(report.topics, 4);
        for needle in [
            "gamma.md: id \"alpha\" differs from the file name \"gamma\"",
            "related id \"beta\" does not exist",
            "gamma.md: [zh] answer has no Chinese characters",
            "gamma.md: [en] \"# Heading\": only `# en` and `# zh`",
            "Bad_Id.md: id \"Bad_Id\" is not kebab-case",
            "broken.md: front matter:",
            "nobody.md: body: missing the `# zh` heading",
            "warning: gamma.md: [zh] question \"alpha\" has no Chinese characters",
            "warning: gamma.md: [zh] only 1 question(s)",
            "warning: gamma.md: [en] link https://example.com/x is not to the official docs",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
    }

    #[test]
    fn duplicate_ids_and_missing_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "alpha.md", &GOOD.replace("[\"beta\"]", "[]"));
        write(dir.path(), "alpha2.md", &GOOD.replace("[\"beta\"]", "[]"));
        let report = check_dir(dir.path());
        assert!(
            report
                .to_string()
                .contains("alpha2.md: id \"alpha\" is also used by alpha.md"),
            "{report}"
        );
        let missing = check_dir(&dir.path().join("nope"));
        assert_eq!(missing.errors.len(), 1);
    }

    #[test]
    fn kebab() {
        assert!(is_kebab("health-factor"));
        assert!(is_kebab("compound-v3-basics"));
        assert!(!is_kebab("health--factor"));
        assert!(!is_kebab("-x"));
        assert!(!is_kebab("Health"));
        assert!(!is_kebab(""));
    }
}
