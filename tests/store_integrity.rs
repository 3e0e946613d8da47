//! The store notices damage, and its backups bring everything back: real sled files on disk,
//! records written through the real APIs (the desk, the ticket service, the staff side's store
//! calls), bytes flipped in sled's own files, and `lendesk store backup|restore|check` as the
//! binary's command bodies run them.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::populate::{NOW, USER, populate};
use lendesk::config::Config;
use lendesk::lang::Lang;
use lendesk::store::{MANIFEST_FILE, SledStore, Store, StoreError};
use lendesk::tickets::{EscalationReason, SlaConfig, Tickets};

/// A data directory with one user and three acknowledged tickets, as the operator had.
async fn three_tickets(dir: &Path) {
    let store = Store::open(dir).expect("open");
    let tickets = Tickets::new(store.clone(), SlaConfig::default());
    store
        .save_user(&lendesk::store::UserRecord::new(USER), true)
        .await
        .expect("user");
    for n in 0..3 {
        let (ticket, new) = tickets
            .open(
                USER,
                EscalationReason::AskedForPerson,
                Lang::En,
                "help",
                NOW + n,
            )
            .await
            .expect("open a ticket");
        assert!(new);
        tickets.close(ticket.id, NOW + n).await.expect("close it");
    }
}

fn flip(file: &Path, offset: u64) {
    let mut bytes = std::fs::read(file).unwrap();
    let i = usize::try_from(offset).unwrap();
    bytes[i] ^= 0xff;
    std::fs::write(file, bytes).unwrap();
}

/// What opening a damaged copy did: `None` when it refused with a message naming the data
/// directory and the way out; `Some(tickets)` when it opened.
async fn open_damaged(dir: &Path) -> Option<usize> {
    let opened = std::panic::catch_unwind(|| Store::open(dir));
    let store = match opened {
        Err(_) => panic!(
            "opening {} panicked instead of reporting damage",
            dir.display()
        ),
        Ok(Err(e @ (StoreError::Damaged { .. } | StoreError::Unopenable { .. }))) => {
            let text = e.to_string();
            eprintln!("refused: {text}");
            assert!(text.contains(&dir.display().to_string()), "{text}");
            assert!(text.contains("lendesk store restore"), "{text}");
            return None;
        }
        Ok(Err(e)) => {
            // Any other refusal is still a refusal; it must not be a silent success.
            eprintln!("refused with {e}");
            return None;
        }
        Ok(Ok(store)) => store,
    };
    Some(store.tickets_of(USER).await.map(|t| t.len()).unwrap_or(0))
}

#[tokio::test]
async fn a_flipped_byte_in_sleds_files_never_opens_a_store_with_tickets_gone() {
    let base = tempfile::tempdir().unwrap();
    let original = base.path().join("data");
    three_tickets(&original).await;
    let db_len = std::fs::metadata(original.join("db")).unwrap().len();
    let conf_len = std::fs::metadata(original.join("conf")).unwrap().len();
    let mut cases: Vec<(&str, u64)> = [0, 1, 7, 8, 20, 64, 512, 4096, db_len / 2, db_len - 1]
        .into_iter()
        .filter(|o| *o < db_len)
        .map(|o| ("db", o))
        .collect();
    cases.extend([("conf", 0), ("conf", conf_len / 2)]);
    let mut refused = 0;
    for (n, (file, offset)) in cases.iter().enumerate() {
        let copy = base.path().join(format!("copy-{n}"));
        common::copy_dir(&original, &copy);
        flip(&copy.join(file), *offset);
        let outcome = open_damaged(&copy).await;
        eprintln!("{file}:{offset} → {outcome:?}");
        match outcome {
            None => refused += 1,
            Some(tickets) => assert_eq!(
                tickets, 3,
                "a flipped byte at {file}:{offset} opened the store with tickets gone"
            ),
        }
    }
    // The case (the first byte of `db`) is refused, not survived by luck.
    let copy = base.path().join("first-byte");
    common::copy_dir(&original, &copy);
    flip(&copy.join("db"), 0);
    assert_eq!(open_damaged(&copy).await, None);
    // Without the manifest, the same damage opens with the tickets gone: what the check catches.
    std::fs::remove_file(copy.join(MANIFEST_FILE)).unwrap();
    let without = SledStore::open(&copy).map(|s| s.tickets_of(USER).map(|t| t.len()));
    assert!(
        !matches!(without, Ok(Ok(3))),
        "the first byte of db is harmless after all: this test proves nothing"
    );
    assert!(refused >= 1, "{cases:?}");
}

