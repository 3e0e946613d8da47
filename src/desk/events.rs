//! The statistics writer: one event per answered message, pushed to a queue in memory and
//! written to the store in batches on a thread of its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lock;
use crate::store::{MessageEvent, Store};

/// Statistics events waiting for the writer thread; beyond this many new ones are dropped.
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
    wake: std::sync::Condvar,
    /// Held while a batch is written, so [`EventWriter::flush`] can wait for one in flight.
    writing: Mutex<()>,
    dropped: AtomicU64,
}

impl EventShared {
    /// Writes everything queued so far (the caller holds `writing`).
    fn drain(&self, store: &Store) {
        let batch = std::mem::take(&mut lock(&self.queue).events);
        if batch.is_empty() {
            return;
        }
        if let Err(e) = store.record_events(&batch) {
            tracing::error!(events = batch.len(), error = %e, "cannot record statistics events");
        }
    }
}

/// Writes statistics events on a thread of its own, a batch at a time: an answer only pushes
/// to a queue in memory (a sled write per event would cost the answer path about a fifth of
/// its throughput, and waking a thread per event a system call).
#[derive(Debug)]
pub(super) struct EventWriter {
    shared: Arc<EventShared>,
    store: Store,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EventWriter {
    pub(super) fn start(store: Store) -> Self {
        let shared = Arc::new(EventShared::default());
        let thread = {
            let shared = shared.clone();
            let store = store.clone();
            std::thread::Builder::new()
                .name("lendesk-events".into())
                .spawn(move || {
                    loop {
                        let stop = {
                            let queue = lock(&shared.queue);
                            let queue = if queue.stop || queue.events.len() >= EVENT_BATCH {
                                queue
                            } else {
                                match shared.wake.wait_timeout(queue, EVENT_INTERVAL) {
                                    Ok((guard, _)) => guard,
                                    Err(poisoned) => poisoned.into_inner().0,
                                }
                            };
                            queue.stop
                        };
                        {
                            let _writing = lock(&shared.writing);
                            shared.drain(&store);
                        }
                        if stop {
                            break;
                        }
                    }
                })
        };
        let thread = match thread {
            Ok(thread) => Some(thread),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the statistics writer; events are written inline");
                None
            }
        };
        Self {
            shared,
            store,
            thread,
        }
    }

    pub(super) fn record(&self, event: MessageEvent) {
        if self.thread.is_none() {
            if let Err(e) = self.store.record_event(&event) {
                tracing::error!(user = event.user, error = %e, "cannot record a statistics event");
            }
            return;
        }
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
    pub(super) fn flush(&self) {
        let _writing = lock(&self.shared.writing);
        self.shared.drain(&self.store);
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        lock(&self.shared.queue).stop = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        // Anything recorded inline or after the thread's last batch.
        self.flush();
    }
}
