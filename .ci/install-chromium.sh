#!/usr/bin/env bash
# Installs Debian's Chromium when /usr/bin/chromium is absent, for the browser tests
# (playwright-core drives it; no browser is ever downloaded by the test tooling).
# Does nothing when Chromium is already installed. Needs root (or sudo) and apt-get.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
  echo "Chromium present at $CHROMIUM"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not found; install Chromium at $CHROMIUM by other means" >&2
  exit 1
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-chromium: must run as root (or with sudo available)" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# fonts-liberation: metric-compatible fonts, so screenshots and layout do not depend on the machine
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation

[[ -x "$CHROMIUM" ]] || { echo "install-chromium: chromium installed but $CHROMIUM is missing" >&2; exit 1; }
"$CHROMIUM" --version || true
