#!/bin/sh
# Test program: reads x from x.txt (rendered from a template) and writes {"y": (x - 2)^2} to out.json.
#   FAIL=text        fail like a crashing simulation (exit 3, the text on stderr)
#   SLEEP=seconds    sleep that long first
#   LOG_DIR=folder   record this run's pid (pid-PID), its TMPDIR (tmpdir-PID) and, when it
#                    finishes, its start and end in nanoseconds (run-PID)
#   HANG_AFTER=n     once n runs have finished, start a child that sleeps for minutes (its pid in
#                    child-PID) and sleep for minutes too, as a long simulation would
#   IGNORE_TERM=1    ignore SIGTERM (and so do the children it starts), as a program that
#                    flushes its files for a long time would: only SIGKILL after the kill grace ends it
#   HOLD=file        with LOG_DIR: once 3 runs have finished, wait until the file exists, so that a
#                    fit stays running until a test lets it go on
#   RENDEZVOUS=folder with TERM_NAME and PEERS=n: write started-TERM_NAME-K there (K: this term's
#                    K-th run), then wait until n runs have written their K-th file; after 60 s
#                    without them, fail (exit 4): runs of the terms made one after another never meet
start=$(date +%s%N)
if [ -n "$IGNORE_TERM" ]; then trap '' TERM; fi
if [ -n "$LOG_DIR" ]; then echo "$$" > "$LOG_DIR/pid-$$"; echo "${TMPDIR:-unset}" > "$LOG_DIR/tmpdir-$$"; fi
if [ -n "$HANG_AFTER" ] && [ "$(ls "$LOG_DIR" | grep -c '^run-')" -ge "$HANG_AFTER" ]; then
    sleep 300 &
    echo "$!" > "$LOG_DIR/child-$!"
    sleep 300
fi
if [ -n "$RENDEZVOUS" ]; then
    k=$(( $(ls "$RENDEZVOUS" | grep -c "^started-$TERM_NAME-") + 1 ))
    touch "$RENDEZVOUS/started-$TERM_NAME-$k"
    waited=0
    while [ "$(ls "$RENDEZVOUS" | grep -c -- "-$k\$")" -lt "$PEERS" ]; do
        if [ "$waited" -ge 600 ]; then echo "quad.sh: run $k of $TERM_NAME met no other run in 60 s" >&2; exit 4; fi
        sleep 0.1
        waited=$((waited + 1))
    done
fi
if [ -n "$HOLD" ] && [ "$(ls "$LOG_DIR" | grep -c '^run-')" -ge 3 ]; then
    while [ ! -f "$HOLD" ]; do sleep 0.05; done
fi
if [ -n "$SLEEP" ]; then sleep "$SLEEP"; fi
if [ -n "$FAIL" ]; then echo "quad.sh: simulated failure: $FAIL" >&2; exit 3; fi
x=$(cat x.txt)
awk -v x="$x" 'BEGIN { printf "{\"y\": %.17g}\n", (x - 2) * (x - 2) }' > out.json
if [ -n "$LOG_DIR" ]; then echo "$start $(date +%s%N)" > "$LOG_DIR/run-$$"; fi
