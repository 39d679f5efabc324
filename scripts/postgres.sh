#!/usr/bin/env bash
# PostgreSQL for the test suite, with a role of Plaint's own.
#
#   scripts/postgres.sh NAME         make sure a server answers on 127.0.0.1:5432 and the
#                                    role plaint_test (LOGIN CREATEDB, not a superuser)
#                                    exists, then print the DATABASE_URL of database NAME
#                                    (pytest-django creates and drops test_NAME itself)
#   scripts/postgres.sh --drop NAME  drop NAME and test_NAME if they are left over
#
# It starts the machine's cluster if it is down, and creates the role once if it is
# missing (saying so on stderr). It changes nothing else: no other role, no password of
# another role, no configuration file. Exits 1, with the reason on stderr, when no server
# or no role can be had. Use a NAME of your own per run (scripts/test.sh uses
# plaint_<seconds>_<pid>) so that two runs on one machine never share a database.
set -uo pipefail
HOST=127.0.0.1 PORT=${PLAINT_TEST_PG_PORT:-5432} # the port can be changed for a second cluster
ROLE=plaint_test PASSWORD=plaint_test # a role for throw-away test databases only

usage() {
  echo "usage: scripts/postgres.sh NAME | scripts/postgres.sh --drop NAME" >&2
  exit 2
}
valid_name() { [[ "$1" =~ ^[a-z_][a-z0-9_]{0,50}$ ]]; }

as_role() { # SQL as plaint_test, over TCP
  PGPASSWORD="$PASSWORD" psql -X -q -w -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$ROLE" \
    -d postgres "$@"
}
as_superuser() { # SQL as the cluster's superuser: over trusted TCP, else as its OS user
  if psql -X -q -w -h "$HOST" -p "$PORT" -U postgres -d postgres -c "SELECT 1" >/dev/null 2>&1; then
    psql -X -q -w -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres -d postgres "$@"
  elif [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null; then
    (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@")
  else
    echo "Cannot reach PostgreSQL as its superuser (no trusted TCP login, not root)." >&2
    return 1
  fi
}

if [ "${1:-}" = "--drop" ]; then
  [ $# -eq 2 ] && valid_name "$2" || usage
  for db in "test_$2" "$2"; do
    as_role -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 \
      || echo "Could not drop database $db." >&2
  done
  exit 0
fi
[ $# -eq 1 ] && valid_name "$1" || usage
NAME=$1

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

if ! as_role -tAc "SELECT 1" >/dev/null 2>&1; then
  exists=$(as_superuser -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'") || exit 1
  if [ "$exists" = "1" ]; then
    echo "The role $ROLE exists but cannot log in on $HOST:$PORT with its password;" \
      "check pg_hba.conf, or drop the role so that this script creates it again." >&2
    exit 1
  fi
  echo "Creating the PostgreSQL role $ROLE (LOGIN CREATEDB, not a superuser) for test databases." >&2
  as_superuser -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2 || exit 1
  if ! as_role -tAc "SELECT 1" >/dev/null 2>&1; then
    echo "The role $ROLE was created but cannot log in on $HOST:$PORT; check pg_hba.conf." >&2
    exit 1
  fi
fi
echo "postgres://$ROLE:$PASSWORD@$HOST:$PORT/$NAME"
