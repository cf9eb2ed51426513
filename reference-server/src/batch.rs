//! Gets by id on PostgreSQL, batched: concurrent gets share one query.
//!
//! Each get queues its id. At most [`Batcher::new`]'s `runners` queries are
//! in flight; when one is free, a runner task takes every queued get (up to
//! [`MAX_BATCH`]) and answers them with one `SELECT … WHERE id = ANY(…)`,
//! then takes the next batch while any is queued. Under light load a batch
//! holds one get and costs what a plain get costs; under heavy load one
//! round trip to PostgreSQL serves several, which is where a get's time went
//! (the kernel's loopback traffic and PostgreSQL's per-statement work).
//!
//! Scoping is checked on each row against each get's caller (tenant, and app
//! for app tokens), exactly as the plain query's `WHERE` does. A runner is a
//! task of its own, so a client that goes away never cancels the query other
//! gets wait on; a failed query fails only the gets of its batch.

use crate::store::{Record, Scope, StoreError};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The most gets one query answers.
pub const MAX_BATCH: usize = 64;

/// A queued get.
pub struct Get {
    /// The id asked for.
    pub id: String,
    /// Who asks.
    pub scope: Scope,
    /// Where the answer goes.
    pub reply: oneshot::Sender<Result<Option<Record>, StoreError>>,
}

/// Runs one batch: the rows found for these ids, in any order, or the error
/// of the query.
pub type Fetch = Arc<
    dyn Fn(Vec<String>) -> Pin<Box<dyn Future<Output = Result<Vec<Record>, StoreError>> + Send>>
        + Send
        + Sync,
>;

/// The queue and its runners; cheap to clone.
#[derive(Clone)]
pub struct Batcher(Arc<Inner>);

struct Inner {
    state: Mutex<State>,
    runners: usize,
    fetch: Fetch,
    /// The id, tenant and app fields of a record.
    id_field: String,
    tenant_field: String,
    app_field: Option<String>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Get>,
    running: usize,
}

impl Batcher {
    /// A batcher running at most `runners` queries at once through `fetch`.
    pub fn new(
        runners: usize,
        fetch: Fetch,
        id_field: &str,
        tenant_field: &str,
        app_field: Option<&str>,
    ) -> Self {
        Batcher(Arc::new(Inner {
            state: Mutex::new(State::default()),
            runners: runners.max(1),
            fetch,
            id_field: id_field.to_owned(),
            tenant_field: tenant_field.to_owned(),
            app_field: app_field.map(str::to_owned),
        }))
    }

