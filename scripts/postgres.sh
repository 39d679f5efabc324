#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 and print the DATABASE_URL the
# tests should use. Starts the machine's cluster if it is down. Exits 1 (with the reason
# on stderr) when no server can be had.
set -uo pipefail
HOST=127.0.0.1 PORT=5432

ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }

if ! ready; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "PostgreSQL is not installed (scripts/system-deps.sh installs it)." >&2
    exit 1
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "No PostgreSQL cluster is configured under /etc/postgresql." >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do ready && break; sleep 0.5; done
fi
if ! ready; then
  echo "PostgreSQL did not start on $HOST:$PORT." >&2
  exit 1
fi
# A password for TCP logins where the cluster does not trust local connections.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
  runuser -u postgres -- psql -q -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null 2>&1 || true
fi
echo "postgres://postgres:postgres@$HOST:$PORT/plaint"
