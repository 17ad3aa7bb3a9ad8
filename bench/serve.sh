#!/usr/bin/env bash
# Preview server latency: `onrecord serve` on the example archive (this repository's
# site.toml and content/, copied to a scratch folder).
#
#   bench/serve.sh               idle latency, then the 200-client load test for 10 s
#   bench/serve.sh --no-load     idle latency only
#
# Options: --requests N (default 1000), --secs S (load duration, default 10).
# Environment: ONRECORD=path/to/binary skips the cargo build.
#
# Idle: one keep-alive connection, N sequential GETs of an article page on loopback, each
# timed from sending the request to the last byte of the body (Python's http.client);
# prints p50, p99 and max in ms. Load: the integration test tests/it/serve_load.rs in
# release (ONRECORD_LOAD_SECS=S): 200 clients on keep-alive connections, the article edited
# twice and a rebuild asked for during the run; prints requests served, errors and the
# latency percentiles. The client threads share the machine with the server.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
REQUESTS=1000
SECS=10
LOAD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) REQUESTS="$2"; shift ;;
    --secs) SECS="$2"; shift ;;
    --no-load) LOAD=0 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "serve.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { printf '%s\n' "$*" >&2; }

if [ -z "${ONRECORD:-}" ]; then
  say "building onrecord (cargo build --release)"
  (cd "$REPO" && cargo build --release --locked -q)
  ONRECORD="${CARGO_TARGET_DIR:-$REPO/target}/release/onrecord"
fi
[ -x "$ONRECORD" ] || { say "no binary at $ONRECORD"; exit 1; }

SCRATCH="$(mktemp -d)"
LOG="$(mktemp)"
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$SCRATCH" "$LOG"
}
trap cleanup EXIT
cp "$REPO/site.toml" "$SCRATCH/"
cp -r "$REPO/content" "$SCRATCH/"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$ONRECORD" serve --root "$SCRATCH" --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
PAGE="/articles/2016-11-14-kremlin-spokesman-denies-contact-with-trump/"

python3 - "$PORT" "$PAGE" "$REQUESTS" <<'EOF' || { say "the server said:"; cat "$LOG" >&2; exit 1; }
import http.client, sys, time

port, page, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
deadline = time.monotonic() + 60
while True:  # wait for the first build and the listener
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", page)
        r = c.getresponse()
        r.read()
        if r.status == 200:
            break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("serve.sh: the server did not answer within 60 s")
    time.sleep(0.1)

for _ in range(50):  # warm up
    c.request("GET", page)
    c.getresponse().read()
times = []
size = 0
for _ in range(n):
    t = time.perf_counter()
    c.request("GET", page)
    r = c.getresponse()
    body = r.read()
    times.append((time.perf_counter() - t) * 1000)
    if r.status != 200 or not body.rstrip().endswith(b"</html>"):
        sys.exit(f"serve.sh: bad response {r.status}, {len(body)} bytes")
    size = len(body)
times.sort()
pick = lambda p: times[min(len(times) - 1, max(0, int(len(times) * p + 0.999999) - 1))]
print(f"idle: {n} sequential GETs of {page} ({size} bytes, keep-alive): "
      f"p50 {pick(0.5):.3f} ms, p99 {pick(0.99):.3f} ms, max {times[-1]:.3f} ms")
EOF
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""

if [ "$LOAD" = 1 ]; then
  say "load: tests/it/serve_load.rs in release for $SECS s (cargo test --release)"
  (cd "$REPO" && ONRECORD_LOAD_SECS="$SECS" cargo test --release --locked -q --test it serve_load -- --nocapture 2>&1) \
    | grep -E '^[0-9]+ clients|test result'
fi
printf 'machine: %s cores, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
