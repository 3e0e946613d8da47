//! The staff side over a real store (sled on disk) and a real desk.

use std::path::Path;
use std::sync::{Arc, Mutex};

use futures::FutureExt;

use super::*;
use crate::desk::DeskSettings;
use crate::desk::outcome::{Incoming, Intent, Outcome};
use crate::store::{BanKind, NoticeKind, Severity, Store, TicketStatus, UserRecord};
use crate::tickets::{EscalationReason, SlaConfig, Tickets};

const ADMIN: i64 = 1;
const STAFF: i64 = 2;
const USER: i64 = 100;
const NOW: u64 = 1_714_572_180; // 2024-05-01 14:03 UTC, a Wednesday

struct Fixture {
    _dir: Option<tempfile::TempDir>,
    store: Store,
    staff: StaffDesk,
}

fn base_kb() -> KnowledgeBase {
    KnowledgeBase::load_dir(Path::new("faq")).expect("the FAQ loads")
}

async fn open_at(dir: &Path) -> (Store, StaffDesk) {
    let store = Store::open(dir).unwrap();
    let kb = base_kb();
    let desk = Desk::new(
        kb.clone(),
        crate::chain::markets::Markets::none(),
        Tickets::new(store.clone(), SlaConfig::default()),
        store.clone(),
        DeskSettings::default(),
    );
    let staff = StaffDesk::new(Arc::new(desk), store.clone(), kb, vec![ADMIN], Lang::En)
        .await
        .unwrap();
    (store, staff)
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (store, staff) = open_at(dir.path()).await;
    store
        .add_staff(&crate::store::StaffMember {
            id: STAFF,
            username: Some("Bob_Staff".into()),
            added_by: ADMIN,
            added_at: NOW,
        })
        .await
        .unwrap();
    let mut user = UserRecord::new(USER);
    user.username = Some("Alice".into());
    user.display_name = Some("Alice Liddell".into());
    user.started_at = Some(NOW - 86_400);
    user.lang = Some(Lang::Zh);
    store.save_user(&user, true).await.unwrap();
    Fixture {
        _dir: Some(dir),
        store,
        staff,
    }
}

fn actor(id: i64) -> Actor {
    Actor {
        id,
        username: match id {
            ADMIN => Some("root_admin".into()),
            STAFF => Some("bob_staff".into()),
            _ => None,
        },
        name: format!("person {id}"),
    }
}

impl Fixture {
    async fn run(&self, who: i64, text: &str, ticket: Option<u64>) -> StaffOutcome {
        self.staff.command(&actor(who), text, ticket, NOW).await
    }

    async fn ticket(&self) -> u64 {
        self.staff
            .desk()
            .tickets()
            .open(
                USER,
                EscalationReason::AskedForPerson,
                Lang::Zh,
                "我要找人工",
                NOW - 600,
            )
            .await
            .unwrap()
            .0
            .id
    }

    async fn last_audit(&self) -> crate::store::AuditEntry {
        self.store.audit_log(1).await.unwrap().remove(0)
    }
}

const QUOKKA: &str = "+++\nid = \"quokka-rewards\"\ntags = [\"quokka\"]\nrelated = []\nescalate = false\n\n[en]\ntitle = \"How do quokka rewards work?\"\nquestions = [\"how do quokka rewards work\", \"when are quokka rewards paid\"]\n\n[zh]\ntitle = \"短尾矮袋鼠奖励怎么算？\"\nquestions = [\"短尾矮袋鼠奖励怎么发放\"]\n+++\n# en\nQuokka rewards are paid **every Monday**.\n\n# zh\n短尾矮袋鼠奖励**每周一**发放。\n";

#[tokio::test]
async fn every_command_is_refused_to_people_outside_the_team() {
    let f = fixture().await;
    let t = f.ticket().await;
    let add = format!("/faq add {QUOKKA}");
    let commands = [
        "/tickets",
        "/tickets closed",
        "/stats 30d",
        "/faq list",
        "/faq show gas-fees",
        add.as_str(),
        "/faq edit x",
        "/faq remove gas-fees",
        "/faq restore gas-fees",
        "/broadcast hello",
        "/broadcast status",
        "/broadcast cancel 1",
        "/maintenance on down",
        "/maintenance off",
        "/maintenance",
        "/ban 5 spam",
        "/shadowban 5",
        "/unban 5",
        "/whois @alice",
        "/staff add 5",
        "/staff remove 2",
        "/staff list",
        "/audit",
        "/macros add gas Gas is…",
        "/macros remove gas",
        "/macros list",
        "/note hi",
        "/assign me",
        "/macro gas",
        "/close",
        "/reopen",
        "/whatever",
    ];
    for text in commands {
        for ticket in [None, Some(t)] {
            let out = f.run(USER, text, ticket).await;
            assert_eq!(out.replies.len(), 1, "{text}");
            assert_eq!(out.replies[0].text, texts::not_staff(), "{text}");
            assert!(
                out.replies[0].text.contains("/help") && out.replies[0].text.contains("客服团队")
            );
            assert!(out.to_user.is_empty() && out.effects.is_empty(), "{text}");
        }
    }
    let pressed = f
        .staff
        .button(&actor(USER), &format!("staff:ticket:{t}"), NOW)
        .await;
    assert_eq!(pressed.replies[0].text, texts::not_staff());
    assert!(
        f.store.audit_log(10).await.unwrap().is_empty(),
        "nothing was changed"
    );
    let ticket = f.store.ticket(t).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::Open);
    assert!(f.store.ban_of(5).await.unwrap().is_none());
    assert!(f.store.maintenance().await.unwrap().is_none());
}

