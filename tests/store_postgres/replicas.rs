//! Replicas on one PostgreSQL database, as real `lendesk run` processes behind a test proxy and
//! the Bot API emulator: a lease moves to another replica within seconds of its holder going
//! silent; a second long poller of one bot is refused, then takes polling over once the first
//! is killed with SIGKILL; two webhook replicas given every update answer each once, in order;
//! three keep to the bot's rate together; the end-to-end run (users, a broadcast, a replica
//! killed halfway: every answer once, in order, the broadcast finished elsewhere); and the
//! throughput benchmark (ignored).

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

use alloy::primitives::Address;
use lendesk::replica::Lease;
use lendesk::store::Store;

use super::TestDb;
use super::bot_api::{BotApi, RateLimits, TOKEN};
use super::common;

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
    lendesk_command(api, dir, store_url, args, stderr)
        .spawn()
        .map(Replica)
        .expect("start lendesk run")
}

/// `lendesk run` with `args` on the emulator and `store_url`, not started yet.
fn lendesk_command(
    api: &BotApi,
    dir: &Path,
    store_url: &str,
    args: &[String],
    stderr: Stdio,
) -> Command {
    let mut run = Command::new(env!("CARGO_BIN_EXE_lendesk"));
    run.arg("run")
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
        .stderr(stderr);
    run
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
    let _turn = ONE_GROUP.lock().await;
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
    webhook_replica(api, dir, store_url, public, port)
        .spawn()
        .map(Replica)
        .expect("start lendesk run")
}

