#!/usr/bin/env bash
# The speed targets of issue 17, each measured the way the issue states it, on this machine. Run it on a quiet
# machine (nothing else busy): every figure is a wall time. Usage: bench/speed.sh [REPEAT=5] [--baseline]
#   --baseline also runs the BenchmarkDotNet PHOLD baseline (a plain C# PriorityQueue loop), about 5 more minutes.
# Each line ends with the layout's median over REPEAT interleaved runs and its ratio to the first layout; every
# layout of one command must print "same digest".
set -euo pipefail
cd "$(dirname "$0")/.."
repeat=${1:-5}
baseline=${2:-}
dotnet build src/Actors.Host -c Release -v q -nologo >/dev/null
disco=src/Actors.Host/bin/Release/net10.0/disco
out=$(mktemp -d /tmp/disco-speed.XXXXXX)

echo "== scaling-pmake-8vm --end 300ms: the default layout (auto) on 2 threads against the sequential kernel (target 1.3x)"
$disco bench guest scenarios/scaling-pmake-8vm.hocon --end 300ms --engine sequential,actors --threads 2 \
  --repeat "$repeat" --out "$out/pmake8" | grep -E "^  (sequential|actors)"

echo "== PHOLD N=1024 L=0.1 END 300: 2 partitions (target 1.6x) and one actor per LP (target 0.35x)"
$disco bench phold --lps 1024 --end 300 --engine sequential,actors --partitions 2,0 --threads 2 \
  --repeat "$repeat" --out "$out/phold1k" | grep -E "^  (sequential|actors)|engine messages per event" | sort -u

echo "== PHOLD N=16384 END 20: sequential and 2 partitions"
$disco bench phold --lps 16384 --end 20 --engine sequential,actors --partitions 2 --threads 2 \
  --repeat "$repeat" --out "$out/phold16k" | grep -E "^  (sequential|actors)"

echo "== uniprocessor pmake, bare, --end 1s, sequential: simulated instructions per wall second (target 2x the issue's)"
$disco bench guest scenarios/pmake.hocon --end 1s --engine sequential --repeat "$repeat" --out "$out/pmake1" \
  | grep -E "instructions per wall second|^  sequential"

if [ "$baseline" = "--baseline" ]; then
  echo "== BenchmarkDotNet: the sequential kernel against a plain PriorityQueue PHOLD loop (target 0.85x at N=1024 and 16384)"
  dotnet run -c Release --project bench/Actors.Benchmarks -- --filter '*PholdBaseline*' --inProcess --job short \
    | grep -E "^\|" || true
fi
rm -rf "$out"
