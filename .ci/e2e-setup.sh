#!/usr/bin/env bash
# Set-up for `make e2e`: the browser is Debian's Chromium, from apt (Playwright never downloads one).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
echo "Browser: $(command -v chromium)"
