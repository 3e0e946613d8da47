//! Replicas on one PostgreSQL database: a lease moves to another replica within seconds of its
//! holder going silent, and the real `lendesk run` binary refuses to be a second long poller
//! of one bot on one store, then takes over polling once the first is killed with SIGKILL.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A `lendesk run` process, killed when dropped: a test that fails midway leaves no replica
/// running (it would keep connecting to PostgreSQL under the next tests).
struct Replica(Child);

impl std::ops::Deref for Replica {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Replica {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
use std::sync::Arc;
use std::time::{Duration, Instant};

use lendesk::replica::Lease;
use lendesk::store::Store;

use super::TestDb;
use super::bot_api::{BotApi, TOKEN};

#[tokio::test]
async fn a_lease_moves_to_a_waiting_replica_within_seconds_of_its_holder_going_silent() {
    let Some(db) = TestDb::new("lease_keeper").await else {
        return;
    };
    let store = Store::connect(&db.url).await.expect("connect");
    let ttl = Duration::from_secs(2);
    // Replica A takes the lease and then goes silent (as a killed process: no renewal, no
    // release).
    assert!(
        store
            .acquire_lease("sla-checker", "replica-a", ttl)
            .await
            .expect("lease")
    );
    let silent_at = Instant::now();
    let mut b = Lease::keep_for(store.clone(), "sla-checker", Arc::from("replica-b"), ttl);
    tokio::time::sleep(ttl / 2).await;
    assert!(!b.held(), "B holds a lease A still has");
    tokio::time::timeout(ttl * 3, b.wait_held())
        .await
        .expect("B takes the lease over");
    let moved = silent_at.elapsed();
    eprintln!("lease moved {moved:?} after its holder went silent (ttl {ttl:?})");
    assert!(
        moved >= ttl && moved < ttl + ttl / 2 + Duration::from_millis(500),
        "{moved:?}"
    );
    // B keeps it renewed: A cannot take it back.
    tokio::time::sleep(ttl * 2).await;
    assert!(b.held());
    assert!(
        !store
            .acquire_lease("sla-checker", "replica-a", ttl)
            .await
            .expect("lease")
    );
    // Dropped, B gives it up at once.
    drop(b);
    let freed = Instant::now();
    while !store
        .acquire_lease("sla-checker", "replica-a", ttl)
        .await
        .expect("lease")
    {
        assert!(
            freed.elapsed() < Duration::from_secs(2),
            "the lease was not released"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `lendesk run` with `args` on the store at `store_url`, against the emulator (a piped
/// `stderr` must be read, or a talkative process would block on a full pipe).
fn lendesk_run(
    api: &BotApi,
    dir: &Path,
    store_url: &str,
    args: &[String],
    stderr: Stdio,
) -> Replica {
    Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .arg("run")
        .args(args)
        .current_dir(dir)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", api.url().as_str())
        .env("LENDESK_STORE_URL", store_url)
        .env("LENDESK_DATA_DIR", dir.join("unused-sled"))
        .env(
            "LENDESK_FAQ_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        )
        .env("RUST_LOG", "lendesk=info")
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map(Replica)
        .expect("start lendesk run")
}

/// A replica polling for updates (what it says kept, for the reason it stops).
fn start_bot(api: &BotApi, dir: &Path, store_url: &str) -> Replica {
    lendesk_run(api, dir, store_url, &[], Stdio::piped())
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        use std::io::Read;
        let _ = err.read_to_string(&mut text);
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_poller_is_refused_and_takes_over_once_the_first_is_killed() {
    let Some(db) = TestDb::new("poller").await else {
        return;
    };
    let api = BotApi::start().await;
    let alice = api.add_user(2001, "Alice", Some("alice"), Some("en"));
    let dir = tempfile::tempdir().expect("temp dir");
    let wait = Duration::from_secs(30);

    let mut first = start_bot(&api, dir.path(), &db.url);
    api.wait_for("the first replica polls", wait, |api| {
        (!api.calls_to("getUpdates").is_empty()).then_some(())
    })
    .await;

    // A second replica polling the same bot on the same store stops with the reason.
    let mut second = start_bot(&api, dir.path(), &db.url);
    let status = tokio::task::spawn_blocking(move || {
        let status = second.wait().expect("wait");
        (status, stderr_of(&mut second))
    })
    .await
    .expect("join");
    let (status, said) = status;
    assert!(!status.success(), "the second poller kept running");
    assert!(
        said.contains("already receiving") && said.contains("--webhook-url"),
        "{said}"
    );
    assert!(!said.contains(&db.url), "the store URL was printed: {said}");

    // The first dies without a word; a new replica takes polling over within the lease's
    // time and answers.
    first.kill().expect("kill -9");
    let _ = first.wait();
    let killed = Instant::now();
    let polls_before = api.calls_to("getUpdates").len();
    let mut third = start_bot(&api, dir.path(), &db.url);
    api.wait_for("the new replica polls", wait, |api| {
        (api.calls_to("getUpdates").len() > polls_before).then_some(())
    })
    .await;
    eprintln!("polling taken over {:?} after kill -9", killed.elapsed());
    assert!(killed.elapsed() < Duration::from_secs(20));
    let chat = alice.id as i64;
    api.send_text(&alice, chat, "what is a health factor?");
    api.wait_for("the answer from the new replica", wait, |api| {
        api.history(chat)
            .into_iter()
            .find(|m| m.method != "user" && m.text.to_lowercase().contains("health factor"))
    })
    .await;
    third.kill().expect("kill");
    let _ = third.wait();
}

/// How the test's load balancer spreads Telegram's posts over the replicas.
#[derive(Debug, Clone, Copy)]
enum Spread {
    /// Each post to every replica at once (a retry racing the first delivery, on another
    /// replica); Telegram gets the first replica's answer.
    Everyone,
    /// Each post to the next replica in turn, and to the one after when a replica does not
    /// answer (killed, or not listening yet).
    RoundRobin,
}

/// A load balancer written for the test, in front of `targets`; its public URL.
async fn proxy(targets: Vec<String>, spread: Spread) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let forward = move |headers: axum::http::HeaderMap, body: String| {
        let (client, targets, next) = (client.clone(), targets.clone(), next.clone());
        async move {
            let post = |target: &String| {
                let mut request = client.post(target).body(body.clone());
                for (name, value) in &headers {
                    if name != "host" && name != "content-length" {
                        request = request.header(name, value);
                    }
                }
                request.send()
            };
            let answer = match spread {
                Spread::Everyone => futures::future::join_all(targets.iter().map(post))
                    .await
                    .into_iter()
                    .next()
                    .and_then(Result::ok),
                Spread::RoundRobin => {
                    let first = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut answer = None;
                    for i in 0..targets.len() {
                        match post(&targets[(first + i) % targets.len()]).await {
                            Ok(r) => {
                                answer = Some(r);
                                break;
                            }
                            Err(e) if e.is_connect() => continue,
                            Err(_) => break,
                        }
                    }
                    answer
                }
            };
            answer
                .and_then(|r| axum::http::StatusCode::from_u16(r.status().as_u16()).ok())
                .unwrap_or(axum::http::StatusCode::BAD_GATEWAY)
        }
    };
    let router = axum::Router::new().route("/telegram", axum::routing::post(forward));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/telegram")
}

/// The replicas' webhook URLs on `ports`.
fn local_hooks(ports: &[u16]) -> Vec<String> {
    ports
        .iter()
        .map(|p| format!("http://127.0.0.1:{p}/telegram"))
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A replica receiving Telegram's posts at `public` (the load balancer), listening on `port`.
fn start_webhook_replica(
    api: &BotApi,
    dir: &Path,
    store_url: &str,
    public: &str,
    port: u16,
) -> Replica {
    let args = [
        "--webhook-url".to_string(),
        public.to_string(),
        "--listen".to_string(),
        format!("127.0.0.1:{port}"),
    ];
    // What it says goes to a file beside it (a pipe nobody reads would fill and block it).
    let log = std::fs::File::create(dir.join(format!("replica-{port}.log"))).expect("log file");
    lendesk_run(api, dir, store_url, &args, Stdio::from(log))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_replicas_given_every_update_answer_each_once_in_order() {
    let Some(db) = TestDb::new("webhook").await else {
        return;
    };
    let api = BotApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ports = [free_port(), free_port()];
    let public = proxy(local_hooks(&ports), Spread::Everyone).await;
    let mut replicas: Vec<Replica> = ports
        .iter()
        .map(|port| start_webhook_replica(&api, dir.path(), &db.url, &public, *port))
        .collect();
    let wait = Duration::from_secs(60);
    api.wait_for("the webhook set", wait, |api| api.webhook())
        .await;
    // Both replicas listening (each sets the same webhook once it does).
    api.wait_for("both replicas registered", wait, |api| {
        (api.calls_to("setWebhook").len() >= 2).then_some(())
    })
    .await;

    let users: Vec<_> = (0..10u64)
        .map(|i| api.add_user(3000 + i, &format!("User{i}"), None, Some("en")))
        .collect();
    let questions = ["what is a health factor", "/help", "what is liquidation"];
    for q in questions {
        for u in &users {
            api.send_text(u, u.id as i64, q);
        }
    }
    let expected = users.len() * questions.len();
    api.wait_for("every message delivered", wait, |api| {
        (api.pending_updates() == 0).then_some(())
    })
    .await;
    // Let any duplicate answer that would come arrive.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Each chat answered once per question, in the order asked: the same three answers for
    // every user (a question handled twice would show its answer twice).
    let answers = |chat: i64| -> Vec<String> {
        api.history(chat)
            .into_iter()
            .filter(|m| m.method != "user")
            .map(|m| m.text)
            .collect()
    };
    let first = answers(users[0].id as i64);
    assert_eq!(first.len(), questions.len(), "{first:#?}");
    for (answer, topic) in first.iter().zip(["health factor", "commands", "liquidat"]) {
        assert!(answer.to_lowercase().contains(topic), "{topic}: {answer}");
    }
    for u in &users {
        assert_eq!(answers(u.id as i64), first, "user {}", u.id);
    }
    // Once across replicas: the statistics count each message handled, and both replicas
    // write them to the shared store.
    let store = Store::connect(&db.url).await.expect("connect");
    let handled = tokio::time::timeout(wait, async {
        loop {
            let events = store.events_since(0).await.expect("events");
            let handled: u64 = events.iter().map(|e| e.count).sum();
            if handled >= expected as u64 {
                // A second handling would have written by now too.
                tokio::time::sleep(Duration::from_secs(1)).await;
                let events = store.events_since(0).await.expect("events");
                return events.iter().map(|e| e.count).sum::<u64>();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("statistics written");
    assert_eq!(
        handled, expected as u64,
        "messages handled across the replicas"
    );
    for r in &mut replicas {
        let _ = r.kill();
        let _ = r.wait();
    }
}

/// A bot answer with its numbers taken out (ticket numbers differ from user to user).
fn shape(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// What every user asks, in this order (the last opens a ticket).
const ASKED: [&str; 5] = [
    "what is a health factor",
    "/help",
    "what is liquidation",
    "what is e-mode",
    "/human",
];

/// Users of the end-to-end run (each sends [`ASKED`]).
const E2E_USERS: u64 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_answer_every_message_once_in_order_through_a_kill_9() {
    let Some(db) = TestDb::new("e2e").await else {
        return;
    };
    let api = BotApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ports = [free_port(), free_port(), free_port()];
    let public = proxy(local_hooks(&ports), Spread::RoundRobin).await;
    let start = |port: u16| start_webhook_replica(&api, dir.path(), &db.url, &public, port);
    let mut replicas: Vec<Replica> = ports.iter().map(|p| start(*p)).collect();
    let wait = Duration::from_secs(180);
    api.wait_for("three replicas registered", wait, |api| {
        (api.calls_to("setWebhook").len() >= 3).then_some(())
    })
    .await;

    // What one user is told, asked one message at a time.
    let probe = api.add_user(2999, "Probe", None, Some("en"));
    let probe_chat = probe.id as i64;
    for (i, q) in ASKED.iter().enumerate() {
        api.send_text(&probe, probe_chat, q);
        api.wait_for("the probe's answer", wait, |api| {
            let answered = api
                .history(probe_chat)
                .iter()
                .filter(|m| m.method != "user")
                .count();
            (answered > i).then_some(())
        })
        .await;
        // Any second message of this answer arrives meanwhile.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let expected: Vec<String> = api
        .history(probe_chat)
        .into_iter()
        .filter(|m| m.method != "user")
        .map(|m| shape(&m.text))
        .collect();
    assert_eq!(
        expected.len(),
        ASKED.len(),
        "one answer per question: {expected:#?}"
    );

    let users: Vec<_> = (0..E2E_USERS)
        .map(|i| api.add_user(4000 + i, &format!("User{i}"), None, Some("en")))
        .collect();
    let store = Store::connect(&db.url).await.expect("connect");
    let handled = || async {
        let events = store.events_since(0).await.expect("events");
        events.iter().map(|e| e.count).sum::<u64>()
    };
    let before = handled().await;
    let total = E2E_USERS * ASKED.len() as u64;
    let started = Instant::now();
    for q in ASKED {
        for u in &users {
            api.send_text(u, u.id as i64, q);
        }
    }
    // Halfway, one replica dies without a word and comes back.
    while handled().await < before + total / 2 {
        assert!(started.elapsed() < wait, "not halfway in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    replicas[1].kill().expect("kill -9");
    let _ = replicas[1].wait();
    let killed_at = started.elapsed();
    replicas[1] = start(ports[1]);
    api.wait_for("every message delivered", wait, |api| {
        (api.pending_updates() == 0).then_some(())
    })
    .await;
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Every message answered, in order, and once but for replies the killed replica had sent
    // and not yet recorded as handled when it died (no system can take a sent message back).
    let mut repeated = 0;
    for u in &users {
        let got: Vec<String> = api
            .history(u.id as i64)
            .into_iter()
            .filter(|m| m.method != "user")
            .map(|m| shape(&m.text))
            .collect();
        let mut once = got.clone();
        once.dedup();
        repeated += got.len() - once.len();
        assert_eq!(once, expected, "user {}", u.id);
        let tickets = store.tickets_of(u.id as i64).await.expect("tickets");
        assert_eq!(tickets.len(), 1, "user {}: {tickets:?}", u.id);
    }
    eprintln!(
        "{total} messages of {E2E_USERS} users through 3 webhook replicas in {elapsed:?} \
         ({:.0} messages/s), one killed with SIGKILL at {killed_at:?} and restarted; \
         answers repeated: {repeated}",
        total as f64 / elapsed.as_secs_f64()
    );
    // A repeat can only be an update the killed replica had answered and not yet marked
    // handled: at most the deliveries in flight at once (the emulator's max_connections).
    assert!(repeated <= 40, "{repeated} answers repeated");
    for r in &mut replicas {
        let _ = r.kill();
        let _ = r.wait();
    }
}

/// Transactions the database has committed (each statement outside a transaction is one: a
/// round trip, give or take a pipelined batch).
async fn commits(url: &str) -> i64 {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    // Statistics are flushed by each backend at the end of a transaction, at most once a second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client
        .query_one(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
            &[],
        )
        .await
        .expect("pg_stat_database")
        .get(0)
}

/// One load: `users` users each ask one question at once; the answers' rate and latency.
async fn one_load(api: &BotApi, first_user: u64, users: u64) -> (f64, Duration, Duration) {
    let people: Vec<_> = (0..users)
        .map(|i| api.add_user(first_user + i, &format!("Load{i}"), None, Some("en")))
        .collect();
    let sent_before = api.calls_to("sendMessage").len();
    let asked_at = api.elapsed();
    for u in &people {
        api.send_text(u, u.id as i64, "what is a health factor");
    }
    let answers = api
        .wait_for("every load answer", Duration::from_secs(300), |api| {
            let calls = api.calls_to("sendMessage");
            (calls.len() >= sent_before + users as usize).then_some(calls)
        })
        .await;
    let mut latencies: Vec<Duration> = answers[sent_before..]
        .iter()
        .map(|c| c.at.saturating_sub(asked_at))
        .collect();
    latencies.sort();
    let last = latencies.last().copied().unwrap_or_default();
    let rate = users as f64 / last.as_secs_f64();
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    (rate, p(0.5), p(0.99))
}

/// Throughput and latency of 1, 2 and 3 replicas on PostgreSQL against one process on sled, all
/// by webhook behind the round-robin proxy: `cargo test --release --test store_postgres
/// replicas_throughput -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it on its own"]
async fn replicas_throughput() {
    const USERS: u64 = 600;
    let mut lines = Vec::new();
    for replicas in [0usize, 1, 2, 3] {
        // A database of its own: a new emulator numbers its updates from 1 again.
        let Some(db) = TestDb::new("throughput").await else {
            return;
        };
        let api = BotApi::start().await;
        let dir = tempfile::tempdir().expect("temp dir");
        let ports: Vec<u16> = (0..replicas.max(1)).map(|_| free_port()).collect();
        let public = proxy(local_hooks(&ports), Spread::RoundRobin).await;
        let mut children: Vec<Replica> = if replicas == 0 {
            vec![start_webhook_replica(
                &api,
                dir.path(),
                "",
                &public,
                ports[0],
            )]
        } else {
            ports
                .iter()
                .map(|p| start_webhook_replica(&api, dir.path(), &db.url, &public, *p))
                .collect()
        };
        api.wait_for("replicas registered", Duration::from_secs(60), |api| {
            (api.calls_to("setWebhook").len() >= children.len()).then_some(())
        })
        .await;
        // Warm: one answer each way before measuring.
        one_load(&api, 90_000, 3).await;
        let before = if replicas > 0 {
            commits(&db.url).await
        } else {
            0
        };
        let (rate, p50, p99) = one_load(&api, 100_000, USERS).await;
        let per_message = if replicas > 0 {
            format!(
                "{:.1} transactions/message",
                (commits(&db.url).await - before) as f64 / USERS as f64
            )
        } else {
            "sled".into()
        };
        let what = match replicas {
            0 => "1 process on sled".to_string(),
            n => format!("{n} replica(s) on PostgreSQL"),
        };
        lines.push(format!(
            "{what}: {rate:.0} messages/s, answer p50 {p50:?} p99 {p99:?}, {per_message}"
        ));
        for c in &mut children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    eprintln!("{USERS} users asking at once:\n{}", lines.join("\n"));
}
