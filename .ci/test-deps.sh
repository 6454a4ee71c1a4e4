#!/usr/bin/env bash
# What the test suite needs from Debian's packages (PostgreSQL; Chromium once the console
# exists), installed only when absent. Run by `pnpm test`, so the README's one test command
# works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"
for script in install-*.sh; do
  [ -e "$script" ] && bash "$script"
done
exit 0
