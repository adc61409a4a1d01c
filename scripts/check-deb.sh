#!/usr/bin/env bash
# Does the .deb install and run on a clean Debian 12 with only its declared
# dependencies? Makes a minimal bookworm chroot with debootstrap, installs
# the package there with apt (which pulls exactly its Depends, no
# Recommends), and runs the tool, --explain and the plugin with clang-19 on
# the CMake example driver, expecting its finding.
#
#   scripts/check-deb.sh [PACKAGE.deb]
#
# Without PACKAGE.deb it is made with cpack from $IRQLCHECK_BUILD_DIR
# (default build/). Needs root and a Debian mirror ($DEBIAN_MIRROR, default
# http://deb.debian.org/debian); downloads about 200 MB, so it is not part
# of the default test suite (test/install/deb.test checks the package's
# control fields and contents there). Set KEEP=1 to keep the chroot.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${IRQLCHECK_BUILD_DIR:-build}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=$(mktemp -d /tmp/irqlcheck-deb.XXXXXX)
ROOT=$WORK/root
start=$SECONDS

cleanup() {
  mountpoint -q "$ROOT/proc" && umount "$ROOT/proc"
  if [ "${KEEP:-0}" = 1 ]; then echo "check-deb: chroot kept in $ROOT" >&2
  else rm -rf "$WORK"; fi
}
trap cleanup EXIT

DEB=${1:-}
if [ -z "$DEB" ]; then
  cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" >/dev/null
  DEB=$(ls "$WORK"/pkg/irqlcheck_*.deb)
fi
echo "== package: $DEB"
dpkg-deb -f "$DEB" Depends

if ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
echo "== debootstrap --variant=minbase bookworm ($MIRROR)"
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log"; exit 1; }
# irqlcheck finds its data through /proc/self/exe.
mount -t proc proc "$ROOT/proc"

mkdir -p "$ROOT/tmp/sample"
cp "$DEB" "$ROOT/tmp/"
cp examples/cmake/*.c examples/cmake/*.h "$ROOT/tmp/sample/"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

echo "== apt-get install --no-install-recommends ./$(basename "$DEB")"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  --no-install-recommends "/tmp/$(basename "$DEB")" > "$WORK/apt.log" 2>&1 \
  || { tail -20 "$WORK/apt.log"; exit 1; }
echo "packages installed in the chroot: $(in_root dpkg-query -W | wc -l)"

echo "== irqlcheck --no-source *.c (expecting one finding, exit 1)"
status=0
in_root sh -c 'cd /tmp/sample && irqlcheck --no-source *.c' > "$WORK/out" 2>&1 || status=$?
cat "$WORK/out"
[ "$status" = 1 ] && grep -q "isr.c:14:5: warning: .*\[irql-too-high\]" "$WORK/out" \
  || { echo "check-deb: FAILED: irqlcheck exited $status" >&2; exit 1; }

echo "== irqlcheck --explain irql-too-high (first line)"
in_root irqlcheck --explain irql-too-high | sed -n 1p | grep -x "# irql-too-high"

echo "== clang-19 -fplugin=/usr/lib/irqlcheck/IrqlCheck.so ... isr.c"
in_root sh -c 'cd /tmp/sample && clang-19 -fsyntax-only -fno-caret-diagnostics \
  -fplugin=/usr/lib/irqlcheck/IrqlCheck.so --target=x86_64-w64-mingw32 -fms-extensions \
  -D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS \
  -isystem /usr/x86_64-w64-mingw32/include -isystem /usr/x86_64-w64-mingw32/include/ddk \
  -include /usr/share/irqlcheck/include/irqlcheck_sal.h isr.c' > "$WORK/plugin" 2>&1 || true
cat "$WORK/plugin"
grep -q "isr.c:14:5: warning: .*\[irql-too-high\]" "$WORK/plugin" \
  || { echo "check-deb: FAILED: no plugin finding" >&2; exit 1; }

echo "check-deb: OK: installed and ran on a clean Debian 12 in $((SECONDS - start)) s"
