//! `make bench`: drives the real release binaries through a Lambda Runtime API emulator and prints
//!
//! - cold start (exec to first response) of `flows-assign` against a hello-world `lambda_http` binary built in
//!   the same run, as a ratio;
//! - per-invoke latency p50/p99 over 5,000 assigns on the in-memory backend, against the hello-world binary;
//! - the size of every function as deployed, plain and deflated, against the 3 MB budget, and its peak RSS after its
//!   sample event on DynamoDB (moto);
//! - DynamoDB round trips of one assign (moto on 127.0.0.1, counted with an SDK interceptor).
//!
//! Every request goes to 127.0.0.1 only. The binaries come from `target/release` (`make bench` builds them), as a
//! deployment builds them; the in-memory runs use `target/release/memory/flows-assign`, the same function built with
//! the in-memory store (the `memory` feature, which a deployment leaves out).

mod coldstart;
mod emulator;
mod pipeline;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use coldstart::median_of as med;
use emulator::Emulator;
use serde_json::Value;
use tokio::process::{Child, Command};

pub const COLD_RUNS: usize = 20;
const WARMUP: usize = 100;
const INVOCATIONS: usize = 5_000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn release_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target")).join("release")
}

fn functions() -> Vec<String> {
    flows_shared::routes::all().map(|r| r.function.to_owned()).collect()
}

/// Runs `binary` as a Lambda function against `emulator`, with only the variables Lambda gives a function and
/// `env`: nothing of this machine's environment reaches it.
pub fn spawn_with(binary: &Path, emulator: &Emulator, env: &[(String, String)]) -> Child {
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", emulator.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("FLOWS_ADMIN_TOKEN", flows_testkit::EVENT_ADMIN_TOKEN)
        .env("FLOWS_RATE_LIMIT_STANDARD", "1000000");
    for (name, value) in env {
        command.env(name, value);
    }
    // Logs go to pipes that are read to the end, as Lambda's log capture reads them (a write to /dev/null costs
    // nothing, a write to a pipe a system call and a copy).
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e} (run `make bench`, which builds it)", binary.display()));
    if let Some(mut out) = child.stdout.take() {
        tokio::spawn(async move { tokio::io::copy(&mut out, &mut tokio::io::sink()).await });
    }
    if let Some(mut err) = child.stderr.take() {
        tokio::spawn(async move { tokio::io::copy(&mut err, &mut tokio::io::sink()).await });
    }
    child
}

/// The in-memory backend, seeded from `seed`.
fn memory_env(seed: &Path) -> Vec<(String, String)> {
    vec![("FLOWS_BACKEND".to_owned(), "memory".to_owned()), ("FLOWS_SEED_FILE".to_owned(), seed.display().to_string())]
}

fn spawn(binary: &Path, emulator: &Emulator, seed: &Path) -> Child {
    spawn_with(binary, emulator, &memory_env(seed))
}

fn sample_event(function: &str) -> Value {
    let text = std::fs::read_to_string(root().join("events/http").join(format!("{function}.json"))).expect("event");
    serde_json::from_str(&text).expect("event JSON")
}

/// The sample assign event, for the `i`th bench user (each assign is a new one, answered 200).
fn assign_event(template: &Value, i: usize) -> String {
    let mut event = template.clone();
    let body = serde_json::json!({
        "flowId": flows_testkit::EVENT_FLOW,
        "userEmail": flows_testkit::bench_user(i + 1),
        "dueDate": "2030-11-25T23:59:59Z",
        "priority": "high",
        "notes": "Please complete this onboarding flow before the team meeting"
    });
    event["body"] = Value::String(body.to_string());
    event.to_string()
}

pub fn status_of(body: &[u8]) -> u64 {
    serde_json::from_slice::<Value>(body).ok().and_then(|v| v["statusCode"].as_u64()).unwrap_or(0)
}

