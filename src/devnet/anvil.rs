//! The Anvil child process: spawn on a free port, wait until it answers, kill it on drop.
//!
//! Children are spawned from one dedicated, never-ending thread. On Linux each child gets
//! `PR_SET_PDEATHSIG(SIGKILL)`, which the kernel fires when the *thread* that spawned it exits;
//! spawning from a thread that lives as long as the process ties Anvil's life to the process
//! rather than to whichever tokio worker (or test runtime) happened to call us.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use alloy::providers::{Provider, ProviderBuilder};

use super::error::DevnetError;

/// The chain id of the Aave v3.0 devnet (Anvil's default); the v3.6 one runs on its own id.
pub const CHAIN_ID: u64 = 31337;

/// How long to wait for Anvil to answer `eth_chainId`.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// How many free ports to try when another process grabs the one we picked.
const PORT_ATTEMPTS: usize = 5;

/// Unlocked accounts Anvil derives from its default mnemonic: #0–#9 as Anvil's default (the
/// deployer and the Aave demo profiles), #10 and up for the Morpho demo borrowers.
pub const ACCOUNTS: u32 = 20;

/// Lines of Anvil's stderr kept for error messages.
const STDERR_LINES: usize = 20;

/// A running Anvil; killed when dropped.
#[derive(Debug)]
pub struct AnvilProcess {
    child: Option<Child>,
    url: String,
    chain_id: u64,
}

impl AnvilProcess {
    /// Starts `anvil --host 127.0.0.1 --port P --chain-id ID --accounts 20 --silent` and
    /// waits until it answers RPC with that chain id.
    ///
    /// `port == 0` picks a free port (and retries with another one on a clash).
    ///
    /// On Linux the child is spawned with a parent-death signal (SIGKILL). The kernel sends it
    /// when the spawning **thread** exits, not the process; to make that mean "when this
    /// process exits", the spawn happens on a dedicated thread that never ends.
    pub async fn start(anvil: &Path, port: u16, chain_id: u64) -> Result<Self, DevnetError> {
        let attempts = if port == 0 { PORT_ATTEMPTS } else { 1 };
        let mut last_error = None;
        for _ in 0..attempts {
            let chosen = if port == 0 { free_port()? } else { port };
            match Self::start_on(anvil, chosen, chain_id).await {
                Ok(process) => return Ok(process),
                // A clash shows up as an early exit: try another port.
                Err(err @ DevnetError::AnvilExited { .. }) if port == 0 => last_error = Some(err),
                Err(err) => return Err(err),
            }
        }
        Err(last_error
            .unwrap_or_else(|| DevnetError::unexpected("starting anvil", "no attempt made")))
    }

    async fn start_on(anvil: &Path, port: u16, chain_id: u64) -> Result<Self, DevnetError> {
        let stderr_tail = Arc::new(Mutex::new(Vec::<String>::new()));
        let child = spawn_detached(anvil.to_path_buf(), port, chain_id)?;
        let mut process = Self {
            child: Some(child),
            url: format!("http://127.0.0.1:{port}"),
            chain_id,
        };
        if let Some(stderr) = process.child.as_mut().and_then(|c| c.stderr.take()) {
            let tail = Arc::clone(&stderr_tail);
            std::thread::Builder::new()
                .name(format!("anvil-stderr-{port}"))
                .spawn(move || drain_stderr(stderr, &tail))
                .map_err(|e| DevnetError::io("spawning the anvil stderr reader", e))?;
        }
        process.wait_ready(&stderr_tail).await?;
        Ok(process)
    }