#[tokio::test]
async fn the_damage_message_names_the_directory_and_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    three_tickets(dir.path()).await;
    // Acknowledged tickets vanish behind sled's back (as a damaged file loses them).
    {
        let db = sled::open(dir.path()).unwrap();
        db.open_tree("tickets").unwrap().clear().unwrap();
        db.flush().unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, StoreError::Damaged { .. }), "{text}");
    assert!(text.contains(&dir.path().display().to_string()), "{text}");
    assert!(text.contains("tickets: 3 recorded, 0 found"), "{text}");
    assert!(
        text.contains("lendesk store restore FILE --force"),
        "{text}"
    );
    assert!(text.contains("move the directory aside"), "{text}");
}

#[tokio::test]
async fn a_store_reopened_after_normal_use_is_not_called_damaged() {
    let dir = tempfile::tempdir().unwrap();
    three_tickets(dir.path()).await;
    for _ in 0..2 {
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.tickets_of(USER).await.unwrap().len(), 3);
        store.audit(NOW, 1, "ban", "7").await.unwrap();
    }
}

/// Every tree of a closed data directory, read with sled itself: tree → key → value.
fn dump(dir: &Path) -> BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, Vec<u8>>> {
    let db = sled::open(dir).expect("open with sled");
    let mut out = BTreeMap::new();
    for name in db.tree_names() {
        let tree = db.open_tree(&name).unwrap();
        let records: BTreeMap<Vec<u8>, Vec<u8>> = tree
            .iter()
            .map(|kv| {
                let (k, v) = kv.unwrap();
                (k.to_vec(), v.to_vec())
            })
            .collect();
        out.insert(name.to_vec(), records);
    }
    out
}

fn config_for(dir: &Path) -> Config {
    let mut config = Config::default();
    config.desk.data_dir = dir.display().to_string();
    config
}

#[tokio::test]
async fn backup_wipe_restore_brings_back_every_record_byte_for_byte() {
    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    populate(&data).await;
    let before = dump(&data);
    let count = |tree: &str| before.get(tree.as_bytes()).map_or(0, BTreeMap::len);
    for tree in [
        "users",
        "history",
        "tickets",
        "tickets_by_user",
        "meta",
        "threads",
        "thread_index",
        "relay",
        "staff",
        "macros",
        "faq_edits",
        "bans",
        "audit",
        "broadcasts",
        "events",
        "alert_settings",
        "alert_marks",
        "alert_outbox",
        "alerts_sent",
    ] {
        assert!(count(tree) > 0, "the fixture wrote nothing to {tree}");
    }
    let config = config_for(&data);
    let file: PathBuf = base.path().join("backup.jsonl");
    let said = lendesk::cli::store::backup(&config, &file).expect("backup");
    assert!(said.starts_with("backed up "), "{said}");
    let checked = lendesk::cli::store::check(&config).expect("a sound store passes");
    assert!(checked.contains("tickets: 2"), "{checked}");
    assert!(checked.contains("macros: 1"), "{checked}");

    std::fs::remove_dir_all(&data).unwrap();
    let said = lendesk::cli::store::restore(&config, &file, false).expect("restore");
    assert!(said.starts_with("restored "), "{said}");
    assert_eq!(dump(&data), before);

    // The restored store opens (its manifest is written) and answers as before.
    let store = Store::open(&data).unwrap();
    assert_eq!(store.tickets_of(USER).await.unwrap().len(), 1);
    assert_eq!(
        store.user(USER).await.unwrap().unwrap().lang,
        Some(Lang::Zh)
    );
    assert_eq!(
        store.macro_named("gas").await.unwrap().unwrap().en,
        "Gas is the fee"
    );
    drop(store);

    // A non-empty directory is refused unless --force, which moves it aside.
    let refused = lendesk::cli::store::restore(&config, &file, false).unwrap_err();
    assert!(refused.to_string().contains("--force"), "{refused}");
    let said = lendesk::cli::store::restore(&config, &file, true).expect("forced restore");
    assert!(said.contains("before-restore-"), "{said}");
    assert_eq!(dump(&data), before);
}

