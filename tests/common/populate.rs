//! A sled data directory holding every kind of record, written through the real APIs: the
//! desk (users, a language, a linked address, conversations, tickets, a rating and its
//! comment, statistics events) and the store's calls the staff side and the alert watcher make
//! (staff, a macro, a ban, the audit log, an FAQ edit, a broadcast, a thread, a marked staff
//! message, a relay, the maintenance notice, alert settings, states, outbox, a sent alert and
//! the watch cursors).

use std::path::Path;

use alloy::primitives::Address;
use lendesk::chain::markets::Markets;
use lendesk::desk::Incoming;
use lendesk::store::{
    AlertMark, AlertSettings, Arming, BanKind, BanRecord, Broadcast, FaqEdit, LastAlert, Macro,
    Maintenance, NoticeKind, OutboxButton, OutboxEntry, QuietHours, RelayedMessage, Severity,
    StaffMember, Store, TicketThread,
};

/// The time the fixture's records are written at.
pub const NOW: u64 = 1_700_000_000;
/// The fixture's main user (user 7 is the other).
pub const USER: i64 = 4242;

fn msg(user: i64, text: &str, now: u64) -> Incoming {
    Incoming {
        user,
        text: text.to_string(),
        now,
        ..Default::default()
    }
}

/// Fills the sled store in `dir` (created if absent) with every kind of record; see the
/// module docs. The store is flushed and closed when it returns.
pub async fn populate(dir: &Path) {
    let store = Store::open(dir).expect("open");
    let desk = super::desk(Markets::none(), store.clone());
    for (user, text) in [
        (USER, "/lang zh"),
        (USER, "/link 0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        (USER, "what is a health factor"),
        (USER, "flibbertigibbet quux"),
        (USER, "/human my liquidation looks wrong"),
        (7, "what are aTokens"),
        (7, "/human please call me"),
    ] {
        desk.handle(msg(user, text, NOW)).await;
    }
    let ticket = desk
        .tickets()
        .open_for(7)
        .await
        .unwrap()
        .expect("ticket of 7");
    desk.tickets().close(ticket.id, NOW + 60).await.unwrap();
    desk.button(7, &format!("rate:{}:4", ticket.id), None, NOW + 61)
        .await;
    desk.handle(msg(7, "quick and kind", NOW + 62)).await;
    desk.flush_events().await;
    store
        .add_staff(&StaffMember {
            id: 900,
            username: Some("agent".into()),
            added_by: 1,
            added_at: NOW,
        })
        .await
        .unwrap();
    store
        .save_macro(&Macro {
            name: "gas".into(),
            en: "Gas is the fee".into(),
            zh: "Gas 是手续费".into(),
            by: 900,
            at: NOW,
        })
        .await
        .unwrap();
    store
        .save_ban(&BanRecord {
            user: 13,
            kind: BanKind::Ban,
            by: 900,
            at: NOW,
            reason: "spam".into(),
        })
        .await
        .unwrap();
    store.audit(NOW, 900, "ban", "13 spam").await.unwrap();
    let mut topic = desk
        .knowledge()
        .topic("gas-fees")
        .cloned()
        .expect("a topic");
    topic.en.answer.push_str("\nEdited by staff.");
    store
        .save_faq_edit(&FaqEdit {
            id: topic.id.clone(),
            topic: Some(topic),
            by: 900,
            at: NOW,
        })
        .await
        .unwrap();
    let id = store.next_broadcast_id().await.unwrap();
    store
        .save_broadcast(&Broadcast {
            id,
            text: "Upgrade tonight".into(),
            lang: None,
            by: 900,
            created_at: NOW,
            cursor: Some(7),
            sent: 1,
            failed: 0,
            skipped: 1,
            done: true,
            progress_message: Some((-100, 5)),
        })
        .await
        .unwrap();
    store
        .save_thread(&TicketThread {
            ticket: ticket.id,
            chat: -100,
            thread: Some(55),
            card: Some(56),
        })
        .await
        .unwrap();
    store
        .save_ticket_message(-100, 56, ticket.id)
        .await
        .unwrap();
    store
        .save_relay(&RelayedMessage {
            ticket: ticket.id,
            user_chat: 7,
            user_message: 10,
            staff_chat: -100,
            staff_message: 77,
            from_staff: false,
        })
        .await
        .unwrap();
    store
        .set_maintenance(Some(&Maintenance {
            text: "RPC upgrade".into(),
            by: 900,
            since: NOW,
        }))
        .await
        .unwrap();
    alerts(&store).await;
    drop(desk);
    store.flush().await.unwrap();
}

/// The alert watcher's records: settings, states with their outbox entries, one of them sent,
/// and each market's last block.
async fn alerts(store: &Store) {
    let address = Address::repeat_byte(0x70);
    store
        .save_alert_settings(&AlertSettings {
            enabled: true,
            watched: vec![address],
            quiet: Some(QuietHours {
                from: 22 * 60,
                to: 7 * 60,
                utc_offset: 480,
            }),
            ..AlertSettings::new(USER, 13_000, 11_000)
        })
        .await
        .unwrap();
    let mark = |user: i64, market: &str| AlertMark {
        user,
        market: market.into(),
        address,
        arming: Arming {
            started: true,
            warning: false,
            critical: true,
        },
        crossings: 1,
        last_alert: Some(LastAlert {
            at: NOW,
            severity: Severity::Warning,
            health_factor: "1.21".into(),
            block: 19_000_000,
        }),
        held: None,
    };
    let entry = |key: &str, user: i64, kind: NoticeKind| OutboxEntry {
        key: key.into(),
        user,
        market: "base".into(),
        address,
        kind,
        text: format!("alert {key}"),
        buttons: vec![vec![OutboxButton {
            label: "Mute".into(),
            data: format!("mute:{key}"),
        }]],
        created_at: NOW,
        seq: 0,
    };
    store
        .save_alert_marks(
            &[mark(USER, "base"), mark(USER, "devnet"), mark(7, "base")],
            &[
                entry("4242:base:1", USER, NoticeKind::Alert(Severity::Warning)),
                entry("7:base:1", 7, NoticeKind::Alert(Severity::Critical)),
                entry("4242:devnet:1", USER, NoticeKind::Liquidation),
            ],
        )
        .await
        .unwrap();
    let first = store.alert_outbox().await.unwrap().remove(0);
    store.mark_alert_sent(&first, NOW + 100).await.unwrap();
    store.set_watch_cursor("base", 19_000_042).await.unwrap();
    store.set_watch_cursor("devnet", 42).await.unwrap();
}
