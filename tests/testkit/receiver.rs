//! A webhook receiver on 127.0.0.1 for the tests: answers each request with the status a policy gives for its
//! number, and checks every signature with its own implementation of Standard Webhooks (written here from the
//! specification, sharing no code with the product's signer).

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sha2::Sha256;

/// Verifies a `webhook-signature` header: true when any `v1,` signature in it is the HMAC-SHA256, under the key
/// in `secret` (`whsec_` + base64), of `id.timestamp.body`.
pub fn verify(secret: &str, id: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let Some(key) = secret.strip_prefix("whsec_").and_then(|k| STANDARD.decode(k).ok()) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    header.split(' ').filter_map(|s| s.strip_prefix("v1,")).any(|sig| sig == expected)
}

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub body: serde_json::Value,
    pub verified: bool,
    pub signatures: usize,
    pub answered: u16,
}

/// The status for a request, given its number overall and the number of earlier requests with its
/// `webhook-id` (0 for an event's first attempt).
type Policy = Box<dyn Fn(usize, usize) -> u16 + Send + Sync>;

struct State {
    policy: Policy,
    secrets: Mutex<Vec<String>>,
    count: AtomicUsize,
    received: Mutex<(Vec<Received>, std::collections::HashMap<String, usize>)>,
}

pub struct Receiver {
    pub url: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// A receiver answering request `n` (0-based), the `k`th (0-based) with its `webhook-id`, with
    /// `policy(n, k)`.
    pub async fn start(policy: impl Fn(usize, usize) -> u16 + Send + Sync + 'static) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}/hooks", listener.local_addr().expect("bound"));
        let state = Arc::new(State {
            policy: Box::new(policy),
            secrets: Mutex::new(Vec::new()),
            count: AtomicUsize::new(0),
            received: Mutex::new((Vec::new(), std::collections::HashMap::new())),
        });
        let serving = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = serving.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                        let state = state.clone();
                        async move {
                            let header = |name: &str| {
                                req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
                            };
                            let (id, timestamp, signature) =
                                (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"));
                            let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                            let verified = state
                                .secrets
                                .lock()
                                .expect("secrets")
                                .iter()
                                .any(|s| verify(s, &id, &timestamp, &body, &signature));
                            let mut guard = state.received.lock().expect("received");
                            let (received, seen) = &mut *guard;
                            let n = state.count.fetch_add(1, Ordering::SeqCst);
                            let k = seen.entry(id.clone()).or_insert(0);
                            let answered = (state.policy)(n, *k);
                            *k += 1;
                            received.push(Received {
                                id,
                                timestamp,
                                body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                                verified,
                                signatures: signature.split(' ').filter(|s| !s.is_empty()).count(),
                                answered,
                            });
                            drop(guard);
                            let response = hyper::Response::builder()
                                .status(answered)
                                .body(Full::new(Bytes::new()))
                                .expect("a response");
                            Ok::<_, Infallible>(response)
                        }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Self { url, state, task }
    }

    /// Accepts signatures made with `secret` from now on.
    pub fn trust(&self, secret: &str) {
        self.state.secrets.lock().expect("secrets").push(secret.to_owned());
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("received").0.clone()
    }

    /// How many distinct events were answered 200 and verified.
    pub fn delivered(&self) -> usize {
        let guard = self.state.received.lock().expect("received");
        guard
            .0
            .iter()
            .filter(|r| r.answered == 200 && r.verified)
            .map(|r| r.id.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len()
    }

    /// Waits until `done` holds for what was received, or `timeout` passes; returns whether it held.
    pub async fn wait_until(&self, timeout: Duration, done: impl Fn(&[Received]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if done(&self.received()) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_the_specification_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        assert!(verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body, good));
        assert!(verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body, &format!("v1,bogus {good}")));
        assert!(!verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265331", body, good));
        assert!(!verify(secret, "msg_other", "1614265330", body, good));
    }
}
