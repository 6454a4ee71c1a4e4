#!/usr/bin/env bash
# Installs the PostgreSQL server from Debian's packages when its binaries are absent, so the
# @trackflow/store tests can start throwaway clusters (initdb + pg_ctl from
# /usr/lib/postgresql/<version>/bin). Does nothing when a server is already installed.
# Needs root (or sudo) and a Debian/Ubuntu system with apt-get.
set -euo pipefail

has_server() {
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    if [[ -x "$bin/initdb" && -x "$bin/pg_ctl" && -x "$bin/postgres" ]]; then
      echo "PostgreSQL server binaries present in $bin"
      return 0
    fi
  done
  return 1
}

if has_server; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres: apt-get not found; install the PostgreSQL server by other means" >&2
  exit 1
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-postgres: must run as root (or with sudo available)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# postgresql-common would otherwise create and start a cluster of its own; the tests make theirs.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/trackflow-no-main.conf >/dev/null
$SUDO apt-get install -y -q --no-install-recommends postgresql

has_server || { echo "install-postgres: postgresql installed but no server binaries found" >&2; exit 1; }
