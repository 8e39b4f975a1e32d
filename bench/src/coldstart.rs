//! Cold start on the backend a deployment uses: a release function on DynamoDB and SQS (moto on 127.0.0.1; the
//! table seeded, queue URLs given in full as the template gives them, so no call is made at start), once over plain
//! HTTP and once over TLS (moto behind a TLS front whose certificate comes from a test CA that only these runs
//! trust, through `AWS_CA_BUNDLE`), against a hello-world `lambda_http` binary in the same run.
//!
//! For each run: exec → first `/next` (initialization), the first invocation (with its connection set-up), and a
//! warm invocation of the same process; the first invocation minus the warm one is what the first call costs
//! beyond a call on an open connection, which is held against a bare TLS handshake measured from a warm process.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flows_shared::store::dynamo::DynamoStore;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};

use crate::emulator::Emulator;

/// What one cold run measured.
pub struct ColdRun {
    /// exec → first `/next`.
    pub init: Duration,
    /// exec → first response.
    pub first_response: Duration,
    /// first `/next` → first response.
    pub first_invoke: Duration,
    /// a second invocation of the same process.
    pub warm_invoke: Duration,
}

/// Where the functions find DynamoDB and SQS.
pub struct Backend {
    pub env: Vec<(String, String)>,
}

/// The environment of a function on moto at `endpoint`: a fresh table holding the sample events' records and a
/// fresh queue with its dead-letter queue, named by URL.
pub async fn dynamodb_backend(moto: &str, endpoint: &str, extra: &[(&str, &str)]) -> Backend {
    let store = flows_testkit::backends::dynamo_store(flows_testkit::backends::dynamodb_client()).await;
    flows_testkit::event_seed(crate::COLD_RUNS).load(&store).await.expect("the seed loads into moto");
    let queue = flows_testkit::backends::sqs_queue().await;
    let mut env = vec![
        ("FLOWS_BACKEND".to_owned(), "dynamodb".to_owned()),
        ("TABLE_NAME".to_owned(), DynamoStore::table(&store).to_owned()),
        ("QUEUE_URL".to_owned(), queue.url().replace(moto, endpoint)),
        (
            "DEAD_LETTER_QUEUE_URL".to_owned(),
            queue.dead_letter_url().expect("a dead-letter queue").replace(moto, endpoint),
        ),
        ("AWS_ENDPOINT_URL".to_owned(), endpoint.to_owned()),
        ("FLOWS_KEY_SECRET".to_owned(), flows_shared::config::DEVELOPMENT_KEY_SECRET.to_owned()),
    ];
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Backend { env }
}

/// A TLS front of moto on 127.0.0.1: a test CA, a certificate for 127.0.0.1 issued by it, and a proxy that
/// terminates TLS and forwards to moto.
pub struct TlsFront {
    pub url: String,
    pub ca_file: PathBuf,
    addr: SocketAddr,
    client: Arc<rustls::ClientConfig>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TlsFront {
    pub async fn start(moto: SocketAddr, dir: &Path) -> Self {
        let ca_key = rcgen::KeyPair::generate().expect("a CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "flows bench test CA");
        let ca = ca_params.self_signed(&ca_key).expect("a CA certificate");
        let key = rcgen::KeyPair::generate().expect("a server key");
        // For the address itself, so that no name is resolved: a handshake is all the TLS costs.
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("server params");
        params.subject_alt_names = vec![rcgen::SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1]))];
        let cert = params.signed_by(&key, &ca, &ca_key).expect("a server certificate");
        let ca_file = dir.join("bench-ca.pem");
        std::fs::write(&ca_file, ca.pem()).expect("the CA file");

        let server = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .expect("a server config");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("bound");
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let _ = stream.set_nodelay(true);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(stream).await else { return };
                    let Ok(mut upstream) = TcpStream::connect(moto).await else { return };
                    let _ = upstream.set_nodelay(true);
                    let _ = copy_bidirectional(&mut tls, &mut upstream).await;
                });
            }
        });

        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.der().clone()).expect("the CA as a root");
        let client = Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth());
        Self { url: format!("https://127.0.0.1:{}", addr.port()), ca_file, addr, client, task }
    }

    /// A TCP connection and TLS handshake to the front, from this (warm) process.
    pub async fn handshake(&self) -> Duration {
        let started = Instant::now();
        let stream = TcpStream::connect(self.addr).await.expect("the front accepts");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let connector = tokio_rustls::TlsConnector::from(self.client.clone());
        let name = rustls::pki_types::ServerName::from(std::net::IpAddr::from([127, 0, 0, 1]));
        let _tls = connector.connect(name, stream).await.expect("a handshake");
        started.elapsed()
    }
}

/// A TCP connection and TLS handshake to `addr` (127.0.0.1) from a process that made none before, with its TLS
/// configuration built from the roots in `ca_file` first, as a function's first call builds it: run by the bench
/// re-executing itself (`bench first-handshake <addr> <ca file>`), which prints the microseconds it took.
pub async fn first_handshake_here(addr: &str, ca_file: &str) {
    let started = Instant::now();
    let pem = std::fs::read(ca_file).expect("the CA file");
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
        roots.add(cert.expect("a certificate")).expect("a root");
    }
    let config = Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth());
    let stream = TcpStream::connect(addr).await.expect("the front accepts");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let name = rustls::pki_types::ServerName::from(std::net::IpAddr::from([127, 0, 0, 1]));
    let _tls = tokio_rustls::TlsConnector::from(config).connect(name, stream).await.expect("a handshake");
    println!("{}", started.elapsed().as_micros());
}

impl TlsFront {
    /// [`first_handshake_here`] in a fresh process.
    pub async fn first_handshake(&self) -> Duration {
        let exe = std::env::current_exe().expect("the bench's own path");
        let out = tokio::process::Command::new(exe)
            .args(["first-handshake", &self.addr.to_string(), &self.ca_file.display().to_string()])
            .env_clear()
            .output()
            .await
            .expect("the bench runs itself");
        let micros: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().expect("microseconds");
        Duration::from_micros(micros)
    }
}

/// One cold run of `binary` with `env`: the event twice, the second warm.
pub async fn cold_run(binary: &Path, env: &[(String, String)], event: &str) -> ColdRun {
    let mut emulator = Emulator::start().await;
    emulator.push(event.to_owned());
    let started = Instant::now();
    let mut child = crate::spawn_with(binary, &emulator, env);
    let first = emulator.completion().await;
    assert!(
        first.ok && (200..300).contains(&crate::status_of(&first.body)),
        "{}: cold run failed: {}",
        binary.display(),
        String::from_utf8_lossy(&first.body)
    );
    let first_next = emulator.first_next().expect("the function asked for an event");
    let pushed = Instant::now();
    emulator.push(event.to_owned());
    let second = emulator.completion().await;
    let _ = child.kill().await;
    ColdRun {
        init: first_next - started,
        first_response: first.at - started,
        first_invoke: first.at - first_next,
        warm_invoke: second.at - pushed,
    }
}

/// The median of what `f` reads from each of `runs`.
pub fn median_of(runs: &[ColdRun], f: fn(&ColdRun) -> Duration) -> Duration {
    median(runs.iter().map(f).collect())
}

/// The median of `values`.
pub fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}
