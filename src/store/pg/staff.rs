//! The staff side's own records: staff members, macros, moderators' FAQ edits, bans, the
//! numbered audit log, broadcasts and their progress, and the maintenance notice (sled's
//! trees of the same names; the notice is in `meta`).

use super::PgStore;
use super::numbers::{self, AUDIT_SEQ, BROADCAST_SEQ};
use super::rows::{begin, bigint, bound, column, commit, encode, execute, query_opt};
use crate::store::{
    AuditEntry, BanRecord, Broadcast, FaqEdit, Macro, Maintenance, StaffMember, StoreError,
};

const STAFF: &str = "staff";
const MACROS: &str = "macros";
const FAQ_EDITS: &str = "faq_edits";
const BANS: &str = "bans";
const AUDIT: &str = "audit";
const BROADCASTS: &str = "broadcasts";
const META: &str = "meta";
/// The `meta` key of the maintenance notice.
const MAINTENANCE: &str = "maintenance";

impl PgStore {
    // --- staff -------------------------------------------------------------------------------

    /// Adds or updates a staff member. Returns false if they were staff already.
    pub async fn add_staff(&self, member: &StaffMember) -> Result<bool, StoreError> {
        const WHAT: &str = "adding a staff member";
        let record = encode(STAFF, member.id, member)?;
        let client = self.client().await?;
        let row = query_opt(
            &client,
            WHAT,
            "WITH existing AS (SELECT 1 FROM staff WHERE id = $1),
                  saved AS (
                      INSERT INTO staff (id, record) VALUES ($1, $2::text::jsonb)
                      ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record
                  )
             SELECT NOT EXISTS (SELECT 1 FROM existing)",
            &[&member.id, &record],
        )
        .await?;
        match row {
            Some(row) => column(STAFF, member.id, &row, 0),
            None => Ok(false),
        }
    }

    /// Removes a staff member. Returns false if they were not staff.
    pub async fn remove_staff(&self, id: i64) -> Result<bool, StoreError> {
        let removed = self
            .run(
                "removing a staff member",
                "DELETE FROM staff WHERE id = $1",
                &[&id],
            )
            .await?;
        Ok(removed > 0)
    }

    /// A staff member.
    pub async fn staff_member(&self, id: i64) -> Result<Option<StaffMember>, StoreError> {
        self.get(
            STAFF,
            "SELECT record::text, id::text AS key FROM staff WHERE id = $1",
            &[&id],
        )
        .await
    }

    /// Every staff member added by admins, in sled's key order (negative ids last).
    pub async fn staff_members(&self) -> Result<Vec<StaffMember>, StoreError> {
        self.list(
            STAFF,
            "SELECT record::text, id::text AS key FROM staff ORDER BY id < 0, id",
            &[],
        )
        .await
    }

    // --- macros ------------------------------------------------------------------------------

    /// Saves a macro.
    pub async fn save_macro(&self, m: &Macro) -> Result<(), StoreError> {
        let record = encode(MACROS, &m.name, m)?;
        self.run(
            "saving a macro",
            "INSERT INTO macros (name, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record",
            &[&m.name, &record],
        )
        .await?;
        Ok(())
    }

    /// Removes a macro; false when there was none.
    pub async fn remove_macro(&self, name: &str) -> Result<bool, StoreError> {
        let removed = self
            .run(
                "removing a macro",
                "DELETE FROM macros WHERE name = $1",
                &[&name],
            )
            .await?;
        Ok(removed > 0)
    }

    /// A macro by name.
    pub async fn macro_named(&self, name: &str) -> Result<Option<Macro>, StoreError> {
        self.get(
            MACROS,
            "SELECT record::text, name FROM macros WHERE name = $1",
            &[&name],
        )
        .await
    }

    /// Every macro, by name (bytewise).
    pub async fn macros(&self) -> Result<Vec<Macro>, StoreError> {
        self.list(
            MACROS,
            "SELECT record::text, name FROM macros ORDER BY name",
            &[],
        )
        .await
    }

    // --- the FAQ overlay ---------------------------------------------------------------------

    /// Saves a moderator's edit of a topic, replacing an earlier edit of it.
    pub async fn save_faq_edit(&self, edit: &FaqEdit) -> Result<(), StoreError> {
        let record = encode(FAQ_EDITS, &edit.id, edit)?;
        self.run(
            "saving an FAQ edit",
            "INSERT INTO faq_edits (topic, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (topic) DO UPDATE SET record = EXCLUDED.record",
            &[&edit.id, &record],
        )
        .await?;
        Ok(())
    }

    /// Drops the edit of a topic (back to the file's version); false when there was none.
    pub async fn remove_faq_edit(&self, id: &str) -> Result<bool, StoreError> {
        let removed = self
            .run(
                "removing an FAQ edit",
                "DELETE FROM faq_edits WHERE topic = $1",
                &[&id],
            )
            .await?;
        Ok(removed > 0)
    }

    /// Every FAQ edit, by topic id (bytewise).
    pub async fn faq_edits(&self) -> Result<Vec<FaqEdit>, StoreError> {
        self.list(
            FAQ_EDITS,
            "SELECT record::text, topic FROM faq_edits ORDER BY topic",
            &[],
        )
        .await
    }

