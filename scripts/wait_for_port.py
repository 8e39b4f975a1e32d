"""Waits until host:port accepts TCP connections (trying at least once), or fails after the given seconds."""
import socket
import sys
import time

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + seconds
while True:
    try:
        socket.create_connection((host, port), timeout=1).close()
        sys.exit(0)
    except OSError:
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
print(f"nothing listens on {host}:{port} after {seconds} s", file=sys.stderr)
sys.exit(1)
