#!/usr/bin/env python3
"""moto's server answering one request at a time: its conditional writes are atomic only then (the threaded server
deep-copies a table per transaction while other requests change it). The concurrency tests run their DynamoDB
against this one (`FLOWS_TEST_DYNAMODB_SERIAL`); everything else, SQS's long polls included, uses the threaded one.

Usage: moto_serial.py HOST PORT
"""

import sys

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, run_simple

# The concurrency tests open a couple of hundred connections at once; werkzeug's backlog of 128 would drop the
# rest (a reset DynamoDB never gives).
BaseWSGIServer.request_queue_size = 1024

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    run_simple(host, port, DomainDispatcherApplication(create_backend_app), threaded=False, use_reloader=False)
