//! The v3.6 artifacts: makes sure the npm packages are there, runs `devnet/compile-origin.mjs`
//! (solc-js; compiles once per package versions, then answers from `devnet/.cache/`), and loads
//! the artifacts it wrote by contract name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alloy::primitives::Address;

use super::super::artifacts::Artifact;
use super::super::error::DevnetError;
use super::super::tools::{install_packages, lock, tail};

/// The compile script inside the devnet folder.
pub const SCRIPT: &str = "compile-origin.mjs";

/// Packages the compile step needs besides the ones the v3.0 devnet checks for.
const REQUIRED: [&str; 3] = [
    "@aave-dao/aave-v3-origin",
    "solc",
    "@openzeppelin/contracts-upgradeable",
];

/// A folder of compiled v3.6 artifacts.
#[derive(Debug, Clone)]
pub struct OriginArtifacts {
    /// `devnet/.cache/origin-<key>/`.
    pub dir: PathBuf,
    /// The cache key (the folder's name).
    pub key: String,
    /// How long the compile step took (a few ms when it was cached).
    pub elapsed: Duration,
}

impl OriginArtifacts {
    /// Ensures the packages, runs the compile script and returns the artifact folder.
    pub fn prepare(devnet_dir: &Path) -> Result<Self, DevnetError> {
        let started = Instant::now();
        ensure_packages(devnet_dir)?;
        // One compile at a time (solc-js takes both cores): later callers find the cache.
        let _lock = lock(&devnet_dir.join(".compile-origin.lock"))?;
        let output = Command::new("node")
            .arg(SCRIPT)
            .current_dir(devnet_dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| DevnetError::io(format!("running node {SCRIPT}"), e))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(DevnetError::unexpected(
                format!("node {SCRIPT}"),
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
                    format!("node {SCRIPT}"),
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
                .ok_or_else(|| {
                    DevnetError::unexpected("linking v3.6 libraries", "a library cycle")
                })?;
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

fn installed(devnet_dir: &Path) -> bool {
    let modules = devnet_dir.join("node_modules");
    modules.join(".package-lock.json").is_file()
        && REQUIRED
            .iter()
            .all(|p| modules.join(p).join("package.json").is_file())
}

/// `npm ci` when a checkout from before the v3.6 packages has an older `node_modules` (under
/// the same lock as the v3.0 devnet's install).
fn ensure_packages(devnet_dir: &Path) -> Result<(), DevnetError> {
    install_packages(devnet_dir, installed)
}
