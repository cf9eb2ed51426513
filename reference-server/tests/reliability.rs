//! The server under hostile clients and failing storage (CONTRACT.md §6):
//! slow clients under a small open-files limit, PostgreSQL cut off behind a
//! TCP proxy (refused, then silently dropped) during load, and `kill -9`
//! during writes on a SQLite file.

mod common;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const BIN: &str = env!("CARGO_BIN_EXE_reference-server");

/// The tests here load the machine and time answers: they run one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The binary, started with `prefix` (e.g. `prlimit …`) in front; its base URL.
fn spawn(prefix: &[&str], database_url: &str) -> (Child, String) {
    let (program, args): (&str, Vec<&str>) = match prefix.split_first() {
        Some((p, rest)) => (p, rest.iter().copied().chain([BIN]).collect()),
        None => (BIN, Vec::new()),
    };
    let mut child = Command::new(program)
        .env(
            "REFERENCE_SCHEMAS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas"),
        )
        .args(args)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--jwt-secret",
            common::SECRET,
            "--database-url",
            database_url,
        ])
        .env_remove("DATABASE_URL")
        .env_remove("REFERENCE_JWT_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(url) = line.strip_prefix("reference-server listening on ") {
            break url.to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

/// An HTTP client (reqwest needs the rustls provider installed first).
fn http() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

fn user_token(tenant: &str) -> String {
    common::token(json!({"sub": "load", "tenant_id": tenant, "exp": common::now() + 3600}))
}

/// 1,500 connections trickle their headers a byte every 2 s into a server
/// whose open-files limit is 1,024 (soft and hard, so it cannot raise it).
/// Normal requests on fresh connections keep being answered within 2 s, and
/// every trickling connection is closed within 35 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_lock_others_out() {
    let _serial = SERIAL.lock().await;
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let (mut child, base) = spawn(&["prlimit", "--nofile=1024:1024"], "sqlite::memory:");
    let addr = base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let closed_after: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut tricklers = Vec::new();
    for _ in 0..1500 {
        let addr = addr.clone();
        let closed_after = closed_after.clone();
        tricklers.push(tokio::spawn(async move {
            let Ok(mut conn) = TcpStream::connect(&addr).await else {
                return false;
            };
            let opened = Instant::now();
            let head = format!(
                "GET /api/v1/crm/contacts HTTP/1.1\r\nHost: {addr}\r\nX-Slow: {}",
                "a".repeat(100)
            );
            let (mut rd, mut wr) = conn.split();
            let trickle = async {
                for b in head.bytes() {
                    if wr.write_all(&[b]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                std::future::pending::<()>().await;
            };
            let mut buf = [0u8; 1024];
            let closed = async {
                loop {
                    match rd.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            };
            tokio::select! {
                () = trickle => {}
                () = closed => {}
                () = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
            closed_after.lock().unwrap().push(opened.elapsed());
            true
        }));
    }
    // Meanwhile, normal requests, each on a fresh connection.
    let client = http()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let token = user_token("normal");
    let mut served = 0;
    let mut slowest = Duration::ZERO;
    while started.elapsed() < Duration::from_secs(38) {
        let t0 = Instant::now();
        let res = client
            .get(format!("{base}/api/v1/crm/contacts?limit=1"))
            .bearer_auth(&token)
            .send()
            .await;
        let took = t0.elapsed();
        match res {
            Ok(r) => assert_eq!(r.status(), StatusCode::OK),
            Err(e) => panic!(
                "a normal request failed after {:?} of slow clients: {e}",
                started.elapsed()
            ),
        }
        slowest = slowest.max(took);
        served += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut connected = 0;
    for t in tricklers {
        connected += usize::from(t.await.unwrap());
    }
    let closed = closed_after.lock().unwrap().clone();
    let latest = closed.iter().max().copied().unwrap_or_default();
    eprintln!(
        "{connected} slow connections; {served} normal requests, slowest {slowest:?}; last slow connection closed after {latest:?}"
    );
    assert_eq!(connected, 1500, "every slow client got a connection");
    assert!(served > 100, "{served}");
    assert!(
        latest <= Duration::from_secs(35),
        "a slow connection stayed open {latest:?}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The binary raises its soft open-files limit to the hard limit at start.
#[test]
fn the_open_files_limit_is_raised_to_the_hard_limit() {
    let (mut child, _) = spawn(&["prlimit", "--nofile=1024:4096"], "sqlite::memory:");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap()
        .to_owned();
    child.kill().unwrap();
    child.wait().unwrap();
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(numbers, ["4096", "4096"], "{line}");
}

/// How the proxy treats traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Bytes flow both ways.
    Forward,
    /// New connections are refused and open ones are reset.
    Refuse,
    /// Connections are taken but nothing flows either way (packets dropped).
    Blackhole,
}

/// A TCP proxy in front of `upstream` whose mode the test switches.
struct Proxy {
    port: u16,
    mode: watch::Sender<Mode>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (mode, _) = watch::channel(Mode::Forward);
        let modes = mode.clone();
        tokio::spawn(async move {
            let mut listener = Some(listener);
            let mut rx = modes.subscribe();
            loop {
                let current = *rx.borrow_and_update();
                if current == Mode::Refuse {
                    // Nobody listens on the port: connecting is refused.
                    listener = None;
                    let _ = rx.changed().await;
                    continue;
                }
                let l = match &listener {
                    Some(l) => l,
                    None => {
                        let socket = tokio::net::TcpSocket::new_v4().unwrap();
                        socket.set_reuseaddr(true).unwrap();
                        socket
                            .bind(format!("127.0.0.1:{port}").parse().unwrap())
                            .unwrap();
                        listener.insert(socket.listen(1024).unwrap())
                    }
                };
                tokio::select! {
                    accepted = l.accept() => {
                        let Ok((client, _)) = accepted else { continue };
                        let upstream = upstream.clone();
                        let rx = modes.subscribe();
                        tokio::spawn(async move {
                            let Ok(server) = TcpStream::connect(&upstream).await else { return };
                            pipe(client, server, rx).await;
                        });
                    }
                    _ = rx.changed() => {}
                }
            }
        });
        Proxy { port, mode }
    }

    fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
    }
}

/// Copies both ways while the mode is Forward, holds everything while it is
/// Blackhole (TCP keeps the bytes, as when packets are dropped and later
/// retransmitted), and resets both sides when it is Refuse.
async fn pipe(client: TcpStream, server: TcpStream, rx: watch::Receiver<Mode>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    async fn one_way(
        r: &mut tokio::net::tcp::OwnedReadHalf,
        w: &mut tokio::net::tcp::OwnedWriteHalf,
        mut rx: watch::Receiver<Mode>,
    ) {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            // Wait while the link is down; give up when it is cut.
            if !link_up(&mut rx).await {
                return;
            }
            tokio::select! {
                n = r.read(&mut buf) => match n {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        // Held, not delivered, if the link went down meanwhile.
                        if !link_up(&mut rx).await {
                            return;
                        }
                        if w.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                },
                _ = rx.changed() => {}
            }
        }
    }
    tokio::join!(
        one_way(&mut cr, &mut sw, rx.clone()),
        one_way(&mut sr, &mut cw, rx)
    );
}

/// Waits while the link is blackholed; `true` once it forwards, `false` when it is cut.
async fn link_up(rx: &mut watch::Receiver<Mode>) -> bool {
    loop {
        let mode = *rx.borrow_and_update();
        match mode {
            Mode::Forward => return true,
            Mode::Refuse => return false,
            Mode::Blackhole => {
                if rx.changed().await.is_err() {
                    return false;
                }
            }
        }
    }
}

/// One request of the load, as the client saw it.
struct Seen {
    started: Instant,
    took: Duration,
    status: u16,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: Value,
}

/// PostgreSQL behind a proxy that refuses, then silently drops, traffic
/// during a load of creates and reads: every answer is a success or a 503
/// problem+json with `Retry-After`, within 5 s, with no internal text; the
/// service comes back within 2 s of the link; every acknowledged create is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_outage_is_a_quick_503_and_heals_itself() {
    let _serial = SERIAL.lock().await;
    let Some((mut config, db)) = common::database(common::Backend::Postgres).await else {
        return;
    };
    let mut pg = url::Url::parse(&config.database_url).unwrap();
    let upstream = format!(
        "{}:{}",
        pg.host_str().unwrap(),
        pg.port_or_known_default().unwrap()
    );
    let proxy = Proxy::start(upstream).await;
    pg.set_host(Some("127.0.0.1")).unwrap();
    pg.set_port(Some(proxy.port)).unwrap();
    config.database_url = pg.to_string();
    let server = reference_server::start(config).await.unwrap();
    let base = server.base_url();
    let token = user_token(&common::unique("outage-"));
    let client = http().timeout(Duration::from_secs(20)).build().unwrap();

    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..8 {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (seen, acked, stop) = (seen.clone(), acked.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let started = Instant::now();
                let req = if w % 2 == 0 || i.is_multiple_of(3) {
                    client
                        .post(format!("{base}/api/v1/crm/contacts"))
                        .json(&json!({"email": format!("w{w}-{i}@example.com")}))
                } else {
                    client.get(format!("{base}/api/v1/crm/contacts?limit=5"))
                };
                let res = req.bearer_auth(&token).send().await.expect("an answer");
                let took = started.elapsed();
                let status = res.status().as_u16();
                let header = |h: &str| {
                    res.headers()
                        .get(h)
                        .map(|v| v.to_str().unwrap_or_default().to_owned())
                };
                let (retry_after, content_type) = (header("retry-after"), header("content-type"));
                let body: Value = res.json().await.unwrap_or(Value::Null);
                if status == 201 {
                    acked
                        .lock()
                        .unwrap()
                        .push(body["id"].as_str().unwrap().to_owned());
                }
                seen.lock().unwrap().push(Seen {
                    started,
                    took,
                    status,
                    retry_after,
                    content_type,
                    body,
                });
            }
        }));
    }

    let mut phases = Vec::new();
    for (mode, secs) in [
        (Mode::Forward, 2),
        (Mode::Refuse, 5),
        (Mode::Forward, 4),
        (Mode::Blackhole, 7),
        (Mode::Forward, 4),
    ] {
        proxy.set(mode);
        phases.push((mode, Instant::now()));
        tokio::time::sleep(Duration::from_secs(secs)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for w in workers {
        w.await.unwrap();
    }
    let seen = std::mem::take(&mut *seen.lock().unwrap());

    let mut statuses = BTreeMap::new();
    let mut slowest = Duration::ZERO;
    for s in &seen {
        *statuses.entry(s.status).or_insert(0) += 1;
        slowest = slowest.max(s.took);
        assert!(
            matches!(s.status, 200 | 201 | 503),
            "{} {}",
            s.status,
            s.body
        );
        assert!(
            s.took <= Duration::from_secs(5),
            "an answer took {:?}",
            s.took
        );
        if s.status == 503 {
            assert_eq!(s.content_type.as_deref(), Some("application/problem+json"));
            let secs: u64 = s.retry_after.as_deref().unwrap().parse().unwrap();
            assert!((1..=5).contains(&secs), "Retry-After {secs}");
            for key in ["type", "title", "detail"] {
                assert!(s.body[key].is_string(), "{key} missing in {}", s.body);
            }
            assert_eq!(s.body["status"], 503, "{}", s.body);
            let detail = s.body["detail"].as_str().unwrap().to_lowercase();
            for internal in [
                "pool",
                "sqlx",
                "timed out",
                "connection",
                "error",
                "postgres",
                "refused",
            ] {
                assert!(!detail.contains(internal), "internal text in {detail:?}");
            }
        }
    }
    // Each cut was seen as 503s; each return healed within 2 s.
    for (i, (mode, at)) in phases.iter().enumerate() {
        let end = phases.get(i + 1).map(|p| p.1);
        let within: Vec<&Seen> = seen
            .iter()
            .filter(|s| s.started >= *at && end.is_none_or(|e| s.started < e))
            .collect();
        match mode {
            Mode::Forward => {
                let healed = *at + Duration::from_secs(2);
                // Requests wholly inside the phase, from 2 s after the link returned.
                let late_failures = within
                    .iter()
                    .filter(|s| {
                        s.started >= healed
                            && end.is_none_or(|e| s.started + s.took < e)
                            && s.status == 503
                    })
                    .count();
                assert_eq!(
                    late_failures, 0,
                    "phase {i}: still 503 two seconds after the link came back"
                );
                assert!(
                    within.iter().any(|s| s.status != 503),
                    "phase {i}: no success"
                );
            }
            _ => assert!(
                within.iter().any(|s| s.status == 503),
                "phase {i} ({mode:?}): the outage was never seen"
            ),
        }
    }
    // Every acknowledged create is there.
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    for id in &acked {
        let res = client
            .get(format!("{base}/api/v1/crm/contacts/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "acknowledged {id} is missing");
    }
    eprintln!(
        "{} requests: {statuses:?}; slowest answer {slowest:?}; {} acknowledged creates all present",
        seen.len(),
        acked.len()
    );
    server.shutdown().await;
    db.drop_now().await;
}

/// `kill -9` during concurrent creates and updates on a SQLite file, three
/// times: after each restart every acknowledged write is there (at least at
/// the acknowledged version) and `PRAGMA integrity_check` says ok.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_no_acknowledged_write() {
    let _serial = SERIAL.lock().await;
    let dir = std::env::temp_dir().join(common::unique("crash-"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("contacts.db");
    let url = format!("sqlite:{}?mode=rwc", file.display());
    let token = user_token("crash");
    let client = http().build().unwrap();
    // id → the highest version acknowledged.
    let acked: Arc<Mutex<BTreeMap<String, i64>>> = Arc::default();
    for round in 0..3 {
        let (mut child, base) = spawn(&[], &url);
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut workers = Vec::new();
        for w in 0..16 {
            let (client, base, token) = (client.clone(), base.clone(), token.clone());
            let (acked, stop) = (acked.clone(), stop.clone());
            workers.push(tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    i += 1;
                    let Ok(res) = client
                        .post(format!("{base}/api/v1/crm/contacts"))
                        .bearer_auth(&token)
                        .json(&json!({"email": format!("r{round}-w{w}-{i}@example.com")}))
                        .send()
                        .await
                    else {
                        return;
                    };
                    let Ok(c) = res.json::<Value>().await else {
                        return;
                    };
                    let Some(id) = c["id"].as_str().map(str::to_owned) else {
                        continue;
                    };
                    acked.lock().unwrap().insert(id.clone(), 1);
                    let Ok(res) = client
                        .patch(format!("{base}/api/v1/crm/contacts/{id}"))
                        .bearer_auth(&token)
                        .json(&json!({"job_title": format!("t{i}")}))
                        .send()
                        .await
                    else {
                        return;
                    };
                    if res.status() == StatusCode::OK
                        && let Ok(c) = res.json::<Value>().await
                    {
                        acked
                            .lock()
                            .unwrap()
                            .insert(id, c["version"].as_i64().unwrap());
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(1200 + 400 * round)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for w in workers {
            w.await.unwrap();
        }
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    let (mut child, base) = spawn(&[], &url);
    for (id, version) in &acked {
        let res = client
            .get(format!("{base}/api/v1/crm/contacts/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "acknowledged {id} is missing");
        let c: Value = res.json().await.unwrap();
        assert!(
            c["version"].as_i64().unwrap() >= *version,
            "{id}: acknowledged version {version}, found {}",
            c["version"]
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite:{}", file.display()))
        .await
        .unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(check, "ok");
    eprintln!(
        "3 kills: {} acknowledged contacts all present at their acknowledged versions; integrity_check ok",
        acked.len()
    );
    assert!(acked.len() > 100, "{}", acked.len());
    std::fs::remove_dir_all(dir).unwrap();
}
