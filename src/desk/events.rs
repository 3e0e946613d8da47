//! The statistics writer: one event per answered message, pushed to a queue in memory and
//! written to the store in batches by a task of its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::lock;
use crate::store::{MessageEvent, Store};

/// Statistics events waiting for the writer; beyond this many new ones are dropped.
const EVENT_BACKLOG: usize = 200_000;

/// The writer is woken early when this many events wait.
const EVENT_BATCH: usize = 8_192;

/// The writer writes what waits at least this often.
const EVENT_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
struct EventQueue {
    events: Vec<MessageEvent>,
    stop: bool,
}

#[derive(Debug, Default)]
struct EventShared {
    queue: Mutex<EventQueue>,
    wake: tokio::sync::Notify,
    /// Held while a batch is written, so [`EventWriter::flush`] can wait for one in flight.
    writing: tokio::sync::Mutex<()>,
    dropped: AtomicU64,
}

impl EventShared {
    /// Writes everything queued so far (the caller holds `writing`).
    async fn drain(&self, store: &Store) {
        let batch = std::mem::take(&mut lock(&self.queue).events);
        if batch.is_empty() {
            return;
        }
        if let Err(e) = store.record_events(&batch).await {
            tracing::error!(events = batch.len(), error = %e, "cannot record statistics events");
        }
    }

    /// The writer: a batch when [`EVENT_BATCH`] events wait or [`EVENT_INTERVAL`] passed,
    /// until stopped (then what is left) or the writer's owner is gone. It holds the store only
    /// while it writes, so dropping the desk lets go of a sled directory at once.
    async fn run(self: Arc<Self>, store: Weak<Store>) {
        loop {
            let waiting = {
                let queue = lock(&self.queue);
                queue.stop || queue.events.len() >= EVENT_BATCH
            };
            if !waiting {
                let _ = tokio::time::timeout(EVENT_INTERVAL, self.wake.notified()).await;
            }
            let stop = lock(&self.queue).stop;
            {
                let _writing = self.writing.lock().await;
                let Some(store) = store.upgrade() else {
                    break;
                };
                self.drain(&store).await;
            }
            if stop {
                break;
            }
        }
    }
}

/// Writes statistics events from a task of its own, a batch at a time: an answer only pushes
/// to a queue in memory (a store write per event would cost the answer path about a fifth of
/// its throughput, and waking the writer per event a system call).
#[derive(Debug)]
pub(super) struct EventWriter {
    shared: Arc<EventShared>,
    /// The writer task holds it weakly.
    store: Arc<Store>,
    /// The writer task, when it runs on the desk's runtime.
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl EventWriter {
    /// Starts the writer on the runtime the desk is built in, or, built outside one, on a
    /// thread of its own running one.
    pub(super) fn start(store: Store) -> Self {
        let shared = Arc::new(EventShared::default());
        let store = Arc::new(store);
        let task = shared.clone().run(Arc::downgrade(&store));
        let mut handle = None;
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => handle = Some(runtime.spawn(task)),
            Err(_) => {
                let started = std::thread::Builder::new()
                    .name("lendesk-events".into())
                    .spawn(move || {
                        match tokio::runtime::Builder::new_current_thread()
                            .enable_time()
                            .build()
                        {
                            Ok(runtime) => runtime.block_on(task),
                            Err(e) => {
                                tracing::error!(error = %e, "cannot start the statistics writer")
                            }
                        }
                    });
                if let Err(e) = started {
                    tracing::error!(error = %e, "cannot start the statistics writer");
                }
            }
        }
        Self {
            shared,
            store,
            task: Mutex::new(handle),
        }
    }

    /// Writes what is queued and stops the writer, returning once it has ended (and let go of
    /// the store: a sled directory can be opened again).
    pub(super) async fn stop(&self) {
        lock(&self.shared.queue).stop = true;
        self.shared.wake.notify_one();
        let task = lock(&self.task).take();
        match task {
            Some(task) => {
                let _ = task.await;
            }
            None => self.flush().await,
        }
    }

    pub(super) fn record(&self, event: MessageEvent) {
        let mut queue = lock(&self.shared.queue);
        if queue.events.len() >= EVENT_BACKLOG {
            drop(queue);
            let dropped = self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            if dropped.is_multiple_of(10_000) {
                tracing::warn!(
                    dropped = dropped + 1,
                    "statistics writer behind; events dropped"
                );
            }
            return;
        }
        queue.events.push(event);
        if queue.events.len() == EVENT_BATCH {
            self.shared.wake.notify_one();
        }
    }

    /// Returns once every event recorded before the call is in the store.
    pub(super) async fn flush(&self) {
        let _writing = self.shared.writing.lock().await;
        self.shared.drain(&self.store).await;
    }
}

impl Drop for EventWriter {
    /// Stops the writer and writes what is left: at once on sled (a write in memory), from a
    /// task of its own on PostgreSQL.
    fn drop(&mut self) {
        let left = {
            let mut queue = lock(&self.shared.queue);
            queue.stop = true;
            std::mem::take(&mut queue.events)
        };
        self.shared.wake.notify_one();
        if left.is_empty() {
            return;
        }
        if let Some(sled) = self.store.sled() {
            if let Err(e) = sled.record_events(&left) {
                tracing::error!(events = left.len(), error = %e, "cannot record statistics events");
            }
            return;
        }
        let store = Store::clone(&self.store);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(e) = store.record_events(&left).await {
                        tracing::error!(events = left.len(), error = %e, "cannot record statistics events");
                    }
                });
            }
            Err(_) => tracing::error!(
                events = left.len(),
                "statistics events left unwritten: no runtime to write them"
            ),
        }
    }
}
