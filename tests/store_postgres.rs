//! The PostgreSQL store against a real server (issue 12): each test makes a database of its
//! own (a unique name) and drops it. The schema is applied at connect, once (again: nothing to
//! do), once when several replicas connect together, and a database migrated by a newer
//! lendesk is refused; leases have one holder; the records behave as sled's, method for
//! method (`same_as_sled`); replicas share leases and one poller (`replicas`).
//!
//! The server and the skip rule: see `common::postgres`.

#[path = "store_postgres/alert_shares.rs"]
mod alert_shares;
mod bot_api;
mod common;
#[path = "store_postgres/replicas.rs"]
mod replicas;
#[path = "store_postgres/same_as_sled.rs"]
mod same_as_sled;

use common::postgres::TestDb;
use lendesk::store::StoreError;
use lendesk::store::pg::{PgStore, migrations};
use tokio_postgres::NoTls;

async fn tables(url: &str) -> Vec<String> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' ORDER BY table_name",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test]
async fn the_schema_is_applied_once_and_again_is_nothing_to_do() {
    let Some(db) = TestDb::new("schema").await else {
        return;
    };
    let store = PgStore::connect(&db.url)
        .await
        .expect("connect and migrate");
    assert_eq!(store.applied().await.expect("applied"), every_version());
    let tables = tables(&db.url).await;
    for table in [
        "users",
        "history",
        "tickets",
        "counters",
        "threads",
        "relay",
        "broadcasts",
        "audit",
        "events",
        "alert_outbox",
        "updates_handled",
        "leases",
        "lendesk_migrations",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    drop(store);
    let again = PgStore::connect(&db.url).await.expect("connect again");
    assert_eq!(
        again.applied().await.expect("applied"),
        every_version(),
        "nothing applied twice"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn replicas_starting_together_apply_each_migration_once() {
    let Some(db) = TestDb::new("replicas").await else {
        return;
    };
    let connects = (0..4).map(|_| PgStore::connect(&db.url));
    let stores = futures::future::join_all(connects).await;
    for store in &stores {
        let store = store.as_ref().expect("every replica connects");
        assert_eq!(store.applied().await.expect("applied"), every_version());
    }
}

fn every_version() -> Vec<i32> {
    (1..=migrations::latest()).collect()
}

#[tokio::test]
async fn a_version_1_database_is_brought_up_to_date_keeping_its_rows() {
    let Some(db) = TestDb::new("upgrade").await else {
        return;
    };
    // A database as lendesk with schema 1 left it: an update handled, a user.
    let (client, connection) = tokio_postgres::connect(&db.url, NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TABLE lendesk_migrations (
                 version INTEGER PRIMARY KEY,
                 name TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .expect("migrations table");
    client
        .batch_execute(migrations::MIGRATIONS[0].sql)
        .await
        .expect("schema 1");
    client
        .batch_execute(
            "INSERT INTO lendesk_migrations (version, name) VALUES (1, 'v1');
             INSERT INTO updates_handled (update_id) VALUES (41);
             INSERT INTO users (id, record) VALUES (7, '{\"id\":7,\"links\":[],\"recent_topics\":[]}');",
        )
        .await
        .expect("rows");
    let store = lendesk::store::Store::connect(&db.url)
        .await
        .expect("upgrade");
    let pg = store.postgres().expect("PostgreSQL");
    assert_eq!(pg.applied().await.expect("applied"), every_version());
    assert!(store.user(7).await.expect("user").is_some());
    // The update handled under schema 1 counts as handled.
    assert_eq!(
        pg.claim_update(41, 7, "replica", std::time::Duration::from_secs(5))
            .await
            .expect("claim"),
        lendesk::store::pg::Claim::Done
    );
    assert_eq!(
        pg.claim_update(42, 7, "replica", std::time::Duration::from_secs(5))
            .await
            .expect("claim"),
        lendesk::store::pg::Claim::Mine { resumed: false }
    );
}

#[tokio::test]
async fn an_update_taken_over_is_resumed_with_what_its_first_holder_sent() {
    use lendesk::store::pg::{Claim, SentReply};
    let Some(db) = TestDb::new("resume").await else {
        return;
    };
    let store = lendesk::store::Store::connect(&db.url)
        .await
        .expect("connect");
    let short = std::time::Duration::from_millis(200);
    let mine = |resumed| Claim::Mine { resumed };
    assert_eq!(
        store.claim_update(9, 3, "a", short).await.expect("claim"),
        mine(false)
    );
    let sent = |seq: u32| SentReply {
        seq,
        what: "sendMessage".into(),
        response: format!("{{\"message_id\":{}}}", 100 + seq),
    };
    for seq in [0, 1] {
        store.record_send(9, &sent(seq)).await.expect("record");
    }
    // Recorded twice (a retry of the record): kept once.
    store.record_send(9, &sent(1)).await.expect("record again");
    // Another holder is refused while the claim runs, and resumes it once it lapsed.
    assert_eq!(
        store.claim_update(9, 3, "b", short).await.expect("claim"),
        Claim::Busy
    );
    tokio::time::sleep(short * 2).await;
    assert_eq!(
        store.claim_update(9, 3, "b", short).await.expect("claim"),
        mine(true)
    );
    // PostgreSQL keeps the answer as JSONB: the same JSON, its spacing its own.
    let json =
        |s: &SentReply| serde_json::from_str::<serde_json::Value>(&s.response).expect("JSON");
    let back = store.sends_of(9).await.expect("sends");
    assert_eq!(
        back.iter()
            .map(|s| (s.seq, s.what.clone(), json(s)))
            .collect::<Vec<_>>(),
        [sent(0), sent(1)]
            .iter()
            .map(|s| (s.seq, s.what.clone(), json(s)))
            .collect::<Vec<_>>()
    );
    assert!(store.sends_of(10).await.expect("none").is_empty());
    store.finish_update(9, "b").await.expect("finish");
    assert_eq!(
        store.claim_update(9, 3, "a", short).await.expect("claim"),
        Claim::Done
    );
    // Pruned with the update it belongs to.
    let pg = store.postgres().expect("PostgreSQL");
    pg.client()
        .await
        .expect("client")
        .execute(
            "UPDATE updates_handled SET handled_at = now() - interval '3 days'",
            &[],
        )
        .await
        .expect("age");
    assert_eq!(
        pg.prune_updates(std::time::Duration::from_secs(86_400))
            .await
            .expect("prune"),
        1
    );
    assert!(store.sends_of(9).await.expect("gone").is_empty());
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_lendesk_is_refused() {
    let Some(db) = TestDb::new("newer").await else {
        return;
    };
    let store = PgStore::connect(&db.url).await.expect("connect");
    let newer = migrations::latest() + 1;
    store
        .client()
        .await
        .expect("client")
        .execute(
            "INSERT INTO lendesk_migrations (version, name) VALUES ($1, 'from the future')",
            &[&newer],
        )
        .await
        .expect("insert");
    drop(store);
    match PgStore::connect(&db.url).await {
        Err(StoreError::NewerDatabase { found, known }) => {
            assert_eq!((found, known), (newer, migrations::latest()));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_a_clear_error_without_the_password() {
    let err = PgStore::connect("postgres://lendesk:s3cret-pass@127.0.0.1:9/x?connect_timeout=2")
        .await
        .expect_err("nothing listens on port 9");
    let text = err.to_string();
    assert!(text.contains("PostgreSQL"), "{text}");
    assert!(!text.contains("s3cret-pass"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lease_has_one_holder_until_it_lapses_or_is_given_up() {
    let Some(db) = TestDb::new("leases").await else {
        return;
    };
    let (a, b) = (
        PgStore::connect(&db.url).await.expect("replica a"),
        PgStore::connect(&db.url).await.expect("replica b"),
    );
    let short = std::time::Duration::from_millis(300);
    let long = std::time::Duration::from_secs(30);
    assert!(a.acquire_lease("sla", "a", short).await.expect("a takes"));
    assert!(!b.acquire_lease("sla", "b", long).await.expect("b waits"));
    assert!(a.acquire_lease("sla", "a", short).await.expect("a renews"));
    // Another lease is another name: b holds it at once.
    assert!(b.acquire_lease("broadcasts", "b", long).await.expect("b"));
    // a stops renewing (a dead replica): b takes over once the lease lapses.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        b.acquire_lease("sla", "b", long)
            .await
            .expect("b takes over")
    );
    assert!(!a.acquire_lease("sla", "a", short).await.expect("a lost it"));
    // Given up, it is free at once.
    b.release_lease("sla", "b").await.expect("release");
    assert!(a.acquire_lease("sla", "a", long).await.expect("a again"));
    // Releasing a lease one does not hold changes nothing.
    b.release_lease("sla", "b").await.expect("release");
    assert!(!b.acquire_lease("sla", "b", long).await.expect("still a's"));
}
