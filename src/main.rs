//! The `lendesk` binary: parses the command line and hands each command to the library.
//! The only place `anyhow` is used; exit codes: 0 ok, 1 failure, 2 bad input, 3 RPC trouble.

use std::io::{ErrorKind, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lendesk::cli::{self, CommandError};
use lendesk::devnet;

/// The allocator: mimalloc. The desk allocates small, short-lived strings and vectors for
/// every message; with glibc's malloc those cost about a sixth of an FAQ answer.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "lendesk",
    version,
    about = "An open-source help desk for DeFi lending"
)]
struct Cli {
    /// Configuration file (default: lendesk.toml in the working directory, if present).
    #[arg(long, global = true, env = "LENDESK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a local devnet with two real Aave v3 markets (3.0 and 3.6) and show the demo
    /// accounts' positions on both.
    Demo {
        /// Port for the v3.0 market's Anvil; the v3.6 one takes the next (0 picks free ones).
        #[arg(long, default_value_t = 8545)]
        port: u16,
    },
    /// Run two local Anvil chains with real Aave v3 markets, v3.0 and v3.6 (until Ctrl-C).
    Devnet {
        #[command(subcommand)]
        action: Option<DevnetAction>,
        /// Port for the v3.0 market's Anvil; the v3.6 one takes the next.
        #[arg(long, default_value_t = 8545)]
        port: u16,
        /// Deploy both markets from scratch instead of loading the saved state.
        #[arg(long)]
        fresh: bool,
    },
    /// Run the Telegram bot with TELOXIDE_TOKEN (long polling, or a webhook with
    /// --webhook-url); TELOXIDE_API_URL points it at another Bot API server.
    Run {
        /// Receive updates by webhook at this public HTTPS URL instead of long polling.
        #[arg(long)]
        webhook_url: Option<String>,
        /// Where the webhook server listens.
        #[arg(long, default_value = "0.0.0.0:8443")]
        listen: Option<String>,
        /// How often overdue tickets are checked, in seconds.
        #[arg(long, default_value_t = 60)]
        sla_check_seconds: u64,
    },
    /// Run the liquidation-risk watchers alone: every watched position checked at every new
    /// block, alerts sent through the Bot API (TELOXIDE_TOKEN) until Ctrl-C. `lendesk run`
    /// runs them too (alerts.watch); one process owns the data directory.
    Watch {
        /// Print alerts to standard output instead of sending them (they count as sent).
        #[arg(long)]
        print: bool,
    },
    /// Send one message to the desk and print the reply (with --json: one stable JSON object).
    Ask {
        /// The message, as a user would write it.
        message: String,
        /// Print {"intent","lang","text","sources","ticket","actions"} as one JSON object.
        #[arg(long)]
        json: bool,
        /// The client's language hint (en or zh); the message's own language wins.
        #[arg(long)]
        lang: Option<String>,
        /// An address to treat as the user's (like a linked one).
        #[arg(long)]
        address: Option<String>,
        /// The user id (keeps language choice, links and tickets apart per user).
        #[arg(long, default_value_t = 1)]
        user: i64,
    },
    /// An interactive console chat that behaves as the Telegram bot does.
    Chat {
        /// The user id to chat as.
        #[arg(long, default_value_t = 1)]
        user: i64,
    },
    /// Knowledge base tools.
    Faq {
        #[command(subcommand)]
        action: FaqAction,
    },
    /// Measure position-lookup latency on a fresh devnet: batched vs one call per read.
    Bench {
        /// Lookups per method.
        #[arg(long, default_value_t = 200)]
        lookups: usize,
    },
    /// The data directory: verify it, back it up, restore it, migrate it to PostgreSQL.
    Store {
        #[command(subcommand)]
        action: StoreAction,
    },
    /// List the Aave v3 market presets of the address book (* marks the configured ones).
    Markets {
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show an account's lending position, its risk and what would make it safer.
    Position {
        /// The account's address (0x…, 40 hex digits).
        address: String,
        /// Market name from the config (default: every configured market, worst health first;
        /// exit code 3 only when none could be read).
        #[arg(long)]
        market: Option<String>,
        /// Print every figure as JSON (raw integers as strings beside display values).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum FaqAction {
    /// Validate the knowledge base: both languages, unique ids, well-formed files.
    Check {
        /// The folder (default: the configured faq_dir).
        dir: Option<PathBuf>,
    },
    /// Show which topics a question retrieves, with scores and confidence.
    Search {
        /// The question.
        query: String,
    },
}

#[derive(Subcommand)]
enum StoreAction {
    /// Decode every record, cross-check the indexes and print counts per kind.
    Check,
    /// Write every record to FILE (versioned JSON lines).
    Backup {
        /// The backup file.
        file: PathBuf,
    },
    /// Restore FILE into the data directory (empty, or moved aside with --force).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Move a non-empty data directory aside instead of refusing.
        #[arg(long)]
        force: bool,
    },
    /// Copy a data directory into an empty PostgreSQL database (one transaction, verified by
    /// counts); the directory is left as it is.
    Migrate {
        /// The data directory (sled).
        #[arg(long)]
        from: PathBuf,
        /// The PostgreSQL database: postgres://user[:password]@host[:port]/database.
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum DevnetAction {
    /// Set an asset's oracle price on a running devnet: `lendesk devnet price WETH 1850.5`.
    Price {
        /// Token symbol, e.g. WETH.
        symbol: String,
        /// New price in USD.
        usd: String,
        /// The market: `devnet` (Aave v3.0) or `devnet-v3.6`.
        #[arg(long, default_value = devnet::V3_0_MARKET)]
        market: String,
        /// The devnet manifest written by `lendesk devnet`.
        #[arg(long, default_value = "devnet.json")]
        manifest: PathBuf,
    },
    /// Liquidate an account on a running devnet with a real liquidationCall.
    Liquidate {
        /// The account to liquidate.
        user: String,
        /// The market: `devnet` (Aave v3.0) or `devnet-v3.6`.
        #[arg(long, default_value = devnet::V3_0_MARKET)]
        market: String,
        /// The devnet manifest written by `lendesk devnet`.
        #[arg(long, default_value = "devnet.json")]
        manifest: PathBuf,
    },
}

/// Prints a command's output; a reader that went away (`lendesk ask … | head`) ends the
/// command quietly, with exit code 0.
fn print_out(text: &str) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{}", text.trim_end()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            Err(CommandError::Other(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

async fn run(cli: Cli) -> Result<(), CommandError> {
    match cli.command {
        Command::Markets { json } => {
            let config = cli::load_config(cli.config)?;
            print_out(&cli::markets::list(&config, json)?)
        }
        Command::Position {
            address,
            market,
            json,
        } => {
            let config = cli::load_config(cli.config)?;
            let text = cli::position(&config, &address, market.as_deref(), json).await?;
            print_out(&text)
        }
        Command::Ask {
            message,
            json,
            lang,
            address,
            user,
        } => {
            let config = cli::load_config(cli.config)?;
            let answer = cli::console::ask(
                &config,
                &message,
                lang.as_deref(),
                address.as_deref(),
                user,
                json,
            )
            .await;
            match answer {
                Ok(text) => print_out(&text),
                // The flags were fine but the desk could not answer: scripts still get the
                // documented object.
                Err(e @ CommandError::Other(_)) if json => {
                    print_out(&cli::console::error_json(&e))?;
                    Err(e)
                }
                Err(e) => Err(e),
            }
        }
        Command::Run {
            webhook_url,
            listen,
            sla_check_seconds,
        } => {
            let config = cli::load_config(cli.config)?;
            let flags = cli::bot::BotFlags {
                webhook_url,
                listen,
                sla_check_seconds,
            };
            cli::bot::run(&config, flags).await
        }
        Command::Watch { print } => {
            let config = cli::load_config(cli.config)?;
            cli::bot::watch(&config, print).await
        }
        Command::Chat { user } => {
            let config = cli::load_config(cli.config)?;
            cli::logging::to_file(&cli::console::log_file(config.desk.data_dir.as_ref()))?;
            cli::console::chat(&config, user, None).await
        }
        Command::Faq {
            action: FaqAction::Search { query },
        } => {
            let config = cli::load_config(cli.config)?;
            print_out(&cli::console::faq_search(&config, &query)?)
        }
        Command::Faq {
            action: FaqAction::Check { dir },
        } => {
            let config = cli::load_config(cli.config)?;
            print_out(&cli::console::faq_check(&config, dir.as_deref())?)
        }
        Command::Store { action } => {
            // `migrate` names both ends itself: no configuration.
            let config = || cli::load_config(cli.config.clone());
            let text = match action {
                StoreAction::Check => cli::store::check(&config()?)?,
                StoreAction::Backup { file } => cli::store::backup(&config()?, &file)?,
                StoreAction::Restore { file, force } => {
                    cli::store::restore(&config()?, &file, force)?
                }
                StoreAction::Migrate { from, to } => cli::store::migrate(&from, &to).await?,
            };
            println!("{}", text.trim_end());
            Ok(())
        }
        Command::Bench { lookups } => {
            let config = cli::load_config(cli.config)?;
            let faq = cli::console::faq_dir(&config)?;
            print_out(&cli::bench::run(lookups.max(1), &faq).await?)
        }
        Command::Demo { port } => cli::demo::run(port).await,
        Command::Devnet {
            action,
            port,
            fresh,
        } => {
            let result = match action {
                None => {
                    let here =
                        std::env::current_dir().map_err(|e| CommandError::Other(e.to_string()))?;
                    devnet::cli::run_devnet(port, fresh, &here).await
                }
                Some(DevnetAction::Price {
                    symbol,
                    usd,
                    market,
                    manifest,
                }) => devnet::cli::run_price(&manifest, &market, &symbol, &usd).await,
                Some(DevnetAction::Liquidate {
                    user,
                    market,
                    manifest,
                }) => {
                    let user = lendesk::chain::parse_address(&user)
                        .map_err(|e| CommandError::BadInput(e.to_string()))?;
                    devnet::cli::run_liquidate(&manifest, &market, user).await
                }
            };
            result.map_err(|e| CommandError::Other(e.to_string()))
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The console chat (and the demo, which ends in it) logs to a file of its own.
    if !matches!(cli.command, Command::Chat { .. } | Command::Demo { .. }) {
        cli::logging::to_stderr();
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let err = anyhow::Error::new(e);
            eprintln!("error: {err}");
            let code = err
                .downcast_ref::<CommandError>()
                .map(CommandError::exit_code)
                .unwrap_or(1);
            ExitCode::from(code)
        }
    }
}
