#!/bin/bash
# A small stand-in for a simulation program, for the failure modes of external terms.
# Usage: bash fakeprog.sh MODE   (run in the run directory; reads in.txt when it needs input)
mode="$1"
case "$mode" in
  ok)      # result = 2 * x, where in.txt holds a line "x = VALUE"
           awk '$1 == "x" { printf "result = %.17g\n", 2 * $3 }' in.txt > out.txt
           echo "done" ;;
  echo)    # copies in.txt to out.txt, unchanged
           cp in.txt out.txt ;;
  fail)    echo "reading input" ; echo "ERROR: boom, the input is bad" >&2 ; exit 1 ;;
  hang)    echo $$ > parent.pid ; sleep 1000 & echo $! > child.pid ; wait ;;
  forkterm) # a child that ignores SIGTERM, then the parent waits for ever
           echo $$ > parent.pid
           ( trap '' TERM; exec sleep 1000 ) &
           echo $! > child.pid
           wait ;;
  wrapper|wrapperterm) # a wrapper script: its program runs in the foreground and has a child of its own,
           # which ignores SIGTERM in wrapperterm
           echo $$ > parent.pid
           ignore=""; if [ "$mode" = wrapperterm ]; then ignore="trap '' TERM;"; fi
           sh -c "echo \$\$ > child.pid; ( $ignore exec sleep 1000 ) & echo \$! > grandchild.pid; exec sleep 1000"
           echo "not reached" ;;
  leak)    # writes its result and exits, leaving a background job running
           sleep 1000 & echo $! > child.pid
           awk '$1 == "x" { printf "result = %.17g\n", 2 * $3 }' in.txt > out.txt
           sleep 0.3 ;;  # the background job is past its exec when the command ends
  leakfail) # fails, leaving a background job that ignores SIGTERM
           ( trap '' TERM; exec sleep 1000 ) & echo $! > child.pid
           sleep 0.3  # the background job is past its exec when the command ends
           echo "ERROR: gave up" >&2 ; exit 1 ;;
  setsid)  # writes its result and exits, leaving a daemon that started a session of its own (in a
           # script the background job leads no process group, so setsid executes sleep in its process)
           setsid sleep 1005 & echo $! > daemon.pid
           awk '$1 == "x" { printf "result = %.17g\n", 2 * $3 }' in.txt > out.txt
           sleep 0.3 ;;  # the daemon is past its execs when the command ends
  daemon)  # a double fork: the grandchild, which ignores SIGTERM, is re-parented to init once the
           # subshell that started it has exited; then the script hangs
           echo $$ > parent.pid
           ( ( trap '' TERM; exec sleep 1000 ) & echo $! > grandchild.pid )
           sleep 1000 ;;
  garbage) echo "result = banana" > out.txt ;;
  nan)     echo "result = nan" > out.txt ;;
  nooutput) echo "nothing written" ;;
  env)     echo "result = ${CHEMFIT_VALUE}" > out.txt ;;
  selfkill) # killed by SIGKILL on the first call, succeeds on the next (the counter lives outside the run directory)
           n=$(cat "$COUNTER" 2>/dev/null || echo 0); echo $((n + 1)) > "$COUNTER"
           if [ "$n" -lt 1 ]; then kill -KILL $$; fi
           echo "result = 7" > out.txt ;;
  late)    # returns at once; a background job writes the result a moment later
           ( sleep 0.3; echo "result = 5" > late.tmp; mv late.tmp late.txt ) > /dev/null 2>&1 &
           ;;
  lateempty) # returns at once; a background job creates the result file empty, and writes it later
           ( : > late.txt; sleep 0.5; echo "result = 6" >> late.txt ) > /dev/null 2>&1 &
           sleep 0.1 ;;
  *)       echo "unknown mode $mode" >&2 ; exit 2 ;;
esac
