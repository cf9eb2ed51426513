//! Database connections for the server's requests.
//!
//! SQLite uses sqlx's pool (an in-memory database lives in its one
//! connection, which must never be dropped). PostgreSQL uses [`NetPool`], a
//! small pool without sqlx's round trips: sqlx 0.8 pings every connection
//! when it is returned and again before it is reused, two extra round trips
//! for every query, which halved the throughput of a get by id.
//!
//! [`NetPool`] returns a connection only after its operation finished. One
//! whose operation failed or was abandoned at a timeout is closed instead, so
//! a half-read reply never reaches the next query and a connection cut off in
//! an outage is never reused. A connection idle for longer than
//! [`IDLE_CHECK`] is pinged (within the caller's deadline) before reuse.

use sqlx::AnyConnection;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Connection};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A connection idle longer than this is pinged before it is reused.
pub const IDLE_CHECK: Duration = Duration::from_secs(1);

/// A pool of network database connections; see the module docs.
#[derive(Clone)]
pub struct NetPool(Arc<Inner>);

struct Inner {
    url: String,
    idle: Mutex<Vec<(AnyConnection, Instant)>>,
    permits: Arc<Semaphore>,
}

impl NetPool {
    /// A pool of at most `max` connections to `url`; none is opened yet.
    pub fn new(url: &str, max: u32) -> Self {
        NetPool(Arc::new(Inner {
            url: url.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(max.max(1) as usize)),
        }))
    }

    /// A connection: an idle one (pinged first if idle for long) or a new one.
    /// Waits for a free slot; bound it with a timeout, as every caller does.
    pub async fn acquire(&self) -> Result<Lease, sqlx::Error> {
        let permit = self
            .0
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        loop {
            let idle = self.0.idle.lock().expect("pool lock").pop();
            let Some((mut conn, since)) = idle else {
                let conn = AnyConnection::connect(&self.0.url).await?;
                return Ok(Lease::net(conn, self.clone(), permit));
            };
            if since.elapsed() < IDLE_CHECK || conn.ping().await.is_ok() {
                return Ok(Lease::net(conn, self.clone(), permit));
            }
            // A dead idle connection: drop it and try the next.
        }
    }

    fn put_back(&self, conn: AnyConnection) {
        self.0
            .idle
            .lock()
            .expect("pool lock")
            .push((conn, Instant::now()));
    }
}

/// A connection lent for one operation. Call [`Lease::release`] when the
/// operation succeeded; dropping it otherwise closes a network connection.
pub struct Lease(LeaseInner);

enum LeaseInner {
    Sqlite(PoolConnection<Any>),
    Net {
        conn: Option<AnyConnection>,
        pool: NetPool,
        _permit: OwnedSemaphorePermit,
    },
}

impl Lease {
    fn net(conn: AnyConnection, pool: NetPool, permit: OwnedSemaphorePermit) -> Self {
        Lease(LeaseInner::Net {
            conn: Some(conn),
            pool,
            _permit: permit,
        })
    }

    /// A connection of sqlx's SQLite pool.
    pub async fn sqlite(pool: &AnyPool) -> Result<Self, sqlx::Error> {
        Ok(Lease(LeaseInner::Sqlite(pool.acquire().await?)))
    }

    /// Gives the connection back for reuse: its operation finished cleanly.
    pub fn release(mut self) {
        if let LeaseInner::Net { conn, pool, .. } = &mut self.0
            && let Some(c) = conn.take()
        {
            pool.put_back(c);
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let LeaseInner::Net { conn, .. } = &mut self.0
            && let Some(c) = conn.take()
        {
            // Not released: its operation failed or was abandoned. Say goodbye
            // if the server still listens, but never wait for it.
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(1), c.close()).await;
            });
        }
    }
}

impl Deref for Lease {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.0 {
            LeaseInner::Sqlite(c) => c,
            LeaseInner::Net { conn, .. } => conn.as_ref().expect("held until released"),
        }
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.0 {
            LeaseInner::Sqlite(c) => c,
            LeaseInner::Net { conn, .. } => conn.as_mut().expect("held until released"),
        }
    }
}
