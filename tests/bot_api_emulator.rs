//! Smoke tests of the Bot API emulator (`tests/bot_api/`) with the real teloxide `Bot`: every
//! JSON shape it returns must deserialize into teloxide-core's types, and it must fail the
//! way Telegram fails.

mod bot_api;

use std::time::Duration;

use bot_api::{BOT_ID, BotApi, MsgKind, RateLimits, TOKEN};
use teloxide::ApiError;
use teloxide::RequestError;
use teloxide::dispatching::UpdateFilterExt;
use teloxide::prelude::*;
use teloxide::types::{
    ChatFullInfoKind, ChatFullInfoPublicKind, InlineKeyboardButton, InlineKeyboardMarkup,
    InputFile, MessageId, ParseMode, ReplyParameters, ThreadId, UpdateKind,
};

const USER: u64 = 1001;
/// How long to wait for something that happens on its own: generous, for a loaded CI machine.
const WAIT: Duration = Duration::from_secs(30);
const FORUM: i64 = -100_123_456_789;

async fn world() -> (BotApi, Bot, bot_api::TgUser) {
    let api = BotApi::start().await;
    let user = api.add_user(USER, "Alice", Some("alice"), Some("en"));
    api.add_group(FORUM, "Staff", true);
    let bot = api.bot();
    (api, bot, user)
}

#[tokio::test(flavor = "multi_thread")]
async fn get_me_and_a_wrong_token() {
    let (api, bot, _) = world().await;
    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.id.0, BOT_ID);
    assert_eq!(me.username(), "lendesk_test_bot");
    assert!(me.is_bot);

    let wrong = Bot::new("1:wrong").set_api_url(api.url());
    let err = wrong.get_me().await.expect_err("a wrong token is refused");
    assert!(
        matches!(err, RequestError::Api(ApiError::InvalidToken)),
        "{err:?}"
    );
    assert!(api.url().as_str().ends_with('/'), "{}", api.url());
    assert!(TOKEN.contains(':'));
}

