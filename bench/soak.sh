#!/usr/bin/env bash
# Soak benchmark (not a test): long runs with frequent wall-clock checkpoints, watching for leaks and for checkpoints
# that grow slower. Runs PHOLD at N = 65,536 and an 8-node guest scenario side by side for MINUTES of wall time each,
# a checkpoint every CHECKPOINT of wall time, samples resident memory every SAMPLE seconds, then stops both with
# SIGTERM (which checkpoints and exits) and prints, per run: resident memory after warm-up (first WARMUP % of the
# samples dropped) as first/last/slope in MB per 10 minutes and growth in %, and the checkpoint store time per epoch
# as first/last/slope.
#   bench/soak.sh [MINUTES=30] [CHECKPOINT=5s] [SAMPLE=10] [WARMUP=20] [OUT=runs/soak]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
CHECKPOINT=${2:-5s}
SAMPLE=${3:-10}
WARMUP=${4:-20}
OUT=${5:-runs/soak}
dotnet build src/Actors.Host -c Release -v q -nologo >/dev/null
rm -rf "$OUT"
mkdir -p "$OUT"
# A copy of the binaries: a rebuild during the soak must not overwrite files the runs have mapped.
cp -r src/Actors.Host/bin/Release/net10.0 "$OUT/bin"
DISCO=$OUT/bin/disco

# Started from this shell (not in a $(...) subshell), so that `wait` below waits for them.
# PHOLD runs far past the soak; the guest's 8 pmakes get work for hours.
"$DISCO" run scenarios/phold.hocon --set phold.lps=65536 --set phold.end=100000000 --engine sequential \
  --out "$OUT/phold" --set "checkpoint.wall-every=$CHECKPOINT" >"$OUT/phold.out" 2>"$OUT/phold.err" &
PHOLD_PID=$!
"$DISCO" run scenarios/scaling-pmake-8vm.hocon --set workload.pmake.instructions=4000000000 --engine sequential \
  --out "$OUT/guest" --set "checkpoint.wall-every=$CHECKPOINT" >"$OUT/guest.out" 2>"$OUT/guest.err" &
GUEST_PID=$!
echo "soak: phold pid $PHOLD_PID, guest pid $GUEST_PID, $MINUTES min, checkpoint every $CHECKPOINT, sample every ${SAMPLE}s"

end=$(( $(date +%s) + MINUTES * 60 ))
: >"$OUT/phold.rss"; : >"$OUT/guest.rss"
while [ "$(date +%s)" -lt "$end" ]; do
  now=$(date +%s)
  for run in phold guest; do
    pid=$([ $run = phold ] && echo "$PHOLD_PID" || echo "$GUEST_PID")
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "")
    [ -n "$rss" ] && echo "$now $rss" >>"$OUT/$run.rss"
  done
  sleep "$SAMPLE"
done
kill -TERM "$PHOLD_PID" "$GUEST_PID" 2>/dev/null || true
wait "$PHOLD_PID" "$GUEST_PID" 2>/dev/null || true

# Least-squares line through column 2 against column 1 after dropping the first WARMUP % of the rows: its slope (x
# scaled by $2) and the growth of the fitted line over the window (first and last points alone swing with the GC).
fit() {
  awk -v warm="$WARMUP" -v scale="$2" '{ x[NR] = $1; y[NR] = $2 } END {
    s = int(NR * warm / 100) + 1; n = 0; sx = sy = sxx = sxy = 0
    for (i = s; i <= NR; i++) { n++; sx += x[i]; sy += y[i]; sxx += x[i] * x[i]; sxy += x[i] * y[i] }
    if (n < 2) { print "too few samples"; exit }
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    icept = (sy - slope * sx) / n; f0 = icept + slope * x[s]; f1 = icept + slope * x[NR]
    printf "first %.1f, last %.1f, fitted %.1f -> %.1f, slope %.3f per %s, fitted growth %.1f %%\n", y[s], y[NR], f0, f1, slope * scale, (scale == 600 ? "10 min" : "epoch"), 100 * (f1 - f0) / f0 }' "$1"
}
for run in phold guest; do
  echo "== $run: $(tail -n 3 "$OUT/$run.out" | head -n 1)"
  awk '{ print $1, $2 / 1024 }' "$OUT/$run.rss" >"$OUT/$run.rss-mb"
  echo "resident memory (MB, after ${WARMUP}% warm-up): $(fit "$OUT/$run.rss-mb" 600)"
  "$DISCO" checkpoints "$OUT/$run" | awk 'NR > 2 && $1 ~ /^[0-9]+$/ { print $1, $NF }' >"$OUT/$run.store"
  echo "checkpoint store seconds by epoch ($(wc -l <"$OUT/$run.store") epochs): $(fit "$OUT/$run.store" 1)"
done
