//! The desk's user-side support features, end to end over a real sled store on disk and the
//! shipped knowledge base (no chain, or a dead node): bans, flood control, the maintenance
//! notice, the hand-off to a person, ticket ratings, the announcements opt-out, EIP-191 proof
//! of address ownership,
//! unsupported content, statistics events and who the user is.

mod common;

use std::path::Path;
use std::time::Duration;

use alloy::primitives::Address;
use alloy::signers::SignerSync;
use alloy::signers::local::PrivateKeySigner;

use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::markets::Markets;
use lendesk::chain::rpc::Rpc;
use lendesk::config::{MULTICALL3, MarketConfig, Protocol, RiskConfig};
use lendesk::desk::{Action, Desk, DeskSettings, Incoming, Intent, Outcome};
use lendesk::knowledge::KnowledgeBase;
use lendesk::lang::Lang;
use lendesk::store::{BanKind, BanRecord, Maintenance, Store};
use lendesk::tickets::{SlaConfig, Tickets};

const NOW: u64 = 1_700_000_000;
/// FAQ questions on different topics (the same topic three times in a row escalates).
const QUESTIONS: [&str; 4] = [
    "what is a health factor",
    "what is isolation mode on aave",
    "wat is emode",
    "what are aTokens",
];
/// A private key (the well-known first Anvil/Hardhat dev key).
const DEV_KEY: &str = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    desk: Desk,
}

fn desk_over(store: Store) -> Desk {
    let kb =
        KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq");
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    Desk::new(kb, Markets::none(), tickets, store, DeskSettings::default())
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let desk = desk_over(store.clone());
    Fixture {
        _dir: dir,
        store,
        desk,
    }
}

fn msg(user: i64, text: &str, now: u64) -> Incoming {
    Incoming {
        user,
        text: text.to_string(),
        now,
        ..Default::default()
    }
}

async fn say(desk: &Desk, user: i64, text: &str) -> Outcome {
    desk.handle(msg(user, text, NOW)).await
}

