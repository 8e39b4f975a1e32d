//! A small Lambda Runtime API emulator on 127.0.0.1: hands queued events to `GET /invocation/next` and reports
//! each `POST /invocation/{id}/response` (or error) back to the bench with the time it arrived.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};

pub struct Completion {
    pub at: Instant,
    pub ok: bool,
    pub body: Vec<u8>,
}

struct Shared {
    queue: Mutex<VecDeque<(String, String)>>,
    /// When the function first asked for an event: the end of its initialization.
    first_next: Mutex<Option<Instant>>,
    ready: Notify,
    done: mpsc::UnboundedSender<Completion>,
}

pub struct Emulator {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    done: mpsc::UnboundedReceiver<Completion>,
    next_id: u64,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Emulator {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let (tx, done) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            first_next: Mutex::new(None),
            ready: Notify::new(),
            done: tx,
        });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                stream.set_nodelay(true).expect("TCP_NODELAY");
                let shared = serving.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), req));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Self { addr, shared, done, next_id: 0, task }
    }

    /// Queues one event for the function's next `/next`.
    pub fn push(&mut self, event: String) {
        self.next_id += 1;
        let id = format!("bench-{:08}", self.next_id);
        self.shared.queue.lock().expect("queue").push_back((id, event));
        self.shared.ready.notify_one();
    }

    /// When the function first asked for an event, if it has.
    pub fn first_next(&self) -> Option<Instant> {
        *self.shared.first_next.lock().expect("first next")
    }

    /// Waits for the next completed invocation.
    pub async fn completion(&mut self) -> Completion {
        tokio::time::timeout(std::time::Duration::from_secs(30), self.done.recv())
            .await
            .expect("the function answers within 30 s")
            .expect("the emulator runs")
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_owned();
    if req.method() == hyper::Method::GET && path.ends_with("/runtime/invocation/next") {
        shared.first_next.lock().expect("first next").get_or_insert_with(Instant::now);
        loop {
            let next = shared.queue.lock().expect("queue").pop_front();
            if let Some((id, event)) = next {
                let deadline =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis()
                        + 30_000;
                let response = hyper::Response::builder()
                    .header("content-type", "application/json")
                    .header("lambda-runtime-aws-request-id", id)
                    .header("lambda-runtime-deadline-ms", deadline.to_string())
                    .header(
                        "lambda-runtime-invoked-function-arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:bench",
                    )
                    .header("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000;Sampled=0")
                    .body(Full::new(Bytes::from(event)))
                    .expect("a response");
                return Ok(response);
            }
            shared.ready.notified().await;
        }
    }
    let ok = path.ends_with("/response");
    let body = req.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
    if path.contains("/invocation/") || path.ends_with("/init/error") {
        let _ = shared.done.send(Completion { at: Instant::now(), ok, body });
    }
    Ok(hyper::Response::builder().status(202).body(Full::new(Bytes::new())).expect("a response"))
}
