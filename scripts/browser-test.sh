#!/usr/bin/env bash
# The page of `jixiao serve` in a real browser (Debian's headless chromium, driven by
# scripts/browser-test.mjs over the DevTools pipe): upload the sample, see its four
# errors, download the corrected workbook and read it back with `jixiao check`; also
# the `check --html` report. Screenshots go to docs/serve-page.png and docs/html-report.png.
#
#   scripts/browser-test.sh            # port 18730, or PORT=… scripts/browser-test.sh
# Needs: chromium (apt-get install chromium), node >= 18. Traffic only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18730}"
SAMPLE=samples/songjiang-kcb-2024.xlsx
cargo build --quiet
JIXIAO="$PWD/target/debug/jixiao"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$JIXIAO" serve --no-open --port "$PORT" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break
  sleep 0.1
done

"$JIXIAO" check "$SAMPLE" --html "$WORK/report.html" >/dev/null || true
mkdir -p "$WORK/downloads"
node scripts/browser-test.mjs "http://127.0.0.1:$PORT/" "$SAMPLE" "$WORK/downloads" \
  "$WORK/report.html" docs

NAME="$(cat "$WORK/downloads/NAME")"
echo "== jixiao check on the download: $NAME"
set +e
"$JIXIAO" check "$WORK/downloads/$NAME" | tail -n 1
STATUS=${PIPESTATUS[0]}
set -e
# 0 or 1 (findings left for a person to fix) means it read back; 2 would be unreadable.
if [ "$STATUS" -ge 2 ]; then
  echo "FAIL: the downloaded workbook does not read back (exit $STATUS)"
  exit 1
fi
echo "browser test passed"
