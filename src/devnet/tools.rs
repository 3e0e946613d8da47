//! Finds the devnet folder, installs its npm packages when missing, and locates Anvil.
//!
//! The `devnet/` folder holds `package.json` with the pinned Anvil binary and the Aave v3
//! artifacts. Lookup order: `$LENDESK_DEVNET_DIR`, then `devnet/` in the current directory or
//! any parent, then the crate's own `devnet/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::DevnetError;

/// Environment variable that overrides where the devnet folder is.
pub const DEVNET_DIR_ENV: &str = "LENDESK_DEVNET_DIR";

/// The tools a devnet needs, resolved on this machine.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The devnet folder (holds `package.json` and `node_modules`).
    pub devnet_dir: PathBuf,
    /// The Anvil binary to run.
    pub anvil: PathBuf,
    /// Anvil's version, e.g. `1.7.1`.
    pub anvil_version: String,
    /// `@aave/core-v3` version as installed.
    pub core_version: String,
    /// `@aave/periphery-v3` version as installed.
    pub periphery_version: String,
    /// The key Morpho Blue's artifacts are compiled under (package and compiler versions,
    /// compile script), derived without compiling: see [`super::compiled::morpho_key`].
    pub morpho_key: String,
}

impl Toolchain {
    /// Resolves the devnet folder, installs npm packages if needed and finds Anvil.
    pub fn resolve() -> Result<Self, DevnetError> {
        let devnet_dir = find_devnet_dir();
        ensure_node_modules(&devnet_dir)?;
        let anvil = find_anvil(&devnet_dir)?;
        let anvil_version = anvil_version(&anvil)?;
        let modules = devnet_dir.join("node_modules");
        let core_version = package_version(&modules.join("@aave/core-v3/package.json"))?;
        let periphery_version = package_version(&modules.join("@aave/periphery-v3/package.json"))?;
        let morpho_key = super::compiled::morpho_key(&devnet_dir)?;
        Ok(Self {
            devnet_dir,
            anvil,
            anvil_version,
            core_version,
            periphery_version,
            morpho_key,
        })
    }

    /// `node_modules` inside the devnet folder.
    pub fn node_modules(&self) -> PathBuf {
        self.devnet_dir.join("node_modules")
    }

    /// Where state snapshots are kept.
    pub fn cache_dir(&self) -> PathBuf {
        self.devnet_dir.join(".cache")
    }
}

/// The devnet folder: `$LENDESK_DEVNET_DIR`, else `devnet/` here or in a parent directory
/// (one that has a `package.json`), else the crate's `devnet/`.
pub fn find_devnet_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DEVNET_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Ok(cwd) = std::env::current_dir()
        && let Some(found) = walk_up_for_devnet(&cwd)
    {
        return found;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("devnet")
}

/// Looks for `<dir>/devnet/package.json` from `start` upwards.
fn walk_up_for_devnet(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join("devnet"))
        .find(|candidate| candidate.join("package.json").is_file())
}

/// True when the packages lendesk needs are installed completely (`.package-lock.json` is the
/// last thing npm writes).
fn installed(devnet_dir: &Path) -> bool {
    let modules = devnet_dir.join("node_modules");
    modules.join(".package-lock.json").is_file()
        && modules
            .join("@aave")
            .join("core-v3")
            .join("package.json")
            .is_file()
}

/// Runs `npm ci` in the devnet folder when the packages are missing.
fn ensure_node_modules(devnet_dir: &Path) -> Result<(), DevnetError> {
    install_packages(devnet_dir, installed)
}

