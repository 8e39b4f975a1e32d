#!/usr/bin/env python3
"""`make fuzz`: schemathesis against the local server, from the OpenAPI document the server serves.

Starts `fuzz-server` (tests/fuzz/server.rs: the local server with a bootstrapped organization, on the memory backend
or on DynamoDB through moto), writes schemathesis's configuration from the document, runs every check (server errors,
conformance of statuses, content types, headers and bodies, negative data rejected, positive data accepted, missing
headers, unsupported methods, auth, stateful links), and fails unless the run made at least --min-requests requests
with no failure. --budget examples are spread over the operations, so the run's time holds as routes are added.

The configuration's only per-operation exceptions come from the document: an operation's `x-rules-beyond-schema`
lists the rules its schema cannot state (bytes, uniqueness, date ranges, resolvable URLs: 400; an Idempotency-Key
sent before with another request: 422), and only those statuses are added to what valid data may get. A 413 is a rejection of negative data (an over-long body), as schemathesis does not
count it by default.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

SERVER = os.path.join("target", "debug", "fuzz-server")
POSITIVE = ["2xx", "3xx", "401", "403", "404", "409", "429"]
NEGATIVE = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


# The members of a path item that are operations.
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

def toml_list(items):
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def configuration(document, started):
    lines = [
        'headers = { Authorization = "Bearer ${FUZZ_SECRET_KEY}" }',
        "",
        "[checks.negative_data_rejection]",
        f"expected-statuses = {toml_list(NEGATIVE)}",
        "",
        "[phases.stateful.inference]",
        # The request id header must not be read as a reference to a resource nothing creates.
        'algorithms = ["location-headers"]',
        "",
        # What the fuzz server made, for the routes that need it half of the time: the organization's slug, a flow
        # and a person to assign it to.
        "[dictionaries.flow]",
        f"values = [{json.dumps(started['flowId'])}]",
        "[dictionaries.person]",
        f"values = [{json.dumps(started['userEmail'])}]",
        "",
        "[[operations]]",
        'include-path-regex = "^/admin/"',
        'headers = { Authorization = "Bearer ${FUZZ_ADMIN_TOKEN}" }',
    ]
    parameters = {
        "flows-create": {"organization": json.dumps(started["organization"])},
        "flows-assign": {
            '"body.flowId"': '{ dictionary = "flow", probability = 0.5 }',
            '"body.userEmail"': '{ dictionary = "person", probability = 0.5 }',
        },
    }
    exceptions = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue  # `servers` (an aliased route's prefixes), not an operation
            operation_id = operation["operationId"]
            rules = operation.get("x-rules-beyond-schema", [])
            # A method a vendor's client has and this system does not offer answers 501 by design.
            not_offered = "501" in operation.get("responses", {})
            if not rules and operation_id not in parameters and not not_offered:
                continue
            lines += ["", "[[operations]]", f"include-operation-id = {json.dumps(operation_id)}"]
            if not_offered:
                lines.append("checks.not_a_server_error.enabled = false")
            if rules:
                statuses = sorted({str(rule["status"]) for rule in rules})
                exceptions.append((operation_id, statuses))
                lines.append(f"checks.positive_data_acceptance.expected-statuses = {toml_list(POSITIVE + statuses)}")
            if operation_id in parameters:
                pairs = ", ".join(f"{k} = {v}" for k, v in parameters[operation_id].items())
                lines.append(f"parameters = {{ {pairs} }}")
    return "\n".join(lines) + "\n", exceptions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="memory", choices=["memory", "dynamodb"])
    # A fixed budget of generated examples spread over the operations (at least 5 each): as routes are added, each
    # gets fewer, and the run's time holds. Schemathesis's coverage phase adds its boundary cases on top.
    parser.add_argument("--budget", type=int, default=8500)
    parser.add_argument("--min-requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261125)
    # One worker: two threads of schemathesis hit a CPython 3.11 fault in `ast.parse` ("AST constructor recursion
    # depth mismatch") while hypothesis describes its strategies.
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--st", default=os.path.abspath(os.path.join(".venv", "bin", "st")))
    args = parser.parse_args()

    began = time.monotonic()
    env = dict(os.environ, FUZZ_BACKEND=args.backend, FLOWS_LOG="error")
    server = subprocess.Popen([SERVER], stdout=subprocess.PIPE, env=env, text=True, start_new_session=True)
    try:
        started = json.loads(server.stdout.readline())
        base = started["base"]
        with urllib.request.urlopen(f"{base}/openapi.json") as answer:
            document = json.load(answer)
        config, exceptions = configuration(document, started)
        operations = sum(1 for item in document["paths"].values() for method in item if method in METHODS)
        max_examples = max(5, args.budget // operations)
        with tempfile.TemporaryDirectory() as work:
            config_path = os.path.join(work, "schemathesis.toml")
            report = os.path.join(work, "report.json")
            with open(config_path, "w") as f:
                f.write(config)
            print(f"fuzzing {base} ({args.backend}): {operations} operations, {max_examples} examples each (budget "
                  f"{args.budget}); positive-data exceptions: {exceptions or 'none'}", flush=True)
            st_env = dict(
                os.environ,
                FUZZ_SECRET_KEY=started["secretKey"],
                FUZZ_ADMIN_TOKEN=started["adminToken"],
            )
            command = [
                args.st,
                "--config-file",
                config_path,
                "run",
                f"{base}/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                str(max_examples),
                "--seed",
                str(args.seed),
                "--workers",
                str(args.workers),
                "--generation-database",
                "none",
                "--request-timeout",
                "10",
                "--report",
                "json",
                "--report-json-path",
                report,
            ]
            status = subprocess.call(command, env=st_env, cwd=work)
            with open(report) as f:
                summary = json.load(f)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    generated = summary.get("test_cases", {}).get("generated", 0)
    failures = summary.get("test_cases", {}).get("with_failures", 0)
    print(f"schemathesis on {args.backend}: {generated} requests, {failures} with failures, exit status {status}, "
          f"in {time.monotonic() - began:.0f} s")
    if status != 0 or failures:
        sys.exit(f"fuzz: failures on {args.backend}")
    if generated < args.min_requests:
        sys.exit(f"fuzz: only {generated} requests on {args.backend}, fewer than {args.min_requests}")


if __name__ == "__main__":
    main()
