#!/usr/bin/env bash
# End-to-end rollup benchmark (README, 性能 / Performance).
#
# For each corpus size (default 1,000 and 10,000 generated workbooks, seed 1, 20% with
# planted errors, 0.5% broken) and 1 and 2 threads, runs three passes under
# /usr/bin/time -v and prints a Markdown table of wall time, CPU time and peak RSS:
#   floor   calamine opening each workbook and reading every cell of every sheet
#   read    jixiao's reader and validator on every file, nothing written
#   rollup  jixiao rollup with every output (-o, --indicators, --findings, --xlsx)
# Then check and fix on the 10-project sample (median of 21 runs).
#
# Usage: scripts/bench-rollup.sh [SIZE...]      e.g. scripts/bench-rollup.sh 1000
# Env:   BENCH_DIR (default /tmp/jixiao-bench; corpora are kept there and reused), SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
B=$PWD/target/release/jixiao
DIR=${BENCH_DIR:-/tmp/jixiao-bench}
SEED=${SEED:-1}
SIZES=${*:-1000 10000}
mkdir -p "$DIR"

secs() { # m:ss.ss or h:mm:ss → seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}

# run LABEL FLOOR_SECS COMMAND...: one table row; prints the wall seconds to fd 3.
run() {
  local label=$1 floor=$2; shift 2
  /usr/bin/time -v -o "$DIR/time.txt" "$@" >/dev/null 2>"$DIR/stderr.txt" || true
  local wall user sys rss
  wall=$(secs "$(grep 'Elapsed (wall clock)' "$DIR/time.txt" | awk '{print $NF}')")
  user=$(grep 'User time' "$DIR/time.txt" | awk '{print $NF}')
  sys=$(grep 'System time' "$DIR/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$DIR/time.txt" | awk '{print $NF}')
  local ratio="1.00"
  [ "$floor" != "-" ] && ratio=$(awk -v a="$wall" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
  printf '| %s | %s | %s | %.2f | %.2f | %.1f | %s× |\n' \
    "$N" "$J" "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$ratio"
  echo "$wall" >&3
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| files | threads | pass | wall s | CPU s | peak RSS MiB | wall vs floor |"
echo "| ---: | ---: | --- | ---: | ---: | ---: | ---: |"
for N in $SIZES; do
  C="$DIR/corpus-$N-seed$SEED"
  if [ ! -f "$C/.done" ]; then
    rm -rf "$C"
    start=$(date +%s.%N)
    "$B" gen-corpus "$C" --files "$N" --seed "$SEED" --error-share 0.2 --broken $((N / 200)) 2>/dev/null
    touch "$C/.done"
    echo "(generated $N workbooks in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s, $(du -sh "$C" | cut -f1))" >&2
  fi
  "$B" bench-floor "$C" --jobs 2 2>/dev/null # warm the page cache
  for J in 1 2; do
    exec 4>&1
    floor=$( { run floor - "$B" bench-floor "$C" --jobs "$J" >&4; } 3>&1 )
    run read "$floor" "$B" bench-floor "$C" --jobs "$J" --read 3>/dev/null
    # Into an empty folder, as a district's run writes new files: replacing the last run's
    # outputs would add the freeing of their blocks (650 MB of indicators at 10,000 files)
    # to the rename that puts each new file in place.
    rm -rf "$DIR/out" && mkdir "$DIR/out" && sync
    run rollup "$floor" "$B" rollup "$C" -o "$DIR/out/p.csv" --indicators "$DIR/out/i.csv" \
      --findings "$DIR/out/f.csv" --xlsx "$DIR/out/s.xlsx" --jobs "$J" 3>/dev/null
    exec 4>&-
  done
done

median_ms() { # COMMAND...: median wall time of 21 runs, in ms
  local t=()
  for _ in $(seq 21); do
    local a b
    a=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    b=$(date +%s%N)
    t+=($(((b - a) / 1000)))
  done
  printf '%s\n' "${t[@]}" | sort -n | sed -n 11p | awk '{ printf "%.1f", $1 / 1000 }'
}
echo
echo "| command (10-project sample) | median wall ms |"
echo "| --- | ---: |"
echo "| jixiao check | $(median_ms "$B" check samples/songjiang-kcb-2024.xlsx) |"
echo "| jixiao fix | $(median_ms "$B" fix samples/songjiang-kcb-2024.xlsx -o "$DIR/fixed.xlsx" --force) |"
