//! A market's fixed facts, discovered once and shared by every lookup: concurrent lookups wait
//! for one discovery (not one each), and a reader that finds the facts stale forgets them so
//! the next lookup discovers again. Each protocol's reader keeps its catalog in one of these.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use super::error::ChainError;

/// Facts of type `T`, once discovered.
#[derive(Debug)]
pub struct Discovered<T> {
    current: Mutex<Option<Arc<T>>>,
    /// Held while discovering.
    discovering: tokio::sync::Mutex<()>,
}

impl<T> Default for Discovered<T> {
    fn default() -> Self {
        Self {
            current: Mutex::new(None),
            discovering: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> Discovered<T> {
    /// The facts when already discovered (nothing is awaited).
    pub fn get(&self) -> Option<Arc<T>> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The facts, running `discover` unless they are known or a concurrent lookup discovered
    /// them while this one waited.
    pub async fn get_or_discover<F>(
        &self,
        discover: impl FnOnce() -> F,
    ) -> Result<Arc<T>, ChainError>
    where
        F: Future<Output = Result<T, ChainError>>,
    {
        let _discovering = self.discovering.lock().await;
        if let Some(found) = self.get() {
            return Ok(found);
        }
        let found = Arc::new(discover().await?);
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(found.clone());
        Ok(found)
    }

    /// Drops `stale` if it is still the current facts; true when it was.
    pub fn forget(&self, stale: &Arc<T>) -> bool {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, stale)) {
            *current = None;
            return true;
        }
        false
    }
}
