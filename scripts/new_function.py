#!/usr/bin/env python3
"""Scaffolds one more HTTP function: its thin main, its [[bin]], its sample event and its template resource.

    scripts/new_function.py flows-list GET /flows "Lists the flows the user is a member of (Flowdock)" \
        --role ReadRole

What it writes:
  functions/<function>/main.rs       the six-line main, running endpoints::<FUNCTION_AS_CONSTANT>
  functions/Cargo.toml               the [[bin]]
  events/http/<function>.json        an API Gateway HTTP API (2.0) event with the sample key, path parameters
                                     filled with `example`, and `{}` as the body of a POST, PUT or PATCH
  template.yaml                      the function's resource, with its access class's role (`--role`: ReadRole,
                                     WriteRole, PublishRole for writes that hand events to the webhook queue)
                                     and its route (a HEAD route too for a GET), before the webhook consumer

What stays for you (the tests fail until each is done, so none is forgotten):
  shared/src/routes.rs               the route (access, object, role)
  shared/src/endpoints.rs            the route bound to its handler
  shared/src/openapi.rs              its operation
  tests/e2e/isolation.rs             its request in the isolation matrix
  tests/testkit/load.rs              its request in the mixed load
  tests/e2e/template_and_events.rs   the status its sample event answers; then edit the event to a real request
Nothing here is read at build, test or run time.
"""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVENT_KEY = "sk_1_00000000000000f1_e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0_6b35de9c4d70279f9a862614e2ecfb66"
MARKER = "  WebhookConsumerFunction:\n"


def camel(function: str) -> str:
    return "".join(part.capitalize() for part in function.split("-")) + "Function"


def constant(function: str) -> str:
    return function.upper().replace("-", "_")


def concrete(path: str) -> tuple[str, dict]:
    params = re.findall(r"{([^}]+)}", path)
    return re.sub(r"{[^}]+}", "example", path), {p: "example" for p in params}


def main_rs(function: str, method: str, path: str) -> str:
    return (
        f"//! Lambda function `{function}`: {method} {path}.\n\n"
        '#[tokio::main(flavor = "current_thread")]\n'
        "async fn main() -> Result<(), lambda_http::Error> {\n"
        f"    flows_shared::lambda::run(&flows_shared::endpoints::{constant(function)}).await\n"
        "}\n"
    )


def event(function: str, method: str, path: str) -> dict:
    raw, params = concrete(path)
    route_key = f"{method} {path}"
    headers = {
        "accept": "application/json",
        "authorization": f"Bearer {EVENT_KEY}",
        "host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-request-id": f"req_event_{function.replace('-', '_')}",
        "x-forwarded-proto": "https",
    }
    with_body = method in ("POST", "PUT", "PATCH")
    if with_body:
        headers["content-type"] = "application/json"
    body = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abcdef1234",
            "http": {"method": method, "path": raw, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10",
                     "userAgent": "curl/8.5.0"},
            "requestId": f"evt_{function.replace('-', '_')}=",
            "routeKey": route_key,
            "stage": "$default",
            "time": "24/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795521600000,
        },
        "isBase64Encoded": False,
    }
    if params:
        body["pathParameters"] = params
    if with_body:
        body["body"] = "{}"
    return body


def resource(function: str, method: str, path: str, description: str, role: str, alias: str = "") -> str:
    lines = [
        f"  {camel(function)}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        f"      Description: \"{method} {path}: {description}\"",
        f"      CodeUri: target/lambda/{function}/",
        # Roles are shared by access class (template.yaml, before the table): a role per function would spend
        # the stack's 500 resources.
        f"      Role: !GetAtt {role}.Arn",
    ]
    lines += ["      Events:"]
    routes = [("Api", method, path)] + ([("Head", "HEAD", path)] if method == "GET" else [])
    if alias:
        routes += [("ApiAlias", method, alias + path)]
    for name, m, p in routes:
        lines += [
            f"        {name}:",
            "          Type: HttpApi",
            "          Properties:",
            "            ApiId: !Ref HttpApi",
            f"            Method: {m}",
            f"            Path: {p}",
        ]
    return "\n".join(lines) + "\n\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("function", help="the function's name, e.g. flows-list")
    parser.add_argument("method", choices=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    parser.add_argument("path", help="API Gateway's path syntax, e.g. /flows/{organization}/{flow}")
    parser.add_argument("description", help="what it does, for the template")
    parser.add_argument("--role", default="ReadRole", choices=["ReadRole", "WriteRole", "PublishRole"],
                        help="its access class: reads, writes, or writes that hand events to the webhook queue")
    parser.add_argument("--alias", default="", help="a prefix the route also answers under (`/api`, `alias = api`)")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z][a-z0-9-]*", args.function):
        parser.error("the function's name is lower-case letters, digits and dashes")

    main_path = ROOT / "functions" / args.function / "main.rs"
    event_path = ROOT / "events" / "http" / f"{args.function}.json"
    cargo = ROOT / "functions" / "Cargo.toml"
    template = ROOT / "template.yaml"
    cargo_text, template_text = cargo.read_text(), template.read_text()
    if main_path.exists() or event_path.exists() or f'name = "{args.function}"' in cargo_text \
            or f"  {camel(args.function)}:\n" in template_text:
        print(f"{args.function} exists already", file=sys.stderr)
        return 1
    if MARKER not in template_text:
        print(f"template.yaml has no `{MARKER.strip()}` to insert before", file=sys.stderr)
        return 1

    main_path.parent.mkdir(parents=True)
    main_path.write_text(main_rs(args.function, args.method, args.path))
    cargo.write_text(cargo_text.rstrip("\n") + f'\n\n[[bin]]\nname = "{args.function}"\npath = "{args.function}/main.rs"\n')
    event_path.write_text(json.dumps(event(args.function, args.method, args.path), indent=2) + "\n")
    block = resource(args.function, args.method, args.path, args.description, args.role, args.alias)
    template.write_text(template_text.replace(MARKER, block + MARKER, 1))

    print(f"wrote {main_path.relative_to(ROOT)}, {event_path.relative_to(ROOT)}, the [[bin]] and {camel(args.function)}")
    print("now: the route (shared/src/routes.rs), its handler (shared/src/endpoints.rs), its OpenAPI operation,")
    print("its request in tests/e2e/isolation.rs and tests/testkit/load.rs, and its sample's status in")
    print("tests/e2e/template_and_events.rs: the tests name whichever is missing.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