async fn ban(store: &Store, user: i64, kind: BanKind) {
    store
        .save_ban(&BanRecord {
            user,
            kind,
            by: 1,
            at: NOW,
            reason: "spam".into(),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_shadow_ban_drops_silently_and_a_ban_answers_once() {
    let f = fixture();
    ban(&f.store, 7, BanKind::Shadow).await;
    ban(&f.store, 8, BanKind::Ban).await;

    let out = say(&f.desk, 7, "what is a health factor").await;
    assert_eq!(out.intent, Intent::Dropped);
    assert!(out.replies.is_empty() && out.actions.is_empty(), "{out:?}");
    let out = f.desk.button(7, "human", None, NOW).await;
    assert_eq!((out.intent, out.replies.len()), (Intent::Dropped, 0));
    // A pasted key is still deleted, without a word.
    let out = say(&f.desk, 7, &format!("my key {DEV_KEY}")).await;
    assert_eq!(out.intent, Intent::Dropped);
    assert!(out.replies.is_empty());
    assert_eq!(out.actions, vec![Action::DeleteMessage]);

    let out = say(&f.desk, 8, "/human I need help").await;
    assert_eq!(out.intent, Intent::Dropped);
    assert_eq!(out.replies.len(), 1);
    assert!(out.text().contains("blocked"), "{}", out.text());
    assert!(out.actions.is_empty() && out.ticket.is_none());
    let out = say(&f.desk, 8, "我的健康因子是多少").await;
    assert_eq!(out.replies.len(), 1);
    assert!(out.text().contains("禁止"), "{}", out.text());
    let out = say(&f.desk, 8, &format!("here: {DEV_KEY}")).await;
    assert_eq!(out.actions, vec![Action::DeleteMessage]);
    assert!(!out.text().contains(DEV_KEY));

    // Nothing processed: no ticket, no conversation, no statistics.
    assert!(f.store.tickets().await.unwrap().is_empty());
    assert!(f.desk.conversation(7).await.unwrap().is_empty());
    assert!(f.desk.conversation(8).await.unwrap().is_empty());
    f.desk.flush_events().await;
    assert!(f.store.events_since(0).await.unwrap().is_empty());

    // Lifting the ban takes effect at once.
    f.store.remove_ban(8).await.unwrap();
    let out = say(&f.desk, 8, "what is a health factor").await;
    assert_eq!(out.intent, Intent::Faq, "{}", out.text());
}

#[tokio::test]
async fn flooding_gets_one_notice_then_silence_and_recovers_after_a_minute() {
    let f = fixture();
    let limit = DeskSettings::default().flood_limit;
    assert_eq!(limit, 20);
    for i in 0..limit {
        let question = QUESTIONS[i as usize % QUESTIONS.len()];
        let out = f
            .desk
            .handle(msg(5, question, NOW + u64::from(i) % 3))
            .await;
        assert_eq!(out.intent, Intent::Faq, "message {i}");
    }
    let out = f.desk.handle(msg(5, "what are aTokens", NOW + 5)).await;
    assert_eq!(out.intent, Intent::Throttled);
    assert_eq!(out.replies.len(), 1);
    assert!(out.text().contains("very fast"), "{}", out.text());
    for _ in 0..5 {
        let out = f.desk.handle(msg(5, "hello?", NOW + 10)).await;
        assert_eq!((out.intent, out.replies.len()), (Intent::Throttled, 0));
    }
    // Secrets are still deleted while throttled.
    let out = f
        .desk
        .handle(msg(5, &format!("key {DEV_KEY}"), NOW + 11))
        .await;
    assert_eq!(out.intent, Intent::Throttled);
    assert_eq!(out.actions, vec![Action::DeleteMessage]);
    assert!(!out.text().contains(DEV_KEY));
    // Another user is not affected.
    let out = f
        .desk
        .handle(msg(6, "what is a health factor", NOW + 11))
        .await;
    assert_eq!(out.intent, Intent::Faq);
    // A minute after the burst the rate has fallen: answered again.
    let out = f.desk.handle(msg(5, "wat is emode", NOW + 72)).await;
    assert_eq!(out.intent, Intent::Faq, "{}", out.text());
    // Throttled messages are not statistics.
    f.desk.flush_events().await;
    let events = f.store.events_since(0).await.unwrap();
    assert!(events.iter().all(|e| e.intent != "throttled"));
    // 21 answered for user 5 and one for user 6 (records of a minute are collapsed with a count).
    assert_eq!(events.iter().map(|e| e.count).sum::<u64>(), 22);
}

#[tokio::test]
async fn the_maintenance_notice_comes_first_and_goes_when_turned_off() {
    let f = fixture();
    let out = say(&f.desk, 3, QUESTIONS[0]).await;
    assert!(!out.text().contains("Notice"));
    f.store
        .set_maintenance(Some(&Maintenance {
            text: "withdrawals are paused while we upgrade".into(),
            by: 1,
            since: NOW,
        }))
        .await
        .unwrap();
    // Visible within a second without anyone telling the desk.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let out = say(&f.desk, 3, QUESTIONS[1]).await;
    assert_eq!(out.intent, Intent::Faq);
    assert_eq!(
        out.replies[0].text,
        "⚠️ Notice: withdrawals are paused while we upgrade"
    );
    assert!(out.replies.len() >= 2);
    let out = say(&f.desk, 4, "/start").await;
    assert!(out.replies[0].text.starts_with("⚠️ Notice:"));
    assert!(out.replies[1].text.contains("Welcome"));
    let out = say(&f.desk, 4, "健康因子是什么").await;
    assert!(
        out.replies[0].text.starts_with("⚠️ 通知："),
        "{}",
        out.text()
    );
    let out = f.desk.button(4, "faq:health-factor", None, NOW).await;
    assert!(out.replies[0].text.starts_with("⚠️"));

    f.store.set_maintenance(None).await.unwrap();
    f.desk.refresh_maintenance().await;
    let out = say(&f.desk, 3, QUESTIONS[2]).await;
    assert_eq!(out.intent, Intent::Faq);
    assert!(!out.text().contains("Notice"), "{}", out.text());
}

#[tokio::test]
async fn a_user_with_a_ticket_is_relayed_and_the_bot_steps_back_while_a_person_is_on_it() {
    let f = fixture();
    let user = 21;
    // No ticket: media without a caption gets the polite text-only answer.
    let out = f
        .desk
        .handle(Incoming {
            media: true,
            ..msg(user, "", NOW)
        })
        .await;
    assert!(out.text().contains("text only"), "{}", out.text());
    assert!(!out.actions.contains(&Action::RelayToStaff));
    let out = say(&f.desk, user, QUESTIONS[0]).await;
    assert!(out.actions.is_empty() && out.ticket.is_none());

    let human = say(&f.desk, user, "/human").await;
    assert_eq!(human.intent, Intent::Escalate);
    let ticket = human.ticket.expect("ticket");
    assert!(!human.actions.contains(&Action::RelayToStaff));

    // Waiting for a person: the bot still answers, and the message reaches staff.
    let out = say(&f.desk, user, QUESTIONS[1]).await;
    assert_eq!(out.intent, Intent::Faq);
    assert!(!out.replies.is_empty());
    assert_eq!(out.actions, vec![Action::RelayToStaff]);
    assert_eq!(out.ticket, Some(ticket));
    // What the bot cannot answer went to the team: it says so, and offers no person (nor
    // /human), in either language.
    for (text, said) in [
        (
            "qwzx blorp vvv",
            "passed your message to the team on ticket #",
        ),
        ("请问那个东西怎么弄呢", "你的消息已转给负责工单 #"),
    ] {
        let out = say(&f.desk, user, text).await;
        assert!(out.text().contains(said), "{text}: {}", out.text());
        assert!(!out.text().contains("/human"), "{}", out.text());
        let buttons: Vec<_> = out
            .replies
            .iter()
            .flat_map(|r| r.buttons.iter().flatten())
            .collect();
        assert!(buttons.iter().all(|b| b.data != "human"), "{buttons:?}");
        assert_eq!(out.actions, vec![Action::RelayToStaff]);
    }
    // Commands are answered and not relayed.
    let out = say(&f.desk, user, "/help").await;
    assert_eq!(out.intent, Intent::Command);
    assert!(out.actions.is_empty() && out.ticket.is_none());
    // A second escalation does not open a second ticket.
    let out = say(&f.desk, user, "I want to talk to a human").await;
    assert_eq!(out.ticket, Some(ticket));
    assert!(out.actions.contains(&Action::RelayToStaff));
    assert_eq!(f.store.tickets().await.unwrap().len(), 1);

    // A person answers: free text goes to them only.
    f.desk
        .tickets()
        .respond(ticket, 99, NOW + 60)
        .await
        .unwrap();
    f.desk.ticket_changed(user);
    let out = say(&f.desk, user, "thanks, my tx is 0xabc, what now?").await;
    assert_eq!(out.intent, Intent::Relayed);
    assert!(out.replies.is_empty());
    assert_eq!(out.actions, vec![Action::RelayToStaff]);
    assert_eq!(out.ticket, Some(ticket));
    let out = say(&f.desk, user, "what is a health factor").await;
    assert_eq!((out.intent, out.replies.len()), (Intent::Relayed, 0));
    // …unless they ask the bot itself.
    for (ask, topic) in [
        ("bot, what is a health factor", "health-factor"),
        ("@bot what is isolation mode on aave", "isolation-mode"),
        ("Bot: wat is emode", "emode"),
        ("机器人，健康因子是什么意思", "health-factor"),
    ] {
        let out = say(&f.desk, user, ask).await;
        assert_eq!(out.intent, Intent::Faq, "{ask}: {}", out.text());
        assert_eq!(out.sources, vec![format!("faq:{topic}")], "{ask}");
        assert_eq!(out.actions, vec![Action::RelayToStaff], "{ask}");
        assert_eq!(out.ticket, Some(ticket));
    }
    // "bottom line" is not an address to the bot.
    let out = say(&f.desk, user, "bottom line: what is a health factor").await;
    assert_eq!(out.intent, Intent::Relayed);
    // A photo is relayed without a reply.
    let out = f
        .desk
        .handle(Incoming {
            media: true,
            ..msg(user, "", NOW)
        })
        .await;
    assert_eq!((out.intent, out.replies.len()), (Intent::Relayed, 0));
    assert_eq!(out.actions, vec![Action::RelayToStaff]);
    // Secrets are never relayed.
    let out = say(&f.desk, user, &format!("is this ok {DEV_KEY}")).await;
    assert_eq!(out.intent, Intent::RefuseSecret);
    assert_eq!(out.actions, vec![Action::DeleteMessage]);
    // Buttons are answered.
    let out = f.desk.button(user, "faq:liquidation", None, NOW).await;
    assert_eq!(out.intent, Intent::Faq);
    // Staff see the relayed lines in the conversation.
    let lines = f.desk.conversation(user).await.unwrap();
    assert!(lines.iter().any(|l| l.text.contains("my tx is 0xabc")));

    // Closed: back to the bot alone.
    f.desk.tickets().close(ticket, NOW + 120).await.unwrap();
    f.desk.ticket_changed(user);
    let out = say(&f.desk, user, QUESTIONS[3]).await;
    assert_eq!(out.intent, Intent::Faq);
    assert!(out.actions.is_empty() && out.ticket.is_none());
}

#[tokio::test]
async fn with_a_ticket_open_a_dead_node_does_not_send_the_user_to_ask_for_a_person() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let kb =
        KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq");
    // Nothing listens on port 9: every read fails at once.
    let dead = "http://127.0.0.1:9";
    let market = MarketConfig {
        name: "dead".into(),
        chain_id: 1,
        rpc_url: dead.into(),
        protocol: Protocol::AaveV3 {
            pool_addresses_provider: Address::repeat_byte(7),
        },
        multicall3: MULTICALL3,
    };
    let rpc = Rpc::connect(dead, Duration::from_secs(2)).unwrap();
    let reader = AaveV3Reader::new(market, rpc, RiskConfig::default().stablecoins);
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    let desk = Desk::new(
        kb,
        Markets::single(reader),
        tickets,
        store,
        DeskSettings::default(),
    );
    let user = 31;
    let address = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    // Without a ticket the user is told to ask for a person.
    let out = say(&desk, user, &format!("what's my health factor {address}")).await;
    assert_eq!(out.intent, Intent::Error);
    assert!(out.text().contains("/human"), "{}", out.text());

    let ticket = say(&desk, user, "/human").await.ticket.expect("ticket");
    for (text, said) in [
        (
            format!("what's my health factor {address}"),
            "went to the team on ticket #",
        ),
        (format!("我的健康因子是多少 {address}"), "已转给负责工单 #"),
    ] {
        let out = say(&desk, user, &text).await;
        assert_eq!(out.actions, vec![Action::RelayToStaff], "{text}");
        assert!(out.text().contains(said), "{text}: {}", out.text());
        assert!(out.text().contains(&format!("#{ticket}")), "{}", out.text());
        assert!(!out.text().contains("/human"), "{}", out.text());
    }
}

#[tokio::test]
async fn a_rating_and_its_comment_are_stored_with_any_secret_cut_out() {
    let f = fixture();
    let user = 31;
    let ticket = say(&f.desk, user, "/human").await.ticket.unwrap();
    // Not closed yet: no rating.
    let out = f
        .desk
        .button(user, &format!("rate:{ticket}:5"), None, NOW)
        .await;
    assert!(out.text().contains("only closed tickets"), "{}", out.text());
    f.desk.tickets().close(ticket, NOW + 10).await.unwrap();
    f.desk.ticket_changed(user);
    // Someone else's ticket, and malformed data, are refused.
    let other = f
        .desk
        .button(32, &format!("rate:{ticket}:1"), None, NOW)
        .await;
    assert!(other.text().contains("only closed tickets"));
    for bad in ["rate:x:3", &format!("rate:{ticket}:9"), "rate:", "rate:1"] {
        let out = f.desk.button(user, bad, None, NOW).await;
        assert!(out.text().contains("only closed tickets"), "{bad}");
    }
    assert_eq!(f.store.ticket(ticket).await.unwrap().unwrap().rating, None);

    let out = f
        .desk
        .button(user, &format!("rate:{ticket}:4"), None, NOW)
        .await;
    assert!(out.text().contains("/skip"), "{}", out.text());
    assert_eq!(
        f.store.ticket(ticket).await.unwrap().unwrap().rating,
        Some(4)
    );
    assert_eq!(
        f.store.user(user).await.unwrap().unwrap().awaiting_comment,
        Some(ticket),
        "the wait for a comment is saved"
    );
    // The comment holds a private key: the message is deleted, the comment kept without it.
    let out = say(
        &f.desk,
        user,
        &format!("fast and kind, they even warned me about {DEV_KEY}"),
    )
    .await;
    assert_eq!(out.intent, Intent::RefuseSecret);
    assert!(out.actions.contains(&Action::DeleteMessage));
    assert!(out.text().contains("comment is saved"), "{}", out.text());
    let rated = f.store.ticket(ticket).await.unwrap().unwrap();
    assert_eq!(rated.rating, Some(4));
    let comment = rated.comment.expect("comment");
    assert!(comment.starts_with("fast and kind"), "{comment}");
    assert!(!comment.contains(&DEV_KEY[..16]), "{comment}");
    assert_eq!(
        f.store.user(user).await.unwrap().unwrap().awaiting_comment,
        None
    );

    // One rating per ticket: an older button pressed later is refused and its buttons go; the
    // first rating and its comment stay, and the next message is a question, not a comment.
    // The conversation is in English, so whatever the client's language, so is the answer.
    for lang in [Lang::En, Lang::Zh] {
        let out = f
            .desk
            .button(user, &format!("rate:{ticket}:1"), Some(lang), NOW)
            .await;
        assert!(out.text().contains("already rated"), "{}", out.text());
        assert_eq!(out.actions, vec![Action::RemoveButtons]);
    }
    let rated = f.store.ticket(ticket).await.unwrap().unwrap();
    assert_eq!(rated.rating, Some(4));
    assert!(
        rated
            .comment
            .is_some_and(|c| c.starts_with("fast and kind"))
    );
    let out = say(&f.desk, user, QUESTIONS[1]).await;
    assert_eq!(out.intent, Intent::Faq);

    // A reopened ticket is rated afresh when it closes again. /skip ends the wait for a
    // comment; the next message is a question.
    f.desk.tickets().reopen(ticket).await.unwrap();
    f.desk.tickets().close(ticket, NOW + 20).await.unwrap();
    f.desk.ticket_changed(user);
    let out = f
        .desk
        .button(user, &format!("rate:{ticket}:5"), None, NOW)
        .await;
    assert_eq!(out.actions, vec![Action::RemoveButtons]);
    let out = say(&f.desk, user, "/skip").await;
    assert!(out.text().contains("without a comment"), "{}", out.text());
    let out = say(&f.desk, user, "what is a health factor").await;
    assert_eq!(out.intent, Intent::Faq);
    let rated = f.store.ticket(ticket).await.unwrap().unwrap();
    assert_eq!(rated.rating, Some(5));
}

#[tokio::test]
async fn announcements_opt_out_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let desk = desk_over(store);
        let out = say(&desk, 41, "/announcements").await;
        assert!(out.text().contains("/announcements off"), "{}", out.text());
        let out = say(&desk, 41, "/announcements off").await;
        assert!(out.text().contains("won't receive"), "{}", out.text());
        let out = say(&desk, 42, "/announcements maybe").await;
        assert!(out.text().contains("/announcements on"), "{}", out.text());
    }
    let store = Store::open(dir.path()).unwrap();
    assert!(store.user(41).await.unwrap().unwrap().broadcast_opt_out);
    let desk = desk_over(store.clone());
    let out = say(&desk, 41, "/announcements").await;
    assert!(out.text().contains("off"), "{}", out.text());
    say(&desk, 41, "/announcements on").await;
    drop(desk);
    assert!(!store.user(41).await.unwrap().unwrap().broadcast_opt_out);
}

