#!/usr/bin/env bash
# Checks what jixiao writes against LibreOffice Calc (a developer's tool, not part of CI).
#
#   scripts/check-with-libreoffice.sh [FILE.xlsx ...]
#       Recalculation check. LibreOffice, with a private profile whose OOXMLRecalcMode is 0
#       (always recalculate on load), converts each workbook to CSV (every sheet, UTF-8, raw
#       values); every formula cell's recalculated value must equal the result jixiao cached
#       in the xlsx. Before that it proves recalculation is on: a copy of the first workbook
#       with a wrong cached result must come back corrected. Defaults to the sample and the
#       template. Exit 0 when all are equal, 1 on a mismatch (each printed as sheet, cell,
#       cached value, LibreOffice's value), 2 when LibreOffice or python3 is missing.
#
#   scripts/check-with-libreoffice.sh --fixtures
#       Regenerates tests/fixtures/songjiang-kcb-2024.{xls,ods,lo.xlsx} from the sample
#       workbook (see tests/fixtures/README.md).
#
# Needs: soffice (Debian: apt-get install -y --no-install-recommends libreoffice-calc), python3.
# For looking at PDFs (soffice --convert-to pdf) also install fonts-noto-cjk and
# fonts-crosextra-carlito: without Carlito (metric-compatible with the workbook's default
# Calibri) column widths come out about a third wider than in Excel/WPS and hide wrapping
# problems.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in soffice python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "需要 $tool / needs $tool (apt-get install -y --no-install-recommends libreoffice-calc python3)" >&2
        exit 2
    fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CSV='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
SAMPLE=samples/songjiang-kcb-2024.xlsx

lo() { # lo PROFILE_DIR ARGS...: headless soffice with its own profile, quiet unless it fails
    local profile=$1
    shift
    local log="$work/soffice.log"
    if ! soffice "-env:UserInstallation=file://$profile" --headless "$@" >"$log" 2>&1; then
        cat "$log" >&2
        return 1
    fi
}

soffice --version

if [[ "${1:-}" == "--fixtures" ]]; then
    mkdir -p "$work/plain"
    for fmt in xls ods xlsx; do
        lo "$work/plain" --convert-to "$fmt" --outdir "$work/fx" "$SAMPLE"
    done
    cp "$work/fx/songjiang-kcb-2024.xls" tests/fixtures/songjiang-kcb-2024.xls
    cp "$work/fx/songjiang-kcb-2024.ods" tests/fixtures/songjiang-kcb-2024.ods
    cp "$work/fx/songjiang-kcb-2024.xlsx" tests/fixtures/songjiang-kcb-2024.lo.xlsx
    ls -l tests/fixtures/
    exit 0
fi

if [[ $# -eq 0 ]]; then
    set -- "$SAMPLE" templates/jixiao-template.xlsx
fi

# A private profile that recalculates every formula of an xlsx on load.
profile="$work/recalc-profile"
mkdir -p "$profile/user"
cat >"$profile/user/registrymodifications.xcu" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
EOF

cat >"$work/compare.py" <<'EOF'
"""compare.py XLSX CSV_DIR [--expect-fixed SHEET!CELL]: formula cells' cached results vs LibreOffice's CSV."""
import csv, os, posixpath, re, sys, zipfile
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}

def sheets(z):
    """(name, path of the sheet xml) in workbook order."""
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", NS)}
    for s in wb.find("m:sheets", NS):
        t = target[s.get("{%s}id" % NS["r"])]
        yield s.get("name"), (t.lstrip("/") if t.startswith("/") else posixpath.join("xl", t))

def shared_strings(z):
    try:
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
    except KeyError:
        return []
    return ["".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])) for si in root.findall("m:si", NS)]

def formula_cells(z, path, sst):
    """(ref, formula, cached result as text) of every formula cell."""
    root = ET.fromstring(z.read(path))
    for c in root.iter("{%s}c" % NS["m"]):
        f = c.find("m:f", NS)
        if f is None:
            continue
        v = c.find("m:v", NS)
        value = v.text if v is not None and v.text is not None else ""
        if c.get("t") == "s" and value:
            value = sst[int(value)]
        yield c.get("r"), f.text or "", value

