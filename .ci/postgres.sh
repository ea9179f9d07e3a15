#!/usr/bin/env bash
# Starts a local PostgreSQL for the shared-ledger tests and prints the URL to use.
set -euo pipefail
VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
as_pg() { if [ "$(id -u)" = "0" ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
if ! pg_lsclusters -h | grep -q online; then
  pg_ctlcluster "$VERSION" main start >&2 || as_pg "pg_ctlcluster $VERSION main start" >&2
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
as_pg "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='intake'\"" | grep -q 1 \
  || as_pg "psql -q -c \"CREATE ROLE intake LOGIN PASSWORD 'intake' CREATEDB\""
# tests/core/ledger/test_grant.py creates (and drops) its own owner and app roles
as_pg "psql -q -c \"ALTER ROLE intake CREATEROLE\"" >/dev/null
echo "postgresql+psycopg://intake:intake@127.0.0.1/postgres"