#[tokio::test]
async fn restore_refuses_a_newer_format_and_a_cut_off_file_and_leaves_the_directory_alone() {
    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    three_tickets(&data).await;
    let config = config_for(&data);
    let file = base.path().join("backup.jsonl");
    lendesk::cli::store::backup(&config, &file).expect("backup");
    let text = std::fs::read_to_string(&file).unwrap();
    let target = config_for(&base.path().join("restored"));

    let newer = base.path().join("newer.jsonl");
    std::fs::write(&newer, text.replacen("\"format\":1", "\"format\":99", 1)).unwrap();
    let err = lendesk::cli::store::restore(&target, &newer, false).unwrap_err();
    assert!(err.to_string().contains("format 99"), "{err}");

    let cut = base.path().join("cut.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&cut, lines[..lines.len() - 1].join("\n")).unwrap();
    let err = lendesk::cli::store::restore(&target, &cut, false).unwrap_err();
    assert!(err.to_string().contains("cut off"), "{err}");
    assert!(!base.path().join("restored").exists());
}

#[tokio::test]
async fn store_check_fails_on_a_broken_index() {
    let dir = tempfile::tempdir().unwrap();
    three_tickets(dir.path()).await;
    {
        let db = sled::open(dir.path()).unwrap();
        db.open_tree("tickets_by_user").unwrap().clear().unwrap();
        db.flush().unwrap();
    }
    let err = lendesk::cli::store::check(&config_for(dir.path())).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("3 problem(s)"), "{text}");
    assert!(
        text.contains("ticket #1 is missing from its user's index"),
        "{text}"
    );
    assert_eq!(err.exit_code(), 1);
}

fn lendesk(cwd: &Path, data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lendesk"))
        .current_dir(cwd)
        .args(args)
        .env("LENDESK_DATA_DIR", data)
        .env(
            "LENDESK_FAQ_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("faq"),
        )
        .env_remove("LENDESK_CONFIG")
        .env_remove("LENDESK_RPC_URL")
        .env_remove("LENDESK_MARKET")
        .output()
        .expect("run lendesk")
}

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_binary_refuses_a_damaged_store_and_restore_brings_the_tickets_back() {
    let base = tempfile::tempdir().unwrap();
    let data = base.path().join("data");
    three_tickets(&data).await;
    let user = USER.to_string();
    let tickets = ["ask", "/ticket", "--user", user.as_str()];

    // The operator's backup, taken from a copy: `data` itself stays as the tickets left it
    // (an open can rewrite sled's files, after which the first byte may matter no more).
    let copy = base.path().join("copy");
    common::copy_dir(&data, &copy);
    let out = lendesk(base.path(), &copy, &["store", "check"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("tickets: 3"), "{stdout}");
    let backup = base.path().join("backup.jsonl");
    let backup_arg = backup.display().to_string();
    let out = lendesk(base.path(), &copy, &["store", "backup", &backup_arg]);
    assert!(out.status.success(), "{:?}", text(&out));

    // The damage: the first byte of sled's `db` file.
    flip(&data.join("db"), 0);
    for args in [&tickets[..], &["store", "check"][..]] {
        let out = lendesk(base.path(), &data, args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}{stderr}");
        assert!(!stdout.contains("no tickets"), "{stdout}");
        assert!(stderr.contains(&data.display().to_string()), "{stderr}");
        assert!(
            stderr.contains("lendesk store restore FILE --force"),
            "{stderr}"
        );
    }

    let out = lendesk(base.path(), &data, &["store", "restore", &backup_arg]);
    assert_eq!(out.status.code(), Some(2), "{:?}", text(&out));
    assert!(text(&out).1.contains("--force"), "{:?}", text(&out));
    let out = lendesk(
        base.path(),
        &data,
        &["store", "restore", &backup_arg, "--force"],
    );
    assert!(out.status.success(), "{:?}", text(&out));
    let out = lendesk(base.path(), &data, &tickets);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    for id in ["#1", "#2", "#3"] {
        assert!(stdout.contains(id), "{stdout}");
    }
}
