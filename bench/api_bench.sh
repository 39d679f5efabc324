#!/usr/bin/env bash
# api_bench.sh - Plaint's API beside django-helpdesk's, in one run, under the same load.
#
# For each connection count in CONNS_LIST it runs ../shared/peers/helpdesk_bench.sh (the
# peer: its ticket-creation API and a ticket read), then the same wrk load against
# Plaint under gunicorn with the same settings: POST /api/v1/cases (token auth, a new
# case each request: its ledger event, deadlines and search entry in the creating
# transaction; triage queued for the worker), GET /api/v1/cases/<random reference> and the
# list with a status filter and a search word (beside the peer's ticket-list JSON).
# It prints each figure and Plaint's ratio to the peer, then the cost of each step of
# opening a case (bench/api_steps.py), and the load average before and after.
#
# Usage: N=2000 DB=sqlite DURATION=10s bench/api_bench.sh
# Knobs (defaults): N [2000] cases/tickets seeded; DB [sqlite] sqlite|postgres;
#   DURATION [10s]; WARMUP [2s]; CONNS_LIST ["2 8"]; WRK_THREADS [2];
#   WORKERS [2] WORKER_CLASS [gthread] GTHREADS [2] (the peer's defaults).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${N:-2000}"; DB="${DB:-sqlite}"; DURATION="${DURATION:-10s}"; WARMUP="${WARMUP:-2s}"
CONNS_LIST="${CONNS_LIST:-2 8}"; WRK_THREADS="${WRK_THREADS:-2}"
WORKERS="${WORKERS:-2}"; WORKER_CLASS="${WORKER_CLASS:-gthread}"; GTHREADS="${GTHREADS:-2}"
PEER="$ROOT/../shared/peers/helpdesk_bench.sh"
CSV="$ROOT/../shared/data/cfpb_complaints_sample.csv"
OUT="$(mktemp -d -t plaint-api-bench-XXXX)"
PY="$ROOT/.venv/bin/python"
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# ------------------------------------------------------------------- the peer first
for c in $CONNS_LIST; do
  log "peer: django-helpdesk, N=$N DB=$DB CONNS=$c DURATION=$DURATION"
  N="$N" DB="$DB" DURATION="$DURATION" WARMUP="$WARMUP" CONNS="$c" WRK_THREADS="$WRK_THREADS" \
    WORKERS="$WORKERS" WORKER_CLASS="$WORKER_CLASS" GTHREADS="$GTHREADS" KEEP_WORKDIR=0 \
    RESULTS_DIR="$OUT/peer_$c" bash "$PEER" "$CSV" >"$OUT/peer_$c.log" 2>&1
done

# ------------------------------------------------------------------- Plaint: database
export PLAINT_DATA_DIR="$OUT/plaint"
mkdir -p "$PLAINT_DATA_DIR"
if [[ "$DB" == sqlite ]]; then
  export DATABASE_URL="sqlite:///$PLAINT_DATA_DIR/bench.sqlite3"
else
  "$ROOT/scripts/postgres.sh" --drop plaint_api >/dev/null 2>&1 || true
  DATABASE_URL="$("$ROOT/scripts/postgres.sh" plaint_api)"; export DATABASE_URL
  "$PY" - <<PYEOF
import psycopg
with psycopg.connect("${DATABASE_URL%/*}/postgres", autocommit=True) as pg:
    pg.execute('CREATE DATABASE "plaint_api"')
PYEOF
fi
export DJANGO_SETTINGS_MODULE=api_bench_settings PYTHONPATH="$ROOT/bench"
log "Plaint: migrating and seeding $N cases ($DB)"
"$ROOT/.venv/bin/plaint" migrate -v 0
"$PY" "$ROOT/bench/api_seed.py" "$CSV" "$N" "$OUT" >"$OUT/seed.log"
TOKEN="$("$PY" -c "import json; print(json.load(open('$OUT/seed.json'))['token'])")"

