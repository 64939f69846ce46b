#!/bin/sh
# Makes ls-small.lackey: a real Valgrind lackey trace of `ls /`, cut to a few thousand lines so that it can live
# in the repository: Valgrind's header, the first 5,000 access lines (the dynamic loader starting ls), and
# Valgrind's closing summary. Needs valgrind; the output depends on the machine and the ls binary. A cut trace has
# no cachegrind counterpart: the trace compared with cachegrind is a whole run, see make-cachegrind-trace.sh.
set -e
full=$(mktemp)
valgrind --tool=lackey --trace-mem=yes --log-file="$full" ls / > /dev/null
{
  sed -n '1,5006p' "$full"
  from=$(grep -n 'Counted .* calls to main' "$full" | cut -d: -f1)
  sed -n "$((from - 1)),\$p" "$full"
} > ls-small.lackey
rm -f "$full"
wc -l ls-small.lackey
