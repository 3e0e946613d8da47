//! The user's side of the liquidation-risk alerts, end to end over a real sled store on disk
//! and the shipped knowledge base: `/alerts` (state, on/off, levels, quiet hours, snooze),
//! `/watch` and `/unwatch`, the `alert:` buttons, and the flag that has the watcher reload who
//! watches what. No chain, except the position buttons (the shared devnet, read only).

mod common;

use std::time::Duration;

use alloy::primitives::{Address, address};

use lendesk::alerts::{SubscriptionsChanged, liquidation_key};
use lendesk::chain::aave_v3::AaveV3Reader;
use lendesk::chain::format::short_address;
use lendesk::chain::markets::Markets;
use lendesk::chain::rpc::Rpc;
use lendesk::config::{MULTICALL3, MarketConfig, Protocol, RiskConfig};
use lendesk::desk::{ChatKind, Desk, FORGET_YES, Incoming, Intent, Outcome};
use lendesk::lang::Lang;
use lendesk::store::{
    AlertMark, AlertSettings, Arming, BanKind, BanRecord, LastAlert, NoticeKind, OutboxEntry,
    QuietHours, Severity, Store,
};

const NOW: u64 = 1_700_000_000;
/// Two well-formed, checksummed addresses (Anvil's first two dev accounts).
const A: Address = address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const B: Address = address!("70997970C51812dc3A010C7d01b50e20d6dc79C8");

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    desk: Desk,
    flag: SubscriptionsChanged,
    /// The flag's count at the last look.
    seen: std::sync::atomic::AtomicU64,
}

/// A desk without a chain.
fn fixture() -> Fixture {
    fixture_over(Markets::none())
}

fn fixture_over(markets: Markets) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let desk = common::desk(markets, store.clone());
    let flag = desk.subscriptions_changed();
    Fixture {
        _dir: dir,
        store,
        desk,
        flag,
        seen: Default::default(),
    }
}

/// One market called "devnet" on a node nobody listens on (nothing here reads it).
fn dead_market() -> Markets {
    let dead = "http://127.0.0.1:9";
    let market = MarketConfig {
        name: "devnet".into(),
        chain_id: 1,
        rpc_url: dead.into(),
        protocol: Protocol::AaveV3 {
            pool_addresses_provider: Address::repeat_byte(7),
        },
        multicall3: MULTICALL3,
    };
    let rpc = Rpc::connect(dead, Duration::from_secs(2)).unwrap();
    Markets::single(AaveV3Reader::new(
        market,
        rpc,
        RiskConfig::default().stablecoins,
    ))
}

impl Fixture {
    async fn say(&self, user: i64, text: &str) -> Outcome {
        self.desk
            .handle(Incoming {
                user,
                text: text.into(),
                now: NOW,
                ..Default::default()
            })
            .await
    }

    async fn press(&self, user: i64, data: &str) -> Outcome {
        self.desk.button(user, data, None, NOW).await
    }

    async fn settings(&self, user: i64) -> AlertSettings {
        self.store
            .alert_settings(user)
            .await
            .unwrap()
            .expect("alert settings saved")
    }

    /// The flag was raised since the last look.
    fn raised(&self) -> bool {
        let now = self.flag.epoch();
        self.seen.swap(now, std::sync::atomic::Ordering::Relaxed) != now
    }
}

fn buttons(out: &Outcome) -> Vec<String> {
    out.replies
        .iter()
        .flat_map(|r| r.buttons.iter().flatten())
        .map(|b| b.data.clone())
        .collect()
}

