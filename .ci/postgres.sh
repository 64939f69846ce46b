#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages, starts it on 127.0.0.1:5432 and creates the test role and
# database. Prints the connection string for the tests (DISCO_TEST_PG) on its last line. Idempotent.
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
fi
ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  pg_createcluster "$ver" main >/dev/null
fi
mkdir -p "/etc/postgresql/$ver/main/conf.d"
echo "listen_addresses = '127.0.0.1'" > "/etc/postgresql/$ver/main/conf.d/disco.conf"
pg_ctlcluster "$ver" main start 2>/dev/null || true
for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
pg_isready -h 127.0.0.1 >/dev/null
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'disco'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE disco LOGIN PASSWORD 'disco' CREATEDB\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'disco_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O disco disco_test"
echo "Host=127.0.0.1;Port=5432;Database=disco_test;Username=disco;Password=disco"