#[tokio::test(flavor = "multi_thread")]
async fn html_is_parsed_and_malformed_html_is_refused() {
    let (api, bot, _) = world().await;
    let msg = bot
        .send_message(
            ChatId(USER as i64),
            "<b>Health</b> factor &lt; 1 &amp; <a href=\"https://aave.com\">more</a>",
        )
        .parse_mode(ParseMode::Html)
        .await
        .expect("valid HTML");
    assert_eq!(msg.text(), Some("Health factor < 1 & more"));
    assert_eq!(msg.entities().map(<[_]>::len), Some(2));
    assert_eq!(msg.from.as_ref().map(|u| u.id.0), Some(BOT_ID));

    for bad in [
        "<b>unclosed",
        "a < b",
        "Q&A",
        "<script>x</script>",
        "<b><i>x</b></i>",
    ] {
        let err = bot
            .send_message(ChatId(USER as i64), bad)
            .parse_mode(ParseMode::Html)
            .await
            .expect_err(bad);
        assert!(
            matches!(&err, RequestError::Api(ApiError::CantParseEntities(d)) if d.starts_with("Bad Request: can't parse entities")),
            "{bad}: {err:?}"
        );
    }
    // Plain text is not parsed at all.
    bot.send_message(ChatId(USER as i64), "Q&A <b>")
        .await
        .expect("plain");

    let sent = api.messages(USER as i64);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0].text, "Health factor < 1 & more");
    assert!(sent[0].raw.starts_with("<b>Health</b>"));
    assert_eq!(sent[0].parse_mode.as_deref(), Some("HTML"));
    assert_eq!(sent[1].text, "Q&A <b>");

    let long = "x".repeat(4097);
    let err = bot
        .send_message(ChatId(USER as i64), long)
        .await
        .expect_err("too long");
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageIsTooLong)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forum_topics_copies_and_get_chat() {
    let (api, bot, user) = world().await;
    let topic = bot
        .create_forum_topic(ChatId(FORUM), "Ticket #1 — Alice")
        .await
        .expect("topic");
    assert_eq!(topic.name, "Ticket #1 — Alice");
    assert_eq!(
        api.topics(FORUM),
        vec![(topic.thread_id.0.0, topic.name.clone())]
    );

    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Close", "close:1")]]);
    let msg = bot
        .send_message(ChatId(FORUM), "New ticket")
        .message_thread_id(topic.thread_id)
        .reply_markup(keyboard)
        .await
        .expect("send into the topic");
    assert_eq!(msg.thread_id, Some(topic.thread_id));
    assert!(msg.is_topic_message);

    let asked = api.send_text(&user, USER as i64, "my position is liquidated?");
    let copied = bot
        .copy_message(ChatId(FORUM), ChatId(USER as i64), MessageId(asked))
        .message_thread_id(topic.thread_id)
        .await
        .expect("copy");
    let in_topic = api.messages_in_thread(FORUM, topic.thread_id.0.0);
    assert_eq!(in_topic.len(), 2, "{in_topic:?}");
    assert_eq!(
        in_topic[0].buttons(),
        vec![("Close".to_owned(), "close:1".to_owned())]
    );
    assert_eq!(in_topic[1].message_id, copied.0);
    assert_eq!(in_topic[1].text, "my position is liquidated?");
    assert_eq!(in_topic[1].source, Some((USER as i64, asked)));

    // A thread that does not exist, and a topic in a chat that is no forum.
    let err = bot
        .send_message(ChatId(FORUM), "lost")
        .message_thread_id(ThreadId(MessageId(9999)))
        .await
        .expect_err("unknown thread");
    assert!(
        format!("{err}").contains("message thread not found"),
        "{err}"
    );
    api.add_group(-100_555, "Plain", false);
    assert!(bot.create_forum_topic(ChatId(-100_555), "x").await.is_err());

    let info = bot.get_chat(ChatId(FORUM)).await.expect("getChat forum");
    let ChatFullInfoKind::Public(public) = &info.kind else {
        panic!("{info:?}")
    };
    let ChatFullInfoPublicKind::Supergroup(sg) = &public.kind else {
        panic!("{info:?}")
    };
    assert!(sg.is_forum);
    let private = bot
        .get_chat(ChatId(USER as i64))
        .await
        .expect("getChat private");
    assert!(private.is_private());
    assert_eq!(private.username(), Some("alice"));
    let err = bot.get_chat(ChatId(42)).await.expect_err("unknown chat");
    assert!(
        matches!(err, RequestError::Api(ApiError::ChatNotFound)),
        "{err:?}"
    );

    api.set_member(FORUM, USER, "administrator");
    let member = bot
        .get_chat_member(ChatId(FORUM), UserId(USER))
        .await
        .expect("member");
    assert!(member.kind.is_privileged());
    bot.close_forum_topic(ChatId(FORUM), topic.thread_id)
        .await
        .expect("close");
    assert!(
        api.topic(FORUM, topic.thread_id.0.0)
            .is_some_and(|t| t.closed)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn edits_deletes_blocks_and_photos() {
    let (api, bot, user) = world().await;
    let chat = ChatId(USER as i64);
    let msg = bot.send_message(chat, "one").await.expect("send");
    let err = bot
        .edit_message_text(chat, msg.id, "one")
        .await
        .expect_err("same text");
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageNotModified)),
        "{err:?}"
    );
    bot.edit_message_text(chat, msg.id, "two")
        .await
        .expect("edit");
    assert!(api.messages(USER as i64)[0].edited);

    bot.delete_message(chat, msg.id).await.expect("delete");
    let err = bot.delete_message(chat, msg.id).await.expect_err("twice");
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToDeleteNotFound)),
        "{err:?}"
    );
    assert_eq!(api.deleted(USER as i64), vec![msg.id.0]);
    assert!(api.messages(USER as i64).is_empty());

    // teloxide sends sendPhoto as multipart even for a file_id: text fields are accepted.
    let asked = api.send_text(&user, USER as i64, "hi");
    let photo = bot
        .send_photo(chat, InputFile::file_id("AgACAgIAAxk".into()))
        .caption("<i>chart</i>")
        .parse_mode(ParseMode::Html)
        .reply_parameters(ReplyParameters::new(MessageId(asked)))
        .await
        .expect("photo by file_id");
    assert_eq!(photo.caption(), Some("chart"));
    let sent = api.messages(USER as i64);
    assert_eq!(sent[0].kind, MsgKind::Photo);
    assert_eq!(sent[0].reply_to, Some(asked));

    api.block_bot(USER);
    let err = bot
        .send_message(chat, "are you there?")
        .await
        .expect_err("blocked");
    assert!(
        matches!(err, RequestError::Api(ApiError::BotBlocked)),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_updates_delivers_every_kind_and_offset_confirms() {
    let (api, bot, user) = world().await;
    let thread = api.add_topic(FORUM, "Ticket #7");
    let staff = api.add_user(2002, "Bob", None, Some("zh"));
    let chat = ChatId(USER as i64);
    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("English", "lang:en")]]);
    let menu = bot
        .send_message(chat, "Pick")
        .reply_markup(keyboard)
        .await
        .expect("menu");

    let first = api.send_text(&user, USER as i64, "/start");
    api.send_text_in_thread(&staff, FORUM, thread, "on it");
    api.reply_text(&staff, FORUM, None, first_in_topic(&api, thread), "reply");
    api.send_photo(&user, USER as i64, None, Some("screenshot"));
    api.send_sticker(&user, USER as i64);
    api.edit_text(&user, USER as i64, first, "/help");
    let query = api.press_button(&user, USER as i64, menu.id.0, "lang:en");
    assert_eq!(api.pending_updates(), 7);

    let updates = bot.get_updates().timeout(1).await.expect("getUpdates");
    assert_eq!(updates.len(), 7);
    let kinds: Vec<&str> = updates
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) if m.text().is_some() => "text",
            UpdateKind::Message(m) if m.photo().is_some() => "photo",
            UpdateKind::Message(m) if m.sticker().is_some() => "sticker",
            UpdateKind::EditedMessage(_) => "edited",
            UpdateKind::CallbackQuery(_) => "callback",
            other => panic!("unexpected update {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "text", "text", "text", "photo", "sticker", "edited", "callback"
        ]
    );
    let UpdateKind::Message(in_topic) = &updates[1].kind else {
        unreachable!()
    };
    assert_eq!(in_topic.thread_id, Some(ThreadId(MessageId(thread))));
    assert!(in_topic.is_topic_message);
    let UpdateKind::CallbackQuery(q) = &updates[6].kind else {
        unreachable!()
    };
    assert_eq!(q.data.as_deref(), Some("lang:en"));
    assert_eq!(q.message.as_ref().map(|m| m.id()), Some(menu.id));

    bot.answer_callback_query(q.id.clone())
        .text("Done")
        .await
        .expect("answer");
    assert_eq!(
        api.callback_answer(&query)
            .and_then(|a| a["text"].as_str().map(str::to_owned)),
        Some("Done".into())
    );
    assert!(
        bot.answer_callback_query(q.id.clone()).await.is_err(),
        "answered twice"
    );

    let next = updates
        .last()
        .map(|u| u.id.0 as i32 + 1)
        .unwrap_or_default();
    let again = bot
        .get_updates()
        .offset(next)
        .timeout(0)
        .await
        .expect("confirm");
    assert!(again.is_empty());
    assert_eq!(api.pending_updates(), 0);
}

