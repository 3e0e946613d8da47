//! Hardhat artifacts from the Aave npm packages: load creation bytecode and link libraries.
//!
//! An artifact's `bytecode` is hex with `__$…$__` placeholders where library addresses go;
//! `linkReferences[file][library]` lists each placeholder's byte `start` and `length` (20).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use serde::Deserialize;

use super::error::DevnetError;

/// Which npm package an artifact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Package {
    Core,
    Periphery,
}

/// Every contract the devnet deploys, with its artifact path inside its package.
const ARTIFACTS: &[(&str, Package, &str)] = &[
    (
        "MintableERC20",
        Package::Core,
        "mocks/tokens/MintableERC20.sol",
    ),
    ("WETH9Mocked", Package::Core, "mocks/tokens/WETH9Mocked.sol"),
    (
        "MockAggregator",
        Package::Core,
        "mocks/oracle/CLAggregators/MockAggregator.sol",
    ),
    (
        "PoolAddressesProvider",
        Package::Core,
        "protocol/configuration/PoolAddressesProvider.sol",
    ),
    (
        "ACLManager",
        Package::Core,
        "protocol/configuration/ACLManager.sol",
    ),
    (
        "SupplyLogic",
        Package::Core,
        "protocol/libraries/logic/SupplyLogic.sol",
    ),
    (
        "BorrowLogic",
        Package::Core,
        "protocol/libraries/logic/BorrowLogic.sol",
    ),
    (
        "LiquidationLogic",
        Package::Core,
        "protocol/libraries/logic/LiquidationLogic.sol",
    ),
    (
        "EModeLogic",
        Package::Core,
        "protocol/libraries/logic/EModeLogic.sol",
    ),
    (
        "BridgeLogic",
        Package::Core,
        "protocol/libraries/logic/BridgeLogic.sol",
    ),
    (
        "PoolLogic",
        Package::Core,
        "protocol/libraries/logic/PoolLogic.sol",
    ),
    (
        "FlashLoanLogic",
        Package::Core,
        "protocol/libraries/logic/FlashLoanLogic.sol",
    ),
    (
        "ConfiguratorLogic",
        Package::Core,
        "protocol/libraries/logic/ConfiguratorLogic.sol",
    ),
    ("Pool", Package::Core, "protocol/pool/Pool.sol"),
    (
        "PoolConfigurator",
        Package::Core,
        "protocol/pool/PoolConfigurator.sol",
    ),
    (
        "DefaultReserveInterestRateStrategy",
        Package::Core,
        "protocol/pool/DefaultReserveInterestRateStrategy.sol",
    ),
    ("AToken", Package::Core, "protocol/tokenization/AToken.sol"),
    (
        "VariableDebtToken",
        Package::Core,
        "protocol/tokenization/VariableDebtToken.sol",
    ),
    (
        "StableDebtToken",
        Package::Core,
        "protocol/tokenization/StableDebtToken.sol",
    ),
    ("AaveOracle", Package::Core, "misc/AaveOracle.sol"),
    (
        "AaveProtocolDataProvider",
        Package::Core,
        "misc/AaveProtocolDataProvider.sol",
    ),
    (
        "UiPoolDataProviderV3",
        Package::Periphery,
        "misc/UiPoolDataProviderV3.sol",
    ),
];

/// One placeholder to fill with a library address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// The library's contract name (e.g. `BorrowLogic`).
    pub library: String,
    /// Byte offset of the placeholder in the creation bytecode.
    pub start: usize,
    /// Byte length of the placeholder (20 for an address).
    pub length: usize,
}

/// A loaded artifact: unlinked creation bytecode and where libraries go.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The contract name.
    pub name: String,
    /// The JSON file it came from.
    pub path: PathBuf,
    /// Creation bytecode as hex (no `0x`), placeholders included.
    bytecode_hex: String,
    /// Every placeholder.
    pub link_refs: Vec<LinkRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HardhatArtifact {
    bytecode: String,
    #[serde(default)]
    link_references: BTreeMap<String, BTreeMap<String, Vec<HardhatOffset>>>,
}

#[derive(Deserialize)]
struct HardhatOffset {
    start: usize,
    length: usize,
}

impl Artifact {
    /// Parses a Hardhat artifact JSON file.
    pub fn load(name: &str, path: &Path) -> Result<Self, DevnetError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DevnetError::io(format!("reading artifact {}", path.display()), e))?;
        Self::parse(name, path, &text)
    }

    /// Parses the text of a Hardhat artifact.
    pub fn parse(name: &str, path: &Path, text: &str) -> Result<Self, DevnetError> {
        let raw: HardhatArtifact = serde_json::from_str(text)
            .map_err(|e| DevnetError::json(format!("parsing artifact {}", path.display()), e))?;
        let bytecode_hex = raw.bytecode.trim_start_matches("0x").to_string();
        if bytecode_hex.is_empty() {
            return Err(artifact_error(
                path,
                "empty bytecode (an interface or abstract contract?)",
            ));
        }
        let link_refs = raw
            .link_references
            .into_values()
            .flat_map(|libs| {
                libs.into_iter().flat_map(|(library, offsets)| {
                    offsets.into_iter().map(move |o| LinkRef {
                        library: library.clone(),
                        start: o.start,
                        length: o.length,
                    })
                })
            })
            .collect();
        Ok(Self {
            name: name.to_string(),
            path: path.to_path_buf(),
            bytecode_hex,
            link_refs,
        })
    }

    /// The libraries this artifact needs, deduplicated and sorted.
    pub fn required_libraries(&self) -> Vec<String> {
        let mut libs: Vec<String> = self.link_refs.iter().map(|r| r.library.clone()).collect();
        libs.sort();
        libs.dedup();
        libs
    }

    /// Creation bytecode with every library address written in.
    pub fn link(&self, libraries: &BTreeMap<String, Address>) -> Result<Vec<u8>, DevnetError> {
        link_hex(&self.bytecode_hex, &self.link_refs, libraries)
            .map_err(|reason| artifact_error(&self.path, reason))
    }

    /// Linked creation bytecode followed by ABI-encoded constructor arguments.
    pub fn creation_code(
        &self,
        libraries: &BTreeMap<String, Address>,
        constructor_args: &[u8],
    ) -> Result<Vec<u8>, DevnetError> {
        let mut code = self.link(libraries)?;
        code.extend_from_slice(constructor_args);
        Ok(code)
    }
}

