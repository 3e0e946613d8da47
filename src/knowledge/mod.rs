//! The bilingual FAQ knowledge base: topics loaded from `faq/*.md`, merged with moderators'
//! live edits, and searched with BM25F in English and Chinese.
//!
//! ```no_run
//! use std::path::Path;
//! use lendesk::knowledge::{CONFIDENT, KnowledgeBase, UNSURE};
//! use lendesk::lang::Lang;
//!
//! let kb = KnowledgeBase::load_dir(Path::new("faq"))?;
//! let hits = kb.search("my hf is 1.1 am i rekt", Lang::En, 3);
//! match hits.first() {
//!     Some(hit) if hit.confidence >= CONFIDENT => println!("answer with {}", hit.id),
//!     Some(hit) if hit.confidence >= UNSURE => println!("did you mean: {hits:?}"),
//!     _ => println!("no idea; /human"),
//! }
//! # Ok::<(), lendesk::knowledge::KnowledgeError>(())
//! ```
//!
//! Files: [`topic`] (one topic and its file format), [`check`] (`lendesk faq check`),
//! [`normalize`] (text analysis for both languages), `index` (BM25F and confidence), `typo`
//! (edit-distance-1 correction).

pub mod check;
pub(crate) mod classifier;
mod error;
mod index;
mod model_cache;
pub mod normalize;
pub mod topic;
mod typo;

use rustc_hash::FxHashMap as HashMap;
use std::path::Path;

pub use check::{CheckReport, Problem, check_dir};
pub use error::KnowledgeError;
pub use topic::{Topic, TopicText, parse_topic};

use crate::lang::{self, Lang};
use classifier::Classifier;
use index::Index;
pub(crate) use normalize::Analysis;
use std::sync::Arc;

/// Confidence at or above which the best hit should be given as the answer.
pub const CONFIDENT: f32 = 0.55;
/// Confidence at or above which the top hits are worth offering as "did you mean".
pub const UNSURE: f32 = 0.3;

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The topic id.
    pub id: String,
    /// The ranking score (only comparable within one query): the confidence below, or in
    /// [`Retrieval::Bm25`] the BM25F score.
    pub score: f32,
    /// Calibrated confidence in 0..1, comparable across queries. Read the first hit's:
    /// ≥ [`CONFIDENT`] (0.55) confident, answer with this topic; [`UNSURE`] (0.3) to 0.55
    /// unsure, ask "did you mean" with the top 2–3; below 0.3 no idea.
    ///
    /// For the first hit it is the IDF-weighted share of the query's words the topic covers
    /// (unknown words count against it), times a factor from 0.4 (a tie with the second hit) to
    /// 1 (a margin of 40% or more), times 0.25 when only aspect words ("increase", "fail"),
    /// tickers or Chinese bigrams matched. Later hits are scaled by their score relative to the
    /// first. On held-out FAQ questions the first hit is right about 85% of the time at ≥ 0.55
    /// and 60% at 0.3–0.55 (in the top 3: 85%).
    pub confidence: f32,
}

/// Which rankers a search uses. [`Retrieval::Both`] is the default and what the desk runs;
/// the others exist for the ablation in the evaluation (`tests/desk_eval.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Retrieval {
    /// BM25F alone, with its coverage-and-margin confidence.
    Bm25,
    /// The n-gram classifier alone; its probability is the confidence. BM25F still decides
    /// whether anything relates at all (a message with no known word gets no hit).
    Classifier,
    /// Both, a topic's confidence a weighted sum of the two (see [`BM25_SHARE`]), times the
    /// classifier's probability that the message is about any topic.
    #[default]
    Both,
}

/// In [`Retrieval::Both`], a topic's score is `BM25_SHARE × BM25F confidence +
/// (1 − BM25_SHARE) × classifier probability` (0.3 was best on the dev part of the evaluation
/// set among 0.2–0.7), its confidence that score calibrated to [`CONFIDENT`] and [`UNSURE`].
pub const BM25_SHARE: f32 = 0.3;

/// The FAQ topics and their search index. Cheap to search from many threads; rebuilt whole
/// (about 15 ms for the FAQ in release, and the classifier trained) when moderators change a
/// topic.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    topics: Vec<Topic>,
    by_id: HashMap<String, usize>,
    index: Index,
    classifier: Arc<Classifier>,
    retrieval: Retrieval,
}

