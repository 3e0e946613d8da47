//! Trained classifiers kept on disk between runs, so that a process whose examples have not
//! changed (every `lendesk ask` after the first) reads its model in milliseconds instead of
//! training it again (a tenth of a second and more for the FAQ's).
//!
//! A model file is named by its key: a hash of the examples, the class count and the text of
//! everything that turns a message into features or trains on them (this crate's analyzer and
//! classifier sources and their word lists, `Cargo.lock` for the segmenter's version), so an
//! edit to any of them is a new key and the old file is never read. The file ends with a
//! checksum of its contents; a file that is short, damaged or of another format is ignored
//! (and replaced by the next training). Files are written whole under a temporary name and
//! renamed, so a reader never sees half of one.
//!
//! Where: `$LENDESK_CACHE_DIR` (empty turns the cache off), else `$XDG_CACHE_HOME/lendesk`,
//! else `$HOME/.cache/lendesk`; the newest [`KEPT`] models are kept.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use rustc_hash::{FxHashMap as HashMap, FxHasher};

use super::classifier::Classifier;

/// The file format's first bytes.
const MAGIC: &[u8; 8] = b"LDMODEL1";
/// Model files kept in the folder (the oldest are removed beyond this).
const KEPT: usize = 6;
/// The environment variable naming the cache folder.
const CACHE_DIR_ENV: &str = "LENDESK_CACHE_DIR";

/// What, besides the examples, decides what a trained model holds.
const CODE: [&str; 10] = [
    include_str!("classifier.rs"),
    include_str!("model_cache.rs"),
    include_str!("normalize.rs"),
    include_str!("jargon.txt"),
    include_str!("jieba_dict.txt"),
    include_str!("stop_en.txt"),
    include_str!("stop_zh.txt"),
    include_str!("../lang.rs"),
    include_str!("../lang/ts_characters.txt"),
    include_str!("../../Cargo.lock"),
];

/// A hash of [`CODE`], computed once per process (half a megabyte of text).
static CODE_HASH: LazyLock<u64> = LazyLock::new(|| {
    let mut h = FxHasher::default();
    CODE.hash(&mut h);
    h.finish()
});

/// The cache key of a model trained on `examples` with these class weights.
pub(crate) fn key(examples: &[(String, usize)], weights: &[f32]) -> u64 {
    let mut h = FxHasher::default();
    CODE_HASH.hash(&mut h);
    examples.hash(&mut h);
    for w in weights {
        w.to_bits().hash(&mut h);
    }
    h.finish()
}

/// The folder of model files (`models` in the cache folder), or `None` when caching is off or
/// no folder can be named.
fn folder() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV) {
        return (!dir.is_empty()).then(|| PathBuf::from(dir).join("models"));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|d| !d.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("lendesk").join("models"))
}

fn file_of(models: &Path, key: u64) -> PathBuf {
    models.join(format!("{key:016x}.bin"))
}

/// The model saved under `key`, if a whole and valid one is there.
pub(crate) fn load(key: u64) -> Option<Classifier> {
    let bytes = std::fs::read(file_of(&folder()?, key)).ok()?;
    let model = decode(&bytes, key);
    if model.is_none() {
        tracing::debug!(key, "model cache file unreadable; training instead");
    }
    model
}

/// Saves `model` under `key` (best effort: a cache that cannot be written only costs time).
pub(crate) fn save(key: u64, model: &Classifier) {
    let Some(models) = folder() else {
        return;
    };
    let path = file_of(&models, key);
    let temporary = models.join(format!("{key:016x}.{}.tmp", std::process::id()));
    let written = std::fs::create_dir_all(&models)
        .and_then(|()| std::fs::write(&temporary, encode(model, key)))
        .and_then(|()| std::fs::rename(&temporary, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        tracing::debug!(error = %e, dir = %models.display(), "model cache not written");
        return;
    }
    prune(&models);
}

/// Removes all but the newest [`KEPT`] model files.
fn prune(models: &Path) {
    let Ok(entries) = std::fs::read_dir(models) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, old) in files.into_iter().skip(KEPT) {
        let _ = std::fs::remove_file(old);
    }
}

