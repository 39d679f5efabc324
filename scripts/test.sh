#!/usr/bin/env bash
# The whole test run: the quality gates, then the suite on SQLite and on PostgreSQL.
#
# Every step runs even when an earlier one fails; a summary at the end says how each
# went, and the script exits non-zero if any failed. A PostgreSQL server that cannot be
# had is a loud skip on a developer's machine and a failure on CI (CI=true).
# Arguments go to both pytest runs (e.g. scripts/test.sh -x -k deadline).
#
# The SQLite and PostgreSQL runs go side by side. Each uses its own SQLite file (in a fresh
# temporary folder) and its own PostgreSQL database (plaint_<seconds>_<pid>, as the role
# plaint_test), so two runs on one machine never collide; both are removed at the end,
# even after a failure or Ctrl-C.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RUN_DIR=$(mktemp -d -t plaint-test.XXXXXX)
export PLAINT_DATA_DIR="${PLAINT_DATA_DIR:-$RUN_DIR}"
PG_NAME="plaint_$(date +%s)_$$"
PG_USED=""
PG_PID=""

cleanup() {
  for job in $(jobs -p); do pkill -TERM -P "$job" 2>/dev/null; kill "$job" 2>/dev/null; done
  [ -n "$PG_USED" ] && scripts/postgres.sh --drop "$PG_NAME"
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STEPS=() RESULTS=()
FAILED=0
step() { printf '\n== %s\n' "$*"; }
record() { # NAME RESULT [DETAIL]
  STEPS+=("$1")
  RESULTS+=("$2${3:+ ($3)}")
  [ "$2" = passed ] || [ "$2" = skipped ] || FAILED=1
}
gate() { # NAME COMMAND...
  local name=$1
  shift
  step "$name"
  if "$@"; then record "$name" passed; else record "$name" failed; fi
}
run_pytest() { # NAME DATABASE_URL PYTEST-ARGS... (output to the run's log for NAME)
  local name=$1 url=$2
  shift 2
  mkdir -p "$RUN_DIR/data-$name"
  PLAINT_DATA_DIR="$RUN_DIR/data-$name" DATABASE_URL="$url" \
    $BIN/pytest -p no:cacheprovider "$@" >"$RUN_DIR/pytest-$name.log" 2>&1
  echo $? >"$RUN_DIR/pytest-$name.rc"
}
record_suite() { # NAME: the counts and result of a finished run
  local name=$1 log="$RUN_DIR/pytest-$1.log" rc counts
  rc=$(cat "$RUN_DIR/pytest-$name.rc" 2>/dev/null || echo 1)
  counts=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* =+$' "$log" | tail -n 1 \
    | sed -E 's/^=+ //; s/ =+$//')
  if [ "$rc" -eq 0 ]; then record "$name" passed "$counts"; else record "$name" failed "${counts:-pytest exited $rc}"; fi
}

gate "ruff format" $BIN/ruff format --check src tests bench scripts
gate "ruff check" $BIN/ruff check src tests bench scripts
gate "mypy" $BIN/mypy
gate "import-linter" $BIN/lint-imports --no-cache
gate "migrations are up to date" $BIN/plaint makemigrations --check --dry-run
# Known vulnerabilities in the pinned dependencies; exit 3 means the advisory source could
# not be reached, shown as a skip with its reason (scripts/audit_deps.py).
step "dependency scan"
$BIN/python scripts/audit_deps.py
case $? in
  0) record "dependency scan" passed ;;
  3) record "dependency scan" skipped "advisory source unreachable" ;;
  *) record "dependency scan" failed ;;
esac

# The two databases' runs go side by side (pytest is one process, and CI has two cores);
# the SQLite run is shown as it goes, the PostgreSQL run's output follows it in full.
# PLAINT_TEST_SERIAL=1 runs them one after the other.
if url=$(scripts/postgres.sh "$PG_NAME"); then
  PG_USED=1
  run_pytest PostgreSQL "$url" "$@" &
  PG_PID=$!
  [ "${PLAINT_TEST_SERIAL:-}" = 1 ] && wait "$PG_PID"
fi
step "pytest on SQLite"
touch "$RUN_DIR/pytest-SQLite.log"
tail -n +1 -f "$RUN_DIR/pytest-SQLite.log" &
TAIL_PID=$!
run_pytest SQLite "sqlite:///$RUN_DIR/test.sqlite3" "$@"
sleep 0.5
kill "$TAIL_PID" 2>/dev/null
wait "$TAIL_PID" 2>/dev/null
record_suite SQLite

step "pytest on PostgreSQL"
if [ -n "$PG_PID" ]; then
  wait "$PG_PID"
  cat "$RUN_DIR/pytest-PostgreSQL.log"
  record_suite PostgreSQL
elif [ "${CI:-}" = "true" ]; then
  echo "!! PostgreSQL tests FAILED to run: no PostgreSQL server could be had (reason above)."
  record PostgreSQL failed "no PostgreSQL server; on CI that is a failure"
else
  echo "!! PostgreSQL tests SKIPPED: no PostgreSQL server could be had (reason above)."
  record PostgreSQL skipped "no PostgreSQL server"
fi

step "Summary"
for i in "${!STEPS[@]}"; do
  printf '  %-28s %s\n' "${STEPS[$i]}:" "${RESULTS[$i]}"
done
# One closing line over both databases, in the plain form CI reads.
total() { cat "$RUN_DIR"/pytest-*.log 2>/dev/null | grep -E '^=+ .* in [0-9.]+s' \
  | grep -oE "[0-9]+ $1" | awk '{n += $1} END {print n + 0}'; }
if [ "$FAILED" -ne 0 ]; then
  echo "Some checks FAILED (see above)."
  echo "$(total passed) passed, $(( $(total failed) + $(total error) )) failed"
  exit 1
fi
echo "All checks passed."
echo "$(total passed) passed, $(total failed) failed, $(total skipped) skipped"