/// Writes each library's address (40 hex chars) at `2 * start` of the hex, then decodes it.
pub fn link_hex(
    bytecode_hex: &str,
    refs: &[LinkRef],
    libraries: &BTreeMap<String, Address>,
) -> Result<Vec<u8>, String> {
    let mut chars = bytecode_hex.as_bytes().to_vec();
    for link in refs {
        if link.length != 20 {
            return Err(format!(
                "link reference to {} has length {}, expected 20",
                link.library, link.length
            ));
        }
        let address = libraries
            .get(&link.library)
            .ok_or_else(|| format!("library {} is not deployed yet", link.library))?;
        let from = link.start * 2;
        let to = from + 40;
        let slot = chars.get_mut(from..to).ok_or_else(|| {
            format!(
                "link reference to {} at byte {} is past the end",
                link.library, link.start
            )
        })?;
        slot.copy_from_slice(hex::encode(address.as_slice()).as_bytes());
    }
    hex::decode(&chars)
        .map_err(|e| format!("bytecode is not hex after linking ({e}); an unlinked library?"))
}

fn artifact_error(path: &Path, reason: impl Into<String>) -> DevnetError {
    DevnetError::Artifact {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Loads artifacts by contract name from an installed `node_modules`.
#[derive(Debug, Clone)]
pub struct ArtifactStore {
    node_modules: PathBuf,
}

impl ArtifactStore {
    /// A store over `<devnet>/node_modules`.
    pub fn new(node_modules: impl Into<PathBuf>) -> Self {
        Self {
            node_modules: node_modules.into(),
        }
    }

    /// The path of a contract's artifact JSON.
    pub fn path_of(&self, name: &str) -> Result<PathBuf, DevnetError> {
        let (_, package, source) = ARTIFACTS
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(|| artifact_error(Path::new(name), "not in the devnet's artifact table"))?;
        let package_dir = match package {
            Package::Core => "@aave/core-v3",
            Package::Periphery => "@aave/periphery-v3",
        };
        Ok(self
            .node_modules
            .join(package_dir)
            .join("artifacts/contracts")
            .join(source)
            .join(format!("{name}.json")))
    }

    /// Loads a contract's artifact.
    pub fn load(&self, name: &str) -> Result<Artifact, DevnetError> {
        Artifact::load(name, &self.path_of(name)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLACEHOLDER: &str = "__$0123456789abcdef0123456789abcdef01$__";

    fn fake_artifact() -> String {
        // 2 bytes, a placeholder at byte 2, 1 byte, the same library again at byte 23.
        let bytecode = format!("0x6001{PLACEHOLDER}ff{PLACEHOLDER}");
        serde_json::json!({
            "bytecode": bytecode,
            "linkReferences": {
                "contracts/Lib.sol": { "Lib": [ { "start": 2, "length": 20 }, { "start": 23, "length": 20 } ] }
            }
        })
        .to_string()
    }

    #[test]
    fn links_every_offset() {
        let artifact = Artifact::parse("Fake", Path::new("fake.json"), &fake_artifact()).unwrap();
        assert_eq!(artifact.required_libraries(), vec!["Lib".to_string()]);
        let lib = Address::repeat_byte(0xab);
        let libs = BTreeMap::from([("Lib".to_string(), lib)]);
        let code = artifact.link(&libs).unwrap();
        assert_eq!(code.len(), 43);
        assert_eq!(&code[..2], &[0x60, 0x01]);
        assert_eq!(&code[2..22], lib.as_slice());
        assert_eq!(code[22], 0xff);
        assert_eq!(&code[23..43], lib.as_slice());
    }

    #[test]
    fn missing_library_is_an_error() {
        let artifact = Artifact::parse("Fake", Path::new("fake.json"), &fake_artifact()).unwrap();
        let err = artifact.link(&BTreeMap::new()).unwrap_err();
        assert!(
            err.to_string().contains("library Lib is not deployed"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_offset_is_an_error() {
        let refs = [LinkRef {
            library: "Lib".into(),
            start: 5,
            length: 20,
        }];
        let libs = BTreeMap::from([("Lib".to_string(), Address::ZERO)]);
        assert!(link_hex("6001", &refs, &libs).is_err());
    }

    #[test]
    fn constructor_args_are_appended() {
        let artifact =
            Artifact::parse("Plain", Path::new("p.json"), r#"{"bytecode":"0x6001"}"#).unwrap();
        let code = artifact
            .creation_code(&BTreeMap::new(), &[0xaa, 0xbb])
            .unwrap();
        assert_eq!(code, vec![0x60, 0x01, 0xaa, 0xbb]);
    }
}
