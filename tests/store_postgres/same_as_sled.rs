//! The store's conformance suite: each test runs the same operations through the one interface
//! ([`Store`]) on a temporary sled store and on a fresh PostgreSQL database and asserts the same
//! results, for every kind of record; then what only PostgreSQL can show (numbers and ticket changes from concurrent
//! tasks, no secret in any table).

use std::collections::BTreeSet;

use alloy::primitives::Address;
use lendesk::lang::Lang;
use lendesk::store::{
    ANONYMOUS, AlertMark, AlertSettings, Arming, BanKind, BanRecord, Broadcast, FaqEdit,
    ForgetSummary, HISTORY_LIMIT, HistoryEntry, LastAlert, Macro, Maintenance, MessageEvent,
    NoticeKind, OutboxButton, OutboxEntry, QuietHours, RelayedMessage, Severity, Speaker,
    StaffMember, Store, StoreError, TicketRecord, TicketStatus, TicketThread, UserRecord,
};

use super::TestDb;

/// The two backends side by side.
struct Pair {
    sled: Store,
    pg: Store,
    _db: TestDb,
}

impl Pair {
    /// A temporary sled store and a fresh database, or `None` when no server answers and none
    /// is required.
    async fn new(tag: &str) -> Option<Pair> {
        let db = TestDb::new(tag).await?;
        let pg = Store::connect(&db.url).await.expect("connect");
        Some(Pair {
            sled: Store::temporary().expect("sled"),
            pg,
            _db: db,
        })
    }
}

/// Calls one method with the same arguments on both backends (the arguments are evaluated
/// once per backend), asserts that both succeed with equal results, and gives PostgreSQL's.
macro_rules! same {
    ($pair:expr, $method:ident $(::<$t:ty>)? ($($arg:expr),* $(,)?)) => {{
        let sled = $pair.sled.$method$(::<$t>)?($($arg),*).await;
        let pg = $pair.pg.$method$(::<$t>)?($($arg),*).await;
        let sled = sled.expect(concat!("sled: ", stringify!($method)));
        let pg = pg.expect(concat!("PostgreSQL: ", stringify!($method)));
        assert_eq!(sled, pg, "{} differs", stringify!($method));
        pg
    }};
}

fn user(id: i64, name: &str) -> UserRecord {
    UserRecord {
        username: Some(name.into()),
        display_name: Some(format!("{name} 用户")),
        started_at: Some(1_700_000_000),
        lang: Some(Lang::Zh),
        ..UserRecord::new(id)
    }
}

fn ticket(id: u64, user: i64, summary: &str) -> TicketRecord {
    TicketRecord {
        id,
        user,
        status: TicketStatus::Open,
        reason: "asked_for_person".into(),
        priority: "normal".into(),
        lang: Lang::En,
        created_at: 1_700_000_000 + id,
        first_response_at: None,
        closed_at: None,
        assignee: None,
        summary: summary.into(),
        rating: None,
        comment: None,
        overdue_flagged_at: None,
    }
}

fn relay(ticket: u64, user_chat: i64, user_message: i32, staff_message: i32) -> RelayedMessage {
    RelayedMessage {
        ticket,
        user_chat,
        user_message,
        staff_chat: -100_123,
        staff_message,
        from_staff: false,
    }
}

fn event(at: u64, user: i64, intent: &str, topic: Option<&str>) -> MessageEvent {
    MessageEvent {
        count: 1,
        at,
        user,
        intent: intent.into(),
        topic: topic.map(Into::into),
        question: None,
        guarded_markets: Vec::new(),
    }
}

fn question(at: u64, user: i64, text: &str) -> MessageEvent {
    MessageEvent {
        question: Some(text.into()),
        ..event(at, user, "clarify", None)
    }
}

