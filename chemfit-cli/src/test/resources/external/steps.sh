#!/bin/sh
# Test program for a term of two commands, run as `sh steps.sh first`, then `sh steps.sh second`.
#   first   records its step in order.log and its pid in $LOG_DIR/first-runs; fails unless
#           shared.dat is a symbolic link; while no more than HANG_RUNS runs have started, hangs
#           as a stuck simulation would (a timeout must kill it)
#   second  fails unless order.log says "first" ran before it; then leaves a background writer
#           that puts {"y": (x - offset)^2} into out.json half a second after this command ended,
#           x from x.txt, offset read through the link shared.dat
step="$1"
echo "$step" >> order.log
case "$step" in
first)
    echo "$$" >> "$LOG_DIR/first-runs"
    [ -L shared.dat ] || { echo "steps.sh: shared.dat is not a symbolic link" >&2; exit 4; }
    if [ "$(wc -l < "$LOG_DIR/first-runs")" -le "${HANG_RUNS:-0}" ]; then sleep 60; fi
    ;;
second)
    [ "$(tr '\n' ' ' < order.log)" = "first second " ] || { echo "steps.sh: steps ran out of order" >&2; exit 5; }
    x=$(cat x.txt)
    o=$(cat shared.dat)
    (sleep 0.5; awk -v x="$x" -v o="$o" 'BEGIN { printf "{\"y\": %.17g}\n", (x - o) * (x - o) }' > out.tmp && mv out.tmp out.json) \
        < /dev/null > /dev/null 2>&1 &
    ;;
*)
    echo "steps.sh: unknown step '$step'" >&2; exit 2
    ;;
esac