/// Runs `npm ci` in the devnet folder unless `installed` says the packages are there. Tests
/// start several devnets at once (v3.0 and v3.6 alike), so the check and the install hold an
/// exclusive lock on `devnet/.install.lock`.
pub(super) fn install_packages(
    devnet_dir: &Path,
    installed: impl Fn(&Path) -> bool,
) -> Result<(), DevnetError> {
    if installed(devnet_dir) {
        return Ok(());
    }
    let _lock = lock(&devnet_dir.join(".install.lock"))?;
    if installed(devnet_dir) {
        return Ok(());
    }
    eprintln!(
        "lendesk devnet: installing Anvil and the Aave artifacts (npm ci in {})…",
        devnet_dir.display()
    );
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(devnet_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| DevnetError::io(format!("running npm ci in {}", devnet_dir.display()), e))?;
    if output.status.success() {
        return Ok(());
    }
    Err(DevnetError::NpmInstall {
        dir: devnet_dir.to_path_buf(),
        detail: format!("{}: {}", output.status, tail(&output.stderr)),
    })
}

/// An exclusive `flock` on `path`, held until the file is dropped (per open file, so it also
/// separates threads of one test binary).
pub(super) fn lock(path: &Path) -> Result<std::fs::File, DevnetError> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| DevnetError::io(format!("opening {}", path.display()), e))?;
    // SAFETY: flock on a file descriptor we own; released when `file` is dropped.
    let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&file), libc::LOCK_EX) };
    if locked != 0 {
        return Err(DevnetError::io(
            format!("locking {}", path.display()),
            std::io::Error::last_os_error(),
        ));
    }
    Ok(file)
}

/// The last lines of a process's stderr, joined.
pub(super) fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().rev().take(8).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

/// Anvil on PATH if there is one, else the npm-installed binary.
fn find_anvil(devnet_dir: &Path) -> Result<PathBuf, DevnetError> {
    if let Some(on_path) = find_on_path("anvil") {
        return Ok(on_path);
    }
    let local = devnet_dir.join("node_modules").join(".bin").join("anvil");
    if local.is_file() {
        return Ok(local);
    }
    Err(DevnetError::AnvilNotFound { searched: local })
}

/// The first executable file called `name` in `$PATH`.
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Parses the version out of `anvil --version` (`anvil Version: 1.7.1` on recent builds,
/// `anvil 0.2.0 (…)` on older ones).
fn anvil_version(anvil: &Path) -> Result<String, DevnetError> {
    let output = Command::new(anvil)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| DevnetError::io(format!("running {} --version", anvil.display()), e))?;
    let text = String::from_utf8_lossy(&output.stdout);
    parse_anvil_version(&text).ok_or_else(|| {
        DevnetError::unexpected(
            "anvil --version",
            format!("no version in {:?}", text.trim()),
        )
    })
}

/// Extracts `1.7.1` from `anvil Version: 1.7.1\nCommit SHA: …` or `anvil 1.7.1 (abc 2024)`.
pub(crate) fn parse_anvil_version(text: &str) -> Option<String> {
    let first = text.lines().next()?.trim();
    let rest = first.strip_prefix("anvil")?.trim();
    let rest = rest.strip_prefix("Version:").unwrap_or(rest).trim();
    let version = rest.split_whitespace().next()?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| version.to_string())
}

/// The `version` field of an npm `package.json`.
pub(super) fn package_version(path: &Path) -> Result<String, DevnetError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DevnetError::io(format!("reading {}", path.display()), e))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| DevnetError::json(format!("parsing {}", path.display()), e))?;
    value
        .get("version")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| DevnetError::unexpected(path.display().to_string(), "no \"version\" field"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_anvil_version_styles() {
        assert_eq!(
            parse_anvil_version("anvil Version: 1.7.1\nCommit SHA: 4072e48\n").as_deref(),
            Some("1.7.1")
        );
        assert_eq!(
            parse_anvil_version("anvil 0.2.0 (5be158b 2024-01-01)").as_deref(),
            Some("0.2.0")
        );
        assert_eq!(parse_anvil_version("forge 1.0.0"), None);
        assert_eq!(parse_anvil_version(""), None);
    }

    #[test]
    fn walks_up_to_a_devnet_folder() {
        let root = std::env::temp_dir().join(format!("lendesk-devnet-walk-{}", std::process::id()));
        let nested = root.join("a").join("b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(root.join("devnet")).unwrap();
        std::fs::write(root.join("devnet").join("package.json"), "{}").unwrap();
        assert_eq!(walk_up_for_devnet(&nested), Some(root.join("devnet")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