    // --- bans --------------------------------------------------------------------------------

    /// Bans a user.
    pub async fn save_ban(&self, ban: &BanRecord) -> Result<(), StoreError> {
        let record = encode(BANS, ban.user, ban)?;
        self.run(
            "saving a ban",
            "INSERT INTO bans (user_id, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (user_id) DO UPDATE SET record = EXCLUDED.record",
            &[&ban.user, &record],
        )
        .await?;
        Ok(())
    }

    /// Lifts a ban: the ban that was lifted, if any.
    pub async fn remove_ban(&self, user: i64) -> Result<Option<BanRecord>, StoreError> {
        self.get(
            BANS,
            "DELETE FROM bans WHERE user_id = $1 RETURNING record::text, user_id::text AS key",
            &[&user],
        )
        .await
    }

    /// The ban on a user, if any.
    pub async fn ban_of(&self, user: i64) -> Result<Option<BanRecord>, StoreError> {
        self.get(
            BANS,
            "SELECT record::text, user_id::text AS key FROM bans WHERE user_id = $1",
            &[&user],
        )
        .await
    }

    /// Every ban, in sled's key order (negative ids last).
    pub async fn bans(&self) -> Result<Vec<BanRecord>, StoreError> {
        self.list(
            BANS,
            "SELECT record::text, user_id::text AS key FROM bans ORDER BY user_id < 0, user_id",
            &[],
        )
        .await
    }

    // --- the audit log -----------------------------------------------------------------------

    /// Appends a line to the audit log and returns it: its number and the line are written in
    /// one transaction, so a number is never left without its line.
    pub async fn audit(
        &self,
        at: u64,
        actor: i64,
        action: &str,
        detail: &str,
    ) -> Result<AuditEntry, StoreError> {
        const WHAT: &str = "writing an audit line";
        let mut client = self.client().await?;
        let tx = begin(&mut client, WHAT).await?;
        let seq = numbers::next(&tx, AUDIT_SEQ).await?;
        let entry = AuditEntry::new(seq, at, actor, action, detail);
        let record = encode(AUDIT, entry.seq, &entry)?;
        execute(
            &tx,
            WHAT,
            "INSERT INTO audit (seq, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (seq) DO UPDATE SET record = EXCLUDED.record",
            &[&bigint(WHAT, entry.seq)?, &record],
        )
        .await?;
        commit(tx, WHAT).await?;
        Ok(entry)
    }

    /// The last `limit` audit lines, newest first.
    pub async fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.list(
            AUDIT,
            "SELECT record::text, seq::text AS key FROM audit ORDER BY seq DESC LIMIT $1",
            &[&limit],
        )
        .await
    }

    // --- broadcasts --------------------------------------------------------------------------

    /// A new broadcast number.
    pub async fn next_broadcast_id(&self) -> Result<u64, StoreError> {
        numbers::next(&self.client().await?, BROADCAST_SEQ).await
    }

    /// Saves a broadcast and its progress (what a restart resumes from).
    pub async fn save_broadcast(&self, b: &Broadcast) -> Result<(), StoreError> {
        const WHAT: &str = "saving a broadcast";
        let record = encode(BROADCASTS, b.id, b)?;
        self.run(
            WHAT,
            "INSERT INTO broadcasts (id, record) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record",
            &[&bigint(WHAT, b.id)?, &record],
        )
        .await?;
        Ok(())
    }

    /// A broadcast by number.
    pub async fn broadcast(&self, id: u64) -> Result<Option<Broadcast>, StoreError> {
        self.get(
            BROADCASTS,
            "SELECT record::text, id::text AS key FROM broadcasts WHERE id = $1",
            &[&bound(id)],
        )
        .await
    }

    /// Every broadcast, oldest first.
    pub async fn broadcasts(&self) -> Result<Vec<Broadcast>, StoreError> {
        self.list(
            BROADCASTS,
            "SELECT record::text, id::text AS key FROM broadcasts ORDER BY id",
            &[],
        )
        .await
    }

    // --- maintenance ---------------------------------------------------------------------------

    /// Turns the maintenance notice on (`Some`) or off (`None`).
    pub async fn set_maintenance(&self, notice: Option<&Maintenance>) -> Result<(), StoreError> {
        const WHAT: &str = "setting the maintenance notice";
        let Some(notice) = notice else {
            self.run(WHAT, "DELETE FROM meta WHERE key = $1", &[&MAINTENANCE])
                .await?;
            return Ok(());
        };
        let record = encode(META, MAINTENANCE, notice)?;
        self.run(
            WHAT,
            "INSERT INTO meta (key, value) VALUES ($1, $2::text::jsonb)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&MAINTENANCE, &record],
        )
        .await?;
        Ok(())
    }

    /// The maintenance notice in force.
    pub async fn maintenance(&self) -> Result<Option<Maintenance>, StoreError> {
        self.get(
            META,
            "SELECT value::text, key FROM meta WHERE key = $1",
            &[&MAINTENANCE],
        )
        .await
    }
}
