//! What one lendesk process shares with its replicas: a name that tells it apart from them,
//! and leases on background work kept in the store ([`Lease`]), so that work meant to run once
//! (the SLA checker, a broadcast, long polling) runs on one replica at a time and moves to
//! another within seconds when the holder dies; and who the live replicas are ([`Members`]),
//! so that work meant to be shared (Telegram's rate, the watched addresses) is split among
//! them. On sled (one process) every lease is held and the process is alone.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::store::Store;

/// How long a lease lasts without renewal: a dead replica's work moves after this.
pub const LEASE_TTL: Duration = Duration::from_secs(10);

/// This process's name among replicas: host, process id and a random part (a restarted
/// process is a new holder).
pub fn holder_name() -> Arc<str> {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    // A hasher seeded at random per process: enough to tell two starts of one pid apart.
    let random =
        std::hash::BuildHasher::hash_one(&std::collections::hash_map::RandomState::new(), 0u8);
    Arc::from(format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        random as u32
    ))
}

/// A lease kept by a task of its own: taken when free, renewed every third of its
/// [`LEASE_TTL`] while held, tried again at that pace while another holds it. Dropped, it is
/// given up (another replica can take it at once).
#[derive(Debug)]
pub struct Lease {
    held: watch::Receiver<bool>,
    task: tokio::task::JoinHandle<()>,
    store: Store,
    name: String,
    holder: Arc<str>,
}

impl Lease {
    /// Starts keeping the lease `name` for `holder`.
    pub fn keep(store: Store, name: impl Into<String>, holder: Arc<str>) -> Self {
        Self::keep_for(store, name, holder, LEASE_TTL)
    }

    /// [`Lease::keep`] with another time to live (tests).
    pub fn keep_for(
        store: Store,
        name: impl Into<String>,
        holder: Arc<str>,
        ttl: Duration,
    ) -> Self {
        let name = name.into();
        let (tx, held) = watch::channel(false);
        let task = tokio::spawn(renew(store.clone(), name.clone(), holder.clone(), ttl, tx));
        Self {
            held,
            task,
            store,
            name,
            holder,
        }
    }

    /// Whether this process holds the lease now.
    pub fn held(&self) -> bool {
        *self.held.borrow()
    }

    /// Waits until this process holds the lease.
    pub async fn wait_held(&mut self) {
        // The sender lives as long as the task, which runs until the lease is dropped.
        let _ = self.held.wait_for(|held| *held).await;
    }

    /// Waits until this process no longer holds the lease (another replica took it over, or
    /// the store was out of reach for a lease's time).
    pub async fn lost(&mut self) {
        let _ = self.held.wait_for(|held| !*held).await;
    }
}

/// The keeper: asks the store every third of `ttl`; a failed ask counts as not held (the
/// lease lapses on its own if the store is out of reach).
async fn renew(
    store: Store,
    name: String,
    holder: Arc<str>,
    ttl: Duration,
    tx: watch::Sender<bool>,
) {
    let mut every = tokio::time::interval(ttl / 3);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let held = match store.acquire_lease(&name, &holder, ttl).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(lease = %name, error = %e, "cannot renew a lease");
                false
            }
        };
        if *tx.borrow() != held {
            tracing::info!(lease = %name, held, "lease changed hands");
        }
        tx.send_replace(held);
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.task.abort();
        if !self.held() {
            return;
        }
        let (store, name, holder) = (self.store.clone(), self.name.clone(), self.holder.clone());
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = store.release_lease(&name, &holder).await {
                    tracing::warn!(lease = %name, error = %e, "cannot release a lease");
                }
            });
        }
    }
}

/// The names of the leases replicas keep while they run: `replica:<holder>`.
const MEMBER_PREFIX: &str = "replica:";

/// This process among the live replicas: it keeps its own membership lease while it runs, and
/// one task reads whose are running every third of a lease's time (a replica that died drops
/// out once its lease lapses) and publishes the list to whoever shares work by it (the bot's
/// rate, the watched addresses).
#[derive(Debug)]
pub struct Members {
    _lease: Lease,
    live: watch::Receiver<Vec<Arc<str>>>,
    task: tokio::task::JoinHandle<()>,
    holder: Arc<str>,
}

impl Members {
    /// Joins: keeps `replica:<holder>` from now on, and looks at who else runs.
    pub fn join(store: Store, holder: Arc<str>) -> Self {
        let lease = Lease::keep(
            store.clone(),
            format!("{MEMBER_PREFIX}{holder}"),
            holder.clone(),
        );
        let (tx, live) = watch::channel(vec![holder.clone()]);
        let task = tokio::spawn(follow_members(store, holder.clone(), tx));
        Self {
            _lease: lease,
            live,
            task,
            holder,
        }
    }

    /// This process's name among them.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// The live replicas, sorted, this one among them (on sled: this one alone), as last
    /// read; the receiver wakes at each change.
    pub fn watch(&self) -> watch::Receiver<Vec<Arc<str>>> {
        self.live.clone()
    }
}

impl Drop for Members {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `holder`'s place among `live`: (index, count).
pub fn place(live: &[Arc<str>], holder: &str) -> (usize, usize) {
    let index = live.iter().position(|h| &**h == holder).unwrap_or(0);
    (index, live.len())
}

/// Reads the live replicas every third of a lease's time and publishes the list when it
/// changed; a failed read keeps the last one.
async fn follow_members(store: Store, holder: Arc<str>, tx: watch::Sender<Vec<Arc<str>>>) {
    let mut every = tokio::time::interval(LEASE_TTL / 3);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let mut live: Vec<Arc<str>> = match store.live_holders(MEMBER_PREFIX).await {
            Ok(holders) => holders.into_iter().map(Arc::from).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell which replicas run; keeping the last list");
                continue;
            }
        };
        if !live.contains(&holder) {
            live.push(holder.clone());
            live.sort();
        }
        tx.send_if_modified(|known| {
            let changed = *known != live;
            if changed {
                *known = live;
            }
            changed
        });
    }
}
