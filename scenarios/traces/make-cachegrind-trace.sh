#!/bin/sh
# Makes true.lackey, true.cachegrind.log and true.cachegrind.out: one complete execution of /bin/true (the dynamic
# loader starting a program, then its exit: 133 k instructions) traced by Valgrind's lackey and simulated by
# Valgrind's cachegrind, the reference the model's caches are compared with (tests/Actors.Hardware.Tests/Caches/
# CachegrindComparisonTests.cs). Both runs are the same execution: ASLR off (setarch -R) so that both tools see the
# same addresses, and the whole run (cachegrind cannot stop early, so the trace is not cut like ls-small.lackey).
# Cachegrind's geometry is the model's configured one (config/akka.hocon machine.l1 and machine.l2); the test
# checks the desc: lines of true.cachegrind.out against it. Of cachegrind.out only the header and the summary are
# kept (the per-function lines are not used). Needs valgrind (3.19 made the committed files) and setarch.
set -e
cd "$(dirname "$0")"
program=${1:-/bin/true}
setarch -R valgrind --tool=lackey --trace-mem=yes --log-file=true.lackey "$program"
setarch -R valgrind --tool=cachegrind --cache-sim=yes \
  --I1=32768,2,64 --D1=32768,2,64 --LL=1048576,2,128 \
  --cachegrind-out-file=true.cachegrind.full --log-file=true.cachegrind.log "$program"
grep -E '^(desc|cmd|events|summary):' true.cachegrind.full > true.cachegrind.out
rm -f true.cachegrind.full
grep -c '^I' true.lackey
grep 'I   refs' true.cachegrind.log
