//! Both devnet markets side by side, as `lendesk devnet` and `lendesk demo` run them: the Aave
//! v3.0 market ([`Devnet`], chain 31337) and the v3.6 market ([`OriginDevnet`], chain 31338)
//! on a second Anvil, with Morpho Blue's markets on the v3.0 chain. Owns their names in
//! lendesk's configuration, the `devnet.json` that describes them ([`DevnetFile`]) and the
//! `lendesk.toml` that configures them.

use std::path::{Path, PathBuf};

use alloy::primitives::{Address, B256};
use serde::{Deserialize, Serialize};

use super::error::DevnetError;
use super::manifest::{DevnetManifest, MorphoManifest, read_json, write_json};
use super::origin::{OriginDevnet, OriginManifest, OriginOptions};
use super::{Devnet, DevnetOptions};

/// The v3.0 market's name in the written `lendesk.toml` (the default market).
pub const V3_0_MARKET: &str = "devnet";

/// The v3.6 market's name in the written `lendesk.toml`.
pub const V3_6_MARKET: &str = "devnet-v3.6";

/// The Morpho Blue markets' name in the written `lendesk.toml` (on the v3.0 market's chain).
pub const MORPHO_MARKET: &str = "devnet-morpho";

/// `devnet.json`: the v3.0 market's manifest at the top level, exactly as before (so a reader
/// of [`DevnetManifest`] still reads it), and the v3.6 market's under `v3_6`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetFile {
    /// The v3.0 market (market [`V3_0_MARKET`]).
    #[serde(flatten)]
    pub v3_0: DevnetManifest,
    /// The v3.6 market (market [`V3_6_MARKET`]); absent in a file written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v3_6: Option<OriginManifest>,
}

/// One market as `lendesk.toml` configures it.
struct MarketEntry<'a> {
    name: &'a str,
    chain_id: u64,
    rpc_url: &'a str,
    kind: EntryKind,
}

/// What kind of protocol a `lendesk.toml` market is, with its own keys.
enum EntryKind {
    /// `kind = "aave-v3"`, `pool_addresses_provider`.
    AaveV3 { provider: Address },
    /// `kind = "morpho-blue"`, `morpho` and `market_ids`.
    MorphoBlue {
        morpho: Address,
        market_ids: Vec<B256>,
    },
}

impl<'a> MarketEntry<'a> {
    /// The v3.0 Aave market.
    fn v3_0(manifest: &'a DevnetManifest) -> Self {
        Self {
            name: V3_0_MARKET,
            chain_id: manifest.chain_id,
            rpc_url: &manifest.rpc_url,
            kind: EntryKind::AaveV3 {
                provider: manifest.contracts.pool_addresses_provider,
            },
        }
    }

    /// The Morpho markets on the v3.0 devnet's chain, when it has them.
    fn morpho(manifest: &'a DevnetManifest) -> Option<Self> {
        let morpho = manifest.morpho.as_ref()?;
        Some(Self {
            name: MORPHO_MARKET,
            chain_id: manifest.chain_id,
            rpc_url: &manifest.rpc_url,
            kind: EntryKind::MorphoBlue {
                morpho: morpho.morpho,
                market_ids: morpho.markets.iter().map(|m| m.id).collect(),
            },
        })
    }
}

