//! `lendesk store migrate` against a real PostgreSQL server: a data directory filled through
//! the real APIs (`common::populate`) moves into a database of the test's own, after which
//! every read of the one interface ([`Store`]) answers the same on the sled store and on the
//! database, and the numbers issued continue alike; a database with records is refused and
//! left as it was; a corrupt record, or one PostgreSQL refuses midway, leaves nothing written;
//! the binary prints the counts and never the URL. Skipped without a server unless
//! `LENDESK_REQUIRE_POSTGRES` is set (see `common::postgres`).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::Instant;

use alloy::primitives::Address;
use common::populate::{NOW, USER, populate};
use common::postgres::TestDb;
use lendesk::lang::Lang;
use lendesk::store::pg::PgStore;
use lendesk::store::{
    HistoryEntry, MessageEvent, MigrateSummary, NoticeKind, OutboxEntry, RelayedMessage, Severity,
    SledStore, Speaker, Store, StoreError, TicketRecord, TicketStatus, UserRecord, migrate,
};
use tokio_postgres::NoTls;

/// The migrated sled store and the database it went to, both through the one interface.
struct Pair {
    sled: Store,
    pg: Store,
}

/// Calls one method with the same arguments on both stores, asserts that both succeed with
/// equal results, and gives PostgreSQL's.
macro_rules! same {
    ($pair:expr, $method:ident ($($arg:expr),* $(,)?)) => {{
        let sled = $pair.sled.$method($($arg),*).await;
        let pg = $pair.pg.$method($($arg),*).await;
        let sled = sled.expect(concat!("sled: ", stringify!($method)));
        let pg = pg.expect(concat!("PostgreSQL: ", stringify!($method)));
        assert_eq!(sled, pg, "{} differs", stringify!($method));
        pg
    }};
}

/// The count of one kind in a migration's summary.
fn count(summary: &MigrateSummary, kind: &str) -> u64 {
    summary
        .counts
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, n)| *n)
        .unwrap_or_else(|| panic!("no kind {kind} in {:?}", summary.counts))
}

/// Rows per table of a database (lendesk's tables, `lendesk_migrations` aside).
async fn rows_in(url: &str) -> BTreeMap<String, i64> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(connection);
    let tables: Vec<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = 'public' AND table_name <> 'lendesk_migrations'",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut rows = BTreeMap::new();
    for table in tables {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .expect("count")
            .get(0);
        rows.insert(table, n);
    }
    rows
}

/// A populated data directory and a fresh database, or `None` without a server.
async fn populated(tag: &str) -> Option<(tempfile::TempDir, TestDb)> {
    let db = TestDb::new(tag).await?;
    let dir = tempfile::tempdir().unwrap();
    populate(dir.path()).await;
    Some((dir, db))
}

// --- a whole deployment, read back ------------------------------------------------------------

