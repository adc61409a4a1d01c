#!/usr/bin/env bash
# Runs every libFuzzer target of a build configured with -DIRQLCHECK_FUZZ=ON
# for SECONDS each, from its seed corpus, keeping what it learns in
# BUILD/fuzz/corpus/NAME and any crash in BUILD/fuzz/artifacts/NAME-*. A
# crash is a failure (exit 1): add the input to
# test/fuzz/Inputs/NAME-regressions/ (replayed by the short test run) once
# it is fixed.
#
#   test/fuzz/run-fuzzers.sh build-asan 300 [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:?usage: run-fuzzers.sh BUILD-DIR SECONDS [SEED]}
SECONDS_EACH=${2:?usage: run-fuzzers.sh BUILD-DIR SECONDS [SEED]}
SEED=${3:-1}

# Seeds and dictionary of each fuzzer: NAME SEED-DIR [DICT].
seeds() {
  case "$1" in
    rules_fuzzer) echo "rules checker/fuzz/rules.dict" ;;
    config_fuzzer) echo "checker/fuzz/config-seeds checker/fuzz/config.dict" ;;
    *) echo "" ;;
  esac
}

status=0
for F in "$BUILD"/bin/*_fuzzer; do
  NAME=$(basename "$F")
  read -r SEEDS DICT <<<"$(seeds "$NAME")"
  CORPUS=$BUILD/fuzz/corpus/$NAME
  mkdir -p "$CORPUS" "$BUILD/fuzz/artifacts"
  ARGS=(-seed="$SEED" -max_total_time="$SECONDS_EACH" -max_len=16384
        -timeout=10 -print_final_stats=1
        -artifact_prefix="$BUILD/fuzz/artifacts/$NAME-")
  [ -n "${DICT:-}" ] && ARGS+=(-dict="$DICT")
  DIRS=("$CORPUS")
  [ -n "${SEEDS:-}" ] && DIRS+=("$SEEDS")
  [ -d "test/fuzz/Inputs/$NAME-regressions" ] &&
    DIRS+=("test/fuzz/Inputs/$NAME-regressions")
  echo "== $NAME: ${SECONDS_EACH}s" >&2
  if ! "$F" "${ARGS[@]}" "${DIRS[@]}" >"$BUILD/fuzz/$NAME.log" 2>&1; then
    status=1
    echo "$NAME: FAILED, see $BUILD/fuzz/$NAME.log" >&2
  fi
  grep -E "^(stat::|Done)|ERROR|SUMMARY" "$BUILD/fuzz/$NAME.log" >&2 || true
done
exit $status
