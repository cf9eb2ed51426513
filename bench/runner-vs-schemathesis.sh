#!/usr/bin/env bash
# The conformance runner's whole catalogue and a default schemathesis run, on
# one target: the reference server (release, in-memory SQLite) on a local port.
# Usage: bench/runner-vs-schemathesis.sh [RUNS]   (needs hyperfine; installs
# schemathesis 4.32.5 into .venv if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
port=18089
secret="bench-secret-0123456789abcdef0123456789"
cargo build --release -q -p reference-server -p conformance
.venv/bin/st --version 2>/dev/null | grep -q 4.32.5 || { [ -d .venv ] || python3 -m venv .venv; .venv/bin/pip install --quiet 'schemathesis==4.32.5'; }
target/release/reference-server --listen "127.0.0.1:$port" --jwt-secret "$secret" --database-url 'sqlite::memory:' &
server=$!
trap 'kill $server' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
token=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, json, sys, time
b = lambda d: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).rstrip(b"=")
head = b({"alg": "HS256", "typ": "JWT"}) + b"." + b({"sub": "bench", "tenant_id": "bench", "exp": int(time.time()) + 3600})
sig = base64.urlsafe_b64encode(hmac.new(sys.argv[1].encode(), head, hashlib.sha256).digest()).rstrip(b"=")
print((head + b"." + sig).decode())
PY
)
echo "== conformance: the whole catalogue ($(target/release/conformance list --format json | grep -c "\"id\"") checks of every resource), $runs runs"
hyperfine -N -w 1 -r "$runs" "target/release/conformance run --base-url http://127.0.0.1:$port --jwt-secret $secret"
echo "== schemathesis $(.venv/bin/st --version | awk '{print $3}'): st run, default settings, 3 runs"
hyperfine -i -w 0 -r 3 ".venv/bin/st run schemas/openapi/openapi.json --url http://127.0.0.1:$port -H 'Authorization: Bearer $token' --no-color"
