#!/usr/bin/env bash
# Install the Debian packages Plaint needs, skipping those already installed.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(
  python3-venv   # the virtual environment
  postgresql     # the PostgreSQL half of the test suite (and production, if you like)
  libpango-1.0-0 libpangoft2-1.0-0  # WeasyPrint (letters as PDF)
  libharfbuzz-subset0               # WeasyPrint's fast font subsetting (about 7x faster)
  fonts-dejavu-core                 # a font with the characters letters need (£, €, “”)
  poppler-utils                     # pdftoppm/pdftotext: tests look inside the PDFs
  chromium                          # browser tests (driven by Playwright; never 'playwright install')
  dovecot-imapd                     # the IMAP server the inbound mail tests start on loopback
  pgbouncer                         # the pooler the PgBouncer tests start on loopback (transaction mode)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# python3-venv may be provided by a non-Debian Python (pyenv); then venv already works.
if [[ " ${missing[*]} " == *" python3-venv "* ]] && python3 -c "import venv, ensurepip" 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=(${missing[@]+"${missing[@]}"})
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Plaint needs these packages, and this is not a Debian-like system: ${missing[*]}" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
