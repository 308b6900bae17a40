#!/usr/bin/env bash
# Install Debian's Chromium for the viewer's browser tests (tests/viewer/test_browser.py,
# driven by the playwright package with executable_path=/usr/bin/chromium; Playwright's
# own browser download does not work here). Idempotent: an installed Chromium is kept.
# Prints the browser's version.
set -euo pipefail
if ! [ -x /usr/bin/chromium ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# --version runs a shell wrapper that may print noise on stderr: keep only stdout
/usr/bin/chromium --version 2>/dev/null