#[tokio::test]
async fn alerts_off_then_on_stores_the_configured_defaults_and_raises_the_flag() {
    let f = fixture();
    let out = f.say(1, "/alerts").await;
    assert_eq!(out.intent, Intent::Command);
    assert!(out.text().contains("**off**"), "{}", out.text());
    assert!(out.text().contains("/watch 0x"), "{}", out.text());
    assert_eq!(buttons(&out), ["alert:on"]);
    // Looking changes nothing.
    assert!(f.store.alert_settings(1).await.unwrap().is_none());
    assert!(!f.raised());

    let out = f.say(1, "/alerts off").await;
    assert!(out.text().contains("are off"), "{}", out.text());
    assert!(!f.settings(1).await.enabled);
    assert!(f.raised());

    let out = f.say(1, "/alerts on").await;
    let text = out.text();
    let s = f.settings(1).await;
    assert!(s.enabled);
    assert_eq!((s.warning, s.critical), (13_000, 11_000));
    assert!(text.contains("1.30") && text.contains("1.10"), "{text}");
    assert!(text.contains("the defaults"), "{text}");
    // Nothing linked, nothing watched: how to get something watched.
    assert!(
        text.contains("/link 0x") && text.contains("/watch 0x"),
        "{text}"
    );
    assert!(f.raised());

    // A plain question changes no subscription.
    let out = f.say(1, "what is a health factor").await;
    assert_eq!(out.intent, Intent::Faq);
    assert!(!f.raised());
}

#[tokio::test]
async fn levels_are_stored_in_either_order_and_bad_levels_change_nothing() {
    let f = fixture();
    let out = f.say(2, "/alerts 1.5 1.2").await;
    assert_eq!(out.intent, Intent::Command);
    let s = f.settings(2).await;
    assert_eq!((s.warning, s.critical, s.enabled), (15_000, 12_000, true));
    assert!(out.text().contains("1.50") && out.text().contains("1.20"));
    assert!(f.raised());

    let out = f.say(2, "/alerts 1.25 1.6").await;
    assert_eq!(out.intent, Intent::Command, "{}", out.text());
    assert_eq!(
        (f.settings(2).await.warning, f.settings(2).await.critical),
        (16_000, 12_500)
    );
    assert!(f.raised());

    for (bad, says) in [
        ("/alerts 1.3 0.9", "at least 1.00"),
        ("/alerts 1.255 1.1", "more than 2 decimals"),
        ("/alerts 1.5 abc", "\"abc\" is not a health factor"),
        ("/alerts 1.5", "two health factors"),
        ("/alerts 12 1.5", "up to 10"),
        ("/alerts 1.2 1.20", "must differ"),
    ] {
        let out = f.say(2, bad).await;
        assert_eq!(out.intent, Intent::Error, "{bad}");
        assert!(out.text().contains(says), "{bad}: {}", out.text());
        assert!(out.text().contains("Nothing was changed"), "{bad}");
        assert!(!f.raised(), "{bad}");
    }
    let out = f.say(2, "/alerts banana").await;
    assert!(out.text().contains("didn't understand"), "{}", out.text());
    assert!(out.text().contains("/alerts 1.5 1.2"));
    let s = f.settings(2).await;
    assert_eq!((s.warning, s.critical, s.enabled), (16_000, 12_500, true));

    // Off and on again keeps the user's own levels, and says how to go back to the defaults.
    f.say(2, "/alerts off").await;
    let out = f.say(2, "/alerts on").await;
    assert_eq!(
        (f.settings(2).await.warning, f.settings(2).await.critical),
        (16_000, 12_500)
    );
    assert!(out.text().contains("levels you set"), "{}", out.text());
    assert!(out.text().contains("/alerts 1.30 1.10"), "{}", out.text());
}

