//! Button presses: what each button's data (`faq:`, `human`, `lang:`, `rate:`, `whatif:`,
//! `asset:`, `am:`, the /forget confirmation, `alert:` handed to `alerts`) does.

use alloy::primitives::Address;

use super::intent::WhatIf;
use super::outcome::{Incoming, Intent, Outcome, Reply};
use super::{Desk, privacy, texts};
use crate::lang::Lang;
use crate::secrets;
use crate::store::{HistoryEntry, Speaker};
use crate::tickets::EscalationReason;

impl Desk {
    pub(super) async fn press(
        &self,
        user: i64,
        data: &str,
        lang_hint: Option<Lang>,
        now: u64,
    ) -> Outcome {
        let ban = self.ban_of(user).await;
        let mut record = self.load_or_new(user).await;
        let lang = Self::button_language(&record, lang_hint);
        if let Some(kind) = ban {
            return Self::dropped(kind, lang);
        }
        if data == privacy::FORGET_YES {
            // Nothing of this press may be kept: no history line, no event, no user record.
            return self.forget_confirmed(user, lang, now).await;
        }
        let loaded = record.clone();
        if record.started_at.is_none() {
            record.started_at = Some(now);
        }
        let msg = Incoming {
            user,
            lang_hint,
            now,
            ..Default::default()
        };
        let out = if let Some(id) = data.strip_prefix("faq:") {
            self.faq_answer(&mut record, id, lang, &msg).await
        } else if data == "human" {
            self.escalate(
                &record,
                EscalationReason::AskedForPerson,
                lang,
                "[pressed: talk to a person]",
                now,
            )
            .await
        } else if let Some(code) = data.strip_prefix("lang:") {
            self.set_lang(&mut record, Some(code))
        } else if data == privacy::FORGET_NO {
            Self::forget_declined(lang)
        } else if let Some(rating) = data.strip_prefix("rate:") {
            self.rate(&mut record, rating, lang).await
        } else if let Some((bps, named, market)) = data.strip_prefix("whatif:").and_then(|rest| {
            // "whatif:-2000:0xAddress@tag" with several markets, "whatif:-2000:0xAddress" with
            // one (older buttons carry no address: the linked ones).
            let (bps, address) = rest.split_once(':').unwrap_or((rest, ""));
            let (address, market) = match address.split_once('@') {
                Some((address, tag)) => (address, Some(tag)),
                None => (address, None),
            };
            let named: Vec<Address> = crate::chain::parse_address(address).into_iter().collect();
            bps.parse::<i64>().ok().map(|b| (b, named, market))
        }) {
            let w = WhatIf {
                symbol: None,
                change_bps: bps.clamp(-9_900, 9_900),
            };
            self.what_if(&record, &named, lang, &w, market).await
        } else if let Some((tag, address, symbol)) = data.strip_prefix("am:").and_then(|rest| {
            // "am:tag:0xAddress:SYMBOL": an asset button of one market among several.
            let (tag, rest) = rest.split_once(':')?;
            let (address, symbol) = rest.split_once(':')?;
            Some((tag, address, symbol))
        }) {
            self.asset_detail(address, symbol, lang, Some(tag)).await
        } else if let Some((address, symbol)) = data
            .strip_prefix("asset:")
            .and_then(|rest| rest.split_once(':'))
        {
            self.asset_detail(address, symbol, lang, None).await
        } else if let Some(rest) = data.strip_prefix("alert:") {
            self.alert_press(&mut record, rest, lang, &msg).await
        } else {
            Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::unknown_command(lang)),
            )
        };
        let said = HistoryEntry::new(
            now,
            Speaker::User,
            &format!("[button {}]", secrets::redact(data)),
        );
        self.finish(&loaded, &record, said, &out, now, None).await;
        out
    }
}
