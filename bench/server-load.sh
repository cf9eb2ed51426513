#!/usr/bin/env bash
# Load benchmark of the reference server (release build) with wrk, on loopback.
#
# Usage: bench/server-load.sh [DATABASE_URL] [SECONDS] [CONNECTIONS] [GET_RATE] [CREATE_RATE]
#   DATABASE_URL defaults to a SQLite file in a temporary directory;
#   give postgres://postgres@127.0.0.1:5432/DB for PostgreSQL (DB is created and dropped).
# Prints requests/s and latency percentiles for get-by-id and create at full
# load (wrk, closed loop), then latency at the fixed target rates (oha, open
# loop with latency correction; `cargo install oha`), and RSS at rest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${2:-10}
conns=${3:-32}
work=$(mktemp -d)
db_url=${1:-"sqlite:$work/bench.db?mode=rwc"}
pg_db=""
if [[ $db_url == postgres* ]]; then
  pg_db="bench_$$"
  admin=${db_url%/*}/postgres
  psql -q "$admin" -c "CREATE DATABASE $pg_db"
  db_url=${db_url%/*}/$pg_db
fi
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [ -n "$pg_db" ] && psql -q "$admin" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 2; }
cargo build --quiet --release -p reference-server --manifest-path "$root/Cargo.toml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
secret=bench-secret
REFERENCE_JWT_SECRET=$secret "$root/target/release/reference-server" --listen "127.0.0.1:$port" \
  --database-url "$db_url" --max-connections 8 2>"$work/server.log" &
pid=$!
token=$(python3 - "$secret" <<'PY'
import base64, hmac, hashlib, json, sys, time
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
h = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
p = b(json.dumps({"sub": "bench", "tenant_id": "bench", "exp": int(time.time()) + 3600}).encode())
print(f"{h}.{p}." + b(hmac.new(sys.argv[1].encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()))
PY
)
base="http://127.0.0.1:$port/api/v1/crm/contacts"
for _ in $(seq 100); do curl -s -o /dev/null "$base" && break; sleep 0.1; done
sleep 1
echo "RSS at rest: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
id=$(curl -s -X POST "$base" -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"first_name":"Bench","last_name":"Mark","email":"bench@example.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

echo "== get by id: $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $token" "$base/$id" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors"

if command -v oha >/dev/null; then
  get_rate=${4:-10000}
  create_rate=${5:-2000}
  echo "== get by id at a fixed $get_rate req/s (oha)"
  oha --no-tui -z "${secs}s" -c "$conns" -q "$get_rate" --latency-correction \
    -H "Authorization: Bearer $token" "$base/$id" | grep -E "Requests/sec|Success rate|99.00%|50.00%|\[[0-9]+\]"
fi
cat > "$work/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"first_name":"Load","last_name":"Test","source_type":"backend","tags":["bench"]}'
LUA
echo "== create: $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$work/create.lua" "$base" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors"
if command -v oha >/dev/null; then
  create_rate=${5:-2000}
  echo "== create at a fixed $create_rate req/s (oha)"
  oha --no-tui -z "${secs}s" -c "$conns" -q "$create_rate" --latency-correction -m POST -T application/json \
    -d '{"first_name":"Load","last_name":"Test","source_type":"backend","tags":["bench"]}' \
    -H "Authorization: Bearer $token" "$base" | grep -E "Requests/sec|Success rate|99.00%|50.00%|\[[0-9]+\]"
fi
echo "RSS after load: $(awk '/VmRSS/ {printf "%.1f MB", $2/1024}' /proc/$pid/status)"
