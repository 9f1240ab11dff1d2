//! Password hashing for request handlers: on the blocking thread pool, never on the async
//! executor, and bounded. At most `threads` hashes run at once (Argon2id is CPU- and
//! memory-hungry: 19 MiB each), and at most `queue` more wait for a turn. A request that finds
//! the line full is refused at once with [`HashError::Busy`], so a login flood costs a
//! semaphore check per request instead of piling up work, memory and held resources.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::password;
use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("every password-hashing slot is taken")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
    #[error("password hashing did not finish: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

/// Shared by every worker of the server. Cheap to clone.
#[derive(Clone)]
pub struct Hasher {
    /// Places in the building: running plus waiting.
    admitted: Arc<Semaphore>,
    running: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(threads: usize, queue: usize) -> Self {
        let threads = threads.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(threads + queue)),
            running: Arc::new(Semaphore::new(threads)),
        }
    }

    /// A place in line for the hashing one request does, or `Busy` at once when the line is
    /// full. Taken before the request touches the database, so refused requests cost nothing.
    pub fn admit(&self) -> Result<HashTicket, HashError> {
        let place = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| HashError::Busy)?;
        Ok(HashTicket {
            _place: place,
            running: self.running.clone(),
        })
    }
}

/// One request's admission; its hashes wait for a free thread, then run.
pub struct HashTicket {
    _place: OwnedSemaphorePermit,
    running: Arc<Semaphore>,
}

impl HashTicket {
    pub async fn hash(&self, password: Password) -> Result<String, HashError> {
        self.run(move || password::hash(&password))
            .await?
            .map_err(HashError::Failed)
    }

    /// Runs one hashing job (a password check, say) when a thread is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _turn = self
            .running
            .acquire()
            .await
            .expect("the hashing semaphore is never closed");
        Ok(tokio::task::spawn_blocking(work).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_line_is_refused_at_once_and_a_freed_place_admits_again() {
        let hasher = Hasher::new(1, 1);
        let first = hasher.admit().unwrap();
        let second = hasher.admit().unwrap();
        assert!(matches!(hasher.admit(), Err(HashError::Busy)));
        drop(first);
        let third = hasher.admit().unwrap();
        assert_eq!(third.run(|| 42).await.unwrap(), 42);
        drop((second, third));
    }
}