#[tokio::test]
async fn a_signature_proves_an_address_and_a_wrong_or_garbled_one_does_not() {
    let f = fixture();
    let user = 51;
    let owner = PrivateKeySigner::random();
    let stranger = PrivateKeySigner::random();
    let address = owner.address().to_checksum(None);

    let out = say(&f.desk, user, "/verify 0x1234").await;
    assert!(
        out.text().contains("/link"),
        "no proof in progress: {}",
        out.text()
    );

    let out = say(&f.desk, user, &format!("/link {address}")).await;
    assert_eq!(out.intent, Intent::Command);
    assert!(out.text().contains(&format!("Linked {address}")));
    assert!(out.text().contains("/verify"), "{}", out.text());
    let proof = f
        .store
        .user(user)
        .await
        .unwrap()
        .unwrap()
        .pending_proof
        .expect("a pending proof, saved");
    assert!(
        out.text().contains(&proof.message),
        "the reply shows the message"
    );
    assert!(
        proof.message.starts_with(&format!(
            "lendesk: I own {address}. Telegram user {user}. Nonce "
        )),
        "{}",
        proof.message
    );
    let nonce = proof
        .message
        .rsplit("Nonce ")
        .next()
        .unwrap()
        .trim_end_matches('.');
    assert_eq!(nonce.len(), 16);
    assert!(nonce.chars().all(|c| c.is_ascii_hexdigit()));

    // Garbage, a truncated signature, a bad parity byte: a clear error.
    for garbage in [
        "/verify hello",
        "/verify 0x1234",
        &format!("/verify 0x{}", "ab".repeat(64)),
        &format!("/verify 0x{}ff", "11".repeat(64)),
    ] {
        let out = say(&f.desk, user, garbage).await;
        assert_eq!(out.intent, Intent::Error, "{garbage}");
        assert!(
            out.text().contains("doesn't look like a signature"),
            "{garbage}: {}",
            out.text()
        );
    }
    let out = say(&f.desk, user, "/verify").await;
    assert!(out.text().contains(&proof.message));

    // Signed by another key: refused, naming who signed.
    let wrong = stranger
        .sign_message_sync(proof.message.as_bytes())
        .unwrap();
    let wrong_hex = format!("0x{}", hex::encode(wrong.as_bytes()));
    let out = say(&f.desk, user, &format!("/verify {wrong_hex}")).await;
    assert_eq!(out.intent, Intent::Error);
    assert!(out.text().contains("does not match"), "{}", out.text());
    assert!(out.text().contains(&stranger.address().to_checksum(None)));
    assert!(!out.text().contains(&wrong_hex[2..40]), "no echo");
    let record = f.store.user(user).await.unwrap().unwrap();
    assert!(!record.links[0].verified);
    assert!(record.pending_proof.is_some(), "the user can try again");

    // Signed by the owner of a different message: refused too.
    let other_message = owner.sign_message_sync(b"something else").unwrap();
    let out = say(
        &f.desk,
        user,
        &format!("/verify 0x{}", hex::encode(other_message.as_bytes())),
    )
    .await;
    assert!(out.text().contains("does not match"), "{}", out.text());

    // The right signature (pasted with stray spaces, as copied): verified.
    let good = owner.sign_message_sync(proof.message.as_bytes()).unwrap();
    let good_hex = format!("0x{}", hex::encode(good.as_bytes()));
    let out = say(&f.desk, user, &format!("/verify  {good_hex} ")).await;
    assert_eq!(out.intent, Intent::Command, "{}", out.text());
    assert!(out.text().contains("Verified"), "{}", out.text());
    assert!(!out.text().contains(&good_hex[2..40]), "no echo");
    let record = f.store.user(user).await.unwrap().unwrap();
    assert_eq!(record.links.len(), 1);
    assert!(record.links[0].verified);
    assert!(record.pending_proof.is_none());
    // The conversation keeps no signature either.
    let lines = f.desk.conversation(user).await.unwrap();
    assert!(lines.iter().all(|l| !l.text.contains(&good_hex[2..40])));

    // /link lists the links; linking a verified address again asks for nothing.
    let second = Address::repeat_byte(0x22).to_checksum(None);
    say(&f.desk, user, &format!("/link {second}")).await;
    let out = say(&f.desk, user, "/link").await;
    assert!(
        out.text().contains(&format!("{address} ✅ verified")),
        "{}",
        out.text()
    );
    assert!(out.text().contains(&format!("{second} (not verified)")));
    let out = say(&f.desk, user, &format!("/link {address}")).await;
    assert!(out.text().contains("already linked and verified"));

    // /unlink drops the proof in progress for that address.
    assert!(
        f.store
            .user(user)
            .await
            .unwrap()
            .unwrap()
            .pending_proof
            .is_some()
    );
    say(&f.desk, user, &format!("/unlink {second}")).await;
    assert!(
        f.store
            .user(user)
            .await
            .unwrap()
            .unwrap()
            .pending_proof
            .is_none()
    );
    let out = say(&f.desk, user, &format!("/verify {good_hex}")).await;
    assert!(out.text().contains("/link"), "{}", out.text());
}

