#!/usr/bin/env bash
# Install what is missing, build, and run every test twice: first in a
# second build with AddressSanitizer and UBSan (and the libFuzzer targets,
# run briefly), then in the normal build. Both must pass; the last line is
# the normal run's ctest summary. IRQLCHECK_SANITIZE=0 skips the sanitizer
# run (for a quick local check; CI runs both).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
BUILD=${IRQLCHECK_BUILD_DIR:-build}
if [ "${IRQLCHECK_SANITIZE:-1}" != 0 ]; then
  ASAN=$BUILD-asan
  if [ ! -f "$ASAN/build.ninja" ]; then
    CC=clang-19 CXX=clang++-19 cmake -S . -B "$ASAN" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DIRQLCHECK_SANITIZE=ON -DIRQLCHECK_FUZZ=ON \
      >/dev/null
  fi
  cmake --build "$ASAN" -- -j"$(nproc)"
  echo "irqlcheck: the test suite under ASan and UBSan ($ASAN)" >&2
  (cd "$ASAN" && ctest --output-on-failure -j"$(nproc)")
  echo "irqlcheck: the test suite ($BUILD)" >&2
fi
cd "$BUILD"
exec ctest --output-on-failure -j"$(nproc)"
