#!/usr/bin/env bash
# Renders every workbook jixiao writes to PDF and PNG pages, to look at them as they print
# (a developer's tool, not part of `cargo test`: it needs LibreOffice).
#
#   scripts/render-outputs.sh [OUT_DIR]
#
# Builds the template, the corrected sample (`fix`, with one wrong total planted, with and
# without --clean), the workbook built from the sample's
# JSON (`build`) and a summary workbook (`rollup --xlsx`, of a folder holding the sample,
# a second unit and an unreadable file), converts each with LibreOffice to PDF and each PDF
# page to a PNG (60 dpi). OUT_DIR defaults to target/render; it is emptied first. Prints
# the pages per workbook.
#
# Needs: soffice, pdftoppm, and CJK fonts for the labels (Debian: apt-get install -y
# libreoffice-calc fonts-noto-cjk poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in soffice pdftoppm pdfinfo; do
    if ! command -v "$tool" >/dev/null; then
        echo "需要 $tool / needs $tool (apt-get install -y libreoffice-calc fonts-noto-cjk poppler-utils)" >&2
        exit 2
    fi
done

out=${1:-target/render}
rm -rf "$out"
mkdir -p "$out/xlsx" "$out/folder" "$out/png"
profile=$(mktemp -d /tmp/lo-profile-$$.XXXX)
trap 'rm -rf "$profile"' EXIT

cargo build --quiet
bin=target/debug/jixiao
sample=samples/songjiang-kcb-2024.xlsx

"$bin" template -o "$out/xlsx/template.xlsx" --year 2025 --unit 某某单位
# The sample with project 1's 项目资金总额 typed wrong, so that fix changes (and marks) a
# cell besides listing the seed's own findings; exit 1: the sample keeps its errors.
sed '0,/"total": "1000000.00"/s//"total": "1234.00"/' samples/songjiang-kcb-2024.json >"$out/wrong.json"
"$bin" build "$out/wrong.json" -o "$out/wrong.xlsx"
"$bin" fix "$out/wrong.xlsx" -o "$out/xlsx/fixed.xlsx" || true
"$bin" fix "$out/wrong.xlsx" -o "$out/xlsx/fixed-clean.xlsx" --clean || true
"$bin" build samples/songjiang-kcb-2024.json -o "$out/xlsx/built.xlsx"
cp "$sample" "$out/folder/松江区科创办.xlsx"
"$bin" template -o "$out/folder/某某单位.xlsx" --projects 2 --year 2024 --unit 某某单位
printf 'not a workbook' >"$out/folder/损坏的文件.xlsx"
"$bin" rollup "$out/folder" -o "$out/xlsx/rollup.csv" --xlsx "$out/xlsx/summary.xlsx" || true

for x in "$out"/xlsx/*.xlsx; do
    soffice "-env:UserInstallation=file://$profile" --headless --convert-to pdf \
        --outdir "$out/pdf" "$x" >/dev/null 2>&1
done
for pdf in "$out"/pdf/*.pdf; do
    name=$(basename "$pdf" .pdf)
    pdftoppm -png -r 60 "$pdf" "$out/png/$name"
    echo "$name: $(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}') 页 / pages"
done
echo "PNG: $out/png"
