//! Which messages the bot takes: in a private chat everything except a command for another
//! bot; in a group what addresses it (its command, a mention, a reply to it), plus, where it is
//! an administrator, any message holding a secret (so it can remove it). Also the cache of the
//! bot's administrator status per group.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::Me;

use super::TgBot;

/// How long a group's administrator status is trusted before `getChatMember` is asked again
/// (a promotion or demotion is noticed within this time).
const ADMIN_STATUS_TTL: Duration = Duration::from_secs(300);
/// Groups remembered at most; the cache starts over beyond.
const ADMIN_CACHE_LIMIT: usize = 10_000;

/// The text the bot should handle, with its own @mention removed; `None` when the message is
/// not for it.
pub fn addressed(msg: &Message, me: &Me, text: &str) -> Option<String> {
    let mention = format!("@{}", me.username());
    if text.starts_with('/') {
        // "/help@other_bot" is for another bot, in any chat.
        let head = text.split_whitespace().next().unwrap_or_default();
        if let Some((_, bot)) = head.split_once('@')
            && !bot.eq_ignore_ascii_case(me.username())
        {
            return None;
        }
        return Some(strip_mention(text, &mention));
    }
    if msg.chat.is_private() {
        return Some(text.to_string());
    }
    if contains_ignore_case(text, &mention) {
        return Some(strip_mention(text, &mention).trim().to_string());
    }
    let replies_to_me = msg
        .reply_to_message()
        .and_then(|m| m.from.as_ref())
        .is_some_and(|u| u.id == me.id);
    replies_to_me.then(|| text.to_string())
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(&needle.to_lowercase())
}

/// `text` without `mention` (Telegram usernames are case-insensitive).
fn strip_mention(text: &str, mention: &str) -> String {
    let lower = text.to_lowercase();
    let needle = mention.to_lowercase();
    // Lowercasing keeps byte offsets for ASCII mentions; a text where it does not is kept.
    if lower.len() != text.len() {
        return text.replace(mention, "");
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(&needle) {
        out.push_str(&text[rest..at]);
        rest = at + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

/// The bot's administrator status per group, asked of Telegram when unknown or stale.
#[derive(Debug, Default)]
pub struct AdminStatus {
    known: Mutex<HashMap<ChatId, (bool, Instant)>>,
}

impl AdminStatus {
    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<ChatId, (bool, Instant)>> {
        super::lock(&self.known)
    }

    /// Whether the bot administers `chat` with the right to delete others' messages; `false`
    /// when Telegram cannot say.
    pub async fn is_admin(&self, bot: &TgBot, me: &Me, chat: ChatId) -> bool {
        if let Some((admin, at)) = self.known().get(&chat).copied()
            && at.elapsed() < ADMIN_STATUS_TTL
        {
            return admin;
        }
        let admin = match bot.get_chat_member(chat, me.id).await {
            Ok(member) => member.kind.can_delete_messages(),
            Err(e) => {
                tracing::warn!(chat = chat.0, error = %e, "cannot read the bot's status in a group");
                return false;
            }
        };
        let mut known = self.known();
        if known.len() >= ADMIN_CACHE_LIMIT {
            known.clear();
        }
        known.insert(chat, (admin, Instant::now()));
        admin
    }
}

#[cfg(test)]
mod tests {
    use super::strip_mention;

    #[test]
    fn the_mention_is_removed_whatever_its_case() {
        assert_eq!(
            strip_mention("/help@LenDesk_Bot now", "@lendesk_bot"),
            "/help now"
        );
        assert_eq!(strip_mention("hi @lendesk_bot", "@lendesk_bot"), "hi ");
    }
}
