#!/usr/bin/env bash
# Installs Hearth as a systemd service on Debian 12 or Raspberry Pi OS (bookworm), arm64 or
# amd64. Run once, as root, from an unpacked copy of Hearth:
#
#   sudo gateway/deploy/install.sh [--config home.yaml]
#
# It copies the program to /opt/hearth, creates the system user `hearth` (in the groups dialout,
# bluetooth and audio), /etc/hearth for the provisioning file and /var/lib/hearth for the database,
# installs the production dependencies with npm ci, builds the program, installs and enables
# hearth.service, and starts it when a provisioning file that passes check-config is in place.
# Safe to run again (an upgrade is the same command from the new copy).
set -euo pipefail

PREFIX=/opt/hearth
CONF_DIR=/etc/hearth
STATE_DIR=/var/lib/hearth
UNIT=/etc/systemd/system/hearth.service
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CONFIG=""

die() { echo "install: $*" >&2; exit 1; }
say() { echo "install: $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --config) CONFIG=${2:?--config needs a file}; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"
command -v systemctl >/dev/null || die "systemd is needed"

# shellcheck disable=SC1091
. /etc/os-release
[ "${VERSION_ID:-}" = 12 ] || say "warning: tested on Debian 12 / Raspberry Pi OS bookworm; this is ${PRETTY_NAME:-unknown}"
arch=$(dpkg --print-architecture)
case "$arch" in
  arm64|amd64) ;;
  armhf) say "warning: 32-bit Raspberry Pi OS; better-sqlite3 will be built from source (slow)" ;;
  *) die "unsupported architecture $arch (arm64 or amd64)" ;;
esac

NODE=$(command -v node || true)
[ -n "$NODE" ] || die "Node.js 20 or later is needed: Debian 12's nodejs is 18; install Node 20 from NodeSource (https://github.com/nodesource/distributions), then run this again"
major=$("$NODE" -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || die "Node.js $("$NODE" -v) is too old: 20 or later is needed (NodeSource's nodejs package)"
command -v npm >/dev/null || die "npm is missing (it comes with NodeSource's nodejs package)"
# perl-base is Essential on Debian; the systemd notify sender is a Perl one-liner.
command -v perl >/dev/null || die "perl is missing (Debian's perl-base)"
# The gateway runs without it (and says so once), but the resident would not hear the prompt.
if [ -n "$CONFIG" ] && grep -q '^speaker:' "$CONFIG" && ! command -v espeak-ng >/dev/null; then
  say "warning: $CONFIG has a speaker but espeak-ng is not installed; apt-get install espeak-ng"
fi

say "system user hearth"
getent group bluetooth >/dev/null || groupadd --system bluetooth
getent group dialout >/dev/null || groupadd --system dialout
getent group audio >/dev/null || groupadd --system audio
if ! id hearth >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin hearth
fi
usermod -a -G dialout,bluetooth,audio hearth

say "program in $PREFIX"
mkdir -p "$PREFIX"
tar -C "$SRC" --exclude=./node_modules --exclude=./.git --exclude=./dist -cf - . | tar -C "$PREFIX" -xf -
chown -R root:root "$PREFIX"
(cd "$PREFIX" && npm ci --omit=dev --no-audit --no-fund)
# The service may not write under $PREFIX, so the build it runs is made here, as root.
(cd "$PREFIX" && "$NODE" gateway/cli/build.js)
cat >/usr/local/bin/hearth <<WRAP
#!/bin/sh
exec "$NODE" "$PREFIX/gateway/cli/hearth.js" "\$@"
WRAP
chmod 755 /usr/local/bin/hearth

say "folders $CONF_DIR and $STATE_DIR"
install -d -o root -g hearth -m 0750 "$CONF_DIR"
install -d -o hearth -g hearth -m 0700 "$STATE_DIR"
if [ -n "$CONFIG" ]; then
  install -o root -g hearth -m 0640 "$CONFIG" "$CONF_DIR/home.yaml"
fi

say "unit $UNIT"
sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$PREFIX/gateway/deploy/hearth.service" >"$UNIT"
systemctl daemon-reload
systemctl enable hearth.service

if [ ! -f "$CONF_DIR/home.yaml" ]; then
  say "no $CONF_DIR/home.yaml yet: write it (config/examples/home.yaml is the reference; storage.path under $STATE_DIR), then: sudo systemctl start hearth"
  exit 0
fi
say "checking $CONF_DIR/home.yaml as the hearth user"
if ! runuser -u hearth -- "$NODE" "$PREFIX/gateway/cli/hearth.js" check-config "$CONF_DIR/home.yaml"; then
  die "fix $CONF_DIR/home.yaml, then: sudo systemctl restart hearth"
fi
grep -Eq "^\s*path:\s*$STATE_DIR/" "$CONF_DIR/home.yaml" ||
  say "warning: storage.path is not under $STATE_DIR, the only folder the service may write"
systemctl restart hearth.service
say "started; see: systemctl status hearth, journalctl -u hearth -f, sudo hearth status"