impl KnowledgeBase {
    /// Parses every `*.md` file in `dir` except `README.md`, in file-name order.
    ///
    /// Fails on the first file that cannot be read or parsed, and on two files with the same
    /// id. Content rules (titles, languages, related ids) are `faq check`'s job
    /// ([`check_dir`]); a file whose id differs from its name is only logged here.
    pub fn load_dir(dir: &Path) -> Result<KnowledgeBase, KnowledgeError> {
        let mut topics = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::default();
        for path in topic_files(dir)? {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|source| KnowledgeError::Io {
                path: path.clone(),
                source,
            })?;
            let topic = parse_topic(&name, &text)?;
            if let Some(first) = seen.insert(topic.id.clone(), name.clone()) {
                return Err(KnowledgeError::DuplicateId {
                    id: topic.id,
                    first,
                    second: name,
                });
            }
            if path.file_stem().and_then(|s| s.to_str()) != Some(topic.id.as_str()) {
                tracing::warn!(file = %name, id = %topic.id, "FAQ topic id differs from its file name");
            }
            topics.push(topic);
        }
        tracing::info!(dir = %dir.display(), topics = topics.len(), "loaded FAQ");
        Ok(KnowledgeBase::from_topics(topics))
    }

    /// Builds the knowledge base from topics. A later topic with the same id replaces an
    /// earlier one (in its place).
    pub fn from_topics(topics: Vec<Topic>) -> KnowledgeBase {
        let mut merged: Vec<Topic> = Vec::with_capacity(topics.len());
        let mut by_id: HashMap<String, usize> =
            HashMap::with_capacity_and_hasher(topics.len(), Default::default());
        for t in topics {
            match by_id.get(&t.id) {
                Some(&i) => merged[i] = t,
                None => {
                    by_id.insert(t.id.clone(), merged.len());
                    merged.push(t);
                }
            }
        }
        // The index and the classifier are built side by side: each takes tens of
        // milliseconds, and `lendesk ask` answers one message after building both.
        let (index, classifier) = std::thread::scope(|s| {
            let training = s.spawn(|| {
                let start = std::time::Instant::now();
                // One class more than topics: "none of these" (`off_topic.txt`).
                let model = Classifier::shared(&training_examples(&merged), merged.len() + 1);
                tracing::debug!(
                    ms = start.elapsed().as_millis() as u64,
                    "FAQ classifier ready"
                );
                model
            });
            let start = std::time::Instant::now();
            let index = Index::build(&merged);
            tracing::debug!(ms = start.elapsed().as_millis() as u64, "FAQ index built");
            let classifier = training
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (index, classifier)
        });
        KnowledgeBase {
            topics: merged,
            by_id,
            index,
            classifier,
            retrieval: Retrieval::default(),
        }
    }

    /// The same knowledge base searched with `retrieval`.
    pub fn with_retrieval(mut self, retrieval: Retrieval) -> KnowledgeBase {
        self.retrieval = retrieval;
        self
    }

    /// All topics.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The topic with this id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.by_id.get(id).map(|&i| &self.topics[i])
    }

    /// The best topics for `query`, best first, at most `limit`.
    ///
    /// The query is matched first against each topic's text in the query's own language
    /// ([`lang::detect`]; `lang`, the user's language, when the text does not tell), then
    /// against the other language. Returns nothing for an empty query or one with no known
    /// word. See [`Hit::confidence`] for how to use the result.
    pub fn search(&self, query: &str, lang: Lang, limit: usize) -> Vec<Hit> {
        // Analyzed once, read by both rankers.
        self.search_analyzed(query, &Analysis::of(query), lang, limit)
    }

    /// [`KnowledgeBase::search`] of a message already analyzed (`query` is the analysis of
    /// `text`), for a caller that reads the analysis too.
    pub(crate) fn search_analyzed(
        &self,
        text: &str,
        query: &Analysis,
        lang: Lang,
        limit: usize,
    ) -> Vec<Hit> {
        let lang = lang::detect(text).unwrap_or(lang);
        let hit = |topic: usize, score: f32, confidence: f32| Hit {
            id: self.topics[topic].id.clone(),
            score,
            confidence,
        };
        if self.retrieval == Retrieval::Bm25 {
            return self
                .index
                .search_analyzed(query, lang, limit)
                .into_iter()
                .map(|r| hit(r.topic, r.score, r.confidence))
                .collect();
        }
        // BM25F's leaders (none when it knows no word of the query: nothing relates).
        let bm25 = self.index.search_analyzed(query, lang, CANDIDATES);
        if bm25.is_empty() {
            return Vec::new();
        }
        let Some(p) = self.classifier.probabilities_of(query) else {
            return Vec::new();
        };
        let bm25_share = match self.retrieval {
            Retrieval::Classifier => 0.0,
            _ => BM25_SHARE,
        };
        // How likely the message is about any topic at all.
        let related = 1.0 - p.get(self.topics.len()).copied().unwrap_or(0.0);
        // Candidates: BM25F's leaders and the classifier's, each scored by both.
        let mut candidates: Vec<usize> = bm25.iter().map(|r| r.topic).collect();
        // The last class is "none of these": never a candidate, its share lowers the others.
        candidates.extend(leaders(&p[..self.topics.len()], CANDIDATES));
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(usize, f32)> = candidates
            .into_iter()
            .map(|t| {
                let b = bm25
                    .iter()
                    .find(|r| r.topic == t)
                    .map_or(0.0, |r| r.confidence);
                (t, (bm25_share * b + (1.0 - bm25_share) * p[t]) * related)
            })
            .collect();
        scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
            .into_iter()
            .take(limit)
            .map(|(t, c)| hit(t, c, calibrated(c)))
            .collect()
    }

    /// A new knowledge base with moderators' edits over this one: `upserts` replace topics
    /// with the same id (or are added), then ids in `removed` are dropped.
    pub fn with_overlay(&self, upserts: Vec<Topic>, removed: &[String]) -> KnowledgeBase {
        let mut topics = self.topics.clone();
        topics.extend(upserts);
        topics.retain(|t| !removed.contains(&t.id));
        KnowledgeBase::from_topics(topics)
    }
}

