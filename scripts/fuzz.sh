#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short budget beyond its seed
# corpus (the seeds already run as normal tests under `go test ./...`).
#   scripts/fuzz.sh              # 10s per target
#   FUZZTIME=1m scripts/fuzz.sh  # longer
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${FUZZTIME:-10s}
found=0
while IFS= read -r file; do
  dir=$(dirname "$file")
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    found=$((found+1))
    echo "-- fuzz ./$dir $target ($budget)"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$budget" "./$dir"
  done
done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | sort)
echo "fuzzed $found targets"