fn peak_rss_kib(child: &Child) -> u64 {
    let pid = child.id().expect("running");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// `INVOCATIONS` sequential invocations of one warm process, after `WARMUP`; returns the sorted latencies and
/// the process's peak RSS.
async fn warm_latencies(binary: &Path, seed: &Path, event: impl Fn(usize) -> String) -> (Vec<Duration>, u64) {
    let mut emulator = Emulator::start().await;
    let mut child = spawn(binary, &emulator, seed);
    let mut times = Vec::with_capacity(INVOCATIONS);
    for i in 0..WARMUP + INVOCATIONS {
        let started = Instant::now();
        emulator.push(event(i));
        let done = emulator.completion().await;
        assert!(
            done.ok && status_of(&done.body) == 200,
            "invocation {i} failed: {}",
            String::from_utf8_lossy(&done.body)
        );
        if i >= WARMUP {
            times.push(done.at - started);
        }
    }
    let rss = peak_rss_kib(&child);
    let _ = child.kill().await;
    times.sort();
    (times, rss)
}

fn deflated_size(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("deflate");
    encoder.finish().expect("deflate").len()
}

/// Every function as deployed (the release profile, without the in-memory store): its size against the budget of
/// [`DEPLOYED_LIMIT`] deflated, and, on moto, its peak RSS and status after its sample event (a fresh table each).
async fn sizes(release: &Path) {
    let moto = std::env::var(flows_testkit::DYNAMODB_ENV).ok();
    println!(
        "\nEvery function as deployed (release profile): size, and peak RSS after its sample event on DynamoDB (moto):"
    );
    println!("  {:<48} {:>10} {:>10} {:>10} {:>7}", "function", "binary", "deflated", "peak RSS", "status");
    let mut largest = (0, String::new());
    for function in functions() {
        let binary = release.join(&function);
        let bytes = std::fs::read(&binary).expect("binary");
        let deflated = deflated_size(&bytes);
        let (rss, status) = match &moto {
            Some(moto) => {
                let backend = coldstart::dynamodb_backend(moto, moto, &[]).await;
                let mut emulator = Emulator::start().await;
                emulator.push(sample_event(&function).to_string());
                let mut child = spawn_with(&binary, &emulator, &backend.env);
                let done = emulator.completion().await;
                let rss = peak_rss_kib(&child);
                let _ = child.kill().await;
                (format!("{rss} KiB"), status_of(&done.body).to_string())
            }
            None => ("-".to_owned(), "-".to_owned()),
        };
        println!("  {function:<48} {:>10} {deflated:>10} {rss:>10} {status:>7}", bytes.len());
        largest = largest.max((deflated, function));
    }
    println!(
        "  largest: {} at {} bytes deflated (target < {DEPLOYED_LIMIT}: {})",
        largest.1,
        largest.0,
        if largest.0 < DEPLOYED_LIMIT { "ok" } else { "MISSED" }
    );
}

/// What every function may weigh zipped, as Lambda loads it.
const DEPLOYED_LIMIT: usize = 3_000_000;

/// Cold start of `assignments-get` on DynamoDB and SQS through moto, over plain HTTP and over TLS.
async fn cold_start_on_dynamodb(release: &Path, dir: &Path) {
    let Ok(moto) = std::env::var(flows_testkit::DYNAMODB_ENV) else {
        println!(
            "\nCold start on DynamoDB: skipped, {} is not set (`make bench` starts moto)",
            flows_testkit::DYNAMODB_ENV
        );
        return;
    };
    let moto_addr: std::net::SocketAddr =
        moto.trim_start_matches("http://").parse().expect("moto's address is host:port");
    let hello = release.join("hello");
    let function = release.join("assignments-get");
    let event = sample_event("assignments-get").to_string();
    let plain = coldstart::dynamodb_backend(&moto, &moto, &[]).await;
    let front = coldstart::TlsFront::start(moto_addr, dir).await;
    let ca = front.ca_file.display().to_string();
    let tls = coldstart::dynamodb_backend(&moto, &front.url, &[("AWS_CA_BUNDLE", ca.as_str())]).await;
    let mut runs: Vec<(&str, Vec<coldstart::ColdRun>)> = vec![("hello", vec![]), ("http", vec![]), ("tls", vec![])];
    // Interleaved, so that whatever the machine is doing falls on every variant alike.
    for _ in 0..COLD_RUNS {
        runs[0].1.push(coldstart::cold_run(&hello, &plain.env, &event).await);
        runs[1].1.push(coldstart::cold_run(&function, &plain.env, &event).await);
        runs[2].1.push(coldstart::cold_run(&function, &tls.env, &event).await);
    }
    let _ = front.handshake().await;
    let (mut handshakes, mut first_handshakes) = (Vec::new(), Vec::new());
    for _ in 0..COLD_RUNS {
        handshakes.push(front.handshake().await);
        first_handshakes.push(front.first_handshake().await);
    }
    let hello_init = med(&runs[0].1, |r| r.init);
    println!("\nCold start on DynamoDB and SQS (moto; assignments-get, {COLD_RUNS} runs each, interleaved, medians):");
    println!(
        "  {:<28} {:>12} {:>7} {:>16} {:>14} {:>13} {:>16}",
        "", "exec→/next", "ratio", "exec→response", "first invoke", "warm invoke", "first − warm"
    );
    for (name, label) in [("hello", "hello-world lambda_http"), ("http", "over HTTP"), ("tls", "over TLS (test CA)")] {
        let runs = &runs.iter().find(|(n, _)| *n == name).expect("a variant").1;
        let (init, response, first, warm) = (
            med(runs, |r| r.init),
            med(runs, |r| r.first_response),
            med(runs, |r| r.first_invoke),
            med(runs, |r| r.warm_invoke),
        );
        println!(
            "  {label:<28} {:>12} {:>6.2}x {:>16} {:>14} {:>13} {:>16}",
            ms(init),
            init.as_secs_f64() / hello_init.as_secs_f64(),
            ms(response),
            ms(first),
            ms(warm),
            ms(first.saturating_sub(warm))
        );
    }
    let first_call = |runs: &[coldstart::ColdRun]| med(runs, |r| r.first_invoke.saturating_sub(r.warm_invoke));
    let (over_http, over_tls) = (first_call(&runs[1].1), first_call(&runs[2].1));
    let tls_part = over_tls.saturating_sub(over_http);
    let (handshake, first_handshake) = (coldstart::median(handshakes), coldstart::median(first_handshakes));
    println!(
        "  a TCP connection and TLS handshake to the front: {} from a warm process, {} as a fresh process's first \
         (its TLS configuration built from the roots first, as a function's first call does)",
        ms(handshake),
        ms(first_handshake)
    );
    println!(
        "  the first DynamoDB call of a fresh process costs {} more than a warm one over HTTP, {} over TLS: TLS adds \
         {}, against a first handshake of {} (target: no more than the handshake)",
        ms(over_http),
        ms(over_tls),
        ms(tls_part),
        ms(first_handshake)
    );
    let ratio = |name: &str| {
        let runs = &runs.iter().find(|(n, _)| *n == name).expect("a variant").1;
        med(runs, |r| r.init).as_secs_f64() / hello_init.as_secs_f64()
    };
    let verdict = |ratio: f64, target: f64| if ratio <= target { "ok" } else { "MISSED" };
    println!(
        "  target: assignments-get's exec→/next ≤ 1.3x hello-world's over HTTP ({:.2}x: {}), ≤ 1.2x over TLS \
         ({:.2}x: {})",
        ratio("http"),
        verdict(ratio("http"), 1.3),
        ratio("tls"),
        verdict(ratio("tls"), 1.2)
    );
}

async fn dynamodb_round_trips() {
    if std::env::var(flows_testkit::DYNAMODB_ENV).is_err() {
        println!(
            "\nDynamoDB round trips: skipped, {} is not set (`make bench` starts moto)",
            flows_testkit::DYNAMODB_ENV
        );
        return;
    }
    let cost = flows_testkit::fixtures::round_trips().await;
    println!(
        "\nDynamoDB round trips (moto, SDK interceptor; a key of the signed form), up to and including the commit:"
    );
    println!("  {:<40} {:>6} {:>11} {:>7}  calls", "request", "calls", "sequential", "target");
    // The sequential round trips each request may take (issue 17): an assign and a Frigade action two, a read one.
    for (name, c, target) in [
        ("assign", &cost.assign, Some(2)),
        ("assign with Idempotency-Key", &cost.idempotent_assign, Some(2)),
        ("get-assignment", &cost.get_assignment, Some(1)),
        ("list webhooks", &cost.list_webhooks, Some(1)),
        ("webhook create", &cost.webhook_create, None),
        ("flow-state action (moves an assignment)", &cost.flow_state_action, Some(2)),
        ("flow-state read", &cost.flow_state_read, Some(1)),
    ] {
        let verdict = match target {
            Some(t) if c.sequential <= t => format!("≤ {t} ok"),
            Some(t) => format!("≤ {t} MISSED"),
            None => "-".to_owned(),
        };
        println!("  {name:<40} {:>6} {:>11} {:>7}  {}", c.calls.len(), c.sequential, verdict, c.calls.join(", "));
    }
    println!("  hand-off of an assign's event after the commit: {}", cost.assign_after_commit.join(" → "));
}

/// Whether a section of the bench runs: all, or those `FLOWS_BENCH_ONLY` names (comma-separated: `coldstart`,
/// `latency`, `sizes`, `roundtrips`, `coldstart-dynamodb`, `pipeline`, `overdue`).
fn wanted(section: &str) -> bool {
    std::env::var("FLOWS_BENCH_ONLY").map_or(true, |only| only.split(',').any(|s| s.trim() == section))
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("first-handshake") {
        coldstart::first_handshake_here(&args[2], &args[3]).await;
        return;
    }
    let release = release_dir();
    let hello = release.join("hello");
    let assign = release.join("memory").join("flows-assign");
    let dir = std::env::temp_dir().join(format!("flows-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Cold starts read a small seed: the records an assign reads and writes (the organization, its keys and webhook
    // endpoints, the flow, a person per run), as a table holds them; a deployed function loads nothing at start.
    // The sample events' whole seed (their SuperOffice email flows too) is timed beside it. The warm runs need a
    // person per assign.
    let small_seed = dir.join("seed-small.json");
    let whole_seed = dir.join("seed-whole.json");
    let seed = dir.join("seed.json");
    let write_seed = |path: &Path, users: usize, email_flows: bool| {
        let mut records = flows_testkit::event_seed(users);
        if !email_flows {
            records.email_flows.clear();
        }
        let json = serde_json::to_string(&records).expect("seed JSON");
        std::fs::write(path, json).expect("seed file");
    };
    write_seed(&small_seed, COLD_RUNS, false);
    write_seed(&whole_seed, COLD_RUNS, true);
    write_seed(&seed, WARMUP + INVOCATIONS, false);
    let template = sample_event("flows-assign");
    let hello_event = |_: usize| sample_event("users-list").to_string();

    println!("flows bench: release binaries in {}", release.display());
    if wanted("coldstart") {
        println!("\nCold start in memory, {COLD_RUNS} runs each, interleaved (medians; ratio of exec→response):");
        // Interleaved, so that what the machine does meanwhile weighs on all alike.
        let (memory, whole) = (memory_env(&small_seed), memory_env(&whole_seed));
        let (mut hello_cold, mut assign_cold, mut whole_cold) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..COLD_RUNS {
            hello_cold.push(coldstart::cold_run(&hello, &memory, &hello_event(i)).await);
            assign_cold.push(coldstart::cold_run(&assign, &memory, &assign_event(&template, i)).await);
            whole_cold.push(coldstart::cold_run(&assign, &whole, &assign_event(&template, i)).await);
        }
        let hello_response = med(&hello_cold, |r| r.first_response);
        println!(
            "  {:<44} {:>12} {:>14} {:>16} {:>7} {:>13}",
            "", "exec→/next", "first invoke", "exec→response", "ratio", "warm invoke"
        );
        for (label, runs) in [
            ("hello-world lambda_http", &hello_cold),
            ("flows-assign", &assign_cold),
            ("flows-assign, the sample events' whole seed", &whole_cold),
        ] {
            let response = med(runs, |r| r.first_response);
            println!(
                "  {label:<44} {:>12} {:>14} {:>16} {:>6.2}x {:>13}",
                ms(med(runs, |r| r.init)),
                ms(med(runs, |r| r.first_invoke)),
                ms(response),
                response.as_secs_f64() / hello_response.as_secs_f64(),
                ms(med(runs, |r| r.warm_invoke))
            );
        }
        let ratio = med(&assign_cold, |r| r.first_response).as_secs_f64() / hello_response.as_secs_f64();
        println!(
            "  target: flows-assign's exec→response ≤ 1.3x hello-world's ({ratio:.2}x: {})",
            if ratio <= 1.3 { "ok" } else { "MISSED" }
        );
    }
    if wanted("latency") {
        println!("\nPer-invoke latency, {INVOCATIONS} invocations after {WARMUP} warm-up, in-memory backend:");
        let (hello_warm, hello_rss) = warm_latencies(&hello, &seed, hello_event).await;
        let (assign_warm, assign_rss) = warm_latencies(&assign, &seed, |i| assign_event(&template, i)).await;
        for (name, t) in [("hello-world lambda_http", &hello_warm), ("flows-assign", &assign_warm)] {
            println!("  {name:<24} p50 {}  p99 {}", ms(percentile(t, 0.5)), ms(percentile(t, 0.99)));
        }
        println!("  peak RSS: hello-world {hello_rss} KiB, flows-assign after 5,100 assigns {assign_rss} KiB");
        let p50 = percentile(&assign_warm, 0.5).as_secs_f64() / percentile(&hello_warm, 0.5).as_secs_f64();
        println!(
            "  ratio                    p50 {p50:.2}x (target ≤ 1.5x: {})  p99 {:.2}x",
            if p50 <= 1.5 { "ok" } else { "MISSED" },
            percentile(&assign_warm, 0.99).as_secs_f64() / percentile(&hello_warm, 0.99).as_secs_f64()
        );
    }
    if wanted("sizes") {
        sizes(&release).await;
    }
    if wanted("roundtrips") {
        dynamodb_round_trips().await;
    }
    if wanted("coldstart-dynamodb") {
        cold_start_on_dynamodb(&release, &dir).await;
    }
    if wanted("pipeline") {
        pipeline::throughput().await;
    }
    if wanted("load") {
        pipeline::mixed_load(32, 10).await;
    }
    if wanted("overdue") {
        println!(
            "\nOverdue run: a backlog moved in one run (up to {} at once):",
            flows_shared::services::overdue::CONCURRENCY
        );
        pipeline::overdue_throughput(flows_testkit::Backend::Memory, 10_000).await;
        if std::env::var(flows_testkit::DYNAMODB_ENV).is_ok() {
            // moto copies the whole table for each item of each transaction, so its figure is moto's, not DynamoDB's.
            pipeline::overdue_throughput(flows_testkit::Backend::Dynamodb, 200).await;
        }
        println!("\nOverdue run: items read from the due index (20 due):");
        pipeline::overdue_reads(flows_testkit::Backend::Memory, &[10_000, 100_000]).await;
        if std::env::var(flows_testkit::DYNAMODB_ENV).is_ok() {
            // moto writes about a hundred items a second here: 100,000 open assignments take a quarter of an hour to
            // import, so that size runs only on request.
            let totals: &[usize] =
                if std::env::var("FLOWS_BENCH_FULL").is_ok() { &[10_000, 100_000] } else { &[10_000] };
            pipeline::overdue_reads(flows_testkit::Backend::Dynamodb, totals).await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
