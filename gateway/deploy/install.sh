#!/usr/bin/env bash
# Installs Hearth as a systemd service on Debian 12 or Raspberry Pi OS (bookworm), arm64 or
# amd64. Run as root, from an unpacked copy of Hearth (README: "Running on a Raspberry Pi"):
#
#   sudo gateway/deploy/install.sh [--config /etc/hearth/home.yaml]
#
# It creates the system user `hearth` first, then /etc/hearth (the provisioning file, the secrets
# it refers to: /etc/hearth/secrets.env and /etc/hearth/keys/), /var/lib/hearth for the database,
# copies the program to /opt/hearth, installs the production dependencies with npm ci (a
# compiler is installed for better-sqlite3, built from source when GitHub cannot be reached),
# builds the program, installs hearth.service, checks the file as the service would see it and
# only then enables and starts the service. Safe to run again (an upgrade is the same command).
set -euo pipefail

PREFIX=/opt/hearth
CONF_DIR=/etc/hearth
KEYS_DIR=$CONF_DIR/keys
SECRETS=$CONF_DIR/secrets.env
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
# The check below runs check-config under systemd, as the service; systemctl needs it anyway.
[ -d /run/systemd/system ] || die "systemd is not running on this machine (boot it with systemd, then run this again)"
[ -z "$CONFIG" ] || [ -f "$CONFIG" ] || die "$CONFIG: no such file"

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
NODE_RANGE="20.19 or a later 20, 22.13 or a later 22, or 24 and later"
[ -n "$NODE" ] || die "Node.js is needed ($NODE_RANGE): Debian 12's nodejs is 18; install Node 20 from NodeSource (https://github.com/nodesource/distributions), then run this again"
# The range of package.json's engines, the one every dependency accepts.
IFS=. read -r major minor _ <<<"$("$NODE" -p process.versions.node)"
if ! { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } && ! { [ "$major" -eq 22 ] && [ "$minor" -ge 13 ]; } &&
  ! [ "$major" -ge 24 ]; then
  die "Node.js $("$NODE" -v) is not supported: $NODE_RANGE is needed (NodeSource's nodejs package)"
fi
command -v npm >/dev/null || die "npm is missing (it comes with NodeSource's nodejs package)"
# perl-base is Essential on Debian; the systemd notify sender is a Perl one-liner.
command -v perl >/dev/null || die "perl is missing (Debian's perl-base)"
# The gateway runs without it (and says so once), but the resident would not hear the prompt.
if [ -n "$CONFIG" ] && grep -q '^speaker:' "$CONFIG" && ! command -v espeak-ng >/dev/null; then
  say "warning: $CONFIG has a speaker but espeak-ng is not installed; apt-get install espeak-ng"
fi

# better-sqlite3 downloads its built module from GitHub; where that is blocked (a trust's
# network), npm ci builds it from source, with these. Installed always: a first install that
# works only when GitHub answers is not one to rely on.
build_tools=()
command -v python3 >/dev/null || build_tools+=(python3)
command -v make >/dev/null || build_tools+=(make)
command -v g++ >/dev/null || build_tools+=(g++)
if [ ${#build_tools[@]} -gt 0 ]; then
  say "build tools for better-sqlite3: apt-get install ${build_tools[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${build_tools[@]}"; } ||
    die "could not install ${build_tools[*]} (needed to build better-sqlite3); install them, then run this again"
fi

# First, so that the secrets' files below can be given to its group.
say "system user hearth"
getent group bluetooth >/dev/null || groupadd --system bluetooth
getent group dialout >/dev/null || groupadd --system dialout
getent group audio >/dev/null || groupadd --system audio
if ! id hearth >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin hearth
fi
usermod -a -G dialout,bluetooth,audio hearth

say "folders $CONF_DIR, $KEYS_DIR and $STATE_DIR, and $SECRETS"
install -d -o root -g hearth -m 0750 "$CONF_DIR" "$KEYS_DIR"
install -d -o hearth -g hearth -m 0700 "$STATE_DIR"
if [ ! -e "$SECRETS" ]; then
  cat >"$SECRETS" <<'ENV'
# The secrets of /etc/hearth/home.yaml written as ${env:NAME}: one NAME=value a line, no quotes
# needed. hearth.service reads this file (EnvironmentFile=); only root may write it, and only the
# group hearth read it (root:hearth 0640).
ENV
fi
chown root:hearth "$SECRETS"
chmod 0640 "$SECRETS"
if [ -n "$CONFIG" ] && ! [ "$CONFIG" -ef "$CONF_DIR/home.yaml" ]; then
  install -o root -g hearth -m 0640 "$CONFIG" "$CONF_DIR/home.yaml"
elif [ -f "$CONF_DIR/home.yaml" ]; then
  chown root:hearth "$CONF_DIR/home.yaml"
  chmod 0640 "$CONF_DIR/home.yaml"
fi

# Every ${env:..} and ${file:..} in the file (comment lines aside), once each.
refs() { grep -v '^[[:space:]]*#' "$CONF_DIR/home.yaml" | grep -oE '\$\{(env|file):[^}]+\}' | sort -u || true; }
# Where the secret a reference names must be, and how to put it there.
where() {
  local name=${1#\$\{*:}
  name=${name%\}}
  case "$1" in
    '${env:'*) echo "$1: the line $name=<the secret> in $SECRETS (sudoedit $SECRETS)" ;;
    "\${file:$KEYS_DIR/"*) echo "$1: the secret alone in $name (sudo install -o root -g hearth -m 0640 THE-FILE $name)" ;;
    *) echo "$1: the service (user hearth, with no access to /home or /root) cannot read a secret outside $KEYS_DIR: move it to $KEYS_DIR/ and write that path in the file, or: sudo chown root:hearth $name && sudo chmod 0640 $name, with each folder above it open to the group hearth" ;;
  esac
}

