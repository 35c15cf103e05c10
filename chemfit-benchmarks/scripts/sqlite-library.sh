#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md "SQLite's native library": `chemfit fit` of the argon
# example (no plots) and `chemfit report` of its folder, with sqlite-jdbc loading its native
# library its own way (a fresh copy in the temporary folder for every process, chosen here by
# setting org.sqlite.tmpdir, which ChemFit leaves alone) and with ChemFit's kept copy (the
# default), alternating in each round so that both see the same load. Prints the median and the
# range of the wall time of each, the ratio of the medians, the number of copies that killed
# processes left in the temporary folder (sqlite-jdbc lists them at every start), and the load.
#
#   chemfit-benchmarks/scripts/sqlite-library.sh [ROUNDS]
#
# ROUNDS defaults to 10. Both variants use $TMPDIR (default /tmp) as Java's temporary folder: an
# empty folder there shows a fresh machine. Run from the repository's root, with the jar built and
# its class-data archives recorded (run ./chemfit once first).
set -euo pipefail

rounds="${1:-10}"
tmp="${TMPDIR:-/tmp}"
out="$(mktemp -d)"
times="$out/times"
trap 'rm -rf "$out"' EXIT
names=("fit, sqlite-jdbc's own copy" "fit, kept copy" "report, sqlite-jdbc's own copy" "report, kept copy")
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do
    for v in 0 1; do
        opts="-Djava.io.tmpdir=$tmp"
        [[ $v == 0 ]] && opts="$opts -Dorg.sqlite.tmpdir=$tmp"
        rm -rf "$out/fit"
        start="$EPOCHREALTIME"
        CHEMFIT_JAVA_OPTS="$opts" ./chemfit fit examples/argon/fit.yaml --output "$out/fit" --progress none \
            --no-plots >/dev/null 2>&1
        end="$EPOCHREALTIME"
        echo "$v $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')" >>"$times"
        start="$EPOCHREALTIME"
        CHEMFIT_JAVA_OPTS="$opts" ./chemfit report "$out/fit" >/dev/null 2>&1
        end="$EPOCHREALTIME"
        echo "$((v + 2)) $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')" >>"$times"
    done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

median() {
    awk -v i="$1" '$1 == i { print $2 }' "$times" | sort -g |
        awk '{ v[NR] = $1 } END { printf "%.4f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
range() {
    awk -v i="$1" '$1 == i { print $2 }' "$times" | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f to %.3f", v[1], v[NR] }'
}
printf '%-34s %-12s %-18s %s\n' "command ($rounds rounds)" "wall median" "range" "kept / own"
for i in 0 1 2 3; do
    ratio=""
    if [[ $((i % 2)) == 1 ]]; then
        ratio="$(awk -v a="$(median "$i")" -v b="$(median $((i - 1)))" 'BEGIN { printf "%.2f", a / b }')"
    fi
    printf '%-34s %-12s %-18s %s\n' "${names[$i]}" "$(median "$i") s" "$(range "$i")" "$ratio"
done
shopt -s nullglob
left=("$tmp"/sqlite-*.so)
echo "copies of the library left in $tmp by processes that were killed: ${#left[@]}"
echo "load average (1, 5, 15 min): $load_before before, $load_after after"
