#!/bin/sh
# Compile every source file of the reference driver the way the product
# contract requires: as shipped and with each REFDRV_BUG_* define, with and
# without irqlcheck's SAL compatibility header. -Wall -Werror throughout.
#
# usage: compile-check.sh [path/to/irqlcheck_sal.h]
set -u

here=$(cd "$(dirname "$0")" && pwd)
sal=${1:-"$here/../../checker/resources/irqlcheck_sal.h"}
cc=${CC:-clang-19}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

flags="--target=x86_64-w64-mingw32 -fms-extensions -Wall -Werror -D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS -isystem /usr/x86_64-w64-mingw32/include -isystem /usr/x86_64-w64-mingw32/include/ddk"

cd "$here" || exit 2
defines=$(grep -oh 'REFDRV_BUG_[A-Z0-9_]*[A-Z0-9]' ./*.c | sort -u)

passed=0
failed=0
for define in "" $defines; do
    for header in sal plain; do
        for file in ./*.c; do
            if [ "$header" = sal ]; then
                extra="-include $sal"
            else
                extra=""
            fi
            # shellcheck disable=SC2086
            if $cc $flags $extra ${define:+-D$define} -c "$file" -o "$out/x.o" 2>"$out/err"; then
                passed=$((passed + 1))
            else
                failed=$((failed + 1))
                echo "FAIL: $file ${define:-as shipped} ($header)"
                sed -n '1,10p' "$out/err"
            fi
        done
    done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
