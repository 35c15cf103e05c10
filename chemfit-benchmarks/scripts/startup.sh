#!/usr/bin/env bash
# The start-up benchmark of docs/benchmarks.md ("Start-up"): `chemfit eval examples/argon/fit.yaml`
# beside the plain numpy script doing the same evaluation (argon_eval.py), run one after the other
# in each round, so that both see the same load; prints the median and the range of the wall time
# and of the CPU time (user + system) of each, and the load average before and after.
#
#   chemfit-benchmarks/scripts/startup.sh [ROUNDS] [LAUNCHER...]
#
# ROUNDS defaults to 15. LAUNCHER is ./chemfit by default; give several (another checkout's
# launcher, say) to compare them in the same rounds. Run from the repository's root, with the jar
# built and its class-data archives recorded (run ./chemfit once first).
set -euo pipefail

rounds="${1:-15}"
shift || true
launchers=("$@")
[[ ${#launchers[@]} -gt 0 ]] || launchers=(./chemfit)
names=(numpy "${launchers[@]}")
cmds=("python3 chemfit-benchmarks/scripts/argon_eval.py examples/argon/data/ar2-energies.csv")
for l in "${launchers[@]}"; do
    cmds+=("$l eval examples/argon/fit.yaml")
done

times="$(mktemp)"
trap 'rm -f "$times" "$times.one"' EXIT
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$rounds"); do
    for i in "${!cmds[@]}"; do
        # wall time from bash's clock (microseconds); CPU time from /usr/bin/time (centiseconds)
        start="$EPOCHREALTIME"
        # shellcheck disable=SC2086
        /usr/bin/time -o "$times.one" -f "%U %S" ${cmds[$i]} >/dev/null 2>&1
        end="$EPOCHREALTIME"
        echo "$i $(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }') $(cat "$times.one")" >>"$times"
    done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# median (range) of column $2 (1 wall, 2 cpu) for command $1
stat() {
    awk -v i="$1" -v c="$2" '$1 == i { print (c == 1 ? $2 : $3 + $4) }' "$times" | sort -g |
        awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
              printf "%.3f s (%.3f to %.3f)", m, v[1], v[NR] }'
}
printf '%-40s %-30s %s\n' "command ($rounds rounds)" "wall, median (range)" "cpu, median (range)"
for i in "${!names[@]}"; do
    printf '%-40s %-30s %s\n' "${names[$i]}" "$(stat "$i" 1)" "$(stat "$i" 2)"
done
echo "load average (1, 5, 15 min): $load_before before, $load_after after"