#[tokio::test]
async fn quiet_hours_and_snooze_are_set_by_command() {
    let f = fixture();
    let out = f.say(3, "/alerts quiet 23:00-07:00 UTC+8").await;
    assert_eq!(out.intent, Intent::Command, "{}", out.text());
    assert_eq!(
        f.settings(3).await.quiet,
        Some(QuietHours {
            from: 1_380,
            to: 420,
            utc_offset: 480
        })
    );
    assert!(out.text().contains("23:00–07:00 UTC+8"), "{}", out.text());
    assert!(f.raised());
    // Quiet hours alone do not turn alerts on.
    assert!(!f.settings(3).await.enabled);

    f.say(3, "/alerts quiet 22:00-06:30 UTC-5").await;
    assert_eq!(
        f.settings(3).await.quiet,
        Some(QuietHours {
            from: 1_320,
            to: 390,
            utc_offset: -300
        })
    );
    f.say(3, "/alerts quiet 9:00-17:30 UTC+5:30").await;
    assert_eq!(f.settings(3).await.quiet.map(|q| q.utc_offset), Some(330));
    f.say(3, "/alerts quiet 23:00-07:00").await;
    assert_eq!(f.settings(3).await.quiet.map(|q| q.utc_offset), Some(0));
    assert!(f.raised());

    let out = f.say(3, "/alerts quiet 25:00-07:00 UTC+8").await;
    assert_eq!(out.intent, Intent::Error);
    assert!(out.text().contains("/alerts quiet 23:00-07:00 UTC+8"));
    assert_eq!(f.settings(3).await.quiet.map(|q| q.from), Some(1_380));
    assert!(!f.raised());

    let out = f.say(3, "/alerts quiet off").await;
    assert!(out.text().contains("removed"), "{}", out.text());
    assert_eq!(f.settings(3).await.quiet, None);
    assert!(f.raised());

    let out = f.say(3, "/alerts snooze 1h").await;
    assert_eq!(f.settings(3).await.snooze_until, NOW + 3_600);
    assert!(out.text().contains("Critical alerts still come"));
    assert!(f.raised());
    let out = f.say(3, "/alerts snooze 3h").await;
    assert_eq!(out.intent, Intent::Error);
    assert_eq!(f.settings(3).await.snooze_until, NOW + 3_600);
    f.say(3, "/alerts snooze off").await;
    assert_eq!(f.settings(3).await.snooze_until, 0);
}

#[tokio::test]
async fn watch_and_unwatch_any_address_with_a_cap() {
    let f = fixture();
    let out = f.say(4, "/watch").await;
    assert!(out.text().contains("watch no address"), "{}", out.text());

    let out = f
        .say(4, &format!("/watch {}", A.to_string().to_lowercase()))
        .await;
    assert_eq!(out.intent, Intent::Command, "{}", out.text());
    assert!(out.text().contains(&A.to_checksum(None)), "{}", out.text());
    let s = f.settings(4).await;
    assert_eq!(s.watched, [A]);
    // Watched with the default levels; alerts for linked addresses stay as they were.
    assert_eq!((s.warning, s.critical, s.enabled), (13_000, 11_000, false));
    assert!(f.raised());

    let out = f.say(4, &format!("/watch {A}")).await;
    assert!(out.text().contains("already watched"), "{}", out.text());
    assert!(!f.raised());

    let out = f.say(4, "/watch 0x1234").await;
    assert_eq!(out.intent, Intent::Error);
    assert!(out.text().contains("doesn't look right"), "{}", out.text());
    let out = f.say(4, "/watch 0xf39F…2266").await;
    assert!(out.text().contains("shortened address"), "{}", out.text());
    assert_eq!(f.settings(4).await.watched, [A]);
    assert!(!f.raised());

    // Up to 20 addresses (19 more written directly: 19 messages at once would be a flood).
    let mut s = f.settings(4).await;
    s.watched.extend((1..20u8).map(Address::repeat_byte));
    f.store.save_alert_settings(&s).await.unwrap();
    let out = f.say(4, &format!("/watch {B}")).await;
    assert!(out.text().contains("20 addresses"), "{}", out.text());
    assert!(!f.settings(4).await.watched.contains(&B));
    assert!(!f.raised());

    let out = f.say(4, "/watch").await;
    assert!(out.text().contains(&A.to_checksum(None)));
    assert!(out.text().contains("/unwatch"));

    let out = f.say(4, &format!("/unwatch {A}")).await;
    assert!(out.text().contains("Stopped watching"), "{}", out.text());
    assert!(!f.settings(4).await.watched.contains(&A));
    assert!(f.raised());
    let out = f.say(4, &format!("/unwatch {A}")).await;
    assert!(out.text().contains("was not watched"), "{}", out.text());
    assert!(!f.raised());
    let out = f.say(4, "/unwatch").await;
    assert!(out.text().contains("/unwatch 0x"));
}