#[tokio::test]
async fn a_proof_request_expires_after_an_hour() {
    let f = fixture();
    let owner = PrivateKeySigner::random();
    say(&f.desk, 61, &format!("/link {}", owner.address())).await;
    let proof = f
        .store
        .user(61)
        .await
        .unwrap()
        .unwrap()
        .pending_proof
        .unwrap();
    let sig = owner.sign_message_sync(proof.message.as_bytes()).unwrap();
    let out = f
        .desk
        .handle(msg(
            61,
            &format!("/verify 0x{}", hex::encode(sig.as_bytes())),
            NOW + 3_601,
        ))
        .await;
    assert!(out.text().contains("/link"), "{}", out.text());
    assert!(!f.store.user(61).await.unwrap().unwrap().links[0].verified);
}

#[tokio::test]
async fn who_the_user_is_statistics_and_help() {
    let f = fixture();
    let out = f
        .desk
        .handle(Incoming {
            username: Some("alice".into()),
            display_name: Some("Alice".into()),
            ..msg(71, "what is a health factor", NOW)
        })
        .await;
    assert_eq!(out.intent, Intent::Faq);
    let record = f
        .store
        .user(71)
        .await
        .unwrap()
        .expect("saved on the first message");
    assert_eq!(record.username.as_deref(), Some("alice"));
    assert_eq!(record.display_name.as_deref(), Some("Alice"));
    assert_eq!(record.started_at, Some(NOW));
    f.desk
        .handle(Incoming {
            username: Some("alice_2".into()),
            ..msg(71, "thanks", NOW + 100)
        })
        .await;
    let record = f.store.user(71).await.unwrap().unwrap();
    assert_eq!(record.username.as_deref(), Some("alice_2"));
    assert_eq!(record.display_name.as_deref(), Some("Alice"));
    assert_eq!(
        record.started_at,
        Some(NOW),
        "the first message stays the start"
    );

    say(&f.desk, 72, "qwertyuiop zxcvbnm").await;
    f.desk.flush_events().await;
    let events = f.store.events_since(0).await.unwrap();
    let faq = events
        .iter()
        .find(|e| e.intent == "faq" && e.topic.as_deref() == Some("health-factor"))
        .expect("faq event");
    assert_eq!(faq.topic.as_deref(), Some("health-factor"));
    assert_eq!(faq.question, None);
    let unknown = events.iter().find(|e| e.question.is_some()).expect("event");
    assert_eq!(unknown.user, 72, "a question keeps its own record");
    assert_eq!(unknown.intent, "clarify");
    assert_eq!(unknown.question.as_deref(), Some("qwertyuiop zxcvbnm"));

    for (lang, text) in [(Lang::En, "/help"), (Lang::Zh, "/lang zh")] {
        let out = say(&f.desk, 73, text).await;
        assert_eq!(out.lang, lang);
    }
    for user in [74, 73] {
        let out = say(&f.desk, user, "/help").await;
        for command in ["/announcements", "/verify", "/ticket"] {
            assert!(out.text().contains(command), "{command}: {}", out.text());
        }
    }
    // A command's name is not a language: the client's language decides, then the argument.
    for (text, lang) in [
        ("/human", Lang::Zh),
        ("/ticket", Lang::Zh),
        ("/faq what is a health factor", Lang::En),
    ] {
        let out = f
            .desk
            .handle(Incoming {
                lang_hint: Some(Lang::Zh),
                ..msg(75, text, NOW)
            })
            .await;
        assert_eq!(out.lang, lang, "{text}");
    }
    let out = say(&f.desk, 74, "/ticket").await;
    assert!(out.text().contains("no tickets"));
    let out = say(&f.desk, 74, "/tickets").await;
    assert!(
        out.text().contains("don't know that command"),
        "staff own /tickets"
    );

    for intent in [
        Intent::Faq,
        Intent::RefuseSecret,
        Intent::Relayed,
        Intent::Throttled,
        Intent::Dropped,
    ] {
        assert_eq!(serde_json::to_value(intent).unwrap(), intent.name());
    }
}

