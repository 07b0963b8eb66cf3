#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets in their own build path (.build-fuzz, with
# FLEXMAP_FUZZ=1 so Package.swift declares them, and AddressSanitizer) and runs each for
# SECONDS seconds on its corpus: .build-fuzz/corpus/<Target> (what libFuzzer found), the
# seeds written from Fixtures/ (Fuzz/seed.py) and Fixtures/bad/<Target> (past crashes).
# Usage: Fuzz/run.sh SECONDS TARGET...
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift
targets=("$@")
out=.build-fuzz
swift=${SWIFT:-swift}
export FLEXMAP_FUZZ=1
# Swift 6.3's -sanitize=fuzzer links libFuzzer but does not always instrument: ask for the
# coverage libFuzzer needs explicitly (and check it is there below).
coverage=edge,inline-8bit-counters,pc-table,trace-cmp

build() {
    "$swift" build -c release --product "$1" --sanitize=fuzzer --sanitize=address -Xswiftc -parse-as-library \
        -Xswiftc -sanitize-coverage=$coverage -Xcc -fsanitize-coverage=$coverage --build-path "$out" 2>&1 |
        grep -E 'error|warning: |Build of' | grep -v 'ld.gold: warning' || true
}

# Edges instrumented in a binary (the size of its __sancov_cntrs section).
edges() {
    objdump -h "$1" 2>/dev/null | awk '$2 == "__sancov_cntrs" { print $3 }' | { read -r hex && echo $((16#$hex)) || echo 0; }
}

python3 Fuzz/seed.py "$out/seeds" || exit 1
for target in "${targets[@]}"; do
    echo "== building $target"
    build "$target"
    [ -x "$out/release/$target" ] || { echo "fuzz: $target did not build"; exit 1; }
    if [ "$(edges "$out/release/$target")" -lt 5000 ]; then
        echo "fuzz: $target has $(edges "$out/release/$target") instrumented edges; rebuilding $out from scratch"
        rm -rf "$out/x86_64-unknown-linux-gnu" "$out/release" "$out/build.db"
        build "$target"
        [ "$(edges "$out/release/$target")" -ge 5000 ] || { echo "fuzz: $target is not instrumented for coverage"; exit 1; }
    fi
done

# The Swift runtime's backtracer and ASan fight over a crashing process; libFuzzer reports.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

mkdir -p "$out/crashes" "$out/logs"
failed=()
for target in "${targets[@]}"; do
    case $target in
        FuzzCSV) dict=csv ;;
        FuzzNDJSON | FuzzMapping | FuzzFieldPath) dict=json ;;
        *) dict=http ;;
    esac
    corpus=("$out/corpus/$target" "$out/seeds/$target")
    [ -d "Fixtures/bad/$target" ] && corpus+=("Fixtures/bad/$target")
    mkdir -p "$out/corpus/$target"
    log="$out/logs/$target.log"
    "$out/release/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$target-" -dict="Fuzz/dict/$dict.dict" "${corpus[@]}" >"$log" 2>&1
    status=$?
    runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo '?')
    units=$(find "$out/corpus/$target" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        printf '%-16s ok     %10s runs in %ss, coverage %s of %s edges, corpus %s\n' "$target" "$runs" "$seconds" "$cov" \
            "$(edges "$out/release/$target")" "$units"
    else
        failed+=("$target")
        printf '%-16s FAILED after %s runs (exit %s); log: %s\n' "$target" "$runs" "$status" "$log"
        grep -E 'Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo
    echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
    echo "Keep each crash as a regression test: copy $out/crashes/<Target>-crash-… to Fixtures/bad/<Target>/ (shrink it"
    echo "first: $out/release/<Target> -minimize_crash=1 -runs=100000 FILE), fix it, then: swift test --filter FuzzRegression"
    exit 1
fi
