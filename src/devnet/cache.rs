//! The state cache: after a first deploy and seed, Anvil's dumped state and the manifest are
//! saved to `<devnet>/.cache/state-<key>.json`, so later starts load them in well under a second.
//!
//! The key covers everything that changes the chain: the Aave artifact versions, the Anvil
//! version, the Morpho Blue artifacts' key (package and compiler versions, compile script) and
//! [`DEPLOY_SCRIPT_VERSION`](super::market::DEPLOY_SCRIPT_VERSION). Writes go to a
//! unique temporary file first and are renamed into place, so racing test binaries never see a
//! half-written cache.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use alloy::primitives::{Address, Bytes};
use serde::{Deserialize, Serialize};

use super::compiled::sanitize_key;
use super::error::DevnetError;
use super::manifest::DevnetManifest;
use super::rpc::DevClient;

/// A saved devnet: the manifest and `anvil_dumpState`'s output (hex of gzipped JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedState {
    /// The key this was saved under.
    pub key: String,
    /// The manifest as it was after the seed (its `rpc_url` is rewritten on load).
    pub manifest: DevnetManifest,
    /// Anvil's state dump.
    pub state: Bytes,
}

/// Loads a state dump into a fresh Anvil, mines one block and checks that `pool` has code
/// (a dump that loads but holds no market is a broken cache). Both devnets' caches load here.
pub(super) async fn load_state(
    client: &DevClient,
    state: Bytes,
    pool: Address,
) -> Result<(), DevnetError> {
    let loaded: bool = client.request("anvil_loadState", (state,)).await?;
    if !loaded {
        return Err(DevnetError::unexpected("anvil_loadState", "returned false"));
    }
    client.mine().await?;
    let code: Bytes = client.request("eth_getCode", (pool, "latest")).await?;
    if code.is_empty() {
        return Err(DevnetError::unexpected(
            "anvil_loadState",
            "the Pool has no code after loading",
        ));
    }
    Ok(())
}

/// The cache key: `core-<v>_periphery-<v>_anvil-<v>_<morpho key>_deploy-<n>`, limited to
/// `[A-Za-z0-9._-]`.
pub fn cache_key(
    core: &str,
    periphery: &str,
    anvil: &str,
    morpho: &str,
    deploy_script_version: u32,
) -> String {
    sanitize_key(&format!(
        "core-{core}_periphery-{periphery}_anvil-{anvil}_{morpho}_deploy-{deploy_script_version}"
    ))
}

/// `<cache dir>/state-<key>.json`.
pub fn cache_path(cache_dir: &Path, key: &str) -> PathBuf {
    cache_dir.join(format!("state-{key}.json"))
}

/// Reads a cache file; `Ok(None)` when there is none or it is for another key.
pub fn read(path: &Path, key: &str) -> Result<Option<CachedState>, DevnetError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DevnetError::io(format!("reading {}", path.display()), e)),
    };
    let cached: CachedState = serde_json::from_str(&text)
        .map_err(|e| DevnetError::json(format!("parsing {}", path.display()), e))?;
    Ok((cached.key == key).then_some(cached))
}

/// Writes a cache file atomically (temp file + rename) and returns its path.
pub fn write(cache_dir: &Path, cached: &CachedState) -> Result<PathBuf, DevnetError> {
    std::fs::create_dir_all(cache_dir)
        .map_err(|e| DevnetError::io(format!("creating {}", cache_dir.display()), e))?;
    let path = cache_path(cache_dir, &cached.key);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = cache_dir.join(format!(
        ".state-{}.{}.{nanos}.tmp",
        cached.key,
        std::process::id()
    ));
    let text = serde_json::to_string(cached)
        .map_err(|e| DevnetError::json("serializing the state cache", e))?;
    std::fs::write(&tmp, text)
        .map_err(|e| DevnetError::io(format!("writing {}", tmp.display()), e))?;
    if let Err(e) = std::fs::rename(&tmp, &path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(DevnetError::io(
            format!("renaming {} to {}", tmp.display(), path.display()),
            e,
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MORPHO: &str = "morpho-1.0.0_solc-0.8.19_script-1";

    #[test]
    fn key_is_stable_and_sensitive_to_every_input() {
        let base = cache_key("1.19.3", "3.0.1", "1.7.1", MORPHO, 1);
        assert_eq!(
            base,
            "core-1.19.3_periphery-3.0.1_anvil-1.7.1_morpho-1.0.0_solc-0.8.19_script-1_deploy-1"
        );
        assert_eq!(base, cache_key("1.19.3", "3.0.1", "1.7.1", MORPHO, 1));
        for other in [
            cache_key("1.19.4", "3.0.1", "1.7.1", MORPHO, 1),
            cache_key("1.19.3", "3.0.2", "1.7.1", MORPHO, 1),
            cache_key("1.19.3", "3.0.1", "1.8.0", MORPHO, 1),
            cache_key(
                "1.19.3",
                "3.0.1",
                "1.7.1",
                "morpho-1.0.1_solc-0.8.19_script-1",
                1,
            ),
            cache_key(
                "1.19.3",
                "3.0.1",
                "1.7.1",
                "morpho-1.0.0_solc-0.8.20_script-1",
                1,
            ),
            cache_key(
                "1.19.3",
                "3.0.1",
                "1.7.1",
                "morpho-1.0.0_solc-0.8.19_script-2",
                1,
            ),
            cache_key("1.19.3", "3.0.1", "1.7.1", MORPHO, 2),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn key_is_a_safe_file_name() {
        let key = cache_key("1.0/../x", "a b", "1.0.0-nightly+abc", "m/../o", 3);
        assert!(
            key.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')),
            "{key}"
        );
        assert!(cache_path(Path::new("/tmp/c"), &key).parent() == Some(Path::new("/tmp/c")));
    }
}