#[tokio::test]
async fn position_answers_say_whether_each_linked_address_is_verified() {
    let chain = common::shared();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let kb =
        KnowledgeBase::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("faq")).expect("faq");
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let desk = Desk::new(
        kb,
        Markets::single(reader),
        tickets,
        store.clone(),
        DeskSettings::default(),
    );
    let user = 81;
    let warning = common::account(&chain.manifest, "warning");
    let owner = PrivateKeySigner::random();
    say(&desk, user, &format!("/link {warning}")).await;
    say(&desk, user, &format!("/link {}", owner.address())).await;
    let proof = store
        .user(user)
        .await
        .unwrap()
        .unwrap()
        .pending_proof
        .unwrap();
    let sig = owner.sign_message_sync(proof.message.as_bytes()).unwrap();
    let out = say(
        &desk,
        user,
        &format!("/verify 0x{}", hex::encode(sig.as_bytes())),
    )
    .await;
    assert!(out.text().contains("Verified"), "{}", out.text());

    let out = say(&desk, user, "/position").await;
    assert_eq!(out.intent, Intent::Command, "{}", out.text());
    assert_eq!(out.replies.len(), 2, "{}", out.text());
    assert!(
        out.replies[0]
            .text
            .ends_with("Linked, not verified (/link it again to prove it is yours)."),
        "{}",
        out.replies[0].text
    );
    assert!(
        out.replies[1]
            .text
            .ends_with("✅ Address verified as yours."),
        "{}",
        out.replies[1].text
    );
    // An address named in the message but not linked gets no such line.
    let other = common::account(&chain.manifest, "safe");
    let out = say(&desk, 82, &format!("what is the health factor of {other}")).await;
    assert_eq!(out.intent, Intent::Position, "{}", out.text());
    assert!(!out.text().contains("verified"), "{}", out.text());
}

/// A button under a Chinese answer is answered in Chinese, whatever the client's interface
/// language; a user who never wrote gets the client's.
#[tokio::test]
async fn a_button_answers_in_the_conversations_language() {
    let f = fixture();
    let out = f
        .desk
        .handle(Incoming {
            lang_hint: Some(Lang::En),
            ..msg(31, "健康因子是什么意思？", NOW)
        })
        .await;
    assert_eq!(out.lang, Lang::Zh, "{}", out.text());
    let faq = out.replies[0]
        .buttons
        .iter()
        .flatten()
        .find(|b| b.data.starts_with("faq:"))
        .expect("a topic button")
        .data
        .clone();
    let pressed = f.desk.button(31, &faq, Some(Lang::En), NOW + 5).await;
    assert_eq!(pressed.lang, Lang::Zh, "{}", pressed.text());
    // Nothing said yet: the client's language.
    let first = f.desk.button(32, &faq, Some(Lang::Zh), NOW + 5).await;
    assert_eq!(first.lang, Lang::Zh);
    let first = f.desk.button(33, &faq, Some(Lang::En), NOW + 5).await;
    assert_eq!(first.lang, Lang::En);
}