#[tokio::test]
async fn only_admins_add_and_remove_staff() {
    let f = fixture().await;
    assert_eq!(f.staff.role(ADMIN).await, Some(Role::Admin));
    assert_eq!(f.staff.role(STAFF).await, Some(Role::Staff));
    assert_eq!(f.staff.role(USER).await, None);

    let out = f.run(STAFF, "/staff add @alice", None).await;
    assert_eq!(out.text_of_replies(), texts::admin_only(Lang::En));
    assert_eq!(f.staff.role(USER).await, None);

    let out = f.run(ADMIN, "/staff add @ALICE", None).await;
    assert!(
        out.text_of_replies().contains("is now on the support team"),
        "{out:?}"
    );
    assert_eq!(f.staff.role(USER).await, Some(Role::Staff));
    let line = f.last_audit().await;
    assert_eq!(
        (line.actor, line.action.as_str(), line.detail.as_str()),
        (ADMIN, "staff add", "100")
    );

    let list = f.run(STAFF, "/staff list", None).await.text_of_replies();
    assert!(
        list.contains("admin (configuration)") && list.contains("Alice Liddell (@Alice)"),
        "{list}"
    );

    let out = f.run(STAFF, "/staff remove 100", None).await;
    assert_eq!(out.text_of_replies(), texts::admin_only(Lang::En));
    let out = f.run(ADMIN, "/staff remove 1", None).await;
    assert!(out.text_of_replies().contains("telegram.admins"));
    f.run(ADMIN, "/staff remove 100", None).await;
    assert_eq!(f.staff.role(USER).await, None);
    assert_eq!(f.last_audit().await.action, "staff remove");
    let out = f.run(ADMIN, "/staff add @nobody_here", None).await;
    assert!(out.text_of_replies().contains("I don't know @nobody_here"));
    let out = f.run(ADMIN, "/staff frobnicate", None).await;
    assert!(
        out.text_of_replies()
            .starts_with("Usage: /staff add <user>")
    );
}

#[tokio::test]
async fn bans_are_saved_audited_and_lifted() {
    let f = fixture().await;
    let key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    let out = f
        .run(STAFF, &format!("/ban @alice spam and scams {key}"), None)
        .await;
    assert!(out.text_of_replies().contains("is banned"), "{out:?}");
    let ban = f.store.ban_of(USER).await.unwrap().unwrap();
    assert_eq!((ban.kind, ban.by, ban.at), (BanKind::Ban, STAFF, NOW));
    assert!(!ban.reason.contains(key) && ban.reason.starts_with("spam and scams"));
    let line = f.last_audit().await;
    assert_eq!((line.actor, line.action.as_str()), (STAFF, "ban"));
    assert!(
        line.detail.starts_with("100 spam and scams") && !line.detail.contains(key),
        "{line:?}"
    );

    f.run(ADMIN, "/shadowban 100", None).await;
    assert_eq!(
        f.store.ban_of(USER).await.unwrap().unwrap().kind,
        BanKind::Shadow
    );
    assert_eq!(f.last_audit().await.action, "shadowban");

    let out = f.run(STAFF, "/ban 1", None).await;
    assert!(out.text_of_replies().contains("cannot be banned"));
    let out = f.run(ADMIN, "/ban 2", None).await;
    assert!(out.text_of_replies().contains("cannot be banned"));
    assert!(f.store.ban_of(STAFF).await.unwrap().is_none());

    let out = f.run(STAFF, "/unban @Alice", None).await;
    assert!(out.text_of_replies().contains("no longer banned"));
    assert!(f.store.ban_of(USER).await.unwrap().is_none());
    let line = f.last_audit().await;
    assert_eq!(
        (line.action.as_str(), line.detail.as_str()),
        ("unban", "100")
    );
    let out = f.run(STAFF, "/unban 100", None).await;
    assert!(out.text_of_replies().contains("was not banned"));
    assert_eq!(
        f.store.audit_log(100).await.unwrap().len(),
        3,
        "no-ops are not audited"
    );

    for (text, usage) in [
        ("/ban", "Usage: /ban"),
        ("/unban", "Usage: /unban"),
        ("/ban ???", "numeric"),
    ] {
        let out = f.run(STAFF, text, None).await;
        assert!(out.text_of_replies().contains(usage), "{text}: {out:?}");
    }
    let audit = f.run(STAFF, "/audit 2", None).await.text_of_replies();
    assert!(
        audit.contains("unban") && audit.contains("shadowban") && !audit.contains("· ban"),
        "{audit}"
    );
    assert!(
        f.run(STAFF, "/audit x", None)
            .await
            .text_of_replies()
            .starts_with("Usage: /audit")
    );
}

async fn ask(f: &Fixture, user: i64, text: &str) -> Outcome {
    f.staff
        .desk()
        .handle(Incoming {
            user,
            text: text.to_string(),
            now: NOW,
            ..Default::default()
        })
        .await
}

/// A `send` for runs that must not send anything.
async fn never_send(user: i64, _text: String) -> Delivery {
    panic!("sent to {user} after the broadcast was done or cancelled")
}

