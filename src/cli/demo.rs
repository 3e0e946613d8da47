//! `lendesk demo` (what `cargo run -- demo` runs): a devnet with a real Aave v3 market, every
//! demo account's position as lendesk explains it, then the devnet stays up until Ctrl-C.

use super::{CommandError, position, reader};
use crate::chain::report;
use crate::config::Config;
use crate::devnet::{Devnet, DevnetOptions, cli::lendesk_toml};

fn other(e: impl std::fmt::Display) -> CommandError {
    CommandError::Other(e.to_string())
}

/// Runs the demo on `port` (a busy port falls back to a free one).
pub async fn run(port: u16) -> Result<(), CommandError> {
    let devnet = match Devnet::start(DevnetOptions { port, fresh: false }).await {
        Ok(d) => d,
        Err(e) if port != 0 => {
            eprintln!("port {port} unavailable ({e}); using a free port");
            Devnet::start(DevnetOptions {
                port: 0,
                fresh: false,
            })
            .await
            .map_err(other)?
        }
        Err(e) => return Err(other(e)),
    };
    let manifest = devnet.manifest().clone();
    let toml = lendesk_toml(&manifest);
    let here = std::env::current_dir().map_err(other)?;
    manifest.write(&here.join("devnet.json")).map_err(other)?;
    std::fs::write(here.join("lendesk.toml"), &toml).map_err(other)?;
    let config = Config::parse(&toml, "lendesk.toml")?;
    let market = super::select_market(&config, None)?;
    let reader = reader(&config, market)?;
    let target = config.target_health_factor()?;

    println!(
        "lendesk demo: a real Aave v3 market on Anvil at {}",
        devnet.rpc_url()
    );
    println!(
        "(wrote devnet.json and lendesk.toml here: `lendesk position <address>` works in another terminal)\n"
    );
    for account in &manifest.accounts {
        let position = reader.position(account.address).await?;
        let report = report::assess(&position, target);
        println!("== {:?}: {}", account.profile, account.description);
        println!("{}", position::render_text(&position, &report));
    }
    println!("Try: cargo run -- devnet price WETH 1500   (in another terminal), then ask again.");
    println!("The devnet runs until Ctrl-C.");
    tokio::signal::ctrl_c().await.map_err(other)?;
    devnet.stop();
    Ok(())
}