/// A market of `devnet.json`, as `--market` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevnetMarket<'a> {
    /// The Aave v3.0 market ([`V3_0_MARKET`]).
    V3_0,
    /// The Morpho Blue markets on the v3.0 market's chain ([`MORPHO_MARKET`]).
    Morpho(&'a MorphoManifest),
    /// The Aave v3.6 market ([`V3_6_MARKET`]).
    V3_6(&'a OriginManifest),
}

impl DevnetFile {
    /// The market names this file describes, default first, as the written `lendesk.toml`
    /// lists them.
    pub fn market_names(&self) -> Vec<String> {
        let mut names = vec![V3_0_MARKET.to_string()];
        if self.v3_6.is_some() {
            names.push(V3_6_MARKET.to_string());
        }
        if self.v3_0.morpho.is_some() {
            names.push(MORPHO_MARKET.to_string());
        }
        names
    }

    /// The market `name` names, or an error listing the markets described.
    pub fn select(&self, name: &str) -> Result<DevnetMarket<'_>, DevnetError> {
        let name = name.trim();
        if name.eq_ignore_ascii_case(V3_0_MARKET) {
            return Ok(DevnetMarket::V3_0);
        }
        match (&self.v3_6, &self.v3_0.morpho) {
            (Some(m), _) if name.eq_ignore_ascii_case(V3_6_MARKET) => Ok(DevnetMarket::V3_6(m)),
            (_, Some(m)) if name.eq_ignore_ascii_case(MORPHO_MARKET) => Ok(DevnetMarket::Morpho(m)),
            _ => Err(DevnetError::UnknownMarket {
                name: name.to_string(),
                known: self.market_names(),
            }),
        }
    }

    /// The `lendesk.toml` configuring every market described, the v3.0 one as the default:
    /// the Aave markets, then the Morpho markets of the v3.0 chain.
    pub fn lendesk_toml(&self) -> String {
        let mut markets = vec![MarketEntry::v3_0(&self.v3_0)];
        if let Some(m) = &self.v3_6 {
            markets.push(MarketEntry {
                name: V3_6_MARKET,
                chain_id: m.chain_id,
                rpc_url: &m.rpc_url,
                kind: EntryKind::AaveV3 {
                    provider: m.contracts.pool_addresses_provider,
                },
            });
        }
        markets.extend(MarketEntry::morpho(&self.v3_0));
        config_toml(&markets)
    }

    /// Reads a `devnet.json`.
    pub fn read(path: &Path) -> Result<Self, DevnetError> {
        read_json(path)
    }

    /// Writes pretty JSON to `path`.
    pub fn write(&self, path: &Path) -> Result<(), DevnetError> {
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| DevnetError::json("serializing devnet.json", e))?;
        write_json(path, json)
    }
}

/// The single-market `lendesk.toml` of a v3.0 devnet alone: its Aave market only (the
/// fixture configuration many tests build on expects exactly one market).
pub(super) fn single_market_toml(manifest: &DevnetManifest) -> String {
    config_toml(&[MarketEntry::v3_0(manifest)])
}

/// The `lendesk.toml` of a v3.0 devnet alone with its Morpho markets after the Aave one.
pub(super) fn single_devnet_toml(manifest: &DevnetManifest) -> String {
    let mut markets = vec![MarketEntry::v3_0(manifest)];
    markets.extend(MarketEntry::morpho(manifest));
    config_toml(&markets)
}

fn config_toml(markets: &[MarketEntry<'_>]) -> String {
    let mut out = format!(
        "# Written by `lendesk devnet`: points lendesk at the local devnet.\n\
         default_market = \"{V3_0_MARKET}\"\n"
    );
    for m in markets {
        out.push_str(&format!(
            "\n[[markets]]\n\
             name = \"{}\"\n\
             chain_id = {}\n\
             rpc_url = \"{}\"\n",
            m.name, m.chain_id, m.rpc_url
        ));
        match &m.kind {
            EntryKind::AaveV3 { provider } => out.push_str(&format!(
                "kind = \"aave-v3\"\n\
                 pool_addresses_provider = \"{provider}\"\n"
            )),
            EntryKind::MorphoBlue { morpho, market_ids } => {
                let ids: Vec<String> = market_ids.iter().map(|id| format!("\"{id}\"")).collect();
                out.push_str(&format!(
                    "kind = \"morpho-blue\"\n\
                     morpho = \"{morpho}\"\n\
                     market_ids = [{}]\n",
                    ids.join(", ")
                ));
            }
        }
    }
    out
}

/// Where [`DevnetPair::write_files`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFiles {
    /// `devnet.json`.
    pub devnet_json: PathBuf,
    /// `lendesk.toml`.
    pub lendesk_toml: PathBuf,
}

/// Both markets running; each Anvil stops when its half is dropped.
#[derive(Debug)]
pub struct DevnetPair {
    v3_0: Devnet,
    v3_6: OriginDevnet,
}

impl DevnetPair {
    /// Starts both markets at once, each from its state cache when possible (`fresh` ignores
    /// both caches). The v3.0 market listens on `port`, the v3.6 one on `port + 1` (both on
    /// free ports when `port` is 0).
    pub async fn start(opts: DevnetOptions) -> Result<Self, DevnetError> {
        let origin = OriginOptions {
            port: v3_6_port(opts.port),
            fresh: opts.fresh,
        };
        let (v3_0, v3_6) = tokio::try_join!(Devnet::start(opts), OriginDevnet::start(origin))?;
        Ok(Self { v3_0, v3_6 })
    }

    /// The v3.0 market.
    pub fn v3_0(&self) -> &Devnet {
        &self.v3_0
    }

