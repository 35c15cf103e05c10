#!/bin/sh
# Test program: reads x from x.txt and writes {"y": x / 10} to out.json, unless x is past 1.8:
# then it fails like a crashing simulation (exit 4, a message on stderr).
x=$(cat x.txt)
if awk -v x="$x" 'BEGIN { exit !(x > 1.8) }'; then
    echo "wall.sh: reading x.txt" >&2
    echo "wall.sh: x = $x is past the wall at 1.8" >&2
    exit 4
fi
awk -v x="$x" 'BEGIN { printf "{\"y\": %.17g}\n", x / 10 }' > out.json
