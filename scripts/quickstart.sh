#!/usr/bin/env bash
# Quick start: install what is missing, build, and run irqlcheck on the
# bundled example driver (it has seeded defects, so irqlcheck reports
# findings and exits 1; that is the expected outcome here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== irqlcheck examples/buggy_driver.c"
status=0
build/bin/irqlcheck examples/buggy_driver.c || status=$?
if [ "$status" -eq 1 ]; then
  echo "== irqlcheck reported the example's defects (exit 1)"
  exit 0
fi
echo "== unexpected exit status $status" >&2
exit 1