/// The file's bytes: magic, key, class and row counts, each row's feature hash (in row
/// order), the weights, the biases, then a checksum of all before it. Little-endian.
fn encode(model: &Classifier, key: u64) -> Vec<u8> {
    let (classes, rows, weights, bias) = model.parts();
    let mut by_row = vec![0u64; rows.len()];
    for (&hash, &row) in rows {
        by_row[row as usize] = hash;
    }
    let mut out = Vec::with_capacity(32 + by_row.len() * 8 + (weights.len() + bias.len()) * 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    out.extend_from_slice(&(classes as u32).to_le_bytes());
    out.extend_from_slice(&(by_row.len() as u32).to_le_bytes());
    for h in by_row {
        out.extend_from_slice(&h.to_le_bytes());
    }
    for w in weights.iter().chain(bias) {
        out.extend_from_slice(&w.to_le_bytes());
    }
    let sum = checksum(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// The model in `bytes`, when they are a whole file of this format saved under `key`.
fn decode(bytes: &[u8], key: u64) -> Option<Classifier> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if checksum(body) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let part = body.get(at..at.checked_add(n)?)?;
        at += n;
        Some(part)
    };
    if take(8)? != MAGIC || u64::from_le_bytes(take(8)?.try_into().ok()?) != key {
        return None;
    }
    let classes = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    let row_count = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
    let mut rows: HashMap<u64, u32> =
        HashMap::with_capacity_and_hasher(row_count, Default::default());
    for (row, h) in take(row_count.checked_mul(8)?)?.chunks_exact(8).enumerate() {
        rows.insert(u64::from_le_bytes(h.try_into().ok()?), row as u32);
    }
    let floats = |part: &[u8]| -> Vec<f32> {
        part.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let weights = floats(take(row_count.checked_mul(classes)?.checked_mul(4)?)?);
    let bias = floats(take(classes.checked_mul(4)?)?);
    if at != body.len() || rows.len() != row_count {
        return None;
    }
    Some(Classifier::from_parts(classes, rows, weights, bias))
}

/// A hash of every byte (damage, not tampering, is what it finds).
fn checksum(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    let chunks = bytes.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        h.write_u64(u64::from_le_bytes([
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
        ]));
    }
    h.write(rest);
    h.write_usize(bytes.len());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<(String, usize)> {
        [
            ("what is the health factor", 0),
            ("健康因子是什么", 0),
            ("how does liquidation work", 1),
            ("爆仓是什么意思", 1),
        ]
        .into_iter()
        .map(|(t, c)| (t.to_string(), c))
        .collect()
    }

    #[test]
    fn a_saved_model_reads_back_the_same() {
        let model = Classifier::train(&examples(), 2);
        let k = key(&examples(), &[1.0, 1.0]);
        let back = decode(&encode(&model, k), k).expect("decodes");
        assert_eq!(back.parts().2, model.parts().2);
        assert_eq!(back.parts().3, model.parts().3);
        for q in ["health factor?", "liquidation", "清算"] {
            assert_eq!(back.probabilities(q), model.probabilities(q), "{q}");
        }
    }

    #[test]
    fn a_damaged_short_or_foreign_file_is_not_read() {
        let model = Classifier::train(&examples(), 2);
        let k = key(&examples(), &[1.0, 1.0]);
        let good = encode(&model, k);
        let mut flipped = good.clone();
        flipped[40] ^= 1;
        assert!(decode(&flipped, k).is_none());
        assert!(decode(&good[..good.len() - 1], k).is_none());
        assert!(decode(&good[..10], k).is_none());
        assert!(decode(&[], k).is_none());
        // Another key's file, whole and valid, is not this model.
        assert!(decode(&good, k ^ 1).is_none());
    }

    #[test]
    fn other_examples_or_weights_are_another_key() {
        let k = key(&examples(), &[1.0, 1.0]);
        assert_ne!(k, key(&examples()[1..], &[1.0, 1.0]));
        assert_ne!(k, key(&examples(), &[1.0, 2.0]));
        assert_eq!(k, key(&examples(), &[1.0, 1.0]));
    }
}