cat > "$OUT/common.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("tid", #threads) end
init_counts = function() ok = 0; bad = 0 end
function response(status, headers, body)
  if status == expected then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local okc, badc = 0, 0
  for _, t in ipairs(threads) do okc = okc + t:get("ok"); badc = badc + t:get("bad") end
  io.write(string.format("RESULT rps=%.2f p50_ms=%.2f p95_ms=%.2f requests=%d ok=%d bad=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, summary.requests, okc, badc))
end
LUA
cat > "$OUT/post.lua" <<LUA
dofile("$OUT/common.lua")
local bodies = {}
for line in io.lines("$OUT/post_bodies.jsonl") do bodies[#bodies + 1] = line end
local i = 0
expected = 201
function init(args) init_counts(); i = (tid or 1) * 97 % #bodies end
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
function request()
  i = (i % #bodies) + 1
  return wrk.format("POST", "/api/v1/cases", nil, bodies[i])
end
LUA
cat > "$OUT/get.lua" <<LUA
dofile("$OUT/common.lua")
local refs = {}
for line in io.lines("$OUT/refs.txt") do refs[#refs + 1] = line end
expected = 200
function init(args) init_counts(); math.randomseed(1000 + (tid or 1)) end
wrk.headers["Authorization"] = "Bearer $TOKEN"
function request()
  return wrk.format("GET", "/api/v1/cases/" .. refs[math.random(1, #refs)])
end
LUA

cat > "$OUT/list.lua" <<LUA
dofile("$OUT/common.lua")
local words = {"credit", "charged", "account", "payment", "fraud", "loan", "late", "refund"}
expected = 200
function init(args) init_counts(); math.randomseed(2000 + (tid or 1)) end
wrk.headers["Authorization"] = "Bearer $TOKEN"
function request()
  return wrk.format("GET", "/api/v1/cases?status=received&limit=25&q=" .. words[math.random(1, #words)])
end
LUA

PORT="$("$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")"
"$ROOT/.venv/bin/gunicorn" plaint.config.wsgi:application --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --worker-class "$WORKER_CLASS" --threads "$GTHREADS" --timeout 120 \
  --log-level warning --error-logfile "$OUT/gunicorn.log" &
GUNICORN_PID=$!
trap 'kill -TERM "$GUNICORN_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/v1/openapi.json" && break; sleep 0.3
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" --data-binary "$(head -1 "$OUT/post_bodies.jsonl")" \
  "http://127.0.0.1:$PORT/api/v1/cases")
[[ "$code" == 201 ]] || { log "sanity POST -> $code"; cat "$OUT/gunicorn.log" >&2; exit 1; }

plaint_wrk() {  # conns script path -> RESULT line
  wrk -t "$WRK_THREADS" -c "$1" -d "$WARMUP" -s "$2" "http://127.0.0.1:$PORT$3" >/dev/null 2>&1 || true
  wrk -t "$WRK_THREADS" -c "$1" -d "$DURATION" --timeout 30s -s "$2" "http://127.0.0.1:$PORT$3" \
    | grep '^RESULT'
}
field() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" <<<"$1"; }
peer_field() { "$PY" -c "import json; print(json.load(open('$1'))['results']['$2']['$3'])" 2>/dev/null \
  || "$PY" -c "import json; d=json.load(open('$1')); print(d['$2']['$3'])"; }

declare -A PLAINT_CREATE PLAINT_READ PLAINT_LIST
for c in $CONNS_LIST; do
  log "Plaint: wrk -c$c POST /api/v1/cases and GET /api/v1/cases/<ref>"
  PLAINT_CREATE[$c]="$(plaint_wrk "$c" "$OUT/post.lua" /api/v1/cases)"
  PLAINT_READ[$c]="$(plaint_wrk "$c" "$OUT/get.lua" /api/v1/cases/)"
  PLAINT_LIST[$c]="$(plaint_wrk "$c" "$OUT/list.lua" /api/v1/cases)"
done
kill -TERM "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true
trap - EXIT


echo
echo "API bench: N=$N $DB, wrk -t$WRK_THREADS -d$DURATION (after $WARMUP warm-up), gunicorn $WORKERS x $WORKER_CLASS threads=$GTHREADS, $(nproc) cores"
printf '%-5s %-34s %9s %9s %9s   %s\n' conns scenario req/s p50_ms p95_ms "Plaint/peer req/s"
for c in $CONNS_LIST; do
  peer="$OUT/peer_$c/results.json"
  for s in create read list; do
    if [[ $s == create ]]; then line="${PLAINT_CREATE[$c]}"; key=create; label="POST /api/v1/cases";
    elif [[ $s == read ]]; then line="${PLAINT_READ[$c]}"; key=ticket; label="GET /api/v1/cases/<ref>";
    else line="${PLAINT_LIST[$c]}"; key=list_json; label="GET /api/v1/cases?status&q (25)"; fi
    p_rps="$(peer_field "$peer" "$key" rps)"; p_p95="$(peer_field "$peer" "$key" p95_ms)"
    p_p50="$(peer_field "$peer" "$key" p50_ms)"
    printf '%-5s %-34s %9s %9s %9s   %s\n' "$c" "Plaint $label" "$(field "$line" rps)" \
      "$(field "$line" p50_ms)" "$(field "$line" p95_ms)" \
      "$("$PY" -c "print(f'{$(field "$line" rps)/$p_rps:.2f}x')")"
    printf '%-5s %-34s %9s %9s %9s\n' "$c" "peer ($key)" "$p_rps" "$p_p50" "$p_p95"
  done
done
echo "(Plaint non-2xx: $(for c in $CONNS_LIST; do printf 'c%s create %s read %s list %s; ' "$c" "$(field "${PLAINT_CREATE[$c]}" bad)" "$(field "${PLAINT_READ[$c]}" bad)" "$(field "${PLAINT_LIST[$c]}" bad)"; done))"
"$PY" "$ROOT/bench/api_steps.py" --db "$DB" --n 30 2>/dev/null | tail -5
echo "load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(work folder: $OUT)"