fn first_in_topic(api: &BotApi, thread: i32) -> i32 {
    api.history(FORUM)
        .into_iter()
        .find(|m| m.thread == Some(thread))
        .map(|m| m.message_id)
        .expect("a message in the topic")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dispatcher_echoes_and_shuts_down() {
    use teloxide::update_listeners::UpdateListener;
    let (api, bot, user) = world().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        let text = format!("echo: {}", msg.text().unwrap_or_default());
        bot.send_message(msg.chat.id, text).await?;
        respond(())
    });
    // teloxide's own long polling (10 s polls, held in full by the emulator).
    let mut listener = teloxide::update_listeners::polling_default(bot.clone()).await;
    // Stopped through the listener: its stop flag is a state, not a notification, so a stop
    // that comes while the dispatcher is busy is not lost (a `ShutdownToken` notification
    // sent then is, and the dispatcher ran on until its 10 s poll ended).
    let stop = listener.stop_token();
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let running = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(listener, LoggingErrorHandler::new())
            .await;
    });

    api.send_text(&user, USER as i64, "ping");
    let echo = api
        .wait_for("the echo", WAIT, |api| {
            api.messages(USER as i64)
                .into_iter()
                .find(|m| m.text == "echo: ping")
        })
        .await;
    assert_eq!(echo.chat, USER as i64);

    // The next long poll is waiting (held for 10 s): stopping drops it at once.
    api.wait_for("a long poll after the echo", WAIT, |api| {
        api.calls_to("getUpdates")
            .last()
            .filter(|c| c.outcome == bot_api::Outcome::Pending)
            .map(|_| ())
    })
    .await;
    let asked = std::time::Instant::now();
    stop.stop();
    tokio::time::timeout(WAIT, running)
        .await
        .expect("the dispatcher stops")
        .expect("the dispatcher task");
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "stopping waited {took:?}, as if for the long poll in flight\n{}",
        api.dump_calls(10)
    );
    assert_eq!(api.pending_updates(), 0, "the update is confirmed");
    assert!(
        api.unknown_methods().is_empty(),
        "{:?}",
        api.unknown_methods()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_commands_and_unknown_methods() {
    let (api, bot, _) = world().await;
    api.fail_next(
        "sendMessage",
        1,
        429,
        "Too Many Requests: retry after 1",
        Some(1),
    );
    let err = bot
        .send_message(ChatId(USER as i64), "hi")
        .await
        .expect_err("429");
    let RequestError::RetryAfter(after) = err else {
        panic!("{err:?}")
    };
    assert_eq!(after.seconds(), 1);
    bot.send_message(ChatId(USER as i64), "hi")
        .await
        .expect("the next call succeeds");

    bot.set_my_commands([teloxide::types::BotCommand::new("start", "Start")])
        .language_code("zh")
        .await
        .expect("commands");
    assert_eq!(
        api.commands("default", "zh"),
        vec![("start".to_owned(), "Start".to_owned())]
    );
    let got = bot
        .get_my_commands()
        .language_code("zh")
        .await
        .expect("get commands");
    assert_eq!(got.len(), 1);
    assert!(
        bot.set_my_commands([teloxide::types::BotCommand::new("Bad Cmd", "x")])
            .await
            .is_err()
    );

    // Not Url::join: "bot123456:…" would parse as a scheme.
    let url = format!("{}bot{TOKEN}/sendTelepathy", api.url());
    let body: serde_json::Value = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({"chat_id": USER}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(body["error_code"], 404);
    assert_eq!(api.unknown_methods(), vec!["sendTelepathy".to_owned()]);

    api.set_latency(Duration::from_millis(50));
    let started = std::time::Instant::now();
    bot.get_me().await.expect("slow getMe");
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_receives_updates_with_the_secret() {
    use axum::extract::State;
    use axum::http::HeaderMap;
    use tokio::sync::mpsc;

    let (api, bot, user) = world().await;
    let (tx, mut rx) = mpsc::unbounded_channel::<(Option<String>, String)>();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State(tx): State<mpsc::UnboundedSender<_>>,
                 headers: HeaderMap,
                 body: axum::body::Bytes| async move {
                    let secret = headers
                        .get("x-telegram-bot-api-secret-token")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let update = String::from_utf8_lossy(&body).into_owned();
                    let _ = tx.send((secret, update));
                    "ok"
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    bot.set_webhook(hook.parse().expect("url"))
        .secret_token("s3cret")
        .await
        .expect("setWebhook");
    assert_eq!(api.webhook(), Some(hook));
    let err = bot
        .get_updates()
        .await
        .expect_err("getUpdates conflicts with a webhook");
    assert!(format!("{err:?}").contains("webhook"), "{err:?}");

    api.send_text(&user, USER as i64, "via webhook");
    let (secret, update) = tokio::time::timeout(WAIT, rx.recv())
        .await
        .expect("delivered in time")
        .expect("an update");
    assert_eq!(secret.as_deref(), Some("s3cret"));
    // As teloxide's webhook listener does: from the body text.
    let update: Update = serde_json::from_str(&update).expect("an Update");
    let UpdateKind::Message(m) = update.kind else {
        panic!("{update:?}")
    };
    assert_eq!(m.text(), Some("via webhook"));
    api.wait_for("the queue to drain", WAIT, |api| {
        (api.pending_updates() == 0).then_some(())
    })
    .await;
    bot.delete_webhook().await.expect("deleteWebhook");
    assert_eq!(api.webhook(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn other_shapes_deserialize() {
    let (api, bot, user) = world().await;
    let chat = ChatId(USER as i64);
    let thread = api.add_topic(FORUM, "Ticket #9");
    let asked = api.send_text(&user, USER as i64, "forward me");

    let fwd = bot
        .forward_message(ChatId(FORUM), chat, MessageId(asked))
        .message_thread_id(ThreadId(MessageId(thread)))
        .await
        .expect("forward");
    assert!(fwd.forward_origin().is_some());
    assert_eq!(fwd.text(), Some("forward me"));

    let doc = bot
        .send_document(chat, InputFile::file_id("BQACAgIAAxk".into()))
        .await
        .expect("document");
    assert!(doc.document().is_some());
    let sticker = bot
        .send_sticker(chat, InputFile::file_id("CAACAgIAAxk".into()))
        .await
        .expect("sticker");
    assert!(sticker.sticker().is_some());
    let edited = bot
        .edit_message_caption(chat, doc.id)
        .caption("<b>report</b>")
        .parse_mode(ParseMode::Html)
        .await
        .expect("caption");
    assert_eq!(edited.caption(), Some("report"));

    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("A", "a")]]);
    let m = bot.send_message(chat, "keys").await.expect("send");
    bot.edit_message_reply_markup(chat, m.id)
        .reply_markup(keyboard.clone())
        .await
        .expect("markup");
    let err = bot
        .edit_message_reply_markup(chat, m.id)
        .reply_markup(keyboard)
        .await
        .expect_err("same markup");
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageNotModified)),
        "{err:?}"
    );
    // Editing the text without reply_markup removes the keyboard, as on Telegram.
    bot.edit_message_text(chat, m.id, "keys gone")
        .await
        .expect("edit");
    assert!(
        api.message(USER as i64, m.id.0)
            .is_some_and(|s| s.buttons().is_empty())
    );

    let md = bot
        .send_message(chat, "*bold* _it_ `code` \\. [link](https://aave.com)")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .expect("markdown v2");
    assert_eq!(md.text(), Some("bold it code . link"));
    assert_eq!(md.entities().map(<[_]>::len), Some(4));
    assert!(
        bot.send_message(chat, "1.5 HF")
            .parse_mode(ParseMode::MarkdownV2)
            .await
            .is_err()
    );
    // Entity offsets count UTF-16 units; pre with a code class carries the language.
    let html = bot
        .send_message(
            chat,
            "👍 <b>健康</b>\n<pre><code class=\"language-rust\">let x;</code></pre>",
        )
        .parse_mode(ParseMode::Html)
        .await
        .expect("html");
    let entities = html.entities().expect("entities").to_vec();
    assert_eq!((entities[0].offset, entities[0].length), (3, 2));
    assert!(matches!(
        &entities[1].kind,
        teloxide::types::MessageEntityKind::Pre { language: Some(l) } if l == "rust"
    ));

    for status in [
        "creator",
        "administrator",
        "member",
        "restricted",
        "left",
        "kicked",
    ] {
        api.set_member(FORUM, USER, status);
        let member = bot
            .get_chat_member(ChatId(FORUM), UserId(USER))
            .await
            .expect(status);
        assert_eq!(api.member_status(FORUM, USER), status);
        let _ = member.kind.status();
    }
    api.set_member(FORUM, USER, "member");
    bot.ban_chat_member(ChatId(FORUM), UserId(USER))
        .await
        .expect("ban");
    assert_eq!(api.member_status(FORUM, USER), "kicked");
    bot.unban_chat_member(ChatId(FORUM), UserId(USER))
        .only_if_banned(true)
        .await
        .expect("unban");
    assert_eq!(api.member_status(FORUM, USER), "left");

    let info = bot.get_webhook_info().await.expect("webhook info");
    assert!(info.url.is_none());
    bot.set_chat_menu_button()
        .chat_id(chat)
        .menu_button(teloxide::types::MenuButton::Commands)
        .await
        .expect("menu");
    assert_eq!(
        api.menu_button(Some(USER as i64)),
        Some(serde_json::json!({"type": "commands"}))
    );
    bot.send_chat_action(chat, teloxide::types::ChatAction::Typing)
        .await
        .expect("typing");
    bot.edit_forum_topic(ChatId(FORUM), ThreadId(MessageId(thread)))
        .name("Ticket #9 (closed)")
        .await
        .expect("rename");
    assert_eq!(
        api.topics(FORUM),
        vec![(thread, "Ticket #9 (closed)".to_owned())]
    );
    assert!(
        api.unknown_methods().is_empty(),
        "{:?}",
        api.unknown_methods()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_poller_terminates_the_first() {
    let (api, bot, _) = world().await;
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await }
    });
    // The first long poll must be waiting before the second one comes.
    api.wait_for("the first long poll", WAIT, |api| {
        (api.long_polls() == 1).then_some(())
    })
    .await;
    let second = bot.get_updates().timeout(0).await;
    assert!(second.is_ok());
    let err = first.await.expect("task").expect_err("terminated");
    assert!(
        matches!(
            err,
            RequestError::Api(ApiError::TerminatedByOtherGetUpdates)
        ),
        "{err:?}"
    );
}

