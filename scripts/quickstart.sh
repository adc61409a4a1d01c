#!/usr/bin/env bash
# Quick start: install what is missing, build, and run irqlcheck on the
# bundled reference driver (test/reference-driver, docs/reference-driver.md):
# first as shipped, where it must report nothing, then with one seeded
# defect switched on, where it reports that defect with its evidence and
# exits 1 (the expected outcome here).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== irqlcheck test/reference-driver/*.c"
build/bin/irqlcheck test/reference-driver/*.c
echo "== no findings (exit 0)"

echo "== irqlcheck --extra-arg=-DREFDRV_BUG_SPINLOCK_DOUBLE_ACQUIRE test/reference-driver/*.c"
status=0
build/bin/irqlcheck --extra-arg=-DREFDRV_BUG_SPINLOCK_DOUBLE_ACQUIRE \
  test/reference-driver/*.c || status=$?
if [ "$status" -eq 1 ]; then
  echo "== irqlcheck reported the seeded defect (exit 1)"
  exit 0
fi
echo "== unexpected exit status $status" >&2
exit 1
