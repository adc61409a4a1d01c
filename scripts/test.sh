#!/usr/bin/env bash
# Install what is missing, build, and run every test. The last line is
# ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd "${IRQLCHECK_BUILD_DIR:-build}"
exec ctest --output-on-failure -j"$(nproc)"