#[tokio::test]
async fn faq_edits_are_live_and_undone() {
    let f = fixture().await;
    // Before the topic exists the answer (if any: "rewards" leads to the APY topic) is another.
    let before = ask(&f, 500, "how do quokka rewards work").await;
    assert!(!before.text().contains("every Monday"), "{before:?}");
    assert_ne!(before.sources, ["faq:quokka-rewards"]);

    let out = f.run(STAFF, "/faq add +++\nid = broken", None).await;
    assert!(
        out.text_of_replies()
            .starts_with("The topic does not parse"),
        "{out:?}"
    );
    let out = f.run(STAFF, &format!("/faq edit {QUOKKA}"), None).await;
    assert!(out.text_of_replies().contains("use /faq add"));

    let out = f.run(STAFF, &format!("/faq add {QUOKKA}"), None).await;
    assert!(out.text_of_replies().contains("added"), "{out:?}");
    assert_eq!(f.last_audit().await.action, "faq add");
    let answered = ask(&f, 501, "how do quokka rewards work").await;
    assert_eq!(answered.intent, Intent::Faq, "{answered:?}");
    assert_eq!(answered.sources, ["faq:quokka-rewards"]);
    assert!(answered.text().contains("every Monday"));
    let again = f.run(STAFF, &format!("/faq add {QUOKKA}"), None).await;
    assert!(again.text_of_replies().contains("exists already"));

    let list = f.run(STAFF, "/faq list", None).await.text_of_replies();
    assert!(list.contains("- quokka-rewards **[added]**"), "{list}");
    let shown = f
        .run(STAFF, "/faq show quokka-rewards", None)
        .await
        .text_of_replies();
    assert!(
        shown.starts_with("```\n") && shown.ends_with("\n```"),
        "{shown}"
    );
    let shown = shown.trim_start_matches("```\n").trim_end_matches("\n```");
    assert_eq!(
        crate::knowledge::parse_topic("x", shown).unwrap(),
        crate::knowledge::parse_topic("x", QUOKKA).unwrap(),
        "/faq show prints the file text back"
    );

    f.run(STAFF, "/faq remove quokka-rewards", None).await;
    assert_eq!(f.last_audit().await.action, "faq remove");
    assert!(
        f.store.faq_edits().await.unwrap().is_empty(),
        "an added topic leaves no tombstone"
    );
    let after = ask(&f, 502, "how do quokka rewards work").await;
    assert!(!after.text().contains("every Monday"), "{after:?}");
    assert_ne!(after.sources, ["faq:quokka-rewards"]);

    // Editing a topic of the files, removing it, and restoring the file's version.
    let gas = f
        .staff
        .desk()
        .knowledge()
        .topic("gas-fees")
        .unwrap()
        .clone();
    let edited = gas.to_markdown().replace(
        "Every action on Aave is a blockchain transaction",
        "EDITED: every action",
    );
    let out = f.run(STAFF, &format!("/faq edit {edited}"), None).await;
    assert!(out.text_of_replies().contains("updated"), "{out:?}");
    let answer = ask(&f, 503, "Why are gas fees so high?").await;
    assert!(answer.text().contains("EDITED: every action"), "{answer:?}");
    let list = f.run(STAFF, "/faq list", None).await.text_of_replies();
    assert!(list.contains("- gas-fees **[edited]**"));

    f.run(STAFF, "/faq remove gas-fees", None).await;
    assert!(f.staff.desk().knowledge().topic("gas-fees").is_none());
    let list = f.run(STAFF, "/faq list", None).await.text_of_replies();
    assert!(list.contains("- gas-fees **[removed]**"), "{list}");

    let out = f.run(STAFF, "/faq restore gas-fees", None).await;
    assert!(out.text_of_replies().contains("back to the file's version"));
    assert_eq!(f.staff.desk().knowledge().topic("gas-fees"), Some(&gas));
    let out = f.run(STAFF, "/faq restore gas-fees", None).await;
    assert!(out.text_of_replies().contains("no moderator changes"));

    let bad_id = QUOKKA.replace("quokka-rewards", "Quokka_Rewards");
    let out = f.run(STAFF, &format!("/faq add {bad_id}"), None).await;
    assert!(out.text_of_replies().contains("kebab-case"));
    let out = f.run(STAFF, "/faq frob", None).await;
    assert!(out.text_of_replies().starts_with("Usage: /faq list"));
}

#[tokio::test]
async fn the_faq_overlay_is_applied_again_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_store, staff) = open_at(dir.path()).await;
        let admin = actor(ADMIN);
        for text in [
            format!("/faq add {QUOKKA}"),
            "/faq remove liquidation-bonus".into(),
        ] {
            staff.command(&admin, &text, None, NOW).await;
        }
        assert!(staff.desk().knowledge().topic("quokka-rewards").is_some());
        staff.desk().close().await;
    }
    let (_store, staff) = open_at(dir.path()).await;
    let kb = staff.desk().knowledge();
    assert!(kb.topic("quokka-rewards").is_some(), "added topic survives");
    assert!(
        kb.topic("liquidation-bonus").is_none(),
        "removed topic stays removed"
    );
    assert!(kb.topic("gas-fees").is_some());
}

