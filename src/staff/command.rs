//! The staff commands: one list (an enum) from which every other is derived: the names the
//! staff side parses, the help text and usage lines, the Telegram staff chat's command menu,
//! and who may use each one.

use crate::lang::Lang;

use super::Role;

/// A staff command (`/tickets`, `/ban`, …). Plain `/faq` and `/faq <question>` are the users'
/// FAQ browser; only `/faq` with a staff subcommand is [`StaffCommand::Faq`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffCommand {
    /// `/tickets`: list tickets.
    Tickets,
    /// `/stats`: statistics.
    Stats,
    /// `/faq`: edit the knowledge base live.
    Faq,
    /// `/broadcast`: announce to users.
    Broadcast,
    /// `/maintenance`: maintenance notice.
    Maintenance,
    /// `/ban`: ban a user (they are told).
    Ban,
    /// `/shadowban`: drop a user's messages silently.
    Shadowban,
    /// `/unban`: lift a ban.
    Unban,
    /// `/whois`: look up a user.
    Whois,
    /// `/staff`: the support team (add/remove: admins).
    Staff,
    /// `/audit`: the audit log (default 20, max 100).
    Audit,
    /// `/macros`: canned replies.
    Macros,
    /// `/note`: internal note, never sent to the user.
    Note,
    /// `/assign`: assign the ticket.
    Assign,
    /// `/macro`: send a canned reply to the user.
    Macro,
    /// `/close`: close the ticket and ask for a rating.
    Close,
    /// `/reopen`: reopen the ticket.
    Reopen,
}

impl StaffCommand {
    /// Every staff command, in the order of the help text.
    pub const ALL: [Self; 17] = [
        Self::Tickets,
        Self::Stats,
        Self::Faq,
        Self::Broadcast,
        Self::Maintenance,
        Self::Ban,
        Self::Shadowban,
        Self::Unban,
        Self::Whois,
        Self::Staff,
        Self::Audit,
        Self::Macros,
        Self::Note,
        Self::Assign,
        Self::Macro,
        Self::Close,
        Self::Reopen,
    ];

