#!/usr/bin/env bash
# Instructions executed (valgrind callgrind, deterministic) by the rollup and by its
# floor on one small generated corpus (README, 性能 / Performance). Wall times on a shared
# 2-vCPU machine vary by ±20% from run to run; instruction counts repeat to within 0.1%,
# so they show what a change to the reader did.
#
# Usage: scripts/bench-instructions.sh [FILES] [SEED]     (default 30 workbooks, seed 3)
# Needs valgrind. Prints floor and rollup instruction counts and their ratio; the
# callgrind files are left in $BENCH_DIR (default /tmp/jixiao-bench) for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
B=$PWD/target/release/jixiao
DIR=${BENCH_DIR:-/tmp/jixiao-bench}
FILES=${1:-30}
SEED=${2:-3}
C="$DIR/ir-corpus-$FILES-seed$SEED"
mkdir -p "$DIR"
if [ ! -f "$C/.done" ]; then
  rm -rf "$C"
  "$B" gen-corpus "$C" --files "$FILES" --seed "$SEED" >/dev/null 2>&1
  touch "$C/.done"
fi
ir() { # NAME COMMAND...: total instructions
  local name=$1; shift
  # The rollup exits 2 on a corpus with broken files; only the count matters here.
  { valgrind --tool=callgrind --callgrind-out-file="$DIR/callgrind.$name.out" "$@" \
    2>&1 >/dev/null || true; } | awk '/Collected/ { print $4 }'
}
floor=$(ir floor "$B" bench-floor "$C" --jobs 1)
rollup=$(ir rollup "$B" rollup "$C" -o "$DIR/ir-rollup.csv" --force --jobs 1)
printf 'floor   %s instructions\nrollup  %s instructions\nratio   %s\n' "$floor" "$rollup" \
  "$(awk -v a="$rollup" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')"
