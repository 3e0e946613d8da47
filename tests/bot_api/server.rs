//! The HTTP side: `/bot<token>/<method>` on 127.0.0.1, parameters from JSON, forms, multipart
//! text fields or the query string, the `{"ok":…}` envelope, fault injection and latency,
//! rate limits (see `rate_limits`), long-polling getUpdates, and webhook delivery.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::methods::{self, Params};
use super::state::{ApiErr, Shared, now_unix};
use super::{Call, Outcome, TOKEN};

pub(crate) fn spawn(shared: Arc<Shared>, listener: tokio::net::TcpListener) {
    let app = Router::new().fallback(handle).with_state(shared.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    tokio::spawn(deliver_webhooks(shared));
}

fn envelope(result: Result<Value, ApiErr>) -> Response {
    let (status, body) = match result {
        Ok(v) => (StatusCode::OK, json!({"ok": true, "result": v})),
        Err(e) => {
            let mut body = json!({"ok": false, "error_code": e.code, "description": e.description});
            if let Some(s) = e.retry_after {
                body["parameters"] = json!({"retry_after": s});
            }
            (
                StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_REQUEST),
                body,
            )
        }
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Ok(byte) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Text fields of a multipart/form-data body. A file part is an upload: refused.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Map<String, Value>, String> {
    let delim = format!("--{boundary}");
    let mut map = Map::new();
    let mut rest = body;
    let Some(first) = find(rest, delim.as_bytes()) else {
        return Err("can't parse multipart body".into());
    };
    rest = &rest[first + delim.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        let rest_part = rest.strip_prefix(b"\r\n").unwrap_or(rest);
        let end = find(rest_part, delim.as_bytes()).ok_or("unterminated multipart body")?;
        let part = &rest_part[..end];
        rest = &rest_part[end + delim.len()..];
        let split = find(part, b"\r\n\r\n").ok_or("malformed multipart part")?;
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let disposition = headers
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        if disposition.contains("filename=") {
            return Err(
                "file uploads are not supported by the emulator: send a file_id or URL".into(),
            );
        }
        let name = disposition
            .split(';')
            .filter_map(|kv| kv.trim().strip_prefix("name="))
            .next()
            .map(|n| n.trim_matches('"').to_owned())
            .ok_or("multipart part without a name")?;
        let value = String::from_utf8(content.to_vec()).map_err(|_| "binary multipart field")?;
        if value.starts_with("attach://") {
            return Err(
                "file uploads are not supported by the emulator: send a file_id or URL".into(),
            );
        }
        map.insert(name, Value::String(value));
    }
    Ok(map)
}

fn form_map(bytes: &[u8], map: &mut Map<String, Value>) {
    for (k, v) in url::form_urlencoded::parse(bytes) {
        map.insert(k.into_owned(), Value::String(v.into_owned()));
    }
}

fn params(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, String> {
    let mut map = Map::new();
    if let Some(q) = uri.query() {
        form_map(q.as_bytes(), &mut map);
    }
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ctype.starts_with("multipart/form-data") {
        let boundary = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(';')
                    .find_map(|kv| kv.trim().strip_prefix("boundary="))
            })
            .map(|b| b.trim_matches('"').to_owned())
            .ok_or("multipart body without a boundary")?;
        map.extend(parse_multipart(body, &boundary)?);
    } else if ctype.starts_with("application/x-www-form-urlencoded") {
        form_map(body, &mut map);
    } else if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(obj)) => map.extend(obj),
            Ok(_) => return Err("the request body must be a JSON object".into()),
            Err(e) if ctype.starts_with("application/json") => {
                return Err(format!("can't parse JSON: {e}"));
            }
            Err(_) => form_map(body, &mut map),
        }
    }
    Ok(map)
}