#[tokio::test]
async fn snooze_stop_and_resume_buttons_change_what_is_watched() {
    let f = fixture();
    // Linking raises the flag: linked addresses are watched when alerts are on.
    f.say(5, &format!("/link {A}")).await;
    assert!(f.raised());
    f.say(5, "/alerts on").await;
    f.say(5, &format!("/watch {B}")).await;
    f.raised();

    let out = f.press(5, "alert:snooze:3600").await;
    assert_eq!(f.settings(5).await.snooze_until, NOW + 3_600);
    assert!(out.text().contains("UTC"), "{}", out.text());
    assert!(out.text().contains("Critical alerts still come"));
    assert!(f.raised());
    f.press(5, "alert:snooze:86400").await;
    assert_eq!(f.settings(5).await.snooze_until, NOW + 86_400);
    f.raised();
    // Only 1 h and 24 h.
    f.press(5, "alert:snooze:999999").await;
    assert_eq!(f.settings(5).await.snooze_until, NOW + 86_400);
    assert!(!f.raised());

    // Stop on a linked address mutes it; resume unmutes it.
    let out = f.press(5, &format!("alert:stop:{A}")).await;
    assert!(out.text().contains("No more alerts"), "{}", out.text());
    assert_eq!(buttons(&out), [format!("alert:resume:{A}")]);
    assert_eq!(f.settings(5).await.muted, [A]);
    assert!(f.raised());
    let out = f.press(5, &format!("alert:resume:{A}")).await;
    assert!(out.text().contains("back on"), "{}", out.text());
    assert!(f.settings(5).await.muted.is_empty());
    assert!(f.raised());

    // Stop on a watched address removes it; resume watches it again.
    f.press(5, &format!("alert:stop:{B}")).await;
    let s = f.settings(5).await;
    assert!(s.watched.is_empty() && s.muted.is_empty());
    assert!(f.raised());
    f.press(5, &format!("alert:resume:{B}")).await;
    assert_eq!(f.settings(5).await.watched, [B]);
    assert!(f.raised());

    // An address that is not watched: nothing to stop.
    let out = f
        .press(5, &format!("alert:stop:{}", Address::repeat_byte(9)))
        .await;
    assert!(out.text().contains("is not watched"), "{}", out.text());
    assert!(!f.raised());
    let out = f.press(5, "alert:stop:0xnothing").await;
    assert_eq!(out.intent, Intent::Error);

    // The overview's own buttons.
    f.press(5, "alert:off").await;
    assert!(!f.settings(5).await.enabled);
    assert!(f.raised());
    f.press(5, "alert:unsnooze").await;
    assert_eq!(f.settings(5).await.snooze_until, 0);
    assert!(f.raised());

    // Unlinking raises the flag too.
    f.say(5, &format!("/unlink {A}")).await;
    assert!(f.raised());
}

