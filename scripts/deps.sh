#!/usr/bin/env bash
# Installs what Jiliang's commands need on a fresh Debian machine of this kind, only when missing.
#   scripts/deps.sh run    — libqrencode-dev (QR codes), libcjson-dev (a gateway's NDJSON lines), libxml2-dev + zlib1g-dev (reading XLSX uploads), libxlsxwriter-dev (XLSX reports), libcairo2-dev + libpango1.0-dev + fonts-noto-cjk
#                            (PDF label sheets with Chinese text); SQLite is bundled by sqlite-nio
#   scripts/deps.sh test   — PostgreSQL server (with Patroni, etcd and HAProxy for the failover test), headless Chromium and its driver, poppler-utils (the
#                            tests read PDFs back), zbar-tools (the browser test scans a printed QR code), Python test tools (openapi-spec-validator, selenium,
#                            axe-selenium-python (axe-core, the browser test's accessibility audit),
#                            schemathesis — pinned: scripts/schemathesis.sh depends on its checks and options; openpyxl for
#                            the browser test's workbook)
#   scripts/deps.sh bench  — sqlite3 CLI and PostgreSQL (baselines), wrk and nginx (the public lookup
#                            load test; Datasette comes from PyPI in scripts/bench-public.sh)
#   scripts/deps.sh screenshots — the test tools plus CJK fonts, so that Chromium draws the Chinese
set -euo pipefail
SCHEMATHESIS_VERSION=4.32.5  # scripts/schemathesis.sh checks for the same
want=()
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || want+=("$1"); }
app_pkgs() { need_pkg libqrencode-dev; need_pkg libxml2-dev; need_pkg zlib1g-dev; need_pkg libxlsxwriter-dev; need_pkg libcairo2-dev; need_pkg libpango1.0-dev; need_pkg fonts-noto-cjk; need_pkg libcjson-dev; }
case "${1:-run}" in
  run) app_pkgs ;;
  test) app_pkgs; need_pkg postgresql; need_pkg chromium; need_pkg chromium-driver; need_pkg curl; need_pkg nginx-light; need_pkg poppler-utils; need_pkg zbar-tools; need_pkg patroni; need_pkg etcd-server; need_pkg haproxy ;;
  bench) app_pkgs; need_pkg postgresql; need_pkg sqlite3; need_pkg wrk; need_pkg nginx-light; need_pkg curl; need_pkg influxdb ;;
  screenshots) app_pkgs; need_pkg chromium; need_pkg chromium-driver; need_pkg curl ;;
esac
if [ ${#want[@]} -gt 0 ]; then
  echo "installing Debian packages: ${want[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${want[@]}" >/dev/null
fi
if [ "${1:-run}" = test ] || [ "${1:-run}" = screenshots ]; then
  if ! python3 -c "import openapi_spec_validator" 2>/dev/null; then
    python3 -m pip install -q "openapi-spec-validator>=0.7"
  fi
  if ! python3 -c "import selenium" 2>/dev/null; then
    python3 -m pip install -q "selenium>=4.10"
  fi
  # The browser test audits every page with axe-core, which this package bundles (no network at test time).
  if ! python3 -c "import axe_selenium_python" 2>/dev/null; then
    python3 -m pip install -q "axe-selenium-python==2.1.6"
  fi
  # The browser test writes a bureau-shaped workbook (a merged title, dates as dates) with openpyxl.
  if ! python3 -c "import openpyxl" 2>/dev/null; then
    python3 -m pip install -q "openpyxl==3.1.5"
  fi
  if [ "${1:-run}" = test ] && ! python3 -c "import sys, schemathesis; sys.exit(schemathesis.__version__ != '$SCHEMATHESIS_VERSION')" 2>/dev/null; then
    python3 -m pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi
