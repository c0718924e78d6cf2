//! Group commit for the write-ahead of incoming changes.
//!
//! Every sync message that carries changes is written to SQLite before samod sees it
//! ([`crate::sync`]), and with `synchronous = FULL` each write is a disk sync. Twenty devices
//! reconnecting at once would wait on twenty syncs in a row; instead one thread takes every
//! write that is waiting, commits them in one transaction (one sync), and only then tells each
//! connection that its changes are on disk. A connection still never passes a message to samod
//! before its own changes are durable.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::storage::Storage;

/// Writes gathered into one transaction at most: bounds the time one commit holds the
/// database for the API's requests.
const MOST_PER_COMMIT: usize = 256;

/// One connection's changes of one document, and where to say they are on disk.
struct Job {
    document: String,
    chunks: Vec<(String, Vec<u8>)>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle connections write through; the writer thread ends when every handle is gone.
#[derive(Clone, Debug)]
pub struct WriteAhead {
    jobs: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("document", &self.document)
            .finish()
    }
}

impl WriteAhead {
    pub fn start(storage: Arc<Storage>) -> WriteAhead {
        let (jobs, mut waiting) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("write-ahead".into())
            .spawn(move || {
                while let Some(first) = waiting.blocking_recv() {
                    let mut batch = vec![first];
                    while batch.len() < MOST_PER_COMMIT {
                        match waiting.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    let writes: Vec<(&str, &[(String, Vec<u8>)])> = batch
                        .iter()
                        .map(|job| (job.document.as_str(), job.chunks.as_slice()))
                        .collect();
                    let result = storage
                        .chunk_put_batch("incremental", &writes)
                        .map_err(|e| e.to_string());
                    for job in batch {
                        let _ = job.done.send(result.clone());
                    }
                }
            })
            .expect("the write-ahead thread starts");
        WriteAhead { jobs }
    }

    /// Stores `chunks` of `document` as incremental chunks; returns once they are on disk.
    pub async fn write(
        &self,
        document: String,
        chunks: Vec<(String, Vec<u8>)>,
    ) -> Result<(), String> {
        let (done, written) = oneshot::channel();
        self.jobs
            .send(Job {
                document,
                chunks,
                done,
            })
            .map_err(|_| "the write-ahead thread stopped".to_string())?;
        written
            .await
            .map_err(|_| "the write-ahead thread stopped".to_string())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_that_arrive_together_are_all_on_disk_when_each_is_answered() {
        let tmp = tempfile::tempdir().unwrap();
        let storage = Arc::new(Storage::open(tmp.path()).unwrap());
        let writer = WriteAhead::start(storage.clone());
        let writes = (0..50).map(|i| {
            let writer = writer.clone();
            async move {
                writer
                    .write(
                        format!("doc-{}", i % 5),
                        vec![(format!("h{i}"), vec![i as u8])],
                    )
                    .await
            }
        });
        for result in futures::future::join_all(writes).await {
            result.unwrap();
        }
        for i in 0..50 {
            let stored = storage
                .chunk_load(&format!("doc-{}", i % 5), "incremental", &format!("h{i}"))
                .unwrap();
            assert_eq!(stored, Some(vec![i as u8]));
        }
    }
}
