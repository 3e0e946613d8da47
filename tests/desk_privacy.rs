//! Privacy that matches what the FAQ says, over a real sled store on disk and the shipped
//! knowledge base: `/mydata` sends everything stored about the user, `/forget` deletes it after
//! a confirmation (tickets stay for staff, anonymised; the audit line names nobody), statistics
//! events and question texts expire, and no store write path lets a secret reach the sled files.

use std::path::{Path, PathBuf};

use alloy::signers::local::PrivateKeySigner;
use lendesk::chain::markets::Markets;
use lendesk::desk::{Desk, DeskSettings, Incoming, Intent, Outcome};
use lendesk::knowledge::KnowledgeBase;
use lendesk::lang::Lang;
use lendesk::store::{
    ANONYMOUS, BanKind, BanRecord, Broadcast, FaqEdit, HistoryEntry, Macro, Maintenance,
    MessageEvent, Speaker, Store, UserRecord,
};
use lendesk::tickets::{SlaConfig, Tickets};

const NOW: u64 = 1_700_000_000;
const DAY: u64 = 86_400;
const ADDRESS: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    desk: Desk,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let kb =
        KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq");
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    let desk = Desk::new(
        kb,
        Markets::none(),
        tickets,
        store.clone(),
        DeskSettings::default(),
    );
    Fixture { dir, store, desk }
}

fn msg(user: i64, text: &str, now: u64) -> Incoming {
    Incoming {
        user,
        text: text.to_string(),
        now,
        username: Some("alice_defi".into()),
        display_name: Some("Alice Liquidity".into()),
        ..Default::default()
    }
}

async fn say(desk: &Desk, user: i64, text: &str, now: u64) -> Outcome {
    desk.handle(msg(user, text, now)).await
}

