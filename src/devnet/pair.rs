//! Both devnet markets side by side, as `lendesk devnet` and `lendesk demo` run them: the Aave
//! v3.0 market ([`Devnet`], chain 31337) and the v3.6 market ([`OriginDevnet`], chain 31338)
//! on a second Anvil. Owns their names in lendesk's configuration, the `devnet.json` that
//! describes both ([`DevnetFile`]) and the `lendesk.toml` that configures both.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::DevnetError;
use super::manifest::{DevnetManifest, read_json, write_json};
use super::origin::{OriginDevnet, OriginManifest, OriginOptions};
use super::{Devnet, DevnetOptions};

/// The v3.0 market's name in the written `lendesk.toml` (the default market).
pub const V3_0_MARKET: &str = "devnet";

/// The v3.6 market's name in the written `lendesk.toml`.
pub const V3_6_MARKET: &str = "devnet-v3.6";

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
    provider: alloy::primitives::Address,
}

impl DevnetFile {
    /// The market names this file describes, default first.
    pub fn market_names(&self) -> Vec<String> {
        let mut names = vec![V3_0_MARKET.to_string()];
        if self.v3_6.is_some() {
            names.push(V3_6_MARKET.to_string());
        }
        names
    }

    /// The v3.6 manifest when `name` names it, `None` when it names the v3.0 market, or an
    /// error listing the markets described.
    pub fn select(&self, name: &str) -> Result<Option<&OriginManifest>, DevnetError> {
        if name.eq_ignore_ascii_case(V3_0_MARKET) {
            return Ok(None);
        }
        match &self.v3_6 {
            Some(m) if name.eq_ignore_ascii_case(V3_6_MARKET) => Ok(Some(m)),
            _ => Err(DevnetError::UnknownMarket {
                name: name.to_string(),
                known: self.market_names(),
            }),
        }
    }

    /// The `lendesk.toml` configuring every market described, the v3.0 one as the default.
    pub fn lendesk_toml(&self) -> String {
        let mut markets = vec![MarketEntry {
            name: V3_0_MARKET,
            chain_id: self.v3_0.chain_id,
            rpc_url: &self.v3_0.rpc_url,
            provider: self.v3_0.contracts.pool_addresses_provider,
        }];
        if let Some(m) = &self.v3_6 {
            markets.push(MarketEntry {
                name: V3_6_MARKET,
                chain_id: m.chain_id,
                rpc_url: &m.rpc_url,
                provider: m.contracts.pool_addresses_provider,
            });
        }
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

/// The single-market `lendesk.toml` of a v3.0 devnet alone.
pub(super) fn single_market_toml(manifest: &DevnetManifest) -> String {
    config_toml(&[MarketEntry {
        name: V3_0_MARKET,
        chain_id: manifest.chain_id,
        rpc_url: &manifest.rpc_url,
        provider: manifest.contracts.pool_addresses_provider,
    }])
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
             rpc_url = \"{}\"\n\
             kind = \"aave-v3\"\n\
             pool_addresses_provider = \"{}\"\n",
            m.name, m.chain_id, m.rpc_url, m.provider
        ));
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

    #[test]
    fn the_v3_6_market_listens_next_to_the_v3_0_one() {
        assert_eq!(v3_6_port(8545), 8546);
        assert_eq!(v3_6_port(0), 0);
        assert_eq!(v3_6_port(u16::MAX), 0);
    }
}
