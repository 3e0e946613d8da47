//! Linking an address and proving it is the user's: `/link` issues an EIP-191 message to sign,
//! `/verify` checks the signature against the address.

use alloy::primitives::{Address, Signature};

use super::outcome::{Intent, Outcome, Reply};
use super::{Desk, texts};
use crate::lang::Lang;
use crate::store::{PendingProof, UserRecord};

/// An ownership proof (the message to sign) is valid this long, in seconds.
const PROOF_TTL_SECS: u64 = 3_600;

/// 16 random hex digits for an ownership proof.
fn proof_nonce() -> String {
    use alloy::signers::k256::elliptic_curve::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 8];
    if OsRng.try_fill_bytes(&mut bytes).is_err() {
        // No OS randomness (should not happen): a per-process random hasher over the time.
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        bytes = hasher.finish().to_be_bytes();
    }
    hex::encode(bytes)
}

/// The EIP-191 message a user signs to prove `address` is theirs.
fn proof_message(address: Address, user: i64) -> String {
    format!(
        "lendesk: I own {}. Telegram user {user}. Nonce {}.",
        address.to_checksum(None),
        proof_nonce()
    )
}

/// A 65-byte signature as wallets print it (0x + 130 hex; spaces, quotes and backticks from
/// copying are ignored).
fn parse_signature(text: &str) -> Option<Signature> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '`' | '"' | '\'' | '“' | '”'))
        .collect();
    let digits = cleaned
        .strip_prefix("0x")
        .or_else(|| cleaned.strip_prefix("0X"))
        .unwrap_or(&cleaned);
    if digits.len() != 130 {
        return None;
    }
    let bytes = hex::decode(digits).ok()?;
    Signature::try_from(bytes.as_slice()).ok()
}

impl Desk {
    /// /link: links an address (unverified) and asks for a signature that proves it is the
    /// user's; without an address, lists the linked ones.
    pub(super) fn link(
        &self,
        record: &mut UserRecord,
        arg: Option<&str>,
        lang: Lang,
        now: u64,
    ) -> Outcome {
        let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
            if record.links.is_empty() {
                return Outcome::new(Intent::Command, lang, Reply::text(texts::link_usage(lang)));
            }
            let links: Vec<(String, bool)> = record
                .links
                .iter()
                .map(|l| (l.address.to_checksum(None), l.verified))
                .collect();
            return Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::links_list(lang, &links)),
            );
        };
        match crate::chain::parse_address(arg) {
            Ok(address) => {
                let checksummed = address.to_checksum(None);
                let new = record.link(address);
                if record
                    .links
                    .iter()
                    .any(|l| l.address == address && l.verified)
                {
                    return Outcome::new(
                        Intent::Command,
                        lang,
                        Reply::text(texts::already_verified(lang, &checksummed)),
                    );
                }
                let message = proof_message(address, record.id);
                let text = format!(
                    "{}\n\n{}",
                    texts::linked(lang, &checksummed, new),
                    texts::proof_request(lang, &message)
                );
                record.pending_proof = Some(PendingProof {
                    address,
                    message,
                    issued_at: now,
                });
                Outcome::new(Intent::Command, lang, Reply::text(text))
            }
            Err(crate::chain::AddressError::Shortened(_)) => Outcome::new(
                Intent::Clarify,
                lang,
                Reply::text(texts::need_full_address(lang, arg)),
            ),
            Err(e) => Outcome::new(
                Intent::Error,
                lang,
                Reply::text(texts::bad_address(lang, &e)),
            ),
        }
    }

    /// /verify <signature>: the EIP-191 signature of the pending proof's message, checked
    /// against the address being proven. The signature is never echoed.
    pub(super) fn verify(
        &self,
        record: &mut UserRecord,
        arg: Option<&str>,
        lang: Lang,
        now: u64,
    ) -> Outcome {
        let pending = record
            .pending_proof
            .clone()
            .filter(|p| now.saturating_sub(p.issued_at) <= PROOF_TTL_SECS);
        let Some(pending) = pending else {
            // An expired request is of no use any more.
            record.pending_proof = None;
            return Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::verify_no_pending(lang)),
            );
        };
        let Some(arg) = arg else {
            return Outcome::new(
                Intent::Command,
                lang,
                Reply::text(texts::verify_usage(lang, &pending.message)),
            );
        };
        let Some(signature) = parse_signature(arg) else {
            return Outcome::new(Intent::Error, lang, Reply::text(texts::bad_signature(lang)));
        };
        let signer = match signature.recover_address_from_msg(pending.message.as_bytes()) {
            Ok(signer) => signer,
            Err(e) => {
                tracing::debug!(user = record.id, error = %e, "signature does not recover");
                return Outcome::new(Intent::Error, lang, Reply::text(texts::bad_signature(lang)));
            }
        };
        let expected = pending.address.to_checksum(None);
        if signer != pending.address {
            return Outcome::new(
                Intent::Error,
                lang,
                Reply::text(texts::wrong_signer(
                    lang,
                    &signer.to_checksum(None),
                    &expected,
                )),
            );
        }
        record.link(pending.address);
        for link in record
            .links
            .iter_mut()
            .filter(|l| l.address == pending.address)
        {
            link.verified = true;
        }
        record.pending_proof = None;
        tracing::info!(user = record.id, "address ownership verified");
        Outcome::new(
            Intent::Command,
            lang,
            Reply::text(texts::verified(lang, &expected)),
        )
    }
}
