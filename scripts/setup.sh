#!/usr/bin/env bash
# Install what irqlcheck needs on Debian 12 (as root), then configure and
# build it in ./build. Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# libicu72 and python3-jsonschema are for the tests' SARIF validation (the
# validator is a .NET program that loads ICU; the schema check is Python).
# dpkg-dev (dpkg-shlibdeps for cpack's .deb), python3-yaml (the GitHub
# Actions example) and pre-commit are for the integration tests.
# libclang-rt-19-dev has clang-19's sanitizer and libFuzzer runtimes (the
# sanitizer build and the fuzzers of scripts/test.sh); csmith and
# libcsmith-dev (its runtime headers) are for test/stress/stress.py.
PKGS=(clang-19 libclang-19-dev llvm-19-dev llvm-19-tools cmake ninja-build
      mingw-w64-x86-64-dev libicu72 python3-jsonschema
      dpkg-dev python3-yaml pre-commit git
      libclang-rt-19-dev csmith libcsmith-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (with its own npm): only a
# machine without npm gets Debian's.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "irqlcheck setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# Microsoft's SARIF validator, which the tests run on every SARIF file they
# make: the npm package, pinned by tools/sarif-validator/package-lock.json,
# installed into that directory (not globally). Reinstalled only when the
# lock file changes.
VALIDATOR=tools/sarif-validator
if ! cmp -s "$VALIDATOR/package-lock.json" "$VALIDATOR/node_modules/.irqlcheck-installed"; then
  echo "irqlcheck setup: installing the SARIF validator into $VALIDATOR" >&2
  (cd "$VALIDATOR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  # What the package's postinstall script does, which npm may not run.
  chmod u+x "$VALIDATOR"/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null || true
  cp "$VALIDATOR/package-lock.json" "$VALIDATOR/node_modules/.irqlcheck-installed"
fi

BUILD=${IRQLCHECK_BUILD_DIR:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang-19 CXX=clang++-19 cmake -S . -B "$BUILD" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD" -- -j"$(nproc)"