fn mark(user: i64, market: &str, byte: u8) -> AlertMark {
    AlertMark {
        user,
        market: market.into(),
        address: Address::repeat_byte(byte),
        arming: Arming {
            started: true,
            warning: byte.is_multiple_of(2),
            critical: true,
        },
        crossings: u64::from(byte),
        last_alert: Some(LastAlert {
            at: 1_700_000_000,
            severity: Severity::Warning,
            health_factor: "1.21".into(),
            block: 19_000_000,
        }),
        held: None,
    }
}

fn outbox(key: &str, user: i64, kind: NoticeKind) -> OutboxEntry {
    OutboxEntry {
        key: key.into(),
        user,
        market: "base".into(),
        address: Address::repeat_byte(7),
        kind,
        text: format!("alert {key}"),
        buttons: vec![vec![OutboxButton {
            label: "Mute".into(),
            data: format!("mute:{key}"),
        }]],
        created_at: 1_700_000_000,
        seq: 0,
    }
}

fn settings(user: i64) -> AlertSettings {
    AlertSettings {
        enabled: true,
        watched: vec![Address::repeat_byte(3)],
        snooze_until: 1_700_000_600,
        quiet: Some(QuietHours {
            from: 22 * 60,
            to: 7 * 60,
            utc_offset: 480,
        }),
        ..AlertSettings::new(user, 13_000, 11_000)
    }
}

// --- users and conversations -------------------------------------------------------------

#[tokio::test]
async fn users_and_conversations_are_the_same_on_both() {
    let Some(s) = Pair::new("users").await else {
        return;
    };
    // Ids in an order that is not sled's: negative ids come after positive ones there.
    for id in [42, -5, 7, i64::MAX, i64::MIN, 0] {
        same!(s, save_user(&user(id, "alice"), id % 2 == 0));
    }
    let mut changed = user(7, "bob");
    changed.link(Address::repeat_byte(9));
    same!(s, save_user(&changed, true));
    assert_eq!(
        same!(s, user(7)).expect("saved").username.as_deref(),
        Some("bob")
    );
    assert!(same!(s, user(8)).is_none());
    let ids: Vec<i64> = same!(s, users()).iter().map(|u| u.id).collect();
    assert_eq!(ids, [0, 7, 42, i64::MAX, i64::MIN, -5]);

    let lines: Vec<HistoryEntry> = (0..50u64)
        .map(|i| HistoryEntry::new(i, Speaker::User, &format!("line {i} 你好")))
        .collect();
    same!(s, save_history(5, &lines));
    let kept = same!(s, history(5));
    assert_eq!(kept.len(), HISTORY_LIMIT);
    assert_eq!(kept.first().map(|l| l.at), Some(30));
    same!(s, save_history(5, &lines[..3]));
    assert_eq!(same!(s, history(5)).len(), 3, "replaced");
    same!(s, save_history(6, &[]));
    assert!(same!(s, history(6)).is_empty());
    assert!(same!(s, history(9)).is_empty(), "none saved");
    same!(s, flush());
}

// --- tickets -----------------------------------------------------------------------------