    /// The v3.6 market.
    pub fn v3_6(&self) -> &OriginDevnet {
        &self.v3_6
    }

    /// What `devnet.json` holds.
    pub fn file(&self) -> DevnetFile {
        DevnetFile {
            v3_0: self.v3_0.manifest().clone(),
            v3_6: Some(self.v3_6.manifest().clone()),
        }
    }

    /// Writes `devnet.json` and `lendesk.toml` into `dir` (created if missing).
    pub fn write_files(&self, dir: &Path) -> Result<WrittenFiles, DevnetError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| DevnetError::io(format!("creating {}", dir.display()), e))?;
        let file = self.file();
        let devnet_json = dir.join("devnet.json");
        file.write(&devnet_json)?;
        let lendesk_toml = dir.join("lendesk.toml");
        std::fs::write(&lendesk_toml, file.lendesk_toml())
            .map_err(|e| DevnetError::io(format!("writing {}", lendesk_toml.display()), e))?;
        Ok(WrittenFiles {
            devnet_json,
            lendesk_toml,
        })
    }

    /// The two halves, to stop one and keep the other.
    pub fn into_parts(self) -> (Devnet, OriginDevnet) {
        (self.v3_0, self.v3_6)
    }

    /// Stops both Anvils now (dropping does the same).
    pub fn stop(self) {
        self.v3_0.stop();
        self.v3_6.stop();
    }
}

/// The v3.6 market's port: the next one after the v3.0 market's, or a free one.
fn v3_6_port(port: u16) -> u16 {
    if port == 0 {
        0
    } else {
        port.checked_add(1).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devnet::manifest::sample;

    #[test]
    fn the_morpho_market_follows_the_aave_one_with_exactly_its_keys() {
        let file = DevnetFile {
            v3_0: sample(true),
            v3_6: None,
        };
        let text = file.lendesk_toml();
        let expected = format!(
            "\n[[markets]]\n\
             name = \"devnet-morpho\"\n\
             chain_id = 31337\n\
             rpc_url = \"http://127.0.0.1:8545\"\n\
             kind = \"morpho-blue\"\n\
             morpho = \"{}\"\n\
             market_ids = [\"0x{}\", \"0x{}\"]\n",
            Address::repeat_byte(0xcd).to_checksum(None),
            "11".repeat(32),
            "22".repeat(32)
        );
        assert!(text.ends_with(&expected), "{text}");
        let value: toml::Value = toml::from_str(&text).unwrap();
        let markets = value["markets"].as_array().unwrap();
        assert_eq!(markets.len(), 2);
        assert_eq!(markets[0]["kind"].as_str(), Some("aave-v3"));
        let keys: Vec<&str> = markets[1]
            .as_table()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut sorted = vec![
            "chain_id",
            "kind",
            "market_ids",
            "morpho",
            "name",
            "rpc_url",
        ];
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        assert_eq!(single_devnet_toml(&file.v3_0), text);
        // The single-market fixture configuration keeps its one Aave market.
        assert!(!single_market_toml(&file.v3_0).contains("morpho"));
        // A manifest without Morpho writes no Morpho market.
        let old = DevnetFile {
            v3_0: sample(false),
            v3_6: None,
        };
        assert!(!old.lendesk_toml().contains("morpho"));
    }

    #[test]
    fn the_morpho_market_is_named_and_selected_when_described() {
        let file = DevnetFile {
            v3_0: sample(true),
            v3_6: None,
        };
        assert_eq!(file.market_names(), [V3_0_MARKET, MORPHO_MARKET]);
        assert!(matches!(
            file.select("devnet-morpho"),
            Ok(DevnetMarket::Morpho(_))
        ));
        assert_eq!(file.select("DEVNET").ok(), Some(DevnetMarket::V3_0));
        assert!(file.select(V3_6_MARKET).is_err());
        let old = DevnetFile {
            v3_0: sample(false),
            v3_6: None,
        };
        assert_eq!(old.market_names(), [V3_0_MARKET]);
        let err = old.select(MORPHO_MARKET).unwrap_err().to_string();
        assert!(err.contains("devnet"), "{err}");
    }

    #[test]
    fn the_v3_6_market_listens_next_to_the_v3_0_one() {
        assert_eq!(v3_6_port(8545), 8546);
        assert_eq!(v3_6_port(0), 0);
        assert_eq!(v3_6_port(u16::MAX), 0);
    }
}