/// The command of a webhook replica; what it says goes to a file beside it (a pipe nobody
/// reads would fill and block it).
fn webhook_replica(api: &BotApi, dir: &Path, store_url: &str, public: &str, port: u16) -> Command {
    let args = [
        "--webhook-url".to_string(),
        public.to_string(),
        "--listen".to_string(),
        format!("127.0.0.1:{port}"),
    ];
    let log = std::fs::File::create(dir.join(format!("replica-{port}.log"))).expect("log file");
    lendesk_command(api, dir, store_url, &args, Stdio::from(log))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_replicas_given_every_update_answer_each_once_in_order() {
    let Some(db) = TestDb::new("webhook").await else {
        return;
    };
    let api = BotApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Both replicas listening (each sets the same webhook once it does).
    let _fleet = Fleet::start(
        &api,
        dir.path(),
        &db.url,
        (2, Spread::Everyone),
        Kind::Plain,
    )
    .await;
    let wait = Duration::from_secs(60);

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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_keep_to_the_bots_rate_together() {
    let Some(db) = TestDb::new("rate").await else {
        return;
    };
    let api = BotApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let _fleet = Fleet::start(
        &api,
        dir.path(),
        &db.url,
        (3, Spread::RoundRobin),
        Kind::Plain,
    )
    .await;
    let wait = Duration::from_secs(120);
    // Each has seen the others (they look every third of a lease's time).
    tokio::time::sleep(lendesk::replica::LEASE_TTL / 2).await;
    // Telegram's 30 a second for the bot, counted across replicas; chats unlimited here.
    api.set_rate_limits(Some(RateLimits {
        per_chat: 100,
        ..RateLimits::telegram()
    }));
    let users: Vec<_> = (0..150u64)
        .map(|i| api.add_user(5000 + i, &format!("User{i}"), None, Some("en")))
        .collect();
    let started = Instant::now();
    for u in &users {
        api.send_text(u, u.id as i64, "/help");
    }
    api.wait_for("every user answered", wait, |api| {
        users
            .iter()
            .all(|u| api.history(u.id as i64).iter().any(|m| m.method != "user"))
            .then_some(())
    })
    .await;
    let elapsed = started.elapsed();
    let refused = api.rate_limited();
    eprintln!(
        "150 answers from 3 replicas in {elapsed:?} ({:.0}/s); refused with 429: {refused}",
        150.0 / elapsed.as_secs_f64()
    );
    // Each replica sending Telegram's whole 30 a second (90 together) would have been refused
    // for half the burst and more; their shares (10 each) add up to the bot's limit. A message
    // at a second's edge may still meet one (each replica counts its own second, and the
    // emulator counts when the request arrives).
    assert!(refused <= 15, "{refused} of 150 sends refused with 429");
}

/// A bot answer with its numbers taken out (ticket numbers differ from user to user).
fn shape(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// What every user asks, in this order: two FAQ questions, the commands, a position (the
/// address read live on the devnet), and a person (a ticket).
fn asked(address: Address) -> [String; 5] {
    [
        "what is a health factor".to_string(),
        "/help".to_string(),
        address.to_string(),
        "what is e-mode".to_string(),
        "/human".to_string(),
    ]
}

/// What every user of the end-to-end run says first.
const GREETING: &str = "/start";

/// Users of the end-to-end run (each sends what [`asked`] gives).
const E2E_USERS: u64 = 200;

/// The users of the end-to-end run: [`E2E_USERS`], or `LENDESK_E2E_USERS` (the full
/// scale, 1,000, is run by hand: `LENDESK_E2E_USERS=1000`).
fn e2e_users() -> u64 {
    std::env::var("LENDESK_E2E_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(E2E_USERS)
}

/// The staff forum of the end-to-end run, and its admin.
const STAFF_CHAT: i64 = -1_001_555_000_111;
const ADMIN: u64 = 1001;

/// What the end-to-end run's broadcast says.
const ANNOUNCEMENT: &str = "Maintenance window tonight";

/// The configuration of staffed replicas in `dir`: the sandbox's market, and support open
/// around the clock (what users are told does not depend on when the test runs).
fn write_staffed_config(dir: &Path, sandbox: &common::Sandbox) {
    let manifest = sandbox.devnet.manifest();
    let markets = lendesk::devnet::cli::lendesk_toml(manifest)
        .replace(&manifest.rpc_url, sandbox.devnet.rpc_url());
    let support =
        "\n[support]\nbusiness_hours = \"00:00-24:00\"\nbusiness_days = [1, 2, 3, 4, 5, 6, 7]\n";
    std::fs::write(dir.join("lendesk.toml"), markets + support).expect("config");
}

/// A webhook replica with a staff forum (configured by [`write_staffed_config`]), sending 90
/// messages a second with its peers.
fn start_staffed_replica(
    api: &BotApi,
    dir: &Path,
    store_url: &str,
    public: &str,
    port: u16,
) -> Replica {
    let config = dir.join("lendesk.toml");
    assert!(config.exists(), "write_staffed_config first");
    let mut run = webhook_replica(api, dir, store_url, public, port);
    // Paid broadcasts lift a bot's limit: 30 a second each keeps the run short (the shares
    // are tested apart).
    run.env("LENDESK_CONFIG", config)
        .env("LENDESK_MESSAGES_PER_SECOND", "90")
        .env("LENDESK_STAFF_CHAT", STAFF_CHAT.to_string())
        .env("LENDESK_ADMINS", ADMIN.to_string());
    run.spawn().map(Replica).expect("start lendesk run")
}

/// What the replicas of a [`Fleet`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No staff chat; Telegram's 30 messages a second for the bot, shared.
    Plain,
    /// [`start_staffed_replica`].
    Staffed,
    /// No staff chat, and a bot rate no replica reaches: what the replicas and the store can
    /// do (the benchmark).
    Unbound,
}

/// One group of replicas at a time in this test binary: each replica may open 24 connections
/// (PostgreSQL allows 100 in all) and two loaded groups at once would share two cores.
static ONE_GROUP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Webhook replicas behind a test proxy, each registered with the emulator; killed when
/// dropped.
struct Fleet {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    ports: Vec<u16>,
    public: String,
    replicas: Vec<Replica>,
    kind: Kind,
}

impl Fleet {
    /// Starts `n` replicas on `store_url` (sled in `dir` when empty), the proxy spreading
    /// Telegram's posts as `spread`, and waits until each has registered the webhook.
    async fn start(
        api: &BotApi,
        dir: &Path,
        store_url: &str,
        (n, spread): (usize, Spread),
        kind: Kind,
    ) -> Fleet {
        let turn = ONE_GROUP.lock().await;
        let ports: Vec<u16> = (0..n).map(|_| free_port()).collect();
        let public = proxy(local_hooks(&ports), spread).await;
        let mut fleet = Fleet {
            _turn: turn,
            ports,
            public,
            replicas: Vec::new(),
            kind,
        };
        fleet.replicas = (0..n)
            .map(|i| fleet.spawn(api, dir, store_url, i))
            .collect();
        api.wait_for("the replicas registered", Duration::from_secs(180), |api| {
            (api.calls_to("setWebhook").len() >= n).then_some(())
        })
        .await;
        fleet
    }

    fn spawn(&self, api: &BotApi, dir: &Path, store_url: &str, i: usize) -> Replica {
        let port = self.ports[i];
        match self.kind {
            Kind::Plain => start_webhook_replica(api, dir, store_url, &self.public, port),
            Kind::Staffed => start_staffed_replica(api, dir, store_url, &self.public, port),
            Kind::Unbound => webhook_replica(api, dir, store_url, &self.public, port)
                .env("LENDESK_MESSAGES_PER_SECOND", "100000")
                .spawn()
                .map(Replica)
                .expect("start lendesk run"),
        }
    }

    /// Starts replica `i` again (the one there is killed first, if it still runs).
    fn restart(&mut self, api: &BotApi, dir: &Path, store_url: &str, i: usize) {
        let again = self.spawn(api, dir, store_url, i);
        self.replicas[i] = again;
    }
}

/// When (by the emulator's clock) the first of each pair of consecutive equal `method` calls
/// to `chat` was made: a send made twice.
fn made_twice(api: &BotApi, method: &str, chat: i64, skip: impl Fn(&str) -> bool) -> Vec<Duration> {
    let sends: Vec<_> = api
        .calls_to(method)
        .into_iter()
        .filter(|c| c.ok() && c.param("chat_id") == Some(chat.to_string()))
        .filter(|c| !skip(&c.param("text").unwrap_or_default()))
        .collect();
    sends
        .windows(2)
        .filter(|pair| pair[0].param("text") == pair[1].param("text"))
        .map(|pair| pair[0].at)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_answer_every_message_once_in_order_through_a_kill_9() {
    let Some(db) = TestDb::new("e2e").await else {
        return;
    };
    let e2e_users = e2e_users();
    let api = BotApi::start().await;
    let admin = api.add_user(ADMIN, "Ada", Some("ada_admin"), Some("en"));
    api.add_group(STAFF_CHAT, "lendesk staff", true);
    let dir = tempfile::tempdir().expect("temp dir");
    let sandbox = common::Sandbox::new().await;
    write_staffed_config(dir.path(), &sandbox);
    let asked = asked(common::account(sandbox.devnet.manifest(), "safe"));
    let mut fleet = Fleet::start(
        &api,
        dir.path(),
        &db.url,
        (3, Spread::RoundRobin),
        Kind::Staffed,
    )
    .await;
    let wait = Duration::from_secs(180);

    // What one user is told, asked one message at a time.
    let probe = api.add_user(2999, "Probe", None, Some("en"));
    let probe_chat = probe.id as i64;
    let answers = |chat: i64| -> Vec<String> {
        api.history(chat)
            .into_iter()
            .filter(|m| m.method != "user" && !m.text.contains(ANNOUNCEMENT))
            .map(|m| shape(&m.text))
            .collect()
    };
    for q in [GREETING]
        .into_iter()
        .chain(asked.iter().map(String::as_str))
    {
        let before = answers(probe_chat).len();
        api.send_text(&probe, probe_chat, q);
        api.wait_for("the probe's answer", wait, |_| {
            (answers(probe_chat).len() > before).then_some(())
        })
        .await;
        // Any second message of this answer (a position's tip) arrives meanwhile.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let expected = answers(probe_chat);
    assert!(
        expected.len() > asked.len(),
        "an answer to every message: {expected:#?}"
    );
    assert!(
        expected.iter().any(|a| a.contains("Health factor")),
        "the position read: {expected:#?}"
    );

    // Every user starts the bot; then the admin announces something to all of them.
    let users: Vec<_> = (0..e2e_users)
        .map(|i| api.add_user(4000 + i, &format!("User{i}"), None, Some("en")))
        .collect();
    for u in &users {
        api.send_text(u, u.id as i64, GREETING);
    }
    api.wait_for("every user greeted", wait, |api| {
        (api.pending_updates() == 0).then_some(())
    })
    .await;
    let store = Store::connect(&db.url).await.expect("connect");
    api.send_text(&admin, STAFF_CHAT, &format!("/broadcast {ANNOUNCEMENT}"));
    let sending = api
        .wait_until("the broadcast under way", wait, || {
            let store = &store;
            async move {
                let b = store.broadcasts().await.ok()?.pop()?;
                (b.sent >= 1).then_some(b.id)
            }
        })
        .await;

    // Then every user asks five things at once.
    let total = e2e_users * asked.len() as u64;
    let started = Instant::now();
    for q in &asked {
        for u in &users {
            api.send_text(u, u.id as i64, q);
        }
    }
    // Halfway (through the messages, or through the broadcast if it gets there first), the
    // replica sending the broadcast dies without a word and comes back. (Telegram counts an
    // update delivered once the webhook answered it: once it was handled, its answers sent.)
    let audience = e2e_users + 1;
    loop {
        assert!(started.elapsed() < wait, "not halfway in time");
        let b = store
            .broadcast(sending)
            .await
            .expect("read")
            .expect("there");
        assert!(!b.done, "the broadcast ended before halfway: {b:?}");
        if api.pending_updates() as u64 <= total / 2 || b.sent >= audience / 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent_at_kill = store
        .broadcast(sending)
        .await
        .expect("read")
        .expect("there")
        .sent;
    let holder: String = store
        .postgres()
        .expect("PostgreSQL")
        .client()
        .await
        .expect("client")
        .query_one(
            "SELECT holder FROM leases WHERE name = $1",
            &[&format!("broadcast:{sending}")],
        )
        .await
        .expect("the broadcast's lease")
        .get(0);
    let victim = fleet
        .replicas
        .iter()
        .position(|r| holder.split(':').nth(1) == Some(r.id().to_string().as_str()))
        .expect("the broadcast's holder is one of the replicas");
    let answered_at_kill = total - api.pending_updates() as u64;
    fleet.replicas[victim].kill().expect("kill -9");
    let _ = fleet.replicas[victim].wait();
    let killed_at = started.elapsed();
    let killed_on_emulator = api.elapsed();
    fleet.restart(&api, dir.path(), &db.url, victim);
    api.wait_for("every message delivered", wait, |api| {
        (api.pending_updates() == 0).then_some(())
    })
    .await;
    let elapsed = started.elapsed();
    let finished = api
        .wait_until("the broadcast finished by another replica", wait, || {
            let store = &store;
            async move {
                store
                    .broadcast(sending)
                    .await
                    .ok()
                    .flatten()
                    .filter(|b| b.done)
            }
        })
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Every message answered, in order, once; every ticket present once, in one topic. A send
    // made twice can only be one the killed replica made in the moment before it recorded it
    // (nothing takes a sent message back).
    let mut twice = Vec::new();
    let mut announced = 0;
    for u in users.iter().chain([&probe]) {
        let chat = u.id as i64;
        let got = answers(chat);
        let mut once = got.clone();
        once.dedup();
        twice.extend(made_twice(&api, "sendMessage", chat, |t| {
            t.contains(ANNOUNCEMENT)
        }));
        assert_eq!(once, expected, "user {}", u.id);
        let tickets = store.tickets_of(chat).await.expect("tickets");
        assert_eq!(tickets.len(), 1, "user {}: {tickets:?}", u.id);
        let copies = api
            .history(chat)
            .iter()
            .filter(|m| m.text.contains(ANNOUNCEMENT))
            .count();
        if copies > 1 {
            let times: Vec<_> = api
                .calls_to("sendMessage")
                .into_iter()
                .filter(|c| c.param("chat_id") == Some(chat.to_string()))
                .filter(|c| c.param("text").is_some_and(|t| t.contains(ANNOUNCEMENT)))
                .map(|c| (c.at, c.ok()))
                .collect();
            panic!(
                "user {} was announced to {copies} times: {times:?}, the kill at \
                 {killed_on_emulator:?}; broadcasts {:?}",
                u.id,
                store.broadcasts().await.expect("broadcasts")
            );
        }
        announced += copies;
    }
    let topics = api.topics(STAFF_CHAT);
    let mut titles: Vec<_> = topics.iter().map(|(_, title)| title.clone()).collect();
    titles.sort();
    titles.dedup();
    let extra_topics = topics.len() - titles.len();
    // The staff forum takes 20 messages a minute from a bot: cards are still being posted.
    let tickets = store.tickets().await.expect("tickets").len();
    assert_eq!(tickets as u64, e2e_users + 1);
    assert!(titles.len() <= tickets, "{} topics", titles.len());
    eprintln!(
        "{total} messages of {e2e_users} users through 3 webhook replicas in {elapsed:?} \
         ({:.0} messages/s); the replica sending broadcast #{sending} killed with SIGKILL at \
         {killed_at:?} ({answered_at_kill} messages answered, the broadcast sent to {sent_at_kill}) and restarted; the broadcast \
         finished elsewhere: {} sent, {announced} users announced to (of {}); answers sent \
         twice: {}, topics opened twice: {extra_topics}; {} of {tickets} tickets in the staff \
         forum so far",
        total as f64 / elapsed.as_secs_f64(),
        finished.sent,
        e2e_users + 1,
        twice.len(),
        titles.len()
    );
    for at in &twice {
        assert!(
            *at <= killed_on_emulator && killed_on_emulator - *at < Duration::from_secs(1),
            "an answer sent twice, first at {at:?}, the kill at {killed_on_emulator:?}"
        );
    }
    assert!(
        twice.len() + extra_topics <= 2,
        "{twice:?}, {extra_topics} topics"
    );
    // At most once: the users of the batch under way when the replica died may have missed it.
    assert!(
        announced as u64 + lendesk::staff::BATCH as u64 >= audience,
        "{announced} users of {audience} announced to"
    );
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

/// One line of the benchmark: `users` asking at once `replicas` on PostgreSQL (0: one process on
/// sled) of `kind`.
async fn throughput_of(kind: Kind, replicas: usize, users: u64) -> String {
    // A database of its own: a new emulator numbers its updates from 1 again.
    let Some(db) = TestDb::new("throughput").await else {
        return "no PostgreSQL".into();
    };
    let api = BotApi::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store_url = if replicas == 0 { "" } else { db.url.as_str() };
    let spread = (replicas.max(1), Spread::RoundRobin);
    let _fleet = Fleet::start(&api, dir.path(), store_url, spread, kind).await;
    // Each has seen the others (the bot's rate is shared), and one answer each way is made.
    tokio::time::sleep(lendesk::replica::LEASE_TTL / 2).await;
    one_load(&api, 90_000, 3).await;
    let before = if replicas > 0 {
        commits(&db.url).await
    } else {
        0
    };
    let (rate, p50, p99) = one_load(&api, 100_000, users).await;
    let per_message = if replicas > 0 {
        format!(
            "{:.1} transactions/message",
            (commits(&db.url).await - before) as f64 / users as f64
        )
    } else {
        "sled".into()
    };
    let what = match replicas {
        0 => "1 process on sled".to_string(),
        n => format!("{n} replica(s) on PostgreSQL"),
    };
    let limit = match kind {
        Kind::Unbound => "no rate limit",
        _ => "the bot's 30/s",
    };
    format!("{what}, {limit}: {rate:.0} messages/s, answer p50 {p50:?} p99 {p99:?}, {per_message}")
}

/// Throughput and latency of 1, 2 and 3 replicas on PostgreSQL against one process on sled, all
/// by webhook behind the round-robin proxy, at the bot's rate and unbound: `cargo test --release --test store_postgres
/// replicas_throughput -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it on its own"]
async fn replicas_throughput() {
    const USERS: u64 = 600;
    let mut lines = Vec::new();
    for kind in [Kind::Plain, Kind::Unbound] {
        for replicas in [0usize, 1, 2, 3] {
            lines.push(throughput_of(kind, replicas, USERS).await);
        }
    }
    eprintln!("{USERS} users asking at once:\n{}", lines.join("\n"));
}