    /// The command's name, without the slash.
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// The command named `name` (lowercase, without the slash), if it is a staff command.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The command's syntax, as the usage line and the help text show it.
    pub fn syntax(self) -> &'static str {
        self.row().1
    }

    /// What the command does, for the help text.
    pub fn meaning(self, lang: Lang) -> &'static str {
        let (_, _, en, zh) = self.row();
        lang.pick(en, zh)
    }

    /// The line in the staff chat's command menu (Telegram's `setMyCommands`) and its place
    /// there; `None` for commands the menu leaves out (they are named in another line).
    pub fn menu(self) -> Option<(usize, &'static str, &'static str)> {
        Some(match self {
            Self::Tickets => (
                0,
                "Tickets: open, mine, overdue, closed",
                "工单：open、mine、overdue、closed",
            ),
            Self::Stats => (7, "Statistics: 7d or 30d", "统计：7d 或 30d"),
            Self::Faq => (
                8,
                "FAQ: list, show, add, edit, remove",
                "常见问题：list、show、add、edit、remove",
            ),
            Self::Broadcast => (9, "Announce to users", "向用户发布公告"),
            Self::Maintenance => (10, "Maintenance notice on/off", "维护通知 on/off"),
            Self::Ban => (
                12,
                "Ban, /shadowban, /unban a user",
                "封禁、/shadowban、/unban 用户",
            ),
            Self::Shadowban => return None,
            Self::Unban => return None,
            Self::Whois => (11, "Look up a user", "查询用户"),
            Self::Staff => return None,
            Self::Audit => (13, "The audit log", "审计日志"),
            Self::Macros => (
                4,
                "Canned replies: add, remove, list",
                "预设回复：add、remove、list",
            ),
            Self::Note => (
                1,
                "Internal note (never sent to the user)",
                "内部备注（不会发给用户）",
            ),
            Self::Assign => (
                2,
                "Assign the ticket: @staff or me",
                "分配工单：@客服 或 me",
            ),
            Self::Macro => (3, "Send a canned reply", "发送预设回复"),
            Self::Close => (
                5,
                "Close the ticket and ask for a rating",
                "关闭工单并请用户评分",
            ),
            Self::Reopen => (6, "Reopen the ticket", "重新打开工单"),
        })
    }

    /// Who may use the command. `/staff add|remove` is further limited to admins, by
    /// subcommand.
    pub fn role(self) -> Role {
        Role::Staff
    }

    /// (name, syntax, English meaning, Chinese meaning).
    fn row(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Self::Tickets => (
                "tickets",
                "/tickets [open|mine|overdue|closed]",
                "list tickets",
                "工单列表",
            ),
            Self::Stats => ("stats", "/stats [7d|30d]", "statistics", "统计"),
            Self::Faq => (
                "faq",
                "/faq list · /faq show <id> · /faq add <topic file> · /faq edit <topic file> · /faq remove <id> · /faq restore <id>",
                "edit the knowledge base live",
                "实时编辑知识库",
            ),
            Self::Broadcast => (
                "broadcast",
                "/broadcast [en|zh] <text> · /broadcast status · /broadcast cancel <id>",
                "announce to users",
                "向用户发布公告",
            ),
            Self::Maintenance => (
                "maintenance",
                "/maintenance on <text> · /maintenance off · /maintenance",
                "maintenance notice",
                "维护通知",
            ),
            Self::Ban => (
                "ban",
                "/ban <user> [reason]",
                "ban a user (they are told)",
                "封禁用户（用户会被告知）",
            ),
            Self::Shadowban => (
                "shadowban",
                "/shadowban <user> [reason]",
                "drop a user's messages silently",
                "静默丢弃用户消息",
            ),
            Self::Unban => ("unban", "/unban <user>", "lift a ban", "解除封禁"),
            Self::Whois => ("whois", "/whois <user>", "look up a user", "查询用户"),
            Self::Staff => (
                "staff",
                "/staff add <user> · /staff remove <user> · /staff list",
                "the support team (add/remove: admins)",
                "客服团队（添加/移除仅限管理员）",
            ),
            Self::Audit => (
                "audit",
                "/audit [n]",
                "the audit log (default 20, max 100)",
                "审计日志（默认 20 条，最多 100 条）",
            ),
            Self::Macros => (
                "macros",
                "/macros add <name> <text> · /macros add <name> zh <text> · /macros remove <name> · /macros list",
                "canned replies",
                "预设回复",
            ),
            Self::Note => (
                "note",
                "/note <text>",
                "internal note, never sent to the user",
                "内部备注，不会发给用户",
            ),
            Self::Assign => (
                "assign",
                "/assign @staff · /assign me",
                "assign the ticket",
                "分配工单",
            ),
            Self::Macro => (
                "macro",
                "/macro <name>",
                "send a canned reply to the user",
                "向用户发送预设回复",
            ),
            Self::Close => (
                "close",
                "/close",
                "close the ticket and ask for a rating",
                "关闭工单并请用户评分",
            ),
            Self::Reopen => ("reopen", "/reopen", "reopen the ticket", "重新打开工单"),
        }
    }
}

/// The staff chat's command menu, in its order: (name, description).
pub fn menu(lang: Lang) -> Vec<(&'static str, &'static str)> {
    let mut entries: Vec<(usize, &'static str, &'static str)> = StaffCommand::ALL
        .into_iter()
        .filter_map(|c| {
            c.menu()
                .map(|(place, en, zh)| (place, c.name(), lang.pick(en, zh)))
        })
        .collect();
    entries.sort_by_key(|(place, ..)| *place);
    entries
        .into_iter()
        .map(|(_, name, text)| (name, text))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staff_menu_keeps_its_order_and_every_name_parses_back() {
        let names: Vec<&str> = menu(Lang::En).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "tickets",
                "note",
                "assign",
                "macro",
                "macros",
                "close",
                "reopen",
                "stats",
                "faq",
                "broadcast",
                "maintenance",
                "whois",
                "ban",
                "audit"
            ]
        );
        assert_eq!(menu(Lang::Zh)[0].1, "工单：open、mine、overdue、closed");
        for c in StaffCommand::ALL {
            assert_eq!(StaffCommand::parse(c.name()), Some(c));
        }
        assert_eq!(StaffCommand::parse("help"), None);
    }
}