if [ -f "$CONF_DIR/home.yaml" ]; then
  mapfile -t REFS < <(refs)
  # A key put in $KEYS_DIR as root (the group hearth may not have existed yet) is given to the
  # service's group: the folder's contract is "what the service reads", and nobody else gains.
  for ref in "${REFS[@]}"; do
    case "$ref" in
      "\${file:$KEYS_DIR/"*)
        f=${ref#\$\{file:}
        f=${f%\}}
        if [ -f "$f" ] && [ ! -L "$f" ]; then chown root:hearth "$f" && chmod 0640 "$f"; fi ;;
    esac
  done
  if [ ${#REFS[@]} -gt 0 ]; then
    say "secrets $CONF_DIR/home.yaml refers to, and where each must be:"
    for ref in "${REFS[@]}"; do say "  $(where "$ref")"; done
  fi
fi

say "program in $PREFIX"
mkdir -p "$PREFIX"
tar -C "$SRC" --exclude=./node_modules --exclude=./.git --exclude=./dist -cf - . | tar -C "$PREFIX" -xf -
chown -R root:root "$PREFIX"
# NodeSource's nodejs carries Node's headers: node-gyp uses them instead of downloading them.
nodedir=$(dirname "$(dirname "$(readlink -f "$NODE")")")
[ -f "$nodedir/include/node/common.gypi" ] && export npm_config_nodedir="$nodedir"
(cd "$PREFIX" && npm ci --omit=dev --no-audit --no-fund)
# The service may not write under $PREFIX, so the build it runs is made here, as root.
(cd "$PREFIX" && "$NODE" gateway/cli/build.js)
cat >/usr/local/bin/hearth <<WRAP
#!/bin/sh
exec "$NODE" "$PREFIX/gateway/cli/hearth.js" "\$@"
WRAP
chmod 755 /usr/local/bin/hearth

say "unit $UNIT"
sed "s#^ExecStart=/usr/bin/node #ExecStart=$NODE #" "$PREFIX/gateway/deploy/hearth.service" >"$UNIT"
systemctl daemon-reload

if [ ! -f "$CONF_DIR/home.yaml" ]; then
  say "no $CONF_DIR/home.yaml yet: write it (config/examples/home.yaml is the reference; storage.path under $STATE_DIR), put its secrets in place, then run this again with --config $CONF_DIR/home.yaml"
  exit 0
fi

# What the service will see: its user and groups, its environment (EnvironmentFile= included),
# its credentials and its view of the files, taken from the unit as installed (drop-ins too).
say "checking $CONF_DIR/home.yaml as hearth.service will see it"
props=()
while IFS= read -r line; do props+=(--property="$line"); done < <(
  systemctl cat hearth.service | grep -E '^(User|Group|SupplementaryGroups|Environment|EnvironmentFile|LoadCredential|LoadCredentialEncrypted|SetCredential|SetCredentialEncrypted|WorkingDirectory|UMask|ProtectSystem|ProtectHome|PrivateTmp|ReadWritePaths|NoNewPrivileges)='
)
if ! checked=$(systemd-run --quiet --wait --pipe --collect "${props[@]}" \
  "$NODE" "$PREFIX/gateway/cli/hearth.js" check-config --strict-refs "$CONF_DIR/home.yaml" 2>&1); then
  echo "$checked" >&2
  for ref in "${REFS[@]}"; do
    case "$checked" in *"$ref cannot be resolved"*) echo "install: put $(where "$ref")" >&2 ;; esac
  done
  die "hearth.service was not started (it would fail): fix the above, then run this again"
fi
echo "$checked"
grep -Eq "^\s*path:\s*$STATE_DIR/" "$CONF_DIR/home.yaml" ||
  say "warning: storage.path is not under $STATE_DIR, the only folder the service may write"
systemctl enable hearth.service
systemctl restart hearth.service
say "started; see: systemctl status hearth, journalctl -u hearth -f, sudo hearth status"