/// The JSON document of a /mydata answer (the fenced blocks after the introduction, joined).
fn document(out: &Outcome) -> serde_json::Value {
    let json: String = out.replies[1..]
        .iter()
        .map(|r| {
            r.text
                .trim_start_matches("```\n")
                .trim_end_matches("\n```")
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("not one JSON document ({e}): {json}"))
}

/// A user who linked an address, asked something the bot could not answer, and opened a
/// ticket that was closed and rated with a comment.
async fn active_user(f: &Fixture, user: i64) -> u64 {
    say(&f.desk, user, &format!("/link {ADDRESS}"), NOW).await;
    say(&f.desk, user, "qwertyuiop zxcvbnm", NOW + 1).await;
    let out = say(&f.desk, user, "/human my withdrawal is stuck", NOW + 2).await;
    let ticket = out.ticket.expect("a ticket");
    f.desk.tickets().close(ticket, NOW + 60).await.unwrap();
    f.desk
        .button(user, &format!("rate:{ticket}:5"), None, NOW + 61)
        .await;
    say(&f.desk, user, "fast and friendly", NOW + 62).await;
    ticket
}

#[tokio::test]
async fn mydata_sends_everything_stored_about_the_user_as_one_json_document() {
    let f = fixture();
    let ticket = active_user(&f, 31).await;
    let out = say(&f.desk, 31, "/mydata", NOW + 100).await;
    assert_eq!(out.intent, Intent::Command);
    assert!(out.replies[0].text.contains("JSON"), "{}", out.text());
    assert!(out.replies.iter().all(|r| r.text.chars().count() < 4096));
    let doc = document(&out);
    assert_eq!(doc["user"]["id"], 31);
    assert_eq!(doc["user"]["username"], "alice_defi");
    assert_eq!(
        doc["user"]["links"][0]["address"]
            .as_str()
            .map(str::to_lowercase),
        Some(ADDRESS.to_lowercase())
    );
    assert_eq!(doc["tickets"][0]["id"], ticket);
    assert_eq!(doc["tickets"][0]["rating"], 5);
    assert_eq!(doc["tickets"][0]["comment"], "fast and friendly");
    let conversation = doc["conversation"].to_string();
    assert!(
        conversation.contains("my withdrawal is stuck"),
        "{conversation}"
    );
    let events = doc["statistics_events"].as_array().expect("events");
    assert!(
        events.iter().any(|e| e["question"] == "qwertyuiop zxcvbnm"),
        "{events:?}"
    );
    assert_eq!(doc["statistics_retention_days"], 30);
    assert!(doc["ban"].is_null());
    assert!(out.replies[0].text.contains("/forget"), "{}", out.text());

    // In Chinese, with the same document.
    say(&f.desk, 31, "/lang zh", NOW + 101).await;
    let out = say(&f.desk, 31, "/mydata", NOW + 102).await;
    assert!(out.replies[0].text.contains("JSON 文档"), "{}", out.text());
    assert_eq!(document(&out)["user"]["lang"], "zh");
}

#[tokio::test]
async fn forget_deletes_after_confirmation_keeps_tickets_anonymised_and_audits_without_content() {
    let f = fixture();
    let ticket = active_user(&f, 32).await;
    active_user(&f, 33).await;

    let asked = say(&f.desk, 32, "/forget", NOW + 100).await;
    assert!(
        asked.text().contains("cannot be undone"),
        "{}",
        asked.text()
    );
    let buttons: Vec<&str> = asked.replies[0].buttons[0]
        .iter()
        .map(|b| b.data.as_str())
        .collect();
    assert_eq!(buttons, ["forget:yes", "forget:no"]);
    // Declining keeps everything.
    let kept = f.desk.button(32, "forget:no", None, NOW + 101).await;
    assert!(
        kept.text().contains("nothing was deleted"),
        "{}",
        kept.text()
    );
    assert!(f.store.user(32).await.unwrap().is_some());

    let done = f.desk.button(32, "forget:yes", None, NOW + 102).await;
    assert!(done.text().contains("is deleted"), "{}", done.text());
    assert!(f.store.user(32).await.unwrap().is_none());
    assert!(f.store.history(32).await.unwrap().is_empty());
    assert!(f.store.tickets_of(32).await.unwrap().is_empty());
    assert!(f.store.events_of(32).await.unwrap().is_empty());
    assert!(f.desk.conversation(32).await.unwrap().is_empty());
    let kept = f
        .store
        .ticket(ticket)
        .await
        .unwrap()
        .expect("the ticket stays for staff");
    assert_eq!(kept.user, ANONYMOUS);
    let line = &f.store.audit_log(1).await.unwrap()[0];
    assert_eq!(
        (line.action.as_str(), line.actor),
        ("user data deleted", ANONYMOUS)
    );
    assert_eq!(line.detail, format!("tickets kept anonymised: #{ticket}"));
    // The other user keeps everything.
    assert!(f.store.user(33).await.unwrap().is_some());
    assert_eq!(f.store.tickets_of(33).await.unwrap().len(), 1);

    // What /mydata shows now: nothing but the new, empty record.
    let out = say(&f.desk, 32, "/mydata", NOW + 200).await;
    let doc = document(&out);
    assert_eq!(doc["tickets"], serde_json::json!([]));
    assert!(doc["user"]["links"].as_array().unwrap().is_empty());

    // After a restart, the deletion is not taken for damage.
    drop(f.desk);
    drop(f.store);
    Store::open(f.dir.path()).expect("reopens after /forget");
}

#[tokio::test]
async fn forget_is_offered_in_chinese_too() {
    let f = fixture();
    say(&f.desk, 34, "/lang zh", NOW).await;
    let asked = say(&f.desk, 34, "/forget", NOW + 1).await;
    assert!(asked.text().contains("无法撤销"), "{}", asked.text());
    assert_eq!(asked.replies[0].buttons[0][0].label, "确认删除我的数据");
    let done = f.desk.button(34, "forget:yes", None, NOW + 2).await;
    assert!(done.text().contains("已全部删除"), "{}", done.text());
    let help = say(&f.desk, 35, "/help", NOW).await;
    assert!(help.text().contains("/mydata") && help.text().contains("/forget"));
}

#[tokio::test]
async fn statistics_events_and_question_texts_expire_after_the_retention() {
    let f = fixture();
    say(&f.desk, 36, "qwertyuiop zxcvbnm", NOW - 31 * DAY).await;
    say(&f.desk, 36, "qwertyuiop zxcvbnm", NOW - 29 * DAY).await;
    f.desk.flush_events().await;
    assert_eq!(f.store.events_of(36).await.unwrap().len(), 2);
    assert_eq!(f.desk.prune_expired(NOW).await.unwrap(), 1);
    let left = f.store.events_of(36).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].at, NOW - 29 * DAY);
    assert_eq!(left[0].question.as_deref(), Some("qwertyuiop zxcvbnm"));
    assert_eq!(f.desk.prune_expired(NOW + 2 * DAY).await.unwrap(), 1);
    assert!(f.store.events_of(36).await.unwrap().is_empty());
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