    /// Polls `eth_chainId` until Anvil answers, it exits, or the timeout passes.
    async fn wait_ready(&mut self, stderr_tail: &Mutex<Vec<String>>) -> Result<(), DevnetError> {
        let url = self.url.parse().map_err(|e| DevnetError::InvalidUrl {
            url: self.url.clone(),
            reason: format!("{e}"),
        })?;
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect_http(url);
        let started = Instant::now();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                // Give the reader thread a moment to collect the last lines.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let stderr = stderr_tail
                    .lock()
                    .map(|lines| lines.join(" | "))
                    .unwrap_or_default();
                self.child = None;
                return Err(DevnetError::AnvilExited {
                    status: status.to_string(),
                    stderr,
                });
            }
            if let Ok(chain_id) = provider.get_chain_id().await {
                // Make sure the answer came from our child, not a process that took the port.
                if let Some(child) = self.child.as_mut()
                    && let Ok(Some(status)) = child.try_wait()
                {
                    let stderr = stderr_tail
                        .lock()
                        .map(|lines| lines.join(" | "))
                        .unwrap_or_default();
                    self.child = None;
                    return Err(DevnetError::AnvilExited {
                        status: status.to_string(),
                        stderr,
                    });
                }
                if chain_id != self.chain_id {
                    return Err(DevnetError::WrongChainId {
                        expected: self.chain_id,
                        got: chain_id,
                    });
                }
                return Ok(());
            }
            if started.elapsed() > READY_TIMEOUT {
                return Err(DevnetError::AnvilNotReady {
                    url: self.url.clone(),
                    waited_ms: started.elapsed().as_millis(),
                });
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops Anvil: SIGTERM, a short grace period, then SIGKILL. Idempotent.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        #[cfg(unix)]
        {
            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: kill(2) with a pid we own (our un-reaped child) and a valid signal.
                unsafe {
                    libc::kill(pid, libc::SIGTERM);
                }
                let deadline = Instant::now() + Duration::from_millis(1500);
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for AnvilProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Keeps the last [`STDERR_LINES`] lines Anvil writes, so the pipe never fills.
fn drain_stderr(stderr: std::process::ChildStderr, tail: &Mutex<Vec<String>>) {
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if let Ok(mut lines) = tail.lock() {
            lines.push(line);
            if lines.len() > STDERR_LINES {
                lines.remove(0);
            }
        }
    }
}

/// Asks the OS for a free port on 127.0.0.1 and releases it.
pub fn free_port() -> Result<u16, DevnetError> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| DevnetError::io("binding 127.0.0.1:0", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| DevnetError::io("reading the bound address", e))?
        .port();
    drop(listener);
    Ok(port)
}

/// A request to the spawner thread.
struct SpawnRequest {
    anvil: PathBuf,
    port: u16,
    chain_id: u64,
    reply: mpsc::Sender<std::io::Result<Child>>,
}

/// The sender side of the spawner thread's queue; the thread lives until the process exits.
fn spawner() -> Result<mpsc::Sender<SpawnRequest>, DevnetError> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    if let Some(sender) = SPAWNER.get() {
        return sender.lock().map(|s| s.clone()).map_err(|_| poisoned());
    }
    let (tx, rx) = mpsc::channel::<SpawnRequest>();
    let sender = SPAWNER.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("lendesk-anvil-spawner".into())
            .spawn(move || {
                // Ends only when every sender is gone, i.e. never: the static keeps one.
                while let Ok(request) = rx.recv() {
                    let _ = request.reply.send(spawn_now(
                        &request.anvil,
                        request.port,
                        request.chain_id,
                    ));
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("could not start the anvil spawner thread: {e}");
        }
        Mutex::new(tx)
    });
    sender.lock().map(|s| s.clone()).map_err(|_| poisoned())
}

fn poisoned() -> DevnetError {
    DevnetError::unexpected("anvil spawner", "lock poisoned")
}

/// Spawns Anvil on the long-lived spawner thread (see [`AnvilProcess::start`]).
fn spawn_detached(anvil: PathBuf, port: u16, chain_id: u64) -> Result<Child, DevnetError> {
    let (reply, answer) = mpsc::channel();
    let context = format!("spawning {}", anvil.display());
    spawner()?
        .send(SpawnRequest {
            anvil,
            port,
            chain_id,
            reply,
        })
        .map_err(|_| DevnetError::unexpected(&context, "spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| DevnetError::unexpected(&context, "spawner thread did not answer"))?
        .map_err(|e| DevnetError::io(context, e))
}

/// The actual `Command::spawn`, run on the spawner thread.
fn spawn_now(anvil: &Path, port: u16, chain_id: u64) -> std::io::Result<Child> {
    let mut command = Command::new(anvil);
    command
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--silent",
        ])
        .args(["--chain-id", &chain_id.to_string()])
        .args(["--accounts", &ACCOUNTS.to_string()])
        // State snapshots are loaded over RPC and exceed the default 2 MB body limit.
        .arg("--no-request-size-limit")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = libc::pid_t::try_from(std::process::id()).unwrap_or(0);
        // SAFETY: the closure runs in the forked child before exec and only calls
        // async-signal-safe functions (prctl, getppid).
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died between fork and prctl.
                if libc::getppid() != parent {
                    return Err(std::io::Error::other("parent exited before anvil started"));
                }
                Ok(())
            });
        }
    }
    command.spawn()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_port_is_nonzero_and_bindable() {
        let port = free_port().unwrap();
        assert_ne!(port, 0);
        TcpListener::bind(("127.0.0.1", port)).unwrap();
    }
}