/// The combined score on the scale of [`CONFIDENT`] and [`UNSURE`]: on the dev part of the
/// evaluation set, answering from 0.4 and offering "did you mean" from 0.2 was best, so those
/// points map to 0.55 and 0.3 (piecewise linear, monotone, 1 stays 1).
fn calibrated(c: f32) -> f32 {
    const ANSWER_FROM: f32 = 0.4;
    const OFFER_FROM: f32 = 0.2;
    let c = c.clamp(0.0, 1.0);
    if c < OFFER_FROM {
        c * UNSURE / OFFER_FROM
    } else if c < ANSWER_FROM {
        UNSURE + (c - OFFER_FROM) * (CONFIDENT - UNSURE) / (ANSWER_FROM - OFFER_FROM)
    } else {
        CONFIDENT + (c - ANSWER_FROM) * (1.0 - CONFIDENT) / (1.0 - ANSWER_FROM)
    }
}

/// How many leaders of each ranker are scored by both.
const CANDIDATES: usize = 5;

/// The indices of the `n` highest probabilities, best first (ties by index).
fn leaders(p: &[f32], n: usize) -> Vec<usize> {
    let mut top: Vec<usize> = Vec::with_capacity(n + 1);
    for i in 0..p.len() {
        keep_best(&mut top, n, i, |&a, &b| p[b].total_cmp(&p[a]));
    }
    top
}

/// Keeps `top` the best `n` entries offered so far, best first by `cmp` (`Less`: the first
/// ranks ahead), by insertion: an entry goes after every one at least as good (so the earlier
/// wins a tie), and most entries lose to the last leader with one comparison.
fn keep_best<T>(top: &mut Vec<T>, n: usize, entry: T, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if top.len() == n && top.last().is_none_or(|last| cmp(&entry, last).is_ge()) {
        return;
    }
    let at = top.partition_point(|t| cmp(t, &entry).is_le());
    top.insert(at, entry);
    top.truncate(n);
}