#[tokio::test]
async fn the_overview_lists_addresses_snooze_quiet_hours_and_the_last_alert_in_both_languages() {
    let f = fixture_over(dead_market());
    f.say(6, &format!("/link {A}")).await;
    f.store
        .save_alert_settings(&AlertSettings {
            user: 6,
            enabled: true,
            warning: 14_000,
            critical: 11_500,
            watched: vec![B],
            muted: vec![A],
            snooze_until: NOW + 5_400,
            quiet: Some(QuietHours {
                from: 1_380,
                to: 420,
                utc_offset: 480,
            }),
        })
        .await
        .unwrap();
    f.store
        .save_alert_marks(
            &[AlertMark {
                user: 6,
                market: "devnet".into(),
                address: B,
                arming: Arming::default(),
                crossings: 1,
                last_alert: Some(LastAlert {
                    at: NOW - 7_200,
                    severity: Severity::Critical,
                    health_factor: "1.08".into(),
                    block: 42,
                }),
                held: None,
            }],
            &[],
        )
        .await
        .unwrap();

    let out = f.say(6, "/alerts").await;
    let text = out.text();
    for line in [
        "Alerts are **on**",
        "below health factor 1.40",
        "below 1.15",
        &format!("{A} (🔕 stopped)"),
        &format!("- {B}"),
        "Snoozed until 23:43 UTC (1 h 30 min left)",
        "Quiet hours 23:00–07:00 UTC+8",
        &format!(
            "Last alert: critical for {} on devnet, health factor 1.08, 2 h ago",
            short_address(B)
        ),
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    let data = buttons(&out);
    assert_eq!(
        data,
        [
            "alert:off".to_string(),
            "alert:unsnooze".into(),
            format!("alert:resume:{A}"),
            format!("alert:stop:{B}"),
        ]
    );
    assert!(data.iter().all(|d| d.len() <= 64));

    f.say(6, "/lang zh").await;
    let out = f.say(6, "/alerts").await;
    let text = out.text();
    for line in [
        "清算风险提醒**已开启**",
        "已绑定的地址：",
        "已停止提醒",
        "已暂停到 23:43 UTC",
        "免打扰时段 23:00–07:00 UTC+8",
        &format!(
            "最近一次提醒：{}（devnet）紧急提醒，健康因子 1.08，2 小时前",
            short_address(B)
        ),
        "修改设置",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
    assert!(!text.contains("Alerts"), "{text}");
    let labels: Vec<&str> = out.replies[0]
        .buttons
        .iter()
        .flatten()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(labels[0], "🔕 关闭提醒");
}

#[tokio::test]
async fn errors_are_answered_in_chinese_too() {
    let f = fixture();
    let zh = |text: &str| Incoming {
        user: 8,
        text: text.into(),
        lang_hint: Some(Lang::Zh),
        now: NOW,
        ..Default::default()
    };
    let out = f.desk.handle(zh("/alerts 1.3 0.9")).await;
    assert_eq!(out.lang, Lang::Zh);
    assert!(out.text().contains("紧急线不能低于 1.00"), "{}", out.text());
    assert!(out.text().contains("设置未更改"));
    assert!(f.store.alert_settings(8).await.unwrap().is_none());

    let out = f.desk.handle(zh("/alerts 开")).await;
    assert!(out.text().contains("已开启"), "{}", out.text());
    assert!(f.settings(8).await.enabled);
    let out = f.desk.handle(zh("/alerts 关")).await;
    assert!(out.text().contains("已关闭"), "{}", out.text());
    assert!(!f.settings(8).await.enabled);

    let out = f.desk.handle(zh("/watch 0x1234")).await;
    assert!(out.text().contains("这个地址格式不对"), "{}", out.text());
}

#[tokio::test]
async fn alerts_stay_out_of_groups_and_away_from_banned_users() {
    let f = fixture();
    f.say(9, &format!("/link {A}")).await;
    let out = f
        .desk
        .handle(Incoming {
            user: 9,
            text: "/alerts".into(),
            chat: ChatKind::Group,
            now: NOW,
            ..Default::default()
        })
        .await;
    assert!(out.text().contains("private chat"), "{}", out.text());
    assert!(!out.text().contains(&A.to_checksum(None)));

    f.store
        .save_ban(&BanRecord {
            user: 10,
            kind: BanKind::Ban,
            by: 1,
            at: NOW,
            reason: "spam".into(),
        })
        .await
        .unwrap();
    f.raised();
    let out = f.say(10, "/alerts on").await;
    assert_eq!(out.intent, Intent::Dropped);
    let out = f.press(10, &format!("alert:resume:{A}")).await;
    assert_eq!(out.intent, Intent::Dropped);
    assert!(f.store.alert_settings(10).await.unwrap().is_none());
    assert!(!f.raised());
}

#[tokio::test]
async fn forgetting_a_user_removes_their_alerts_and_raises_the_flag() {
    let f = fixture();
    f.say(11, &format!("/watch {A}")).await;
    f.raised();
    f.press(11, FORGET_YES).await;
    assert!(f.store.alert_settings(11).await.unwrap().is_none());
    assert!(f.raised());
}

#[tokio::test]
async fn the_person_button_after_a_liquidation_opens_a_ticket_naming_it() {
    let f = fixture();
    let notice = OutboxEntry {
        key: liquidation_key(12, 4_321, 3),
        user: 12,
        market: "devnet".into(),
        address: A,
        kind: NoticeKind::Liquidation,
        text: "liquidated".into(),
        buttons: vec![],
        created_at: NOW - 120,
        seq: 0,
    };
    f.store.mark_alert_sent(&notice, NOW - 60).await.unwrap();

    let out = f.press(12, "alert:human").await;
    assert_eq!(out.intent, Intent::Escalate, "{}", out.text());
    let id = out.ticket.expect("a ticket");
    let ticket = f
        .store
        .tickets()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.id == id)
        .expect("stored");
    assert_eq!(ticket.user, 12);
    let summary = &ticket.summary;
    assert!(
        summary.contains("under a liquidation notice sent 1 min before; liquidation at block 4321"),
        "{summary}"
    );
    assert!(!summary.contains("redacted"), "{summary}");
}

#[tokio::test]
async fn position_buttons_under_an_alert_answer_like_position_and_lead_with_repayment() {
    let chain = common::shared();
    let reader = common::reader(&chain.rpc_url, &chain.manifest);
    let f = fixture_over(Markets::single(reader));
    let warning = common::account(&chain.manifest, "warning");

    let asked = f.say(13, &format!("/position {warning}")).await;
    let pos = f.press(13, &format!("alert:pos:{warning}")).await;
    assert_eq!(pos.intent, Intent::Position, "{}", pos.text());
    assert_eq!(pos.replies[0].text, asked.replies[0].text);

    let plan = f.press(13, &format!("alert:plan:{warning}")).await;
    assert_eq!(plan.intent, Intent::Position, "{}", plan.text());
    // The repay focus leads with the plan; the overview ends with it.
    let lead = |text: &str| text.find("What helps: repay").expect("a repay plan");
    let plan = &plan.replies[0].text;
    let overview = &pos.replies[0].text;
    assert!(lead(plan) < lead(overview), "{plan}\n\n{overview}");
}

#[tokio::test]
async fn a_verified_link_raises_the_flag_and_a_failed_proof_does_not() {
    use alloy::signers::SignerSync;
    use alloy::signers::local::PrivateKeySigner;

    let f = fixture();
    let owner = PrivateKeySigner::random();
    f.say(14, &format!("/link {}", owner.address())).await;
    assert!(f.raised());
    let message = f
        .store
        .user(14)
        .await
        .unwrap()
        .and_then(|u| u.pending_proof)
        .expect("a proof to sign")
        .message;
    let stranger = PrivateKeySigner::random();
    let wrong = stranger.sign_message_sync(message.as_bytes()).unwrap();
    let out = f
        .say(14, &format!("/verify 0x{}", hex::encode(wrong.as_bytes())))
        .await;
    assert_eq!(out.intent, Intent::Error);
    assert!(!f.raised());
    let good = owner.sign_message_sync(message.as_bytes()).unwrap();
    let out = f
        .say(14, &format!("/verify 0x{}", hex::encode(good.as_bytes())))
        .await;
    assert!(out.text().contains("Verified"), "{}", out.text());
    assert!(f.raised());
}
