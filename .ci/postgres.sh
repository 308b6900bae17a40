#!/usr/bin/env bash
# Install (Debian package) and start a PostgreSQL server for the viewer tests, with a
# fresh database; prints its URL. Idempotent: a server already running is reused.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true  # already running is fine
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.5
done
psql_admin() { su postgres -c "psql -p $port -qtAc \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = 'histfmt'")" != "1" ]; then
  psql_admin "CREATE ROLE histfmt LOGIN PASSWORD 'histfmt' CREATEDB"
fi
psql_admin "DROP DATABASE IF EXISTS histfmt_ci WITH (FORCE)" >/dev/null 2>&1  # even if a test left a connection
psql_admin "CREATE DATABASE histfmt_ci OWNER histfmt" >/dev/null
echo "postgresql://histfmt:histfmt@127.0.0.1:$port/histfmt_ci"