#[derive(Debug)]
enum Refusal {
    Store(#[allow(dead_code)] StoreError),
    NotNow,
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

#[tokio::test]
async fn tickets_are_numbered_saved_changed_and_listed_the_same() {
    let Some(s) = Pair::new("tickets").await else {
        return;
    };
    for (user, summary) in [(7, "lost funds"), (8, "cannot borrow"), (7, "again")] {
        let id = same!(s, next_ticket_id());
        same!(s, save_ticket(&ticket(id, user, summary)));
    }
    assert_eq!(same!(s, next_ticket_id()), 4, "numbers go on, never reused");
    assert_eq!(same!(s, ticket(2)).expect("saved").summary, "cannot borrow");
    assert!(same!(s, ticket(4)).is_none(), "taken, not saved");
    assert!(same!(s, ticket(u64::MAX)).is_none());
    let of_7: Vec<u64> = same!(s, tickets_of(7)).iter().map(|t| t.id).collect();
    assert_eq!(of_7, [1, 3]);
    assert!(same!(s, tickets_of(9)).is_empty());

    let rated = same!(
        s,
        update_ticket::<StoreError>(1, |t| {
            t.status = TicketStatus::Closed;
            t.rating = Some(5);
            Ok(())
        })
    );
    assert_eq!(rated.expect("exists").rating, Some(5));
    assert!(same!(s, update_ticket::<StoreError>(99, |_| Ok(()))).is_none());

    // A change that fails writes nothing, on either.
    let refuse = |t: &mut TicketRecord| {
        t.summary = "must not be written".into();
        Err(Refusal::NotNow)
    };
    assert!(matches!(
        s.sled.update_ticket(3, refuse).await,
        Err(Refusal::NotNow)
    ));
    assert!(matches!(
        s.pg.update_ticket(3, refuse).await,
        Err(Refusal::NotNow)
    ));
    assert_eq!(same!(s, ticket(3)).expect("kept").summary, "again");
    // The row lock was released with the rollback: the next change goes through.
    assert!(
        same!(
            s,
            update_ticket::<StoreError>(3, |t| {
                t.assignee = Some(11);
                Ok(())
            })
        )
        .is_some()
    );
    assert_eq!(same!(s, tickets()).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tasks_never_get_the_same_ticket_number() {
    let Some(db) = TestDb::new("numbers").await else {
        return;
    };
    let store = Store::connect(&db.url).await.expect("connect");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut taken = Vec::new();
                for _ in 0..50 {
                    taken.push(store.next_ticket_id().await.expect("number"));
                }
                taken
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("task"));
    }
    let distinct: BTreeSet<u64> = all.iter().copied().collect();
    assert_eq!(all.len(), 400);
    assert_eq!(
        distinct,
        (1..=400).collect(),
        "400 distinct numbers, 1 to 400"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_changers_of_a_ticket_both_apply() {
    let Some(db) = TestDb::new("changers").await else {
        return;
    };
    let store = Store::connect(&db.url).await.expect("connect");
    store.save_ticket(&ticket(1, 7, "")).await.expect("save");
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let changer = |letter: char| {
        let (store, runs) = (store.clone(), runs.clone());
        tokio::spawn(async move {
            for _ in 0..25 {
                store
                    .update_ticket::<StoreError>(1, |t| {
                        runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        t.summary.push(letter);
                        // Widens the window in which the other changer reads the ticket.
                        std::thread::sleep(std::time::Duration::from_millis(1));
                        Ok(())
                    })
                    .await
                    .expect("change")
                    .expect("exists");
            }
        })
    };
    let (a, b) = (changer('a'), changer('b'));
    a.await.expect("a");
    b.await.expect("b");
    let summary = store.ticket(1).await.expect("read").expect("kept").summary;
    assert_eq!(summary.matches('a').count(), 25, "{summary}");
    assert_eq!(summary.matches('b').count(), 25, "{summary}");
    assert_eq!(
        runs.load(std::sync::atomic::Ordering::SeqCst),
        50,
        "each change ran once"
    );
}

// --- the staff chat ----------------------------------------------------------------------

#[tokio::test]
async fn threads_marked_messages_and_relays_are_the_same_on_both() {
    let Some(s) = Pair::new("threads").await else {
        return;
    };
    let thread = |ticket, thread| TicketThread {
        ticket,
        chat: -100_123,
        thread,
        card: Some(500 + ticket as i32),
    };
    same!(s, save_thread(&thread(1, Some(55))));
    same!(s, save_thread(&thread(2, None)));
    assert_eq!(same!(s, ticket_in_thread(-100_123, 55)), Some(1));
    assert_eq!(same!(s, thread_of(2)).expect("saved").thread, None);
    assert!(same!(s, thread_of(3)).is_none());
    // A topic keeps the ticket last saved there; the old topic of a moved ticket stays.
    same!(s, save_thread(&thread(3, Some(55))));
    same!(s, save_thread(&thread(1, Some(66))));
    assert_eq!(same!(s, ticket_in_thread(-100_123, 55)), Some(3));
    assert_eq!(same!(s, ticket_in_thread(-100_123, 66)), Some(1));
    assert_eq!(same!(s, ticket_in_thread(-100_123, 77)), None);
    assert_eq!(same!(s, ticket_in_thread(-1, 55)), None);

    same!(s, save_ticket_message(-100_123, 900, 2));
    same!(s, save_relay(&relay(4, 42, 10, 901)));
    assert_eq!(same!(s, ticket_of_staff_message(-100_123, 900)), Some(2));
    assert_eq!(same!(s, ticket_of_staff_message(-100_123, 901)), Some(4));
    assert_eq!(same!(s, ticket_of_staff_message(-100_123, 902)), None);
    // A mark wins over a relay of the same message.
    same!(s, save_ticket_message(-100_123, 901, 5));
    assert_eq!(same!(s, ticket_of_staff_message(-100_123, 901)), Some(5));

    let staff_reply = RelayedMessage {
        from_staff: true,
        ..relay(4, 42, 11, 903)
    };
    same!(s, save_relay(&staff_reply));
    assert_eq!(same!(s, relay_of_user_message(42, 11)), Some(staff_reply));
    assert_eq!(
        same!(s, relay_of_staff_message(-100_123, 903)),
        Some(staff_reply)
    );
    assert_eq!(same!(s, relay_of_staff_message(42, 11)), None, "wrong side");
    assert_eq!(
        same!(s, relay_of_user_message(-100_123, 903)),
        None,
        "wrong side"
    );
}

// --- staff, macros, FAQ edits, bans ----------------------------------------------------------

#[tokio::test]
async fn staff_macros_faq_edits_and_bans_are_the_same_on_both() {
    let Some(s) = Pair::new("staff").await else {
        return;
    };
    let member = |id: i64| StaffMember {
        id,
        username: Some(format!("agent{id}")),
        added_by: 1,
        added_at: 1_700_000_000,
    };
    assert!(same!(s, add_staff(&member(20))), "new");
    assert!(!same!(s, add_staff(&member(20))), "already staff");
    assert!(same!(s, add_staff(&member(-3))));
    assert!(same!(s, add_staff(&member(10))));
    let ids: Vec<i64> = same!(s, staff_members()).iter().map(|m| m.id).collect();
    assert_eq!(ids, [10, 20, -3]);
    assert!(same!(s, remove_staff(20)));
    assert!(!same!(s, remove_staff(20)));
    assert!(same!(s, staff_member(20)).is_none());
    assert!(same!(s, staff_member(10)).is_some());

    for name in ["gas", "Gas", "été", "a", "ab", "z"] {
        let m = Macro {
            name: name.into(),
            en: format!("{name} in English"),
            zh: format!("{name} 中文"),
            by: 1,
            at: 5,
        };
        same!(s, save_macro(&m));
    }
    let names: Vec<String> = same!(s, macros()).into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["Gas", "a", "ab", "gas", "z", "été"], "bytewise");
    assert!(same!(s, macro_named("été")).is_some());
    assert!(same!(s, remove_macro("gas")));
    assert!(!same!(s, remove_macro("gas")));
    assert!(same!(s, macro_named("gas")).is_none());

    let faq = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("faq");
    let kb = lendesk::knowledge::KnowledgeBase::load_dir(&faq).expect("faq");
    for topic in kb.topics().iter().take(3) {
        let edit = FaqEdit {
            id: topic.id.clone(),
            topic: Some(topic.clone()),
            by: 1,
            at: 9,
        };
        same!(s, save_faq_edit(&edit));
    }
    let removal = FaqEdit {
        id: "Zz-removed".into(),
        topic: None,
        by: 2,
        at: 10,
    };
    same!(s, save_faq_edit(&removal));
    assert_eq!(same!(s, faq_edits()).len(), 4);
    assert!(same!(s, remove_faq_edit("Zz-removed")));
    assert!(!same!(s, remove_faq_edit("Zz-removed")));
    assert_eq!(same!(s, faq_edits()).len(), 3);

    for (user, kind) in [(13, BanKind::Shadow), (-4, BanKind::Ban), (2, BanKind::Ban)] {
        let ban = BanRecord {
            user,
            kind,
            by: 1,
            at: 5,
            reason: format!("spam {user}"),
        };
        same!(s, save_ban(&ban));
    }
    let banned: Vec<i64> = same!(s, bans()).iter().map(|b| b.user).collect();
    assert_eq!(banned, [2, 13, -4]);
    assert_eq!(same!(s, ban_of(13)).expect("banned").kind, BanKind::Shadow);
    let lifted = same!(s, remove_ban(13)).expect("the ban lifted");
    assert_eq!(lifted.reason, "spam 13");
    assert!(same!(s, remove_ban(13)).is_none());
    assert!(same!(s, ban_of(13)).is_none());
}

// --- the audit log, broadcasts, maintenance ------------------------------------------------

#[tokio::test]
async fn audit_broadcasts_and_maintenance_are_the_same_on_both() {
    let Some(s) = Pair::new("audit").await else {
        return;
    };
    for (i, action) in ["ban", "unban", "macro", "faq edit", "broadcast"]
        .iter()
        .enumerate()
    {
        let entry = same!(s, audit(100 + i as u64, 1, action, &format!("detail {i}")));
        assert_eq!(entry.seq, i as u64 + 1);
    }
    let long = "x".repeat(800);
    assert_eq!(same!(s, audit(200, 2, "long", &long)).detail.len(), 500);
    let last3: Vec<u64> = same!(s, audit_log(3)).iter().map(|e| e.seq).collect();
    assert_eq!(last3, [6, 5, 4], "newest first");
    assert_eq!(same!(s, audit_log(100)).len(), 6);
    assert!(same!(s, audit_log(0)).is_empty());

    let id = same!(s, next_broadcast_id());
    let mut b = Broadcast {
        id,
        text: "Scheduled maintenance 维护".into(),
        lang: Some(Lang::Zh),
        by: 1,
        created_at: 1_700_000_000,
        cursor: None,
        sent: 0,
        failed: 0,
        skipped: 0,
        done: false,
        progress_message: Some((-100_123, 77)),
    };
    same!(s, save_broadcast(&b));
    b.cursor = Some(42);
    b.sent = 10;
    b.failed = 1;
    b.skipped = 3;
    same!(s, save_broadcast(&b));
    let second = same!(s, next_broadcast_id());
    assert_eq!(second, 2);
    same!(
        s,
        save_broadcast(&Broadcast {
            id: second,
            lang: None,
            cursor: Some(-1),
            done: true,
            progress_message: None,
            ..b.clone()
        })
    );
    let saved = same!(s, broadcast(id)).expect("saved");
    assert_eq!(
        (saved.cursor, saved.sent, saved.done),
        (Some(42), 10, false)
    );
    assert!(same!(s, broadcast(3)).is_none());
    assert_eq!(same!(s, broadcasts()).len(), 2);

    assert!(same!(s, maintenance()).is_none());
    let notice = Maintenance {
        text: "RPC down".into(),
        by: 1,
        since: 50,
    };
    same!(s, set_maintenance(Some(&notice)));
    assert_eq!(same!(s, maintenance()), Some(notice));
    same!(s, set_maintenance(None));
    assert!(same!(s, maintenance()).is_none());
    same!(s, set_maintenance(None));
}

// --- statistics events -------------------------------------------------------------------

#[tokio::test]
async fn events_are_collapsed_read_and_pruned_the_same_on_both() {
    let Some(s) = Pair::new("events").await else {
        return;
    };
    same!(s, record_event(&question(300, 5, "what is x")));
    same!(s, record_event(&question(120, 6, "what is y")));
    same!(s, record_event(&event(61, 5, "faq", Some("health-factor"))));
    same!(s, record_event(&question(60, 5, "what is z")));
    same!(s, record_event(&question(60, 0, "nobody's")));
    // The batch of sled's own test, spread over two minutes, with a guarded answer.
    let guarded = MessageEvent {
        guarded_markets: vec!["base".into()],
        ..event(600, 7, "faq", Some("health-factor"))
    };
    let batch = [
        event(600, 7, "faq", Some("health-factor")),
        guarded.clone(),
        event(659, 8, "faq", Some("health-factor")),
        question(610, 7, "what is x"),
        MessageEvent {
            count: 3,
            ..event(620, 9, "faq", Some("health-factor"))
        },
        guarded,
        event(660, 7, "faq", Some("health-factor")),
        event(605, 7, "position", None),
        question(600, 8, "same time, another question"),
    ];
    same!(s, record_events(&batch));
    same!(s, record_events(&[]));
    let since_600 = same!(s, events_since(600));
    assert_eq!(since_600.len(), 6, "{since_600:?}");
    assert_eq!(since_600.iter().map(|e| e.count).sum::<u64>(), 11);
    for since in [0, 59, 60, 61, 300, 301, 660, 661, u64::MAX] {
        same!(s, events_since(since));
    }
    for user in [5, 6, 7, 8, 9, 0] {
        same!(s, events_of(user));
    }
    assert_eq!(same!(s, events_of(5)).len(), 2);
    assert_eq!(same!(s, prune_events(120)), 3);
    assert_eq!(same!(s, prune_events(120)), 0);
    same!(s, events_of(5));
    same!(s, events_since(0));
    assert_eq!(same!(s, prune_events(u64::MAX)), 8);
    assert!(same!(s, events_since(0)).is_empty());
}

// --- alerts ------------------------------------------------------------------------------

#[tokio::test]
async fn alert_records_are_the_same_on_both() {
    let Some(s) = Pair::new("alerts").await else {
        return;
    };
    assert!(same!(s, alert_settings(7)).is_none());
    for user in [7, -2, 3] {
        same!(s, save_alert_settings(&settings(user)));
    }
    let mut off = settings(7);
    off.enabled = false;
    same!(s, save_alert_settings(&off));
    assert_eq!(same!(s, alert_settings(7)), Some(off));
    let users: Vec<i64> = same!(s, all_alert_settings())
        .iter()
        .map(|a| a.user)
        .collect();
    assert_eq!(users, [3, 7, -2]);

    let marks = [
        mark(7, "base", 1),
        mark(7, "Base", 2),
        mark(-2, "base", 1),
        mark(7, "ab", 1),
        mark(7, "a", 3),
        mark(7, "a", 2),
        mark(3, "base", 1),
    ];
    let entries = [
        outbox("7:a", 7, NoticeKind::Alert(Severity::Warning)),
        outbox("3:b", 3, NoticeKind::Alert(Severity::Critical)),
        outbox("7:c", 7, NoticeKind::State),
        outbox("-2:d", -2, NoticeKind::Liquidation),
    ];
    same!(s, save_alert_marks(&marks, &entries));
    // A later state of the same watch and an entry written again, in one step.
    let mut again = mark(7, "base", 1);
    again.crossings = 9;
    same!(
        s,
        save_alert_marks(
            &[again.clone(), mark(7, "base", 4), again.clone()],
            &[
                outbox("7:a", 7, NoticeKind::Alert(Severity::Warning)),
                outbox("7:e", 7, NoticeKind::Alert(Severity::Critical)),
                outbox("7:e", 7, NoticeKind::Alert(Severity::Critical)),
            ]
        )
    );
    same!(s, save_alert_marks(&[], &[]));
    assert_eq!(
        same!(s, alert_mark(7, "base", Address::repeat_byte(1))),
        Some(again)
    );
    assert!(same!(s, alert_mark(7, "base", Address::repeat_byte(9))).is_none());
    let all = same!(s, alert_marks());
    assert_eq!(all.len(), 8);
    assert_eq!(all.first().map(|m| m.user), Some(3));
    let of_7: Vec<(String, u8)> = same!(s, alert_marks_of(7))
        .into_iter()
        .map(|m| (m.market, m.address.0[0]))
        .collect();
    assert_eq!(of_7.first(), Some(&("Base".to_string(), 2)));

    let keys = |entries: Vec<OutboxEntry>| -> Vec<(String, u64)> {
        entries.into_iter().map(|e| (e.key, e.seq)).collect()
    };
    let queued = keys(same!(s, alert_outbox()));
    assert_eq!(queued.len(), 5);
    assert_eq!(
        queued.first().map(|q| q.0.as_str()),
        Some("3:b"),
        "urgent first"
    );

    let b = outbox("3:b", 3, NoticeKind::Alert(Severity::Critical));
    same!(s, mark_alert_sent(&b, 100));
    same!(
        s,
        mark_alert_sent(&outbox("7:c", 7, NoticeKind::State), 100)
    );
    same!(s, mark_alert_sent(&b, 150));
    assert!(same!(s, alert_was_sent("3:b")));
    assert!(!same!(s, alert_was_sent("7:a")));
    same!(s, drop_alert("-2:d"));
    same!(s, drop_alert("nothing"));
    assert_eq!(same!(s, alert_outbox()).len(), 2);
    for since in [0, 100, 101, 150, 151, u64::MAX] {
        same!(s, alerts_sent_since(since));
    }
    assert_eq!(same!(s, alerts_sent_since(0)).len(), 3);

    same!(s, remove_alert_mark(7, "a", Address::repeat_byte(3)));
    same!(s, remove_alert_mark(7, "a", Address::repeat_byte(3)));
    assert_eq!(same!(s, alert_marks_of(7)).len(), 5);

    assert_eq!(same!(s, watch_cursor("base")), None);
    same!(s, set_watch_cursor("base", 19_000_000));
    same!(s, set_watch_cursor("base", 19_000_100));
    same!(s, set_watch_cursor("mainnet", 1));
    assert_eq!(same!(s, watch_cursor("base")), Some(19_000_100));
    assert_eq!(same!(s, watch_cursor("mainnet")), Some(1));
    same!(s, set_watch_cursor("base#1/2", 19_000_050));
    same!(s, set_watch_cursor("based", 3));
    assert_eq!(
        same!(s, watch_cursors_of("base")),
        vec![
            ("base".to_string(), 19_000_100),
            ("base#1/2".to_string(), 19_000_050)
        ]
    );
}

// --- forgetting a user -------------------------------------------------------------------

/// Everything a user can leave behind, for users 7 and 8.
async fn a_user_with_everything(s: &Pair, user: i64) {
    same!(s, save_user(&self::user(user, "u"), true));
    let lines = [HistoryEntry::new(1, Speaker::User, "hi")];
    same!(s, save_history(user, &lines));
    for _ in 0..2 {
        let id = same!(s, next_ticket_id());
        same!(s, save_ticket(&ticket(id, user, "help")));
        same!(s, save_relay(&relay(id, user, id as i32, 900 + id as i32)));
    }
    same!(s, record_event(&question(60, user, "what is x")));
    same!(s, record_event(&event(120, user, "faq", Some("borrow"))));
    same!(s, save_alert_settings(&settings(user)));
    let key = format!("{user}:alert");
    same!(
        s,
        save_alert_marks(
            &[mark(user, "base", 1)],
            &[
                outbox(&key, user, NoticeKind::Alert(Severity::Warning)),
                outbox(&format!("{user}:later"), user, NoticeKind::State),
            ]
        )
    );
    same!(
        s,
        mark_alert_sent(&outbox(&key, user, NoticeKind::State), 70)
    );
}

#[tokio::test]
async fn forgetting_a_user_is_the_same_on_both() {
    let Some(s) = Pair::new("forget").await else {
        return;
    };
    a_user_with_everything(&s, 7).await;
    a_user_with_everything(&s, 8).await;
    let summary = same!(s, forget_user(7));
    assert_eq!(
        summary,
        ForgetSummary {
            user: true,
            tickets: vec![1, 2],
            events: 1,
            relays: 2,
            alerts: 4,
        }
    );
    assert!(same!(s, user(7)).is_none());
    assert!(same!(s, history(7)).is_empty());
    assert!(same!(s, tickets_of(7)).is_empty());
    assert!(same!(s, tickets_of(ANONYMOUS)).is_empty());
    assert_eq!(same!(s, ticket(1)).expect("kept").user, ANONYMOUS);
    assert!(same!(s, events_of(7)).is_empty());
    assert!(same!(s, relay_of_user_message(7, 1)).is_none());
    assert!(same!(s, relay_of_staff_message(-100_123, 901)).is_none());
    assert!(same!(s, alert_settings(7)).is_none());
    assert!(same!(s, alert_marks_of(7)).is_empty());
    assert!(!same!(s, alert_was_sent("7:alert")));
    // The other user keeps everything; statistics without a user stay.
    assert!(same!(s, user(8)).is_some());
    assert_eq!(same!(s, tickets_of(8)).len(), 2);
    assert_eq!(same!(s, events_of(8)).len(), 1);
    assert!(same!(s, alert_was_sent("8:alert")));
    same!(s, events_since(0));
    same!(s, alert_outbox());
    same!(s, alerts_sent_since(0));
    same!(s, tickets());
    assert_eq!(
        same!(s, forget_user(7)),
        ForgetSummary::default(),
        "nothing left"
    );
}

// --- secrets -------------------------------------------------------------------------------

#[tokio::test]
async fn a_secret_written_in_any_record_never_reaches_a_table() {
    let Some(db) = TestDb::new("secrets").await else {
        return;
    };
    let store = Store::connect(&db.url).await.expect("connect");
    let key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    let said = format!("my key is {key} please help");
    let mut person = user(7, &said);
    person.recent_topics.push(said.clone());
    store.save_user(&person, true).await.expect("user");
    let lines = [HistoryEntry::new(1, Speaker::User, &said)];
    store.save_history(7, &lines).await.expect("history");
    let mut t = ticket(1, 7, &said);
    t.comment = Some(said.clone());
    store.save_ticket(&t).await.expect("ticket");
    store
        .update_ticket::<StoreError>(1, |t| {
            t.comment = Some(format!("again: {key}"));
            Ok(())
        })
        .await
        .expect("change");
    let m = Macro {
        name: "keys".into(),
        en: said.clone(),
        zh: said.clone(),
        by: 1,
        at: 1,
    };
    store.save_macro(&m).await.expect("macro");
    store.audit(1, 1, "note", &said).await.expect("audit");
    let ban = BanRecord {
        user: 9,
        kind: BanKind::Ban,
        by: 1,
        at: 1,
        reason: said.clone(),
    };
    store.save_ban(&ban).await.expect("ban");
    store
        .record_events(&[question(60, 7, &said)])
        .await
        .expect("event");
    let notice = Maintenance {
        text: said.clone(),
        by: 1,
        since: 1,
    };
    store.set_maintenance(Some(&notice)).await.expect("notice");
    let mut alert = outbox("7:k", 7, NoticeKind::State);
    alert.text = said.clone();
    store.save_alert_marks(&[], &[alert]).await.expect("outbox");

    let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let tables = super::tables(&db.url).await;
    assert!(tables.len() > 20, "{tables:?}");
    let mut seen = 0;
    for table in tables {
        let dump: String = client
            .query_one(
                &format!("SELECT coalesce(string_agg(t::text, ' '), '') FROM {table} t"),
                &[],
            )
            .await
            .expect("dump")
            .get(0);
        assert!(!dump.contains(key), "the key is in {table}: {dump}");
        seen += usize::from(dump.contains("[redacted]"));
    }
    assert!(
        seen >= 9,
        "the redacted records were written ({seen} tables)"
    );
}
