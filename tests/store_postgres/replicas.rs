//! Replicas on one PostgreSQL database: a lease moves to another replica within seconds of its
//! holder going silent, and the real `lendesk run` binary refuses to be a second long poller
//! of one bot on one store, then takes over polling once the first is killed with SIGKILL.

use std::path::Path;
use std::process::{Child, Command, Stdio};
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

fn start_bot(api: &BotApi, dir: &Path, store_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .arg("run")
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
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lendesk run")
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
