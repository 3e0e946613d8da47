//! Contracts compiled from npm sources with solc-js (the Aave v3.6 market, Morpho Blue): makes
//! sure the npm packages are there, runs the devnet folder's compile script of those sources
//! (`compile-origin.mjs`, `compile-morpho.mjs`: once per package versions, then answered from
//! `devnet/.cache/`), and loads the artifacts it wrote by contract name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alloy::primitives::Address;

use super::artifacts::Artifact;
use super::error::DevnetError;
use super::tools::{install_packages, lock, package_version, tail};

/// Sources to compile: the devnet folder's script for them and the npm packages it reads.
#[derive(Debug, Clone, Copy)]
pub struct Sources {
    /// The compile script inside the devnet folder.
    pub script: &'static str,
    /// Packages the script needs besides the ones the v3.0 devnet checks for.
    pub required: &'static [&'static str],
}

/// The Aave v3.6 market (aave-v3-origin), solc 0.8.27.
pub const ORIGIN: Sources = Sources {
    script: "compile-origin.mjs",
    required: &[
        "@aave-dao/aave-v3-origin",
        "solc",
        "@openzeppelin/contracts-upgradeable",
    ],
};

/// Morpho Blue and its mocks, solc 0.8.19 (via IR).
pub const MORPHO: Sources = Sources {
    script: "compile-morpho.mjs",
    required: &["@morpho-org/morpho-blue", "solc-0.8.19"],
};

/// The key `compile-morpho.mjs` files Morpho's artifacts under (`morpho-<v>_solc-<v>_script-<n>`,
/// as `node compile-morpho.mjs --key` prints it), derived without node or solc: from the
/// installed versions of `@morpho-org/morpho-blue` and the `solc-0.8.19` alias and the script's
/// `SCRIPT_VERSION`. The v3.0 devnet's state cache is keyed by it, so a cache hit never compiles
/// Morpho. Installs the packages when they are missing.
pub fn morpho_key(devnet_dir: &Path) -> Result<String, DevnetError> {
    install_packages(devnet_dir, |dir| installed(dir, MORPHO.required))?;
    let modules = devnet_dir.join("node_modules");
    let morpho = package_version(&modules.join("@morpho-org/morpho-blue/package.json"))?;
    let solc = package_version(&modules.join("solc-0.8.19/package.json"))?;
    let script_path = devnet_dir.join(MORPHO.script);
    let script = std::fs::read_to_string(&script_path)
        .map_err(|e| DevnetError::io(format!("reading {}", script_path.display()), e))?;
    let version = script_version(&script).ok_or_else(|| {
        DevnetError::unexpected(
            script_path.display().to_string(),
            "no `const SCRIPT_VERSION = <n>;` line",
        )
    })?;
    Ok(sanitize_key(&format!(
        "morpho-{morpho}_solc-{solc}_script-{version}"
    )))
}

/// The number in a compile script's `const SCRIPT_VERSION = <n>;` line.
fn script_version(script: &str) -> Option<u32> {
    script.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("const SCRIPT_VERSION")?;
        let value = rest.trim_start().strip_prefix('=')?.trim();
        value.strip_suffix(';')?.trim().parse().ok()
    })
}

/// `compile-common.mjs`'s `cacheKey`: anything outside `[A-Za-z0-9._-]` becomes `-` (the
/// state caches' keys follow the same rule).
pub(super) fn sanitize_key(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A folder of compiled artifacts.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// `devnet/.cache/<key>/`.
    pub dir: PathBuf,
    /// The cache key (the folder's name).
    pub key: String,
    /// How long the compile step took (a few ms when it was cached).
    pub elapsed: Duration,
}

impl Compiled {
    /// Ensures the packages, runs the compile script of `sources` and returns the artifact
    /// folder.
    pub fn prepare(devnet_dir: &Path, sources: &Sources) -> Result<Self, DevnetError> {
        let started = Instant::now();
        install_packages(devnet_dir, |dir| installed(dir, sources.required))?;
        // One compile at a time (solc-js takes both cores): later callers find the cache.
        let _lock = lock(&devnet_dir.join(".compile.lock"))?;
        let script = sources.script;
        let output = Command::new("node")
            .arg(script)
            .current_dir(devnet_dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| DevnetError::io(format!("running node {script}"), e))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(DevnetError::unexpected(
                format!("node {script}"),
                format!("{}: {}", output.status, tail(&output.stderr)),
            ));
        }
        let dir = stdout
            .lines()
            .last()
            .map(|l| PathBuf::from(l.trim()))
            .filter(|d| d.join("manifest.json").is_file())
            .ok_or_else(|| {
                DevnetError::unexpected(
                    format!("node {script}"),
                    format!("no artifact folder in its output: {stdout:?}"),
                )
            })?;
        let key = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Self {
            dir,
            key,
            elapsed: started.elapsed(),
        })
    }

    /// Loads one contract's artifact.
    pub fn load(&self, name: &str) -> Result<Artifact, DevnetError> {
        Artifact::load(name, &self.dir.join(format!("{name}.json")))
    }

    /// Deploy order for every library `roots` link against, dependencies first.
    pub fn library_order(&self, roots: &[&str]) -> Result<Vec<String>, DevnetError> {
        let mut needs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut todo: Vec<String> = Vec::new();
        for root in roots {
            todo.extend(self.load(root)?.required_libraries());
        }
        while let Some(lib) = todo.pop() {
            if needs.contains_key(&lib) {
                continue;
            }
            let required = self.load(&lib)?.required_libraries();
            todo.extend(required.iter().cloned());
            needs.insert(lib, required);
        }
        let mut order: Vec<String> = Vec::new();
        while order.len() < needs.len() {
            let ready = needs
                .iter()
                .find(|(lib, deps)| !order.contains(lib) && deps.iter().all(|d| order.contains(d)))
                .map(|(lib, _)| lib.clone())
                .ok_or_else(|| DevnetError::unexpected("linking libraries", "a library cycle"))?;
            order.push(ready);
        }
        Ok(order)
    }

    /// Creation code of `name` with `libraries` linked and `args` appended.
    pub fn creation_code(
        &self,
        name: &str,
        libraries: &BTreeMap<String, Address>,
        args: &[u8],
    ) -> Result<Vec<u8>, DevnetError> {
        self.load(name)?.creation_code(libraries, args)
    }
}

/// `npm ci` has run and every package of `required` is there (a checkout from before some
/// package was pinned has an older `node_modules`).
fn installed(devnet_dir: &Path, required: &[&str]) -> bool {
    let modules = devnet_dir.join("node_modules");
    modules.join(".package-lock.json").is_file()
        && required
            .iter()
            .all(|p| modules.join(p).join("package.json").is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_compile_scripts_version_line() {
        let script = "/** Bump when… */\nconst SCRIPT_VERSION = 12;\nrun({});\n";
        assert_eq!(script_version(script), Some(12));
        assert_eq!(script_version("const SCRIPT_VERSION=3;"), Some(3));
        assert_eq!(script_version("// SCRIPT_VERSION = 3"), None);
        assert_eq!(script_version("const SCRIPT_VERSION = x;"), None);
    }

    #[test]
    fn keys_are_safe_file_names_as_the_scripts_make_them() {
        assert_eq!(
            sanitize_key("morpho-1.0.0_solc-0.8.19+commit/x_script-1"),
            "morpho-1.0.0_solc-0.8.19-commit-x_script-1"
        );
    }
}
