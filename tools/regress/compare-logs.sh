#!/bin/sh
# Compares two snapshots written by snapshot-logs.sh; exits 1 and shows the
# first differences if any log (or exit status) differs.
#   tools/regress/compare-logs.sh BEFORE AFTER
set -eu
if diff -r "$1" "$2" >/tmp/compare-logs.$$ 2>&1; then
    echo "compare: identical ($(find "$1" -name '*.log' | wc -l) logs)"
    rm -f /tmp/compare-logs.$$
else
    echo "compare: DIFFERENT ($(grep -c '^diff\|^Only' /tmp/compare-logs.$$) files)"
    head -n 80 /tmp/compare-logs.$$
    rm -f /tmp/compare-logs.$$
    exit 1
fi
