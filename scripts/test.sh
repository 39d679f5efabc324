#!/usr/bin/env bash
# The whole test run: quality gates, then the suite on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PLAINT_DATA_DIR="${PLAINT_DATA_DIR:-$(mktemp -d)}"

step() { printf '\n== %s\n' "$*"; }

step "ruff format"; $BIN/ruff format --check src tests bench scripts
step "ruff check";  $BIN/ruff check src tests bench scripts
step "mypy";        $BIN/mypy
step "import-linter"; $BIN/lint-imports --no-cache
step "migrations are up to date"; $BIN/plaint makemigrations --check --dry-run

step "pytest on SQLite"
DATABASE_URL="sqlite:///$PLAINT_DATA_DIR/test.sqlite3" $BIN/pytest "$@"

step "pytest on PostgreSQL"
if url=$(scripts/postgres.sh); then
  DATABASE_URL="$url" $BIN/pytest "$@"
else
  echo "!! PostgreSQL tests SKIPPED: no PostgreSQL server could be started (reason above)."
fi