/// Bot API method names are case-insensitive and teloxide sends "SendMessage": record the
/// documented spelling ("sendMessage").
fn canonical(method: &str) -> String {
    let mut chars = method.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

async fn handle(
    AxState(shared): AxState<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let segments: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let (token, method) = match segments.as_slice() {
        [bot, method] if bot.starts_with("bot") => (bot[3..].to_owned(), canonical(method)),
        _ => return envelope(Err(ApiErr::new(404, "Not Found"))),
    };
    let parsed = params(&uri, &headers, &body);
    let (index, latency) = {
        let mut st = shared.lock();
        st.calls.push(Call {
            method: method.clone(),
            params: Value::Object(parsed.clone().unwrap_or_default()),
            at: shared.started.elapsed(),
            outcome: Outcome::Pending,
        });
        (st.calls.len() - 1, st.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let result = if token != TOKEN {
        Err(ApiErr::new(401, "Unauthorized"))
    } else {
        match parsed {
            Err(e) => Err(ApiErr::bad(e)),
            Ok(map) => {
                let fault = {
                    let mut st = shared.lock();
                    st.faults
                        .get_mut(&method.to_ascii_lowercase())
                        .and_then(|q| q.pop_front())
                };
                match fault {
                    Some(f) => Err(f),
                    None if method.eq_ignore_ascii_case("getUpdates") => {
                        get_updates(&shared, &Params(map)).await
                    }
                    None => {
                        let r = shared.lock().call_limited(&method, &Params(map));
                        if method.eq_ignore_ascii_case("setWebhook") {
                            shared.notify.notify_waiters();
                        }
                        r
                    }
                }
            }
        }
    };
    {
        let mut st = shared.lock();
        if let Some(call) = st.calls.get_mut(index) {
            call.outcome = match &result {
                Ok(v) => Outcome::Ok(v.clone()),
                Err(e) => Outcome::Err {
                    code: e.code,
                    description: e.description.clone(),
                },
            };
        }
    }
    envelope(result)
}

const CONFLICT_POLL: &str = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";

async fn get_updates(shared: &Shared, p: &Params) -> Result<Value, ApiErr> {
    // Like Telegram: with nothing to deliver, the poll is held for its whole `timeout` (a client
    // that gives up earlier leaves the call pending); an update ends it at once.
    let wait = Duration::from_secs(p.i64("timeout").unwrap_or(0).max(0) as u64);
    let limit = p.i64("limit").unwrap_or(100).clamp(1, 100) as usize;
    let generation = {
        let mut st = shared.lock();
        if st.webhook.is_some() {
            return Err(ApiErr::new(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        if let Some(offset) = p.i64("offset") {
            st.confirm(offset);
        }
        if let Some(list) = methods::allowed_updates(p) {
            st.allowed_updates = list;
        }
        st.poll_gen += 1;
        st.poll_gen
    };
    // An older long poll still waiting is terminated, as on Telegram.
    shared.notify.notify_waiters();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let notified = shared.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let st = shared.lock();
            if st.poll_gen != generation {
                return Err(ApiErr::new(409, CONFLICT_POLL));
            }
            let updates: Vec<Value> = st
                .updates
                .iter()
                .take(limit)
                .map(|(_, u)| u.clone())
                .collect();
            if !updates.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(Value::Array(updates));
            }
        }
        let _ = tokio::time::timeout_at(deadline, notified).await;
    }
}

/// While a webhook is set, POSTs queued updates to it as Telegram does: up to the webhook's
/// `max_connections` at once, one chat's updates one at a time and in order; an update is
/// dropped from the queue once the receiver answers 2xx, and sent again (after 100 ms) when it
/// does not.
async fn deliver_webhooks(shared: Arc<Shared>) {
    let Ok(client) = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
    else {
        return;
    };
    let in_flight: InFlight = Arc::default();
    loop {
        let notified = shared.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let Some((hook, id, chat, update)) = next_delivery(&shared, &in_flight) else {
            let _ = tokio::time::timeout(Duration::from_millis(50), notified).await;
            continue;
        };
        lock_in_flight(&in_flight).insert((id, chat));
        let (client, shared, in_flight) = (client.clone(), shared.clone(), in_flight.clone());
        tokio::spawn(async move {
            let mut request = client
                .post(&hook.url)
                .header("content-type", "application/json")
                .body(update.to_string());
            if let Some(secret) = &hook.secret {
                request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
            }
            let error = match request.send().await {
                Ok(r) if r.status().is_success() => None,
                Ok(r) => Some(format!("Wrong response from the webhook: {}", r.status())),
                Err(e) => Some(format!("Connection failed: {e}")),
            };
            let failed = error.is_some();
            {
                let mut st = shared.lock();
                match error {
                    None => st.updates.retain(|(u, _)| *u != id),
                    Some(e) => st.webhook_error = Some((now_unix(), e)),
                }
            }
            if failed {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            lock_in_flight(&in_flight).remove(&(id, chat));
            shared.notify.notify_waiters();
        });
    }
}

/// Updates being delivered: (update id, its chat).
type InFlight = Arc<std::sync::Mutex<std::collections::HashSet<(u32, Option<i64>)>>>;

fn lock_in_flight(
    set: &InFlight,
) -> std::sync::MutexGuard<'_, std::collections::HashSet<(u32, Option<i64>)>> {
    set.lock().unwrap_or_else(|p| p.into_inner())
}

/// The next update to deliver: the oldest queued one whose chat has nothing older queued or in
/// flight, while fewer than `max_connections` are in flight.
fn next_delivery(
    shared: &Shared,
    in_flight: &InFlight,
) -> Option<(super::state::Webhook, u32, Option<i64>, Value)> {
    let st = shared.lock();
    let hook = st.webhook.clone()?;
    let busy = lock_in_flight(in_flight).clone();
    if busy.len() >= hook.max_connections {
        return None;
    }
    let busy_chats: std::collections::HashSet<i64> = busy.iter().filter_map(|(_, c)| *c).collect();
    let mut seen_chats = std::collections::HashSet::new();
    st.updates.iter().find_map(|(id, u)| {
        let chat = chat_of(u);
        let first_of_chat = chat.is_none_or(|c| seen_chats.insert(c));
        let free = chat.is_none_or(|c| !busy_chats.contains(&c));
        let idle = !busy.contains(&(*id, chat));
        (first_of_chat && free && idle).then(|| (hook.clone(), *id, chat, u.clone()))
    })
}

/// The chat an update belongs to, if any.
fn chat_of(update: &Value) -> Option<i64> {
    ["message", "edited_message", "channel_post"]
        .iter()
        .find_map(|k| update.get(*k))
        .or_else(|| update.get("callback_query").and_then(|q| q.get("message")))
        .and_then(|m| m.get("chat"))
        .and_then(|c| c.get("id"))
        .and_then(Value::as_i64)
        .or_else(|| {
            update
                .get("callback_query")
                .and_then(|q| q.get("from"))
                .and_then(|f| f.get("id"))
                .and_then(Value::as_i64)
        })
}