def rc(ref):
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1

def same(a, b):
    if a == b:
        return True
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False

def main():
    xlsx, csv_dir = sys.argv[1], sys.argv[2]
    expect_fixed = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--expect-fixed" else None
    base = os.path.splitext(os.path.basename(xlsx))[0]
    z = zipfile.ZipFile(xlsx)
    sst = shared_strings(z)
    checked, bad = 0, []
    for name, path in sheets(z):
        cells = list(formula_cells(z, path, sst))
        if not cells:
            continue
        with open(os.path.join(csv_dir, f"{base}-{name}.csv"), encoding="utf-8", newline="") as fh:
            grid = list(csv.reader(fh))
        for ref, formula, cached in cells:
            r, c = rc(ref)
            got = grid[r][c] if r < len(grid) and c < len(grid[r]) else ""
            checked += 1
            if not same(cached, got):
                bad.append((name, ref, formula, cached, got))
    if expect_fixed:
        # The tampered copy: exactly the tampered cell must differ from its (wrong) cache.
        ok = [f"{n}!{r}" for n, r, *_ in bad] == [expect_fixed]
        print(("recalculation is on: " if ok else "RECALCULATION NOT PROVEN: ")
              + "; ".join(f"{n}!{r} cached {cv!r}, LibreOffice {lv!r}" for n, r, _, cv, lv in bad))
        return 0 if ok else 1
    for name, ref, formula, cached, got in bad:
        print(f"MISMATCH {xlsx} 「{name}」!{ref} ={formula}: cached {cached!r}, LibreOffice {got!r}")
    print(f"{xlsx}: {checked} formula cells, {checked - len(bad)} equal, {len(bad)} different")
    return 1 if bad or checked == 0 else 0

sys.exit(main())
EOF

# 1. Prove the profile recalculates: spoil one cached result in a copy of the first workbook.
first=$1
tamper="$work/tamper"
mkdir -p "$tamper/x"
(cd "$tamper/x" && python3 - "$OLDPWD/$first" <<'EOF'
import re, sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile("../tampered.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
    done = False
    for info in src.infolist():
        data = src.read(info.filename)
        if not done and info.filename.startswith("xl/worksheets/sheet"):
            text = data.decode("utf-8")
            # The first numeric formula cell: give it a cached result no formula here yields.
            m = re.search(r'<c r="([A-Z]+\d+)"(?: s="\d+")?><f>[^<]*</f><v>([^<]*)</v>', text)
            if m:
                text = text[:m.start(2)] + "987654.321" + text[m.end(2):]
                data = text.encode("utf-8")
                done = True
                print(info.filename, m.group(1), file=open("../which", "w"))
        out.writestr(info, data)
EOF
)
read -r tampered_part tampered_cell <"$tamper/which"
tampered_sheet=$(python3 - "$first" "$tampered_part" <<'EOF'
import sys, zipfile, posixpath, xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1])
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("p:Relationship", ns)}
for s in ET.fromstring(z.read("xl/workbook.xml")).find("m:sheets", ns):
    t = rels[s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")]
    if posixpath.join("xl", t) == sys.argv[2] or t.lstrip("/") == sys.argv[2]:
        print(s.get("name"))
EOF
)
lo "$profile" --convert-to "$CSV" --outdir "$tamper/csv" "$tamper/tampered.xlsx"
python3 "$work/compare.py" "$tamper/tampered.xlsx" "$tamper/csv" --expect-fixed "$tampered_sheet!$tampered_cell"

# 2. Every formula cell of each workbook.
status=0
for f in "$@"; do
    out="$work/csv/$(basename "$f" .xlsx)"
    lo "$profile" --convert-to "$CSV" --outdir "$out" "$f"
    python3 "$work/compare.py" "$f" "$out" || status=1
done
exit $status