/// sled opened directly, to damage it: waits, as `SledStore::open` does, for the lock a store
/// dropped a moment ago still holds until sled's flusher thread has stopped.
fn raw_sled(dir: &std::path::Path) -> sled::Db {
    let started = std::time::Instant::now();
    loop {
        match sled::open(dir) {
            Ok(db) => return db,
            Err(e) if started.elapsed() < std::time::Duration::from_secs(5) => {
                eprintln!("sled still locked ({e}); waiting");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("sled: {e}"),
        }
    }
}

#[tokio::test]
async fn a_populated_store_migrates_and_every_read_answers_the_same_on_both() {
    let Some((dir, db)) = populated("migrate_reads").await else {
        return;
    };
    let sled = SledStore::open(dir.path()).expect("open");
    let pg = PgStore::connect(&db.url).await.expect("connect");
    let summary = migrate(&sled, &pg).await.expect("migrate");
    eprintln!("{summary:#?}");
    assert!(summary.left_behind.is_empty(), "{:?}", summary.left_behind);
    for (kind, n) in &summary.counts {
        assert!(
            *n > 0,
            "the fixture has no {kind}: the test would prove nothing"
        );
    }
    assert_eq!(count(&summary, "tickets"), 2);
    assert_eq!(count(&summary, "relayed message entries"), 2);
    let s = Pair {
        sled: Store::from(sled),
        pg: Store::from(pg),
    };
    assert!(same!(s, relay_of_user_message(7, 10)).is_some());
    every_read_is_the_same(&s).await;
    numbers_continue_alike(&s, &summary).await;
    // What the migrated indexes carry (tickets and events under their user, relays, alerts):
    // forgetting a user finds the same records on both.
    let forgotten = same!(s, forget_user(USER));
    assert!(
        forgotten.user && !forgotten.tickets.is_empty(),
        "{forgotten:?}"
    );
    assert!(forgotten.alerts > 0, "{forgotten:?}");
    let forgotten = same!(s, forget_user(7));
    assert_eq!(forgotten.relays, 1, "{forgotten:?}");
    every_read_is_the_same(&s).await;
}

/// Every read method of [`Store`], over every key the fixture wrote and a few it did not.
async fn every_read_is_the_same(s: &Pair) {
    users_tickets_and_staff_chat(s).await;
    staff_side(s).await;
    events_and_alerts(s).await;
}

async fn users_tickets_and_staff_chat(s: &Pair) {
    let mut ids: Vec<i64> = same!(s, users()).iter().map(|u| u.id).collect();
    ids.extend([USER, 7, 13, 900, 0, -1, 999]);
    for id in ids {
        same!(s, user(id));
        same!(s, history(id));
        same!(s, tickets_of(id));
        same!(s, ban_of(id));
        same!(s, staff_member(id));
        same!(s, alert_settings(id));
        same!(s, alert_marks_of(id));
        same!(s, events_of(id));
    }
    let tickets = same!(s, tickets());
    let last = tickets.iter().map(|t| t.id).max().unwrap_or(0);
    let mut threads = Vec::new();
    for id in 0..=last + 1 {
        same!(s, ticket(id));
        threads.extend(same!(s, thread_of(id)));
    }
    for t in &threads {
        let topic = t.thread.expect("the fixture's thread is a topic");
        assert_eq!(same!(s, ticket_in_thread(t.chat, topic)), Some(t.ticket));
        same!(s, ticket_in_thread(t.chat, topic + 1000));
        let card = t.card.expect("a card");
        assert_eq!(
            same!(s, ticket_of_staff_message(t.chat, card)),
            Some(t.ticket)
        );
    }
    // The relay (until user 7 is forgotten), both ends and the wrong sides.
    let Some(relay) = same!(s, relay_of_user_message(7, 10)) else {
        return;
    };
    assert_eq!(
        same!(
            s,
            relay_of_staff_message(relay.staff_chat, relay.staff_message)
        ),
        Some(relay)
    );
    assert_eq!(
        same!(
            s,
            ticket_of_staff_message(relay.staff_chat, relay.staff_message)
        ),
        Some(relay.ticket)
    );
    same!(
        s,
        relay_of_user_message(relay.staff_chat, relay.staff_message)
    );
    same!(s, relay_of_staff_message(7, 10));
    same!(s, ticket_of_staff_message(relay.staff_chat, 999));
}

async fn staff_side(s: &Pair) {
    same!(s, staff_members());
    for name in same!(s, macros()).iter().map(|m| m.name.clone()) {
        same!(s, macro_named(&name));
    }
    same!(s, macro_named("none"));
    same!(s, faq_edits());
    same!(s, bans());
    for limit in [0, 1, 100] {
        same!(s, audit_log(limit));
    }
    for b in same!(s, broadcasts()) {
        same!(s, broadcast(b.id));
        same!(s, broadcast(b.id + 1));
    }
    same!(s, maintenance());
}

async fn events_and_alerts(s: &Pair) {
    for since in [0, NOW, NOW + 60, NOW + 3600] {
        same!(s, events_since(since));
        same!(s, alerts_sent_since(since));
    }
    same!(s, all_alert_settings());
    for m in same!(s, alert_marks()) {
        same!(s, alert_mark(m.user, &m.market, m.address));
        same!(s, alert_mark(m.user, &m.market, Address::repeat_byte(1)));
    }
    for e in same!(s, alert_outbox()) {
        same!(s, alert_was_sent(&e.key));
    }
    for sent in same!(s, alerts_sent_since(0)) {
        assert!(same!(s, alert_was_sent(&sent.key)));
    }
    for market in ["base", "devnet", "none"] {
        same!(s, watch_cursor(market));
    }
}

/// The next ticket, audit, broadcast and outbox numbers follow sled's on both, and a new
/// statistics event lands after the migrated ones.
async fn numbers_continue_alike(s: &Pair, summary: &MigrateSummary) {
    let ticket = same!(s, next_ticket_id());
    assert_eq!(ticket, count(summary, "ticket numbers issued") + 1);
    let audit = same!(s, audit(NOW + 5, 900, "unban", "13"));
    assert_eq!(audit.seq, count(summary, "audit numbers issued") + 1);
    let broadcast = same!(s, next_broadcast_id());
    assert_eq!(broadcast, count(summary, "broadcast numbers issued") + 1);
    let entry = OutboxEntry {
        key: "7:base:2".into(),
        user: 7,
        market: "base".into(),
        address: Address::repeat_byte(0x70),
        kind: NoticeKind::Alert(Severity::Warning),
        text: "again".into(),
        buttons: Vec::new(),
        created_at: NOW + 5,
        seq: 0,
    };
    same!(s, save_alert_marks(&[], std::slice::from_ref(&entry)));
    let queued = same!(s, alert_outbox());
    let seq = queued.iter().find(|e| e.key == entry.key).map(|e| e.seq);
    assert_eq!(seq, Some(count(summary, "alert numbers issued") + 1));
    let late = MessageEvent {
        count: 1,
        at: NOW,
        user: USER,
        intent: "clarify".into(),
        topic: None,
        question: Some("one more".into()),
        guarded_markets: Vec::new(),
    };
    same!(s, record_event(&late));
    let events = same!(s, events_since(0));
    let last_of_its_time = events.iter().rfind(|e| e.at == late.at);
    assert_eq!(
        last_of_its_time,
        Some(&late),
        "after the migrated events of its time"
    );
    same!(s, events_of(USER));
}

// --- refusals -----------------------------------------------------------------------------

#[tokio::test]
async fn a_target_with_records_is_refused_and_left_as_it_was() {
    let Some((dir, db)) = populated("migrate_not_empty").await else {
        return;
    };
    let sled = SledStore::open(dir.path()).expect("open");
    let pg = PgStore::connect(&db.url).await.expect("connect");
    let lone = UserRecord::new(1);
    Store::from(pg.clone())
        .save_user(&lone, true)
        .await
        .expect("a user already there");
    let before = rows_in(&db.url).await;
    match migrate(&sled, &pg).await {
        Err(e @ StoreError::TargetNotEmpty { .. }) => {
            let text = e.to_string();
            assert!(text.contains("(in users)"), "{text}");
            assert!(text.contains("never merges"), "{text}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(rows_in(&db.url).await, before);
    assert_eq!(Store::from(pg.clone()).users().await.unwrap(), [lone]);

    // A database that was migrated into is refused the second time as well.
    let other = TestDb::new("migrate_twice")
        .await
        .expect("a second database");
    let target = PgStore::connect(&other.url).await.expect("connect");
    migrate(&sled, &target).await.expect("first migration");
    let after_first = rows_in(&other.url).await;
    let again = migrate(&sled, &target).await;
    assert!(
        matches!(again, Err(StoreError::TargetNotEmpty { .. })),
        "{again:?}"
    );
    assert_eq!(rows_in(&other.url).await, after_first);
}

/// A damage written into a copy of the data directory with sled itself: tree, key, value.
type Damage = (&'static str, &'static [u8], &'static [u8]);

#[tokio::test]
async fn a_corrupt_record_stops_the_migration_with_nothing_written() {
    let Some((dir, db)) = populated("migrate_corrupt").await else {
        return;
    };
    let pg = PgStore::connect(&db.url).await.expect("connect");
    let empty = rows_in(&db.url).await;
    assert!(empty.values().all(|n| *n == 0), "{empty:?}");
    let cases: [(Damage, &str, &str); 4] = [
        (("macros", b"broken", b"{not json"), "macros", "broken"),
        (("users", b"abc", br#"{"id":1}"#), "users", "abc"),
        (("meta", b"mystery", b"1"), "meta", "mystery"),
        (("mystery", b"k", b"{}"), "sled", "k in tree mystery"),
    ];
    for ((tree, key, value), named_tree, named_key) in cases {
        let copy = tempfile::tempdir().unwrap();
        common::copy_dir(dir.path(), copy.path());
        {
            let raw = raw_sled(copy.path());
            raw.open_tree(tree).unwrap().insert(key, value).unwrap();
            raw.flush().unwrap();
        }
        let corrupt = SledStore::open(copy.path()).expect("the copy opens");
        match migrate(&corrupt, &pg).await {
            Err(StoreError::Corrupt { tree, key, .. }) => {
                assert_eq!((tree, key.as_str()), (named_tree, named_key));
            }
            other => panic!("expected {named_tree} {named_key} named, got {other:?}"),
        }
        assert_eq!(rows_in(&db.url).await, empty, "nothing written");
    }
    // The same database then takes the sound store: the failed runs left it empty.
    let sled = SledStore::open(dir.path()).expect("open");
    migrate(&sled, &pg).await.expect("a sound store migrates");
}

#[tokio::test]
async fn index_entries_without_their_record_are_left_behind_and_said() {
    let Some((dir, db)) = populated("migrate_dangling").await else {
        return;
    };
    {
        let raw = raw_sled(dir.path());
        let ticket_entry = [USER.to_be_bytes(), 99u64.to_be_bytes()].concat();
        raw.open_tree("tickets_by_user")
            .unwrap()
            .insert(ticket_entry, b"".to_vec())
            .unwrap();
        let event_entry = [USER.to_be_bytes(), NOW.to_be_bytes(), 1u64.to_be_bytes()].concat();
        raw.open_tree("events_by_user")
            .unwrap()
            .insert(event_entry, b"".to_vec())
            .unwrap();
        raw.flush().unwrap();
    }
    let sled = SledStore::open(dir.path()).expect("open");
    let pg = PgStore::connect(&db.url).await.expect("connect");
    let summary = migrate(&sled, &pg).await.expect("migrate");
    assert_eq!(summary.left_behind.len(), 2, "{:?}", summary.left_behind);
    assert!(summary.left_behind[0].contains("which does not exist"));
    assert!(summary.left_behind[1].contains("1 index entries"));
    let s = Pair {
        sled: Store::from(sled),
        pg: Store::from(pg),
    };
    same!(s, tickets_of(USER));
    same!(s, events_of(USER));
}

#[tokio::test]
async fn a_record_postgresql_refuses_midway_rolls_everything_back() {
    let Some((dir, db)) = populated("migrate_rollback").await else {
        return;
    };
    // JSON sled keeps and PostgreSQL's JSONB refuses (a NUL character), in `macros`: users,
    // conversations, threads and staff are written before it in the same transaction.
    {
        let raw = raw_sled(dir.path());
        raw.open_tree("macros")
            .unwrap()
            .insert(
                "nul",
                br#"{"name":"nul","en":"a\u0000b","zh":"","by":1,"at":2}"#.to_vec(),
            )
            .unwrap();
        raw.flush().unwrap();
    }
    let sled = SledStore::open(dir.path()).expect("open");
    let pg = PgStore::connect(&db.url).await.expect("connect");
    let empty = rows_in(&db.url).await;
    let err = migrate(&sled, &pg)
        .await
        .expect_err("PostgreSQL refuses the record");
    let text = err.to_string();
    assert!(text.contains("writing macros"), "{text}");
    assert_eq!(rows_in(&db.url).await, empty, "all or nothing");
}

// --- the binary -----------------------------------------------------------------------------

fn lendesk(args: &[&str]) -> (Output, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .args(args)
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_DATA_DIR")
        .output()
        .expect("run lendesk");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[tokio::test]
async fn the_binary_migrates_prints_the_counts_and_never_the_url() {
    let Some((dir, db)) = populated("migrate_binary").await else {
        return;
    };
    // Trust auth takes any password: the one in the URL must not show anywhere.
    let mut url: url::Url = db.url.parse().unwrap();
    url.set_password(Some("s3cret-pass")).unwrap();
    let url = url.to_string();
    let from = dir.path().display().to_string();
    let (out, stdout, stderr) = lendesk(&["store", "migrate", "--from", &from, "--to", &url]);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    eprintln!("{stdout}");
    assert!(
        stdout.contains(&format!("migrated {from} into PostgreSQL in ")),
        "{stdout}"
    );
    for line in [
        "  users: 2\n",
        "  tickets: 2\n",
        "  macros: 1\n",
        "  watch cursors: 2\n",
    ] {
        assert!(stdout.contains(line), "{line:?} in {stdout}");
    }
    assert!(
        stdout.contains("verified: every kind counts the same"),
        "{stdout}"
    );
    assert!(!format!("{stdout}{stderr}").contains("s3cret-pass"));
    let pg = Store::connect(&db.url).await.expect("connect");
    assert_eq!(pg.tickets().await.unwrap().len(), 2);
    assert_eq!(pg.user(USER).await.unwrap().unwrap().lang, Some(Lang::Zh));

    // Again: the database is not empty any more, which is the operator's input to fix.
    let (out, stdout, stderr) = lendesk(&["store", "migrate", "--from", &from, "--to", &url]);
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("never merges"), "{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("s3cret-pass"));
}

#[test]
fn the_binary_refuses_a_missing_directory_and_a_url_that_is_not_postgresql() {
    let base = tempfile::tempdir().unwrap();
    let missing = base.path().join("nothing-here").display().to_string();
    let url = "postgres://postgres:s3cret-pass@127.0.0.1:5432/postgres";
    let (out, _, stderr) = lendesk(&["store", "migrate", "--from", &missing, "--to", url]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no data directory"), "{stderr}");
    assert!(
        !Path::new(&missing).exists(),
        "a missing directory is not created"
    );

    let empty = base.path().display().to_string();
    let (out, _, stderr) = lendesk(&["store", "migrate", "--from", &empty, "--to", url]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a lendesk data directory"), "{stderr}");

    let sled_dir = base.path().join("data");
    drop(SledStore::open(&sled_dir).expect("a data directory"));
    let from = sled_dir.display().to_string();
    for bad in [
        "mysql://root:s3cret-pass@db/x",
        "s3cret-pass",
        "postgres://[::1",
    ] {
        let (out, stdout, stderr) = lendesk(&["store", "migrate", "--from", &from, "--to", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stdout}{stderr}");
        assert!(stderr.contains("PostgreSQL URL"), "{stderr}");
        assert!(!stderr.contains("s3cret-pass"), "{stderr}");
    }
}

// --- size ------------------------------------------------------------------------------------

#[tokio::test]
async fn ten_thousand_records_migrate_in_one_transaction() {
    let Some(db) = TestDb::new("migrate_10k").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sled = SledStore::open(dir.path()).expect("open");
    let records = fill(&sled);
    let pg = PgStore::connect(&db.url).await.expect("connect");
    let started = Instant::now();
    let summary = migrate(&sled, &pg).await.expect("migrate");
    let took = started.elapsed();
    let migrated: u64 = [
        "users",
        "saved conversations",
        "tickets",
        "relayed message entries",
        "audit lines",
        "statistics event records",
    ]
    .iter()
    .map(|kind| count(&summary, kind))
    .sum();
    assert_eq!(migrated, records);
    println!(
        "migrated {records} records (sled → PostgreSQL, verified) in {:.0} ms ({:.0} records/s)",
        took.as_secs_f64() * 1000.0,
        records as f64 / took.as_secs_f64()
    );
    let s = Pair {
        sled: Store::from(sled),
        pg: Store::from(pg),
    };
    assert_eq!(same!(s, tickets_of(17)).len(), 1);
    assert_eq!(same!(s, events_since(0)).len(), 2_000);
    assert_eq!(same!(s, next_ticket_id()), 501);
}

/// ~10,000 records straight through the sled store; how many.
fn fill(store: &SledStore) -> u64 {
    let question = |i: u64| MessageEvent {
        count: 1,
        at: NOW + i,
        user: (i % 4_000) as i64,
        intent: "clarify".into(),
        topic: None,
        question: Some(format!("question {i}")),
        guarded_markets: Vec::new(),
    };
    for id in 0..4_000 {
        let mut user = UserRecord::new(id);
        user.username = Some(format!("user{id}"));
        store.save_user(&user, false).unwrap();
    }
    for id in 0..3_000 {
        let lines = [HistoryEntry::new(
            NOW,
            Speaker::User,
            &format!("hello {id}"),
        )];
        store.save_history(id, &lines).unwrap();
    }
    let events: Vec<MessageEvent> = (0..2_000).map(question).collect();
    store.record_events(&events).unwrap();
    for n in 0..500 {
        let id = store.next_ticket_id().unwrap();
        store.save_ticket(&ticket(id, n)).unwrap();
    }
    for n in 0..250 {
        store
            .save_relay(&RelayedMessage {
                ticket: 1,
                user_chat: n,
                user_message: 1,
                staff_chat: -100,
                staff_message: n as i32,
                from_staff: false,
            })
            .unwrap();
        store.audit(NOW, 900, "note", &format!("{n}")).unwrap();
    }
    4_000 + 3_000 + 2_000 + 500 + 2 * 250 + 250
}

fn ticket(id: u64, user: i64) -> TicketRecord {
    TicketRecord {
        id,
        user,
        status: TicketStatus::Open,
        reason: "asked_for_person".into(),
        priority: "normal".into(),
        lang: Lang::En,
        created_at: NOW + id,
        first_response_at: None,
        closed_at: None,
        assignee: None,
        summary: format!("ticket {id}"),
        rating: None,
        comment: None,
        overdue_flagged_at: None,
    }
}