#[tokio::test]
async fn macros_are_sent_in_the_users_language_and_count_as_a_response() {
    let f = fixture().await;
    let t = f.ticket().await;
    let out = f
        .run(STAFF, "/macros add Gas Gas is the network fee.", None)
        .await;
    assert!(
        out.text_of_replies().contains("No Chinese text yet"),
        "{out:?}"
    );
    f.run(STAFF, "/macros add gas zh Gas 是网络手续费。", None)
        .await;
    let m = f.store.macro_named("gas").await.unwrap().unwrap();
    assert_eq!(
        (m.en.as_str(), m.zh.as_str()),
        ("Gas is the network fee.", "Gas 是网络手续费。")
    );
    assert_eq!(f.last_audit().await.detail, "gas (zh)");
    let list = f.run(STAFF, "/macros list", None).await.text_of_replies();
    assert!(list.contains("**gas**: Gas is the network fee."), "{list}");

    let out = f.run(STAFF, "/macro gas", None).await;
    assert!(
        out.text_of_replies()
            .contains("/macro works inside a ticket")
    );
    let out = f.run(STAFF, "/macro nope", Some(t)).await;
    assert!(out.text_of_replies().contains("no macro nope"));

    let out = f.run(STAFF, "/macro gas", Some(t)).await;
    assert_eq!(out.to_user.len(), 1);
    let (to, reply) = &out.to_user[0];
    assert_eq!(*to, USER);
    assert_eq!(reply.text, "Gas 是网络手续费。\n\n— lendesk 客服团队");
    let ticket = f.store.ticket(t).await.unwrap().unwrap();
    assert_eq!(ticket.status, TicketStatus::InProgress);
    assert_eq!(
        (ticket.first_response_at, ticket.assignee),
        (Some(NOW), Some(STAFF))
    );

    f.run(STAFF, "/macros remove gas", None).await;
    assert!(f.store.macro_named("gas").await.unwrap().is_none());
    assert_eq!(f.last_audit().await.action, "macros remove");
    for bad in [
        "/macros add",
        "/macros add gas",
        "/macros add b@d text",
        "/macros nope",
    ] {
        assert!(
            f.run(STAFF, bad, None)
                .await
                .text_of_replies()
                .starts_with("Usage: /macros"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn ticket_commands_note_assign_close_and_reopen() {
    let f = fixture().await;
    let t = f.ticket().await;

    let out = f.run(STAFF, "/note user seems legit", Some(t)).await;
    assert!(out.to_user.is_empty());
    let line = f.last_audit().await;
    assert_eq!(
        (line.action.as_str(), line.detail),
        ("note", format!("#{t}: user seems legit"))
    );
    let out = f.run(STAFF, &format!("/note #{t} second note"), None).await;
    assert!(out.text_of_replies().contains("Note added"));
    assert_eq!(f.last_audit().await.detail, format!("#{t}: second note"));
    let out = f.run(STAFF, "/note", Some(t)).await;
    assert!(out.text_of_replies().starts_with("Usage: /note"));
    let out = f.run(STAFF, "/close", None).await;
    assert!(out.text_of_replies().contains("inside a ticket's topic"));
    let out = f.run(STAFF, "/close", Some(999)).await;
    assert!(out.text_of_replies().contains("no ticket #999"));

    f.run(ADMIN, "/assign @bob_staff", Some(t)).await;
    assert_eq!(
        f.store.ticket(t).await.unwrap().unwrap().assignee,
        Some(STAFF)
    );
    f.run(ADMIN, "/assign me", Some(t)).await;
    assert_eq!(
        f.store.ticket(t).await.unwrap().unwrap().assignee,
        Some(ADMIN)
    );
    let out = f.run(ADMIN, "/assign @alice", Some(t)).await;
    assert!(out.text_of_replies().contains("not on the support team"));
    assert_eq!(f.last_audit().await.action, "assign");

    let out = f.run(STAFF, "/close", Some(t)).await;
    assert_eq!(out.effects, [StaffEffect::CloseTopic(t)]);
    let (to, reply) = &out.to_user[0];
    assert_eq!(*to, USER);
    assert!(
        reply.text.contains(&format!("工单 #{t} 已关闭"))
            && reply.text.ends_with("— lendesk 客服团队")
    );
    let labels: Vec<&str> = reply.buttons[0].iter().map(|b| b.label.as_str()).collect();
    let data: Vec<&str> = reply.buttons[0].iter().map(|b| b.data.as_str()).collect();
    assert_eq!(labels, ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]);
    assert_eq!(
        data,
        (1..=5).map(|s| format!("rate:{t}:{s}")).collect::<Vec<_>>()
    );
    let closed = f.store.ticket(t).await.unwrap().unwrap();
    assert_eq!(
        (closed.status, closed.closed_at),
        (TicketStatus::Closed, Some(NOW))
    );
    assert_eq!(f.last_audit().await.action, "close");

    f.run(STAFF, "/macros add gas Gas is the network fee.", None)
        .await;
    let again = f.run(STAFF, "/close", Some(t)).await;
    assert!(
        again.text_of_replies().contains("is closed")
            && again.to_user.is_empty()
            && again.effects.is_empty()
    );
    let out = f.run(STAFF, "/macro gas", Some(t)).await;
    assert!(out.to_user.is_empty());

    let out = f.run(STAFF, "/reopen", Some(t)).await;
    assert_eq!(out.effects, [StaffEffect::ReopenTopic(t)]);
    assert!(out.to_user[0].1.text.contains("已重新打开"));
    assert_eq!(
        f.store.ticket(t).await.unwrap().unwrap().status,
        TicketStatus::Open
    );
    let out = f.run(STAFF, "/reopen", Some(t)).await;
    assert!(out.text_of_replies().contains("is not closed") && out.effects.is_empty());
}

#[tokio::test]
async fn ticket_lists_cards_titles_and_overdue_notices() {
    let f = fixture().await;
    let t = f.ticket().await;
    let out = f.run(STAFF, "/tickets", None).await;
    let reply = &out.replies[0];
    assert!(
        reply.text.contains(&format!(
            "- #{t} · normal · waiting · Alice Liddell (@Alice) · 10m ago"
        )),
        "{}",
        reply.text
    );
    assert_eq!(reply.buttons[0][0].data, format!("staff:ticket:{t}"));
    assert!(
        f.run(STAFF, "/tickets mine", None)
            .await
            .text_of_replies()
            .contains("No tickets (mine)")
    );
    assert!(
        f.run(STAFF, "/tickets bogus", None)
            .await
            .text_of_replies()
            .starts_with("Usage: /tickets")
    );

    let card = f
        .staff
        .button(&actor(STAFF), &format!("staff:ticket:{t}"), NOW)
        .await;
    let card = card.text_of_replies();
    assert!(
        card.contains(&format!("**Ticket #{t}** · waiting"))
            && card.contains("not yet (target 4h)"),
        "{card}"
    );
    assert!(
        f.staff
            .button(&actor(STAFF), "staff:nope", NOW)
            .await
            .text_of_replies()
            .contains("no longer valid")
    );

    let ticket = f.store.ticket(t).await.unwrap().unwrap();
    assert_eq!(
        f.staff.topic_title(&ticket).await,
        format!("#{t} Alice Liddell (@Alice) · normal")
    );
    let mut long = f.store.user(USER).await.unwrap().unwrap();
    long.display_name = Some("x".repeat(300));
    f.store.save_user(&long, true).await.unwrap();
    assert!(f.staff.topic_title(&ticket).await.chars().count() <= 128);

    assert_eq!(f.staff.overdue_notice(&[], NOW).await, None);
    let notice = f
        .staff
        .overdue_notice(&[ticket], NOW + 5 * 3_600)
        .await
        .unwrap();
    assert!(
        notice.contains(&format!("#{t} · normal · waiting 5h 10m (target 4h)")),
        "{notice}"
    );
}

#[tokio::test]
async fn the_user_card_shows_the_user_and_fits() {
    let f = fixture().await;
    let mut user = f.store.user(USER).await.unwrap().unwrap();
    user.link(
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
            .parse()
            .unwrap(),
    );
    f.store.save_user(&user, true).await.unwrap();
    // Twelve long questions on twelve topics (one topic asked again and again is the bot's
    // answers not helping, which hands the user over).
    let questions = [
        "清算是怎么回事，",
        "健康因子是什么意思，",
        "怎么还款，",
        "借款利率为什么会变，",
        "高效模式是什么，",
        "aToken是什么，",
        "隔离模式是什么，",
        "怎么取出存款，",
        "清算奖励是多少，",
        "Gas费为什么这么贵，",
        "稳定币脱锚会怎样，",
        "最少能存多少，",
    ];
    for (i, q) in questions.iter().enumerate() {
        ask(&f, USER, &format!("question {i} {}", q.repeat(40))).await;
    }
    let t = f.ticket().await;
    let ticket = f.store.ticket(t).await.unwrap().unwrap();
    let card = f.staff.user_card_at(&ticket, NOW).await;
    assert!(
        card.chars().count() <= card::MAX_CARD_CHARS,
        "{}",
        card.chars().count()
    );
    for part in [
        format!("**Ticket #{t}** · normal"),
        "- Reason: Asked for a person".to_string(),
        "- Opened: 2024-05-01 13:53 UTC".to_string(),
        "- Telegram id: 100".to_string(),
        "- Username: @Alice".to_string(),
        "- Name: Alice Liddell".to_string(),
        "- Language: Chinese".to_string(),
        "- 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 (unverified)".to_string(),
        "- First-response target: 4h · business hours now".to_string(),
        "**Recent conversation**".to_string(),
        "User: question 11".to_string(),
    ] {
        assert!(card.contains(&part), "missing {part:?} in\n{card}");
    }
    let saturday = NOW + 3 * 86_400;
    let card = f.staff.user_card_at(&ticket, saturday).await;
    assert!(
        card.contains("outside business hours (next: 2024-05-06 09:00 UTC)"),
        "{card}"
    );
}

/// The addresses of the alerts tests.
const LINKED: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const WATCHED: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

fn alert_mark(
    user: i64,
    address: &str,
    last: Option<(u64, Severity, &str, u64)>,
) -> crate::store::AlertMark {
    crate::store::AlertMark {
        user,
        market: "devnet".into(),
        address: address.parse().unwrap(),
        arming: crate::store::Arming::default(),
        crossings: 1,
        last_alert: last.map(|(at, severity, hf, block)| crate::store::LastAlert {
            at,
            severity,
            health_factor: hf.into(),
            block,
        }),
        held: None,
    }
}

/// A staff desk in another language over the fixture's desk and store.
async fn staff_in(f: &Fixture, lang: Lang) -> StaffDesk {
    StaffDesk::new(
        f.staff.desk().clone(),
        f.store.clone(),
        base_kb(),
        vec![ADMIN],
        lang,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn the_user_card_shows_alert_settings_and_the_last_alert() {
    let f = fixture().await;
    let mut user = f.store.user(USER).await.unwrap().unwrap();
    user.link(LINKED.parse().unwrap());
    f.store.save_user(&user, true).await.unwrap();
    f.store
        .save_alert_settings(&crate::store::AlertSettings {
            user: USER,
            enabled: true,
            warning: 13_000,
            critical: 11_000,
            watched: vec![WATCHED.parse().unwrap()],
            muted: vec![LINKED.parse().unwrap()],
            snooze_until: NOW + 4 * 3_600,
            quiet: Some(crate::store::QuietHours {
                from: 23 * 60,
                to: 7 * 60 + 30,
                utc_offset: 8 * 60,
            }),
        })
        .await
        .unwrap();
    // The last alert is the newest over all the user's watches, not the last mark read;
    // another user's newer alert is not theirs.
    f.store
        .save_alert_marks(
            &[
                alert_mark(
                    USER,
                    WATCHED,
                    Some((NOW - 7_200, Severity::Warning, "1250000000000000000", 90)),
                ),
                alert_mark(
                    USER,
                    LINKED,
                    Some((NOW - 3_780, Severity::Critical, "1049999999999999999", 120)),
                ),
                alert_mark(
                    USER + 1,
                    WATCHED,
                    Some((NOW - 60, Severity::Warning, "1200000000000000000", 130)),
                ),
            ],
            &[],
        )
        .await
        .unwrap();
    let t = f.ticket().await;
    let ticket = f.store.ticket(t).await.unwrap().unwrap();

    let card = f.staff.user_card_at(&ticket, NOW).await;
    for part in [
        "- Alerts: on · warning < 1.30, critical < 1.10",
        "- Watched without linking: 0x3C44…93BC",
        "- Muted: 0x7099…79C8",
        "- Snoozed until: 2024-05-01 18:03 UTC",
        "- Quiet hours: 23:00–07:30 (UTC+8)",
        "- Last alert: critical · health factor 1.04 · 0x7099…79C8 on devnet · block 120 · \
         2024-05-01 13:00 UTC (1h 3m ago)",
    ] {
        assert!(card.contains(part), "missing {part:?} in\n{card}");
    }
    assert!(card.chars().count() <= card::MAX_CARD_CHARS);

    let zh = staff_in(&f, Lang::Zh)
        .await
        .user_card_at(&ticket, NOW)
        .await;
    for part in [
        "- 风险提醒: 已开启 · 预警 < 1.30，紧急 < 1.10",
        "- 未绑定而关注的地址: 0x3C44…93BC",
        "- 已静音的地址: 0x7099…79C8",
        "- 暂停提醒至: 2024-05-01 18:03 UTC",
        "- 免打扰时段: 23:00–07:30（UTC+8）",
        "- 最近一次提醒: 紧急 · 健康因子 1.04 · 0x7099…79C8（devnet）· 区块 120 · \
         2024-05-01 13:00 UTC（1小时3分钟前）",
    ] {
        assert!(zh.contains(part), "missing {part:?} in\n{zh}");
    }

    // /whois shows the same part; a snooze that ended is not shown.
    let who = f.run(STAFF, "/whois @alice", None).await.text_of_replies();
    assert!(who.contains("- Alerts: on · warning < 1.30"), "{who}");
    assert!(who.contains("- Last alert: critical"), "{who}");
    let later = f.staff.user_card_at(&ticket, NOW + 5 * 3_600).await;
    assert!(!later.contains("Snoozed until"), "{later}");
    assert!(later.contains("(6h 3m ago)"), "{later}");

    // Off, with an address watched without linking: the levels still apply to it.
    let mut settings = f.store.alert_settings(USER).await.unwrap().unwrap();
    settings.enabled = false;
    settings.warning = 12_500;
    f.store.save_alert_settings(&settings).await.unwrap();
    let off = f.staff.user_card_at(&ticket, NOW).await;
    assert!(
        off.contains("- Alerts: off for linked addresses · warning < 1.25, critical < 1.10"),
        "{off}"
    );
    settings.watched.clear();
    f.store.save_alert_settings(&settings).await.unwrap();
    let off = f.staff.user_card_at(&ticket, NOW).await;
    assert!(off.contains("- Alerts: off\n"), "{off}");
    assert!(!off.contains("Watched without linking"), "{off}");
}

#[tokio::test]
async fn a_user_who_never_set_alerts_has_no_alerts_part() {
    let f = fixture().await;
    // Someone else's alerts do not show on this user's card.
    f.store
        .save_alert_settings(&crate::store::AlertSettings {
            enabled: true,
            ..crate::store::AlertSettings::new(USER + 1, 13_000, 11_000)
        })
        .await
        .unwrap();
    f.store
        .save_alert_marks(
            &[alert_mark(
                USER + 1,
                LINKED,
                Some((NOW - 60, Severity::Critical, "1000000000000000000", 7)),
            )],
            &[],
        )
        .await
        .unwrap();
    let t = f.ticket().await;
    let ticket = f.store.ticket(t).await.unwrap().unwrap();
    let zh = staff_in(&f, Lang::Zh).await;
    for staff in [&f.staff, &zh] {
        let card = staff.user_card_at(&ticket, NOW).await;
        for word in ["Alerts", "Last alert", "风险提醒", "最近一次提醒"] {
            assert!(!card.contains(word), "{word:?} in\n{card}");
        }
    }
    let who = f.run(STAFF, "/whois @alice", None).await.text_of_replies();
    assert!(!who.contains("Alerts"), "{who}");
}

#[tokio::test]
async fn stats_count_the_alerts_sent_in_the_period_by_kind() {
    let f = fixture().await;
    let day = 86_400;
    let entry = |key: &str, kind: NoticeKind| crate::store::OutboxEntry {
        key: format!("{USER}:{key}"),
        user: USER,
        market: "devnet".into(),
        address: LINKED.parse().unwrap(),
        kind,
        text: format!("alert {key}"),
        buttons: vec![],
        created_at: NOW - 9 * day,
        seq: 0,
    };
    let sent = [
        // Before the week: counted in the month only.
        (
            entry("old-w", NoticeKind::Alert(Severity::Warning)),
            NOW - 8 * day,
        ),
        (entry("old-l", NoticeKind::Liquidation), NOW - 10 * day),
        // In the week.
        (
            entry("w1", NoticeKind::Alert(Severity::Warning)),
            NOW - 6 * day,
        ),
        (
            entry("w2", NoticeKind::Alert(Severity::Warning)),
            NOW - 3_600,
        ),
        (
            entry("c1", NoticeKind::Alert(Severity::Critical)),
            NOW - 600,
        ),
        (entry("s1", NoticeKind::State), NOW - 2 * day),
        (entry("l1", NoticeKind::Liquidation), NOW - 60),
        // On the week's first second: inside, like tickets.
        (
            entry("w3", NoticeKind::Alert(Severity::Warning)),
            NOW - 7 * day,
        ),
    ];
    let entries: Vec<_> = sent.iter().map(|(e, _)| e.clone()).collect();
    f.store.save_alert_marks(&[], &entries).await.unwrap();
    for (e, at) in &sent {
        f.store.mark_alert_sent(e, *at).await.unwrap();
    }
    // Written and never sent: not counted.
    f.store
        .save_alert_marks(
            &[],
            &[entry("unsent", NoticeKind::Alert(Severity::Critical))],
        )
        .await
        .unwrap();

    let week = f.run(STAFF, "/stats", None).await.text_of_replies();
    assert!(
        week.contains(
            "- Alerts sent: 5 (3 warning, 1 critical, 1 state on subscribing); \
             liquidations noticed: 1"
        ),
        "{week}"
    );
    let month = f.run(STAFF, "/stats 30d", None).await.text_of_replies();
    assert!(
        month.contains(
            "- Alerts sent: 6 (4 warning, 1 critical, 1 state on subscribing); \
             liquidations noticed: 2"
        ),
        "{month}"
    );
    let zh = staff_in(&f, Lang::Zh)
        .await
        .command(&actor(STAFF), "/stats", None, NOW)
        .await
        .text_of_replies();
    assert!(
        zh.contains(
            "- 已发送风险提醒：5 条（预警 3，紧急 1，开启时已低于提醒线 1）；发现清算：1 次"
        ),
        "{zh}"
    );
    let today = f.run(STAFF, "/stats 1d", None).await.text_of_replies();
    assert!(
        today.contains("- Alerts sent: 2 (1 warning, 1 critical, 0 state on subscribing)"),
        "{today}"
    );

    // A fresh desk sent nothing.
    let quiet = fixture()
        .await
        .run(STAFF, "/stats", None)
        .await
        .text_of_replies();
    assert!(
        quiet.contains("- Alerts sent: 0; liquidations noticed: 0"),
        "{quiet}"
    );
}

#[tokio::test]
async fn stats_maintenance_whois_and_usage_lines() {
    let f = fixture().await;
    let out = f.run(STAFF, "/stats", None).await.text_of_replies();
    assert!(out.contains("**Statistics, last 7 days**"), "{out}");
    assert!(
        f.run(STAFF, "/stats@lendesk_bot 30d", None)
            .await
            .text_of_replies()
            .contains("last 30 days")
    );
    assert!(
        f.run(STAFF, "/stats 7x", None)
            .await
            .text_of_replies()
            .starts_with("Usage: /stats")
    );

    assert!(
        f.run(STAFF, "/maintenance", None)
            .await
            .text_of_replies()
            .contains("is off")
    );
    f.run(
        STAFF,
        "/maintenance on Upgrading the node, back at 15:00 UTC",
        None,
    )
    .await;
    let m = f.store.maintenance().await.unwrap().unwrap();
    assert_eq!(
        (m.by, m.since, m.text.as_str()),
        (STAFF, NOW, "Upgrading the node, back at 15:00 UTC")
    );
    assert_eq!(f.last_audit().await.action, "maintenance on");
    assert!(
        f.run(STAFF, "/maintenance", None)
            .await
            .text_of_replies()
            .contains("is **on**")
    );
    f.run(STAFF, "/maintenance off", None).await;
    assert!(f.store.maintenance().await.unwrap().is_none());
    assert_eq!(f.last_audit().await.action, "maintenance off");
    assert!(
        f.run(STAFF, "/maintenance on", None)
            .await
            .text_of_replies()
            .starts_with("Usage: /maintenance")
    );

    let t = f.ticket().await;
    f.run(STAFF, "/shadowban @alice flood", None).await;
    let who = f.run(STAFF, "/whois @alice", None).await.text_of_replies();
    for part in [
        "**Alice Liddell (@Alice)**",
        "- Telegram id: 100",
        "- Language: Chinese",
        "- Started: 2024-04-30 14:03 UTC",
        "- Ban: shadow-banned by @Bob_Staff",
        "- Linked addresses: none",
    ] {
        assert!(who.contains(part), "missing {part:?} in\n{who}");
    }
    assert!(who.contains(&format!("- Tickets: #{t} waiting")), "{who}");
    assert!(
        f.run(STAFF, "/whois 424242", None)
            .await
            .text_of_replies()
            .contains("no record of user 424242")
    );
    assert!(
        f.run(STAFF, "/whois", None)
            .await
            .text_of_replies()
            .starts_with("Usage: /whois")
    );
    let help = f.run(STAFF, "/frobnicate", None).await.text_of_replies();
    assert!(help.starts_with("**Staff commands**") && help.contains("/broadcast [en|zh] <text>"));
}

#[test]
fn staff_commands_are_told_apart_from_user_commands() {
    for yes in [
        "/tickets",
        "/tickets@lendesk_bot mine",
        "/stats@bot",
        "/STATS 30d",
        "/faq add +++",
        "/faq list",
        "/faq@bot show gas-fees",
        "/faq restore x",
        "/faq edit\n+++\nid = \"x\"",
        "/broadcast zh 你好",
        "/maintenance",
        "/ban 5",
        "/shadowban 5",
        "/unban 5",
        "/whois @a",
        "/staff list",
        "/audit 5",
        "/macros list",
        "/macro gas",
        "/note x",
        "/assign me",
        "/close",
        "/reopen",
        "  /close",
    ] {
        assert!(StaffDesk::is_staff_command(yes), "{yes}");
    }
    for no in [
        "/faq",
        "/faq@bot",
        "/faq what is the health factor",
        "/faq listing fees",
        "/help",
        "/ticket",
        "/start",
        "/human",
        "/lang zh",
        "/announcements off",
        "tickets",
        "close",
        "/",
        "",
        "hello /close",
    ] {
        assert!(!StaffDesk::is_staff_command(no), "{no}");
    }
}

#[tokio::test]
async fn command_futures_can_move_between_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let f = fixture().await;
    f.ticket().await;
    let a = actor(STAFF);
    let command = f.staff.command(&a, "/whois 100", None, NOW);
    assert_send(&command);
    let button = f.staff.button(&a, "staff:ticket:1", NOW);
    assert_send(&button);
    let ticket = f.store.ticket(1).await.unwrap();
    if let Some(t) = ticket {
        let card = f.staff.user_card(&t);
        assert_send(&card);
    }
}

#[test]
fn long_replies_are_split_at_line_ends() {
    let text = (0..500)
        .map(|i| format!("line {i:04} {}", "x".repeat(20)))
        .collect::<Vec<_>>()
        .join("\n");
    let parts = split_long(&text, 1_000);
    assert!(parts.iter().all(|p| p.chars().count() <= 1_000));
    assert_eq!(parts.join("\n"), text);
    let one = "é".repeat(2_500);
    let parts = split_long(&one, 1_000);
    assert_eq!(
        parts.iter().map(|p| p.chars().count()).collect::<Vec<_>>(),
        [1_000, 1_000, 500]
    );
    assert_eq!(split_long("", 10), [""]);
}

// --- broadcasts ------------------------------------------------------------------------------

/// Users 10..=69 who started the bot; some opted out, some speak Chinese, one is banned, and
/// one never started. Returns the ids an all-language broadcast must reach.
async fn broadcast_users(store: &Store) -> Vec<i64> {
    let mut eligible = Vec::new();
    for id in 10..=69i64 {
        let mut u = UserRecord::new(id);
        u.started_at = (id != 13).then_some(NOW - 1_000);
        u.broadcast_opt_out = id % 10 == 7;
        u.lang = (id % 3 == 0).then_some(Lang::Zh);
        store.save_user(&u, true).await.unwrap();
        if id != 13 && id % 10 != 7 && id != 42 {
            eligible.push(id);
        }
    }
    store
        .save_ban(&crate::store::BanRecord {
            user: 42,
            kind: BanKind::Ban,
            by: ADMIN,
            at: NOW,
            reason: String::new(),
        })
        .await
        .unwrap();
    eligible
}

#[tokio::test]
async fn the_same_broadcast_twice_within_ten_minutes_starts_once() {
    let f = fixture().await;
    let first = f.run(STAFF, "/broadcast Maintenance at noon.", None).await;
    assert!(
        matches!(first.effects.first(), Some(StaffEffect::StartBroadcast(1))),
        "{first:?}"
    );
    let again = f.run(STAFF, "/broadcast Maintenance at noon.", None).await;
    assert!(again.effects.is_empty(), "{again:?}");
    assert!(
        again
            .text_of_replies()
            .contains("Broadcast #1 with this text"),
        "{again:?}"
    );
    // Another text, or another audience, is another broadcast.
    let other = f
        .run(STAFF, "/broadcast zh Maintenance at noon.", None)
        .await;
    assert!(
        matches!(other.effects.first(), Some(StaffEffect::StartBroadcast(2))),
        "{other:?}"
    );
    assert_eq!(f.store.broadcasts().await.expect("broadcasts").len(), 2);
}

#[tokio::test]
async fn a_broadcast_resumes_after_a_crash_and_never_sends_twice() {
    let f = fixture().await;
    // The fixture's user 100 also started the bot (Chinese) and is eligible.
    let mut expected = broadcast_users(&f.store).await;
    expected.push(USER);
    let out = f
        .run(STAFF, "/broadcast The pool upgrade is done.", None)
        .await;
    let Some(StaffEffect::StartBroadcast(id)) = out.effects.first().copied() else {
        panic!("{out:?}");
    };
    assert!(
        out.text_of_replies()
            .contains(&format!("to {} users (all languages)", expected.len())),
        "{out:?}"
    );
    assert_eq!(f.last_audit().await.action, "broadcast");

    // First run: the process "dies" while sending to the second batch (the 11th eligible
    // user's send never completes and the run is dropped).
    let first: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let log = first.clone();
    let run = run_broadcast(
        &f.store,
        id,
        move |user, text| {
            let log = log.clone();
            async move {
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push((user, text));
                    log.len()
                };
                if n > 10 {
                    futures::future::pending::<()>().await;
                }
                Delivery::Sent
            }
        },
        |_| async {},
    );
    assert!(run.now_or_never().is_none(), "the first run was cut short");
    let first: Vec<(i64, String)> = first.lock().unwrap().clone();
    assert_eq!(first.len(), 2 * BATCH, "the second batch was being sent");
    let saved = f.store.broadcast(id).await.unwrap().unwrap();
    assert_eq!(
        saved.cursor,
        Some(first[2 * BATCH - 1].0),
        "committed before the batch"
    );
    assert_eq!((saved.sent, saved.done), (10, false));

    // Second run: a rate limit once, one unreachable user.
    let second: Arc<Mutex<Vec<i64>>> = Arc::default();
    let progress: Arc<Mutex<Vec<crate::store::Broadcast>>> = Arc::default();
    let (log, seen) = (second.clone(), progress.clone());
    let limited = Arc::new(Mutex::new(false));
    let done = run_broadcast(
        &f.store,
        id,
        move |user, _text| {
            let (log, limited) = (log.clone(), limited.clone());
            async move {
                let mut limited = limited.lock().unwrap();
                if !*limited {
                    *limited = true;
                    return Delivery::RetryAfter(std::time::Duration::from_millis(5));
                }
                log.lock().unwrap().push(user);
                if user == 50 {
                    Delivery::Unreachable
                } else {
                    Delivery::Sent
                }
            }
        },
        move |b| {
            seen.lock().unwrap().push(b);
            async {}
        },
    )
    .await
    .unwrap();
    let second = second.lock().unwrap().clone();
    let mut all: Vec<i64> = first
        .iter()
        .map(|(u, _)| *u)
        .chain(second.iter().copied())
        .collect();
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), total, "nobody got it twice");
    assert_eq!(all, expected, "everyone eligible was visited once");
    assert!(done.done);
    assert_eq!(done.failed, 1);
    assert_eq!(
        done.sent,
        10 + second.len() as u64 - 1,
        "the users lost in the crash are not counted"
    );
    let progress = progress.lock().unwrap().clone();
    assert_eq!(
        progress.last(),
        Some(&done),
        "the last progress call is the final state"
    );
    assert!(
        progress.iter().all(|b| b.cursor.is_some()),
        "progress snapshots carry the cursor"
    );
    assert!(progress.len() >= 2, "{progress:?}");

    // Footers in each user's language.
    let to_zh = first.iter().find(|(u, _)| u % 3 == 0).unwrap();
    assert!(
        to_zh.1.starts_with("The pool upgrade is done.")
            && to_zh
                .1
                .ends_with("如不想再收到公告，请发送 /announcements off")
    );
    let to_en = first.iter().find(|(u, _)| u % 3 != 0).unwrap();
    assert!(
        to_en
            .1
            .ends_with("To stop announcements, send /announcements off")
    );

    // A finished broadcast sends nothing more.
    let again = run_broadcast(&f.store, id, never_send, |_| async {})
        .await
        .unwrap();
    assert_eq!(again, done);
    let status = f
        .run(STAFF, "/broadcast status", None)
        .await
        .text_of_replies();
    assert!(
        status.contains(&format!("#{id} · all · done · sent {}", done.sent)),
        "{status}"
    );
}

#[tokio::test]
async fn broadcasts_filter_by_language_and_can_be_cancelled() {
    let f = fixture().await;
    broadcast_users(&f.store).await;
    let out = f.run(ADMIN, "/broadcast zh 维护完成。", None).await;
    let Some(StaffEffect::StartBroadcast(id)) = out.effects.first().copied() else {
        panic!("{out:?}");
    };
    let b = f.store.broadcast(id).await.unwrap().unwrap();
    assert_eq!((b.lang, b.text.as_str()), (Some(Lang::Zh), "维护完成。"));

    // Cancelled from the staff chat while running: it stops before the next batch.
    let sent: Arc<Mutex<Vec<i64>>> = Arc::default();
    let (log, store) = (sent.clone(), f.store.clone());
    let result = run_broadcast(
        &f.store,
        id,
        move |user, _| {
            let (log, store) = (log.clone(), store.clone());
            async move {
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(user);
                    log.len()
                };
                if n == 3 {
                    let mut b = store.broadcast(id).await.unwrap().unwrap();
                    b.done = true;
                    store.save_broadcast(&b).await.unwrap();
                }
                Delivery::Sent
            }
        },
        |_| async {},
    )
    .await
    .unwrap();
    let sent = sent.lock().unwrap().clone();
    assert_eq!(sent.len(), BATCH, "{sent:?}");
    assert!(
        sent.iter().all(|u| u % 3 == 0 || *u == USER),
        "Chinese speakers only: {sent:?}"
    );
    assert!(result.done);

    let out = f.run(STAFF, "/broadcast cancel 999", None).await;
    assert!(out.text_of_replies().contains("no broadcast #999"));
    let out = f
        .run(STAFF, &format!("/broadcast cancel #{id}"), None)
        .await;
    assert!(out.text_of_replies().contains("finished already"));
    let out = f.run(STAFF, "/broadcast en hi", None).await;
    let Some(StaffEffect::StartBroadcast(id2)) = out.effects.first().copied() else {
        panic!("{out:?}");
    };
    let out = f
        .run(STAFF, &format!("/broadcast cancel {id2}"), None)
        .await;
    assert!(out.text_of_replies().contains("cancelled"));
    assert_eq!(f.last_audit().await.action, "broadcast cancel");
    let nothing = run_broadcast(&f.store, id2, never_send, |_| async {})
        .await
        .unwrap();
    assert_eq!(nothing.sent, 0);
    for bad in ["/broadcast", "/broadcast en", "/broadcast cancel x"] {
        assert!(
            f.run(STAFF, bad, None)
                .await
                .text_of_replies()
                .starts_with("Usage: /broadcast"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn a_users_deletion_is_audited_without_content_and_their_ticket_names_nobody() {
    let f = fixture().await;
    let t = f.ticket().await;
    let done = f
        .staff
        .desk()
        .button(USER, crate::desk::FORGET_YES, None, NOW)
        .await;
    assert!(done.text().contains("已全部删除"), "{}", done.text());
    let audit = f.run(ADMIN, "/audit 1", None).await.text_of_replies();
    assert!(
        audit.contains("a user who deleted their data · user data deleted"),
        "{audit}"
    );
    assert!(
        !audit.contains("Alice") && !audit.contains("我要找人工"),
        "{audit}"
    );
    let list = f.run(STAFF, "/tickets", None).await.text_of_replies();
    assert!(list.contains(&format!("#{t}")), "{list}");
    assert!(list.contains("a user who deleted their data"), "{list}");
    assert!(!list.contains("Alice"), "{list}");
}
