#!/usr/bin/env bash
# The floods of the security issue, bounded and on loopback only: does the public site keep
# serving and the panel keep answering while they run? Prints one line per run (wrk's
# requests/s and latency). Needs `wrk` (Debian) and a release build:
#   cargo build --release && bench/floods.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/target/release/govsite"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
site="$work/site"
mkdir -p "$site"
cp site.toml "$site/"
cp -r content themes i18n "$site/"
public=127.0.0.1:18480
admin=127.0.0.1:18481
"$bin" --site "$site" serve --public "$public" --admin "$admin" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "http://$public/az/" >/dev/null 2>&1 && break
  sleep 0.2
done

seconds=5
line() { # label, wrk output
  local rps p50 p99 codes
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1=="50%" {print $2}' <<<"$2")
  p99=$(awk '$1=="99%" {print $2}' <<<"$2")
  codes=$(awk '/Non-2xx/ {print "non-2xx " $NF}' <<<"$2")
  printf '%-58s %10s req/s  p50 %8s  p99 %8s  %s\n' "$1" "$rps" "$p50" "$p99" "$codes"
}
static_under() { # label, then the flood's wrk arguments
  local label=$1; shift
  wrk "$@" >"$work/flood.txt" 2>&1 &
  local flood=$!
  sleep 0.5
  local out
  out=$(wrk -t1 -c10 -d$((seconds - 1))s --latency "http://$public/az/")
  wait "$flood" || true
  line "  static /az/ (10 conn) during: $label" "$out"
  line "  the flood itself: $label" "$(cat "$work/flood.txt")"
}

words() { local n=$1 sep=$2 i out=""; for i in $(seq 1 "$n"); do out+="soz$i$sep"; done; echo "${out%"$sep"}"; }
legal="q=$(words 64 '+OR+')"          # the most a query may have (64 words)
illegal="q=$(words 1000 '+OR+')"      # refused as too complex
deep="q=$(printf '%.0s(' $(seq 1 4000))x"

echo "== public listener ($seconds s runs, 2 wrk threads)"
line "static /az/ alone (50 conn)" "$(wrk -t2 -c50 -d${seconds}s --latency "http://$public/az/")"
static_under "64-word OR searches, 50 conn" -t1 -c50 -d${seconds}s --latency "http://$public/az/axtaris/?$legal"
static_under "1,000-word OR searches, 50 conn" -t1 -c50 -d${seconds}s --latency "http://$public/az/axtaris/?$illegal"
static_under "4,000 '(' searches, 20 conn" -t1 -c20 -d${seconds}s --latency "http://$public/az/axtaris/?$deep"
static_under "8 KB URLs, 50 conn" -t1 -c50 -d${seconds}s --latency "http://$public/$(head -c 8192 /dev/zero | tr '\0' a)"

echo "== slow clients: 200 unfinished requests held open"
python3 - "$public" <<'PY' &
import socket, sys, time
host, port = sys.argv[1].split(":")
held = []
for _ in range(200):
    s = socket.create_connection((host, int(port)))
    s.sendall(b"GET /az/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    held.append(s)
time.sleep(6)
PY
slow=$!
sleep 0.5
line "  static /az/ (10 conn) while 200 requests are unfinished" "$(wrk -t1 -c10 -d4s --latency "http://$public/az/")"
wait "$slow" || true

echo "== admin listener: wrong logins for one account, 20 conn"
cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "name=admin&password=wrong-password-123"
LUA
before=$(sqlite3 "$site/data/govsite.sqlite" 'SELECT COUNT(*) FROM journal' 2>/dev/null || echo "?")
line "  POST /login flood" "$(wrk -t2 -c20 -d${seconds}s --latency -s "$work/login.lua" "http://$admin/login")"
after=$(sqlite3 "$site/data/govsite.sqlite" 'SELECT COUNT(*) FROM journal' 2>/dev/null || echo "?")
echo "  journal entries written by the flood: $before -> $after"
line "  GET /login right after" "$(wrk -t1 -c2 -d2s --latency "http://$admin/login")"
echo "  audit-log verify: $("$bin" --site "$site" audit-log verify 2>&1 | tail -1)"