// --- rate limits --------------------------------------------------------------------------

/// Adds `n` users with ids from `first` on; returns their private chats.
fn add_users(api: &BotApi, first: u64, n: u64) -> Vec<ChatId> {
    (first..first + n)
        .map(|id| {
            api.add_user(id, &format!("User {id}"), None, Some("en"));
            ChatId(id as i64)
        })
        .collect()
}

/// The texts of the bot's messages in a chat, in order.
fn texts(api: &BotApi, chat: ChatId) -> Vec<String> {
    api.messages(chat.0).into_iter().map(|m| m.text).collect()
}

/// Sends one message to each chat at once; returns how many were sent and the `retry_after`
/// of each one refused (any other error fails the test).
async fn send_to_all(bot: &Bot, chats: &[ChatId]) -> (usize, Vec<u32>) {
    let sends = chats.iter().map(|chat| {
        bot.send_message(*chat, format!("notice for {}", chat.0))
            .send()
    });
    let mut sent = 0;
    let mut refused = Vec::new();
    for result in futures::future::join_all(sends).await {
        match result {
            Ok(_) => sent += 1,
            Err(RequestError::RetryAfter(after)) => refused.push(after.seconds()),
            Err(e) => panic!("{e:?}"),
        }
    }
    (sent, refused)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_message_to_a_chat_within_a_second_gets_429_until_the_window_frees() {
    let (api, bot, _) = world().await;
    api.set_rate_limits(Some(RateLimits::telegram()));
    let chat = ChatId(USER as i64);
    let first = bot.send_message(chat, "first").await.expect("the first");

    // The status and body exactly as Telegram sends them.
    let url = format!("{}bot{TOKEN}/sendMessage", api.url());
    let response = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({"chat_id": USER, "text": "second"}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 429);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({
            "ok": false,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        })
    );

    let err = bot
        .send_message(chat, "second")
        .await
        .expect_err("still within the second");
    let RequestError::RetryAfter(after) = err else {
        panic!("{err:?}")
    };
    assert!(after.seconds() >= 1, "{after:?}");
    assert_eq!(
        texts(&api, chat),
        ["first"],
        "a refused message is not stored"
    );
    assert_eq!(api.rate_limited(), 2);
    let refused: Vec<bot_api::Call> = api
        .calls_to("sendMessage")
        .into_iter()
        .filter(|c| !c.ok())
        .collect();
    assert_eq!(refused.len(), 2, "{}", api.dump_calls(5));
    assert!(
        refused.iter().all(|c| matches!(
            &c.outcome,
            bot_api::Outcome::Err { code: 429, description } if description.starts_with("Too Many Requests: retry after ")
        )),
        "{refused:?}"
    );

    let err = bot
        .copy_message(chat, chat, first.id)
        .await
        .expect_err("a copy is a message too");
    assert!(matches!(err, RequestError::RetryAfter(_)), "{err:?}");

    // Edits and chat actions are not limited.
    bot.edit_message_text(chat, first.id, "first, edited")
        .await
        .expect("an edit is not limited");
    bot.send_chat_action(chat, teloxide::types::ChatAction::Typing)
        .await
        .expect("a chat action is not limited");

    tokio::time::sleep(after.duration()).await;
    bot.send_message(chat, "second")
        .await
        .expect("after retry_after");
    assert_eq!(texts(&api, chat), ["first, edited", "second"]);
    assert_eq!(api.rate_limited(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn more_than_30_messages_a_second_across_chats_are_refused() {
    let (api, bot, _) = world().await;
    api.set_rate_limits(Some(RateLimits::telegram()));
    let chats = add_users(&api, 2001, 36);
    let (sent, refused) = send_to_all(&bot, &chats).await;

    let calls = api.calls_to("sendMessage");
    let span = calls.last().expect("calls").at - calls[0].at;
    assert_eq!(sent + refused.len(), chats.len());
    assert!(sent >= 30, "the first 30 fit: {sent} sent");
    if span < Duration::from_secs(1) {
        assert_eq!(sent, 30, "all {} arrived within {span:?}", chats.len());
    }
    assert!(refused.iter().all(|s| *s >= 1), "{refused:?}");
    assert_eq!(api.rate_limited(), refused.len() as u64);
    let stored: usize = chats.iter().map(|c| api.messages(c.0).len()).sum();
    assert_eq!(stored, sent, "refused messages are not stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_gets_20_messages_a_minute_and_a_chat_burst_is_configurable() {
    let (api, bot, _) = world().await;
    // Telegram tolerates short bursts in one chat: three allowed here.
    api.set_rate_limits(Some(RateLimits {
        per_chat: 3,
        ..RateLimits::telegram()
    }));
    let chat = ChatId(USER as i64);
    for i in 1..=3 {
        bot.send_message(chat, format!("burst {i}"))
            .await
            .expect("within the burst");
    }
    let err = bot
        .send_message(chat, "burst 4")
        .await
        .expect_err("over the burst");
    assert!(matches!(err, RequestError::RetryAfter(_)), "{err:?}");
    assert_eq!(texts(&api, chat).len(), 3);

    // A group's minute: the 21st message waits for the first to be a minute old.
    api.set_rate_limits(Some(RateLimits {
        per_chat: 100,
        ..RateLimits::telegram()
    }));
    for i in 1..=20 {
        bot.send_message(ChatId(FORUM), format!("staff {i}"))
            .await
            .expect("within the group's minute");
    }
    let err = bot
        .send_message(ChatId(FORUM), "staff 21")
        .await
        .expect_err("over the group's minute");
    let RequestError::RetryAfter(after) = err else {
        panic!("{err:?}")
    };
    assert!((55..=60).contains(&after.seconds()), "{after:?}");
    assert_eq!(api.messages(FORUM).len(), 20);
    assert_eq!(api.rate_limited(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_teloxide_delivers_every_message_exactly_once() {
    let (api, bot, _) = world().await;
    api.set_rate_limits(Some(RateLimits::telegram()));
    let bot = bot.throttle(lendesk::telegram::telegram_limits(
        lendesk::telegram::BOT_MESSAGES_PER_SECOND,
    ));
    let busy = ChatId(USER as i64);
    let chats = add_users(&api, 3001, 60);
    let started = std::time::Instant::now();
    // The busy user's three first: they need three seconds, the 60 others two.
    let sends = (1..=3)
        .map(|i| (busy, format!("reply {i}")))
        .chain(chats.iter().map(|c| (*c, format!("notice for {}", c.0))))
        .map(|(chat, text)| bot.send_message(chat, text).send());
    let results = tokio::time::timeout(WAIT, futures::future::join_all(sends))
        .await
        .unwrap_or_else(|_| panic!("the sends hang\n{}", api.dump_calls(80)));
    for result in results {
        result.expect("Throttle retries a 429: every send succeeds");
    }
    let took = started.elapsed();

    let mut replies = texts(&api, busy);
    replies.sort();
    assert_eq!(replies, ["reply 1", "reply 2", "reply 3"]);
    for chat in &chats {
        assert_eq!(
            texts(&api, *chat),
            [format!("notice for {}", chat.0)],
            "exactly once"
        );
    }
    let refused = api.rate_limited();
    assert_eq!(
        api.calls_to("sendMessage").len() as u64,
        63 + refused,
        "each refused send was retried once it could fit"
    );
    // Usually none and two seconds. Throttle counts a message when it lets it go, the emulator
    // when it arrives: when the first 30 arrive late (new connections on a busy machine), the
    // next 30, let go a second later by Throttle's clock, come within the emulator's second.
    println!("Throttle: 63 messages in {took:?}; the emulator refused {refused} with 429");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_rate_limits_bursts_go_through() {
    let (api, bot, _) = world().await;
    let chat = ChatId(USER as i64);
    for i in 1..=5 {
        bot.send_message(chat, format!("burst {i}"))
            .await
            .expect("no limits by default");
    }
    let chats = add_users(&api, 5001, 40);
    let (sent, refused) = send_to_all(&bot, &chats).await;
    assert_eq!((sent, refused.len()), (40, 0));
    assert_eq!(api.rate_limited(), 0);

    // Switched on, the limits count what was sent before; switched off, nothing is refused.
    api.set_rate_limits(Some(RateLimits::telegram()));
    let err = bot
        .send_message(chat, "now limited")
        .await
        .expect_err("the burst is within the second");
    assert!(matches!(err, RequestError::RetryAfter(_)), "{err:?}");
    api.set_rate_limits(None);
    bot.send_message(chat, "burst 6")
        .await
        .expect("limits off again");
    assert_eq!(texts(&api, chat).len(), 6);
    assert_eq!(api.rate_limited(), 1);
}
