#!/usr/bin/env bash
# Installs the Debian packages the tests need (on Debian 12 / Raspberry Pi OS), and nothing
# that is already there. Safe to run again. Needs root, or sudo.
set -euo pipefail

PACKAGES=(
  util-linux   # setpriv: runs check-config as an unprivileged user in the permission test
  python3      # pseudo-terminal pairs for the serial tests
  mosquitto-clients  # mosquitto_pub / mosquitto_sub: a second, independent MQTT client implementation
  mosquitto    # a real broker for the relay's interop and fault tests
  fiu-utils    # fiu-run / fiu-ctrl: ENOSPC and EIO injected into the gateway's system calls
  gcc          # builds the power-cut test's preload library (test/powercut/durable-images.c)
  systemd      # systemd-analyze verify on the service unit
  postgresql   # a real PostgreSQL for the hub's store and its kill test
  chromium     # a real browser for the care console's tests (driven by playwright-core)
  poppler-utils  # pdftotext: reads back the care-team report Chromium printed to PDF
  espeak-ng    # the speaker's voice: its tests synthesise the prompt's words into a WAV file
  debootstrap  # a fresh Debian 12 root for the install test (HEARTH_INSTALL_TEST=1)
  systemd-container  # systemd-nspawn: boots that root under systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (${PACKAGES[*]})"
  exit 0
fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "system packages: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
