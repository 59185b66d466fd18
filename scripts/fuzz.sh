#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short budget beyond its seed
# corpus (the seeds already run as normal tests under `go test ./...`).
#   scripts/fuzz.sh                  # 20000 inputs per target
#   FUZZTIME=1m scripts/fuzz.sh      # longer, by the clock
# The budget is a count, not a duration: with -fuzztime=10s Go's coordinator
# can fail a target with "context deadline exceeded" and no crasher when the
# deadline lands while a worker is busy (a loaded 2-core CI box, or a worker
# minimising a new interesting input); a count has no deadline to race. The
# minimisation of interesting inputs is bounded by a count for the same reason.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZTIME:-20000x}
minimize=${FUZZMINIMIZETIME:-500x}
found=0
while IFS= read -r file; do
  dir=$(dirname "$file")
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    found=$((found+1))
    echo "-- fuzz ./$dir $target ($budget)"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$budget" -fuzzminimizetime="$minimize" "./$dir"
  done
done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | sort)
echo "fuzzed $found targets"
