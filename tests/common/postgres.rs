//! A PostgreSQL database of a test's own (a unique name), created on the server the tests use
//! and dropped when the test ends; `None` where no server answers and none is required.
//!
//! The server: `LENDESK_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/postgres`,
//! trust auth as on the project's machines). Where none answers the tests say so and pass,
//! unless `LENDESK_REQUIRE_POSTGRES` is set (`.ci/run` sets it once it has checked or started
//! the server), so the sled-only suite runs on a machine without PostgreSQL.

use tokio_postgres::NoTls;

pub fn admin_url() -> String {
    std::env::var("LENDESK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database of the test's own, dropped when it ends.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A fresh database, or `None` when no server answers and none is required.
    pub async fn new(tag: &str) -> Option<TestDb> {
        let admin = match tokio_postgres::connect(&admin_url(), NoTls).await {
            Ok((client, connection)) => {
                tokio::spawn(connection);
                client
            }
            Err(e) if std::env::var_os("LENDESK_REQUIRE_POSTGRES").is_none() => {
                eprintln!("no PostgreSQL at {} ({e}): test skipped", admin_url());
                return None;
            }
            Err(e) => panic!("PostgreSQL is required and does not answer: {e}"),
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!("lendesk_{tag}_{}_{nanos}", std::process::id());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let mut url: url::Url = admin_url().parse().expect("admin URL");
        url.set_path(&name);
        Some(TestDb {
            name,
            url: url.to_string(),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // A runtime of its own: the test's may be shutting down.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok((client, connection)) = tokio_postgres::connect(&admin_url(), NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}
