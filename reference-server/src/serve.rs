//! The connection loop: HTTP/1.1 on hyper, with the guards CONTRACT.md §6
//! asks of a server facing slow or hostile clients.
//!
//! - A connection that has not delivered a request's headers within
//!   [`HEADER_READ_TIMEOUT`] (counted from when the server starts waiting for
//!   them, idle keep-alive included) is closed.
//! - The server holds at most [`connection_cap`] connections, below its
//!   open-files limit. At the cap, a new connection makes room by closing the
//!   oldest connection that is not in the middle of a request (one still
//!   trickling its headers, or idle), so a crowd of slow clients can never
//!   lock everyone else out, even before their timeout.
//! - An accept that fails (out of file descriptors, say) is retried shortly
//!   instead of stopping the server.

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

/// How long a connection may take to deliver a request's headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a graceful stop waits for in-flight requests before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// The pause after an accept fails for lack of resources.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);
/// File descriptors kept free of connections: database connections, the
/// listener, files, and the one a new connection takes before another closes.
const RESERVED_FDS: u64 = 64;

/// The most connections the server holds: its open-files (soft) limit less
/// [`RESERVED_FDS`], and at least 16.
pub fn connection_cap() -> usize {
    let soft = rlimit::Resource::NOFILE
        .get()
        .map_or(1024, |(soft, _)| soft);
    usize::try_from(soft.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX)
}

/// One open connection, as the loop sees it.
struct Conn {
    /// Requests in flight on it; 0 while it trickles headers or sits idle.
    busy: AtomicUsize,
    /// Told to close to make room.
    evict: Notify,
    /// When it was accepted: a connection gets [`GRACE`] to send its
    /// headers before it can be evicted, so one accepted in a burst is not
    /// closed before the server even read it.
    since: Instant,
}

impl Default for Conn {
    fn default() -> Self {
        Conn {
            busy: AtomicUsize::new(0),
            evict: Notify::new(),
            since: Instant::now(),
        }
    }
}

/// How long a new connection is safe from eviction.
const GRACE: Duration = Duration::from_secs(1);

/// Counts a request in flight on a connection for as long as it lives.
struct InFlight(Arc<Conn>);

impl InFlight {
    fn enter(conn: &Arc<Conn>) -> Self {
        conn.busy.fetch_add(1, Ordering::SeqCst);
        InFlight(conn.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The open connections, oldest first.
struct Registry {
    next: u64,
    open: BTreeMap<u64, Arc<Conn>>,
    /// How long a new connection is safe from eviction.
    grace: Duration,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            next: 0,
            open: BTreeMap::new(),
            grace: GRACE,
        }
    }
}

impl Registry {
    /// Registers a new connection; at `cap`, first tells the oldest one that
    /// is not serving a request to close.
    fn admit(&mut self, cap: usize) -> (u64, Arc<Conn>) {
        if self.open.len() >= cap {
            self.evict_one();
        }
        let id = self.next;
        self.next += 1;
        let conn = Arc::new(Conn::default());
        self.open.insert(id, conn.clone());
        (id, conn)
    }

    /// Tells the oldest connection that is past its grace and not serving a
    /// request to close; whether there was one.
    fn evict_one(&mut self) -> bool {
        let victim = self
            .open
            .iter()
            .find(|(_, c)| c.busy.load(Ordering::SeqCst) == 0 && c.since.elapsed() >= self.grace)
            .map(|(&id, c)| (id, c.clone()));
        match victim {
            Some((id, c)) => {
                c.evict.notify_one();
                self.open.remove(&id);
                true
            }
            None => false,
        }
    }
}

/// Serves `app` on `listener` until `stop` resolves, then stops accepting and
/// lets in-flight requests finish (for at most [`SHUTDOWN_GRACE`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    cap: usize,
    stop: impl std::future::Future<Output = ()>,
) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    let registry = Arc::new(Mutex::new(Registry::default()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => {
                    // Out of file descriptors, most likely: make room if a
                    // connection can give it up, then try again.
                    if !registry.lock().expect("registry lock").evict_one() {
                        eprintln!("reference-server: accept failed, retrying: {e}");
                    }
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let (id, conn) = registry.lock().expect("registry lock").admit(cap);
        let service = {
            let (app, conn) = (app.clone(), conn.clone());
            hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let in_flight = InFlight::enter(&conn);
                let app = app.clone();
                async move {
                    let res = app.oneshot(req).await;
                    drop(in_flight);
                    res
                }
            })
        };
        let served = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let registry = registry.clone();
        tokio::spawn(async move {
            // A client that breaks the protocol or times out ends its own
            // connection; an evicted one is dropped, which closes its socket.
            tokio::select! {
                _ = served => {}
                () = conn.evict.notified() => {}
            }
            registry.lock().expect("registry lock").open.remove(&id);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

/// Errors that concern one connection only (it was reset before it was taken).
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A registry whose connections are evictable at once.
    fn no_grace() -> Registry {
        Registry {
            grace: Duration::ZERO,
            ..Registry::default()
        }
    }

    #[test]
    fn at_the_cap_the_oldest_connection_not_in_a_request_makes_room() {
        let mut r = no_grace();
        let (_, first) = r.admit(3);
        let (_, second) = r.admit(3);
        let (_, _third) = r.admit(3);
        let busy = InFlight::enter(&first);
        let (_, _fourth) = r.admit(3);
        assert_eq!(r.open.len(), 3);
        assert!(r.open.values().any(|c| Arc::ptr_eq(c, &first)), "busy kept");
        assert!(
            !r.open.values().any(|c| Arc::ptr_eq(c, &second)),
            "the oldest idle one goes"
        );
        drop(busy);
        let (_, _fifth) = r.admit(3);
        assert!(!r.open.values().any(|c| Arc::ptr_eq(c, &first)));
    }

    #[test]
    fn when_every_connection_is_busy_none_is_closed() {
        let mut r = no_grace();
        let (_, a) = r.admit(1);
        let _busy = InFlight::enter(&a);
        r.admit(1);
        assert_eq!(r.open.len(), 2);
    }

    #[test]
    fn a_connection_in_its_grace_is_not_evicted() {
        let mut r = Registry::default();
        r.admit(1);
        r.admit(1);
        assert_eq!(r.open.len(), 2, "both are younger than the grace");
        assert!(!r.evict_one());
    }
}