    /// The record with `id` visible in `scope`; the caller bounds the wait.
    pub async fn get(&self, scope: &Scope, id: &str) -> Result<Option<Record>, StoreError> {
        let (reply, answer) = oneshot::channel();
        let start = {
            let mut s = self.0.state.lock().expect("batch lock");
            s.queue.push_back(Get {
                id: id.to_owned(),
                scope: scope.clone(),
                reply,
            });
            let start = s.running < self.0.runners;
            if start {
                s.running += 1;
            }
            start
        };
        if start {
            tokio::spawn(self.clone().run());
        }
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::Unavailable("the query was dropped".into())))
    }

    /// Takes batches off the queue until it is empty.
    async fn run(self) {
        loop {
            let batch: Vec<Get> = {
                let mut s = self.0.state.lock().expect("batch lock");
                if s.queue.is_empty() {
                    s.running -= 1;
                    return;
                }
                let n = s.queue.len().min(MAX_BATCH);
                s.queue.drain(..n).collect()
            };
            let mut ids: Vec<String> = batch.iter().map(|g| g.id.clone()).collect();
            ids.sort_unstable();
            ids.dedup();
            match (self.0.fetch)(ids).await {
                Ok(rows) => {
                    for g in batch {
                        let found = rows.iter().find(|r| self.visible(r, &g)).cloned();
                        let _ = g.reply.send(Ok(found));
                    }
                }
                Err(e) => {
                    let text = e.to_string();
                    let unavailable = matches!(e, StoreError::Unavailable(_));
                    for g in batch {
                        let _ = g.reply.send(Err(if unavailable {
                            StoreError::Unavailable(text.clone())
                        } else {
                            StoreError::Database(sqlx::Error::Protocol(text.clone()))
                        }));
                    }
                }
            }
        }
    }

    /// Whether `row` is the record `get` asks for, as its caller may see it.
    fn visible(&self, row: &Record, get: &Get) -> bool {
        let text = |f: &str| row.get(f).and_then(|v| v.as_str());
        if text(&self.0.id_field) != Some(get.id.as_str())
            || text(&self.0.tenant_field) != Some(get.scope.tenant_id.as_str())
        {
            return false;
        }
        match (&get.scope.app_id, &self.0.app_field) {
            (Some(app), Some(field)) => text(field) == Some(app.as_str()),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn scope(tenant: &str, app: Option<&str>) -> Scope {
        Scope {
            tenant_id: tenant.into(),
            app_id: app.map(str::to_owned),
        }
    }

    /// A store of four rows; counts the queries and the ids asked for.
    fn batcher(runners: usize, queries: Arc<AtomicUsize>) -> Batcher {
        let rows: Vec<Record> = [
            ("p1", "t1", None),
            ("p2", "t1", Some("a")),
            ("p3", "t2", None),
            ("p4", "t1", Some("b")),
        ]
        .iter()
        .map(|(id, t, app)| {
            json!({"id": id, "tenant_id": t, "app_id": app})
                .as_object()
                .unwrap()
                .clone()
        })
        .collect();
        let fetch: Fetch = Arc::new(move |ids: Vec<String>| {
            let rows = rows.clone();
            let queries = queries.clone();
            Box::pin(async move {
                queries.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Ok(rows
                    .into_iter()
                    .filter(|r| ids.iter().any(|i| r["id"] == i.as_str()))
                    .collect())
            })
        });
        Batcher::new(runners, fetch, "id", "tenant_id", Some("app_id"))
    }

    #[tokio::test]
    async fn concurrent_gets_share_queries_and_keep_their_scopes() {
        let queries = Arc::new(AtomicUsize::new(0));
        let b = batcher(1, queries.clone());
        let cases = [
            ("p1", scope("t1", None), true),
            ("p2", scope("t1", None), true),
            ("p2", scope("t1", Some("a")), true),
            ("p2", scope("t1", Some("b")), false),
            ("p1", scope("t1", Some("a")), false),
            ("p3", scope("t1", None), false),
            ("p3", scope("t2", None), true),
            ("p4", scope("t2", None), false),
            ("p9", scope("t1", None), false),
        ];
        let mut gets = Vec::new();
        for _ in 0..20 {
            for (id, s, _) in &cases {
                let (b, s, id) = (b.clone(), s.clone(), id.to_string());
                gets.push(tokio::spawn(async move { b.get(&s, &id).await }));
            }
        }
        let mut answers = Vec::new();
        for g in gets {
            answers.push(g.await.unwrap().unwrap());
        }
        for (i, answer) in answers.iter().enumerate() {
            let (id, _, seen) = &cases[i % cases.len()];
            assert_eq!(answer.is_some(), *seen, "case {}", i % cases.len());
            if let Some(r) = answer {
                assert_eq!(r["id"], *id);
            }
        }
        let n = queries.load(Ordering::SeqCst);
        assert!(n < 20, "180 gets took {n} queries: they were not batched");
    }

    #[tokio::test]
    async fn a_failed_query_fails_only_its_own_gets() {
        let fetch: Fetch = Arc::new(|ids: Vec<String>| {
            Box::pin(async move {
                if ids.iter().any(|i| i == "bad") {
                    Err(StoreError::Unavailable("down".into()))
                } else {
                    Ok(Vec::new())
                }
            })
        });
        let b = Batcher::new(1, fetch, "id", "tenant_id", None);
        let s = scope("t1", None);
        assert!(matches!(
            b.get(&s, "bad").await,
            Err(StoreError::Unavailable(_))
        ));
        assert!(matches!(b.get(&s, "good").await, Ok(None)));
    }
}