/// The classifier's training set: each title, question and tag of a topic, in both languages,
/// is one example of it; the class after the topics is "none of these".
fn training_examples(topics: &[Topic]) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (class, topic) in topics.iter().enumerate() {
        for lang in [Lang::En, Lang::Zh] {
            let text = topic.text(lang);
            out.push((text.title.clone(), class));
            out.extend(text.questions.iter().map(|q| (q.clone(), class)));
        }
        out.extend(topic.tags.iter().map(|t| (t.clone(), class)));
    }
    let none = topics.len();
    out.extend(
        OFF_TOPIC
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| (l.to_string(), none)),
    );
    out
}

/// Messages no topic answers: the classifier's last class, "none of these".
const OFF_TOPIC: &str = include_str!("off_topic.txt");

/// The topic files in `dir`, sorted by name.
pub(crate) fn topic_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, KnowledgeError> {
    let io = |source| KnowledgeError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let is_md = path.extension().is_some_and(|e| e == "md");
        let is_readme = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.eq_ignore_ascii_case("README.md"));
        if is_md && !is_readme && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(id: &str, en: &str, zh: &str) -> Topic {
        let text = |q: &str| TopicText {
            title: q.to_string(),
            questions: vec![q.to_string()],
            answer: format!("{q} answer"),
        };
        Topic {
            id: id.to_string(),
            tags: vec![],
            related: vec![],
            escalate: false,
            en: text(en),
            zh: text(zh),
        }
    }

    fn kb() -> KnowledgeBase {
        KnowledgeBase::from_topics(vec![
            topic(
                "health-factor",
                "what is the health factor",
                "健康因子是什么",
            ),
            topic("gas-fees", "why is gas expensive", "Gas费为什么贵"),
            topic("emode", "what is e-mode", "高效模式是什么"),
        ])
    }

    #[test]
    fn looks_up_and_searches() {
        let kb = kb();
        assert_eq!(kb.topics().len(), 3);
        assert_eq!(
            kb.topic("gas-fees").map(|t| t.en.title.as_str()),
            Some("why is gas expensive")
        );
        assert!(kb.topic("nope").is_none());
        // One question per topic is too little for the classifier to learn from: BM25F alone
        // is confident, both together rank the same topic first.
        let hits = kb
            .clone()
            .with_retrieval(Retrieval::Bm25)
            .search("wat is emode", Lang::En, 2);
        assert_eq!(hits[0].id, "emode");
        assert!(hits[0].confidence >= CONFIDENT, "{hits:?}");
        assert_eq!(kb.search("wat is emode", Lang::En, 2)[0].id, "emode");
        assert!(kb.search("", Lang::En, 3).is_empty());
        assert!(kb.search("?!", Lang::Zh, 3).is_empty());
    }

    #[test]
    fn leaders_are_the_best_first_ties_by_index() {
        let p = [0.1, 0.3, 0.05, 0.3, 0.2, 0.0];
        assert_eq!(leaders(&p, 3), [1, 3, 4]);
        assert_eq!(leaders(&p, 10), [1, 3, 4, 0, 2, 5]);
        assert!(leaders(&p, 0).is_empty());
    }

    #[test]
    fn overlay_replaces_adds_and_removes() {
        let kb = kb();
        let mut edited = topic(
            "gas-fees",
            "why are network costs so high",
            "网络费用为什么高",
        );
        edited.escalate = true;
        let added = topic("stuck-transaction", "my transaction is stuck", "交易卡住了");
        let kb2 = kb.with_overlay(vec![edited.clone(), added], &["emode".to_string()]);
        assert_eq!(kb2.topics().len(), 3);
        assert_eq!(kb2.topic("gas-fees"), Some(&edited));
        assert!(kb2.topic("emode").is_none());
        assert!(
            kb2.search("what is e-mode", Lang::En, 3)
                .iter()
                .all(|h| h.id != "emode")
        );
        assert_eq!(
            kb2.search("tx stuck", Lang::En, 1)[0].id,
            "stuck-transaction"
        );
        // The original is unchanged.
        assert!(kb.topic("emode").is_some());
        assert!(!kb.topic("gas-fees").is_some_and(|t| t.escalate));
        // Order of the original topics is kept.
        let ids: Vec<&str> = kb2.topics().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["health-factor", "gas-fees", "stuck-transaction"]);
    }
}
