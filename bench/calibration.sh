#!/usr/bin/env bash
# The bare IRIX-like baseline next to its published targets (issue 15): runs experiments/calibration.hocon and
# prints its calibration table. Usage: bench/calibration.sh [small|full] [OUT]   (default: small, /tmp/disco-calibration)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-small}
out=${2:-/tmp/disco-calibration-$scale}
dotnet build src/Actors.Host -c Release -v q -nologo >/dev/null
dotnet run --project src/Actors.Host -c Release --no-build -- experiment calibration --scale "$scale" --out "$out"
sed -n '/## Calibration of the bare baseline/,/^## Runs/p' "$out/REPORT.md" | sed '$d'
