//! Sends that survive a passing Bot API failure: a 5xx or a network error is retried a few
//! times with a growing pause; anything else (a 400, a block, a 429 that `Throttle` already
//! waited for) is the caller's to report.
//!
//! A retry may deliver twice: a 5xx or a timeout can come after Telegram delivered. A repeated
//! answer is what a user prefers to a lost one, so sends are retried anyway.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::{ApiError, RequestError};

use super::journal;

/// Tries per send, the first included.
const ATTEMPTS: u32 = 3;
/// The pause before the first retry of a network error; doubled each time. A 5xx is retried
/// at once: teloxide has already slept 10 s before it reports one.
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// The reason phrases of the 5xx statuses, as the Bot API puts them in `description`
/// (teloxide keeps the description, not the status code).
const SERVER_ERRORS: [&str; 5] = [
    "Internal Server Error",
    "Bad Gateway",
    "Service Unavailable",
    "Gateway Timeout",
    "Server Error",
];

/// What a failed send calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// A 5xx: teloxide already waited; try again now.
    Server,
    /// The request did not get an answer (connection, timeout, a proxy's error page).
    Network,
    /// Telegram answered and refused: trying again changes nothing.
    Final,
}

fn classify(error: &RequestError) -> Failure {
    match error {
        RequestError::Api(ApiError::Unknown(description))
            if SERVER_ERRORS.iter().any(|s| description.contains(s)) =>
        {
            Failure::Server
        }
        // A gateway's HTML page instead of the API's JSON: the request never reached it.
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Failure::Network
        }
        _ => Failure::Final,
    }
}

/// The error as a log line may show it: a body that is not the Bot API's JSON (a proxy's
/// error page) stays out of the log.
fn loggable(error: &RequestError) -> String {
    match error {
        RequestError::InvalidJson { source, .. } => {
            format!("an answer that is not the Bot API's JSON ({source})")
        }
        other => other.to_string(),
    }
}

/// Runs `send` until it succeeds, fails for good, or [`ATTEMPTS`] tries are used; `what`
/// names the request in the log (never its content). While an update whose sends are
/// journaled is handled, a send an earlier try of the update made is not made again (its
/// recorded answer is returned), and one made now is recorded.
pub async fn retrying<T, F, Fut>(what: &'static str, send: F) -> Result<T, RequestError>
where
    T: Serialize + DeserializeOwned,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let Some(journaled) = journal::JournaledSend::next(what) else {
        return with_retries(what, send).await;
    };
    if let Some(answer) = journaled.made_before() {
        return Ok(answer);
    }
    let answer = with_retries(what, send).await?;
    journaled.made(&answer).await;
    Ok(answer)
}

/// The retries of [`retrying`].
async fn with_retries<T, F, Fut>(what: &'static str, mut send: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let mut pause = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        let error = match send().await {
            Ok(done) => return Ok(done),
            Err(e) => e,
        };
        let failure = classify(&error);
        if failure == Failure::Final || attempt >= ATTEMPTS {
            return Err(error);
        }
        tracing::warn!(request = what, attempt, error = %loggable(&error), "a send failed; trying again");
        if failure == Failure::Network {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_and_lost_connections_are_retried_refusals_are_not() {
        let bad_gateway = RequestError::Api(ApiError::Unknown("Bad Gateway".into()));
        assert_eq!(classify(&bad_gateway), Failure::Server);
        let html = RequestError::InvalidJson {
            source: std::sync::Arc::new(
                serde_json::from_str::<u8>("<html>").expect_err("not JSON"),
            ),
            raw: "<html>502 Bad Gateway</html>".into(),
        };
        assert_eq!(classify(&html), Failure::Network);
        assert!(
            html.to_string().contains("<html>") && !loggable(&html).contains("<html>"),
            "{}",
            loggable(&html)
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::BotBlocked)),
            Failure::Final
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Bad Request: chat not found".into()
            ))),
            Failure::Final
        );
    }

    #[tokio::test]
    async fn a_send_is_tried_at_most_three_times() {
        let mut tries = 0;
        let result: Result<(), _> = retrying("test", || {
            tries += 1;
            async { Err(RequestError::Api(ApiError::Unknown("Bad Gateway".into()))) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(tries, ATTEMPTS);
    }
}