fn on_disk(dir: &Path, needle: &str) -> bool {
    files_under(dir).iter().any(|file| {
        let bytes = std::fs::read(file).expect("read a sled file");
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

#[tokio::test]
async fn a_secret_in_any_store_write_path_never_reaches_the_sled_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // One distinct private key per write path, and a marker that must be found (the control).
    let keys: Vec<String> = (0..11)
        .map(|_| hex::encode(PrivateKeySigner::random().to_bytes()))
        .collect();
    let said = |i: usize| format!("marker{i} my key is {} thanks", keys[i]);
    let kb = KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).unwrap();

    let mut user = UserRecord::new(5);
    user.display_name = Some(said(0));
    store.save_user(&user, true).await.unwrap();
    store
        .save_history(5, &[HistoryEntry::new(NOW, Speaker::User, &said(1))])
        .await
        .unwrap();
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    let (ticket, _) = tickets
        .open(
            5,
            lendesk::tickets::EscalationReason::AskedForPerson,
            Lang::En,
            &said(2),
            NOW,
        )
        .await
        .unwrap();
    tickets.close(ticket.id, NOW).await.unwrap();
    tickets.rate(ticket.id, 3, Some(&said(3))).await.unwrap();
    store
        .record_event(&MessageEvent {
            count: 1,
            at: NOW,
            user: 5,
            intent: "clarify".into(),
            topic: None,
            question: Some(said(4)),
            guarded_markets: Vec::new(),
        })
        .await
        .unwrap();
    store
        .save_macro(&Macro {
            name: "m".into(),
            en: said(5),
            zh: String::new(),
            by: 1,
            at: NOW,
        })
        .await
        .unwrap();
    let mut topic = kb.topic("gas-fees").cloned().unwrap();
    topic.en.answer = said(6);
    store
        .save_faq_edit(&FaqEdit {
            id: topic.id.clone(),
            topic: Some(topic),
            by: 1,
            at: NOW,
        })
        .await
        .unwrap();
    let id = store.next_broadcast_id().await.unwrap();
    store
        .save_broadcast(&Broadcast {
            id,
            text: said(7),
            lang: None,
            by: 1,
            created_at: NOW,
            cursor: None,
            sent: 0,
            failed: 0,
            skipped: 0,
            done: false,
            progress_message: None,
        })
        .await
        .unwrap();
    store.audit(NOW, 1, "note", &said(8)).await.unwrap();
    store
        .save_ban(&BanRecord {
            user: 9,
            kind: BanKind::Ban,
            by: 1,
            at: NOW,
            reason: said(9),
        })
        .await
        .unwrap();
    store
        .set_maintenance(Some(&Maintenance {
            text: said(10),
            by: 1,
            since: NOW,
        }))
        .await
        .unwrap();
    store.flush().await.unwrap();
    drop(tickets);
    drop(store);
    let mut leaks = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        assert!(
            on_disk(dir.path(), &format!("marker{i} my key is")),
            "control {i}: the text was not stored at all"
        );
        if on_disk(dir.path(), key) {
            leaks.push(i);
        }
    }
    assert!(
        leaks.is_empty(),
        "write paths whose secret reached the sled files: {leaks:?}"
    );
}
