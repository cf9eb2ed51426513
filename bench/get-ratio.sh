#!/usr/bin/env bash
# Get-by-id on PostgreSQL against two yardsticks measured in the same run on
# the same machine: `pgbench -S` (PostgreSQL's own read-only benchmark: a
# primary-key select per transaction) and a bare axum handler answering a
# contact-sized JSON body. Each is loaded with 32 connections on 2 threads
# (wrk -t2 -c32; pgbench -c 32 -j 2) for SECONDS, ROUNDS times, interleaved;
# prints each figure and the ratios (median of the rounds). The reference
# server is loaded twice: every request for one id (as `pgbench -S` reads
# one row per transaction, but the same one), and each request for a random
# one of the 10,000 ids (a wrk Lua script), since concurrent gets of the same
# id could share more work than gets of different ids.
#
# Usage: bench/get-ratio.sh [POSTGRES_ADMIN_URL] [SECONDS] [ROUNDS]
#   POSTGRES_ADMIN_URL defaults to postgres://postgres@127.0.0.1:5432/postgres;
#   a database bench_ratio_<pid> is created there and dropped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
admin=${1:-postgres://postgres@127.0.0.1:5432/postgres}
secs=${2:-10}
rounds=${3:-3}
db="bench_ratio_$$"
db_url="${admin%/*}/$db"
work=$(mktemp -d)
cleanup() {
  for p in ${server_pid:-} ${bare_pid:-}; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk pgbench psql python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done

cargo build --quiet --release -p reference-server --bin reference-server --example bare_axum --manifest-path "$root/Cargo.toml"
psql -q "$admin" -c "CREATE DATABASE $db"
pgbench -q -i -s 10 "$db_url" >/dev/null 2>&1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer at $1" >&2; exit 1; }

secret=bench-secret
port=$(free_port)
REFERENCE_JWT_SECRET=$secret "$root/target/release/reference-server" --listen "127.0.0.1:$port" \
  --database-url "$db_url" 2>"$work/server.log" &
server_pid=$!
bare_port=$(free_port)
"$root/target/release/examples/bare_axum" "127.0.0.1:$bare_port" 2>/dev/null &
bare_pid=$!
token=$(python3 - "$secret" <<'PY'
import base64, hmac, hashlib, json, sys, time
b = lambda x: base64.urlsafe_b64encode(x).rstrip(b"=").decode()
h = b(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
p = b(json.dumps({"sub": "bench", "tenant_id": "bench", "exp": int(time.time()) + 86400}).encode())
print(f"{h}.{p}." + b(hmac.new(sys.argv[1].encode(), f"{h}.{p}".encode(), hashlib.sha256).digest()))
PY
)
base="http://127.0.0.1:$port/api/v1/crm/contacts"
wait_up "$base"
wait_up "http://127.0.0.1:$bare_port/x"
# 10,000 contacts, so the lookup is a real index probe; we read one in the middle.
id=$(python3 - "$base" "$token" "$work/random.lua" <<'PY'
import json, sys, urllib.request, concurrent.futures
base, token = sys.argv[1], sys.argv[2]
def create(i):
    body = json.dumps({"first_name": "Bench", "last_name": f"N{i}", "email": f"b{i}@example.com",
                       "tags": ["bench"], "custom_fields": {"tier": i % 7}}).encode()
    req = urllib.request.Request(base, body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))["id"]
with concurrent.futures.ThreadPoolExecutor(16) as ex:
    ids = list(ex.map(create, range(10000)))
with open(sys.argv[3], "w") as lua:
    lua.write("ids = {" + ",".join('"%s"' % i for i in ids) + "}\n")
    lua.write("math.randomseed(os.time())\n")
    lua.write('request = function() return wrk.format("GET", "/api/v1/crm/contacts/" .. ids[math.random(#ids)]) end\n')
print(ids[5000])
PY
)
curl -sf -o "$work/one.json" -H "Authorization: Bearer $token" "$base/$id"
echo "contact body: $(wc -c <"$work/one.json") bytes; bare axum body: $(curl -s "http://127.0.0.1:$bare_port/x" | wc -c) bytes"

rate() { grep -E "^Requests/sec" | awk '{printf "%d", $2}'; }
ours=(); random=(); pg=(); bare=()
for r in $(seq "$rounds"); do
  pg+=("$(pgbench -S -n -c 32 -j 2 -T "$secs" "$db_url" 2>/dev/null | awk '/^tps/ {printf "%d", $3}')")
  ours+=("$(wrk -t2 -c32 -d"${secs}s" -H "Authorization: Bearer $token" "$base/$id" | rate)")
  random+=("$(wrk -t2 -c32 -d"${secs}s" -s "$work/random.lua" -H "Authorization: Bearer $token" "http://127.0.0.1:$port" | rate)")
  bare+=("$(wrk -t2 -c32 -d"${secs}s" "http://127.0.0.1:$bare_port/x" | rate)")
  echo "round $r: reference server ${ours[-1]} req/s (random ids ${random[-1]}), pgbench -S ${pg[-1]} tps, bare axum ${bare[-1]} req/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
o=$(median "${ours[@]}"); x=$(median "${random[@]}"); p=$(median "${pg[@]}"); b=$(median "${bare[@]}")
awk -v o="$o" -v x="$x" -v p="$p" -v b="$b" 'BEGIN {
  printf "median: reference server %d req/s (random ids %d); pgbench -S %d tps; bare axum %d req/s\n", o, x, p, b
  printf "ratio to pgbench -S: %.0f %% (target >= 50 %%); ratio to bare axum: %.0f %% (target >= 30 %%)\n", 100*o/p, 100*o/b
  printf "random ids: ratio to pgbench -S: %.0f %%; ratio to bare axum: %.0f %%\n", 100*x/p, 100*x/b
}'
