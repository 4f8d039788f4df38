#!/usr/bin/env bash
# Provision the project's two environments. Idempotent: a second run only checks stamps.
#   * newest: Python >= 3.14.2 with the Home Assistant 2026.10 test harness, pandas, pyarrow,
#     dev tools and Chromium (everything but the oldest-HA tests runs here);
#   * oldest: Python >= 3.13.2 with the oldest Home Assistant the integration supports
#     (requirements/ha-oldest.txt), for the HA tests only.
# NFT_TOOLCHAIN=newest or =oldest provisions only that one (CI runs them as separate jobs).
#
# Each one comes in two modes:
#   * a host Python of the right version on PATH: a venv (.venv, .venv-oldest), Chromium from apt;
#   * otherwise (Debian 12 has neither): a Debian root made with debootstrap (sid for
#     python3.14 and chromium, trixie for python3.13), holding a venv at /opt/venv;
#     scripts/run enters it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
root=${NFT_TOOLCHAIN_ROOT:-/var/lib/nem-flex-telemetry/sid}
oldest_root=${NFT_OLDEST_ROOT:-/var/lib/nem-flex-telemetry/trixie}
mirror=${NFT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
want=${NFT_TOOLCHAIN:-all}
reqs="$repo/requirements/dev.txt"
cons="$repo/requirements/constraints.txt"
oldest_reqs="$repo/requirements/ha-oldest.txt"
oldest_cons="$repo/requirements/constraints-ha-oldest.txt"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
elapsed() { printf '%ss' "$(( $(date +%s) - start ))"; }
start=$(date +%s)
case "$want" in all | newest | oldest) ;; *) say "NFT_TOOLCHAIN is newest, oldest or unset, not '$want'"; exit 2 ;; esac

req_hash=$( { cat "$reqs"; [ -f "$cons" ] && cat "$cons"; true; } | sha256sum | cut -c1-16)
oldest_hash=$( { cat "$oldest_reqs"; [ -f "$oldest_cons" ] && cat "$oldest_cons"; true; } | sha256sum | cut -c1-16)

host_python() {  # $1 = lowest version ("3.14.2"), $2 = version it must stay below ("" for none), then candidates
  local low=$1 high=$2 candidate; shift 2
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" - "$low" "$high" <<'PY' 2>/dev/null; then
import sys
low = tuple(map(int, sys.argv[1].split(".")))
high = tuple(map(int, sys.argv[2].split("."))) if sys.argv[2] else None
sys.exit(0 if sys.version_info >= low and (high is None or sys.version_info < high) else 1)
PY
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

pip_install() {  # $1 = python of the venv, $2 = requirements, $3 = constraints (may be absent)
  local constraint=()
  [ -s "$3" ] && constraint=(-c "$3")
  "$1" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$1" -m pip install --quiet --disable-pip-version-check -r "$2" "${constraint[@]}"
}

host_venv() {  # $1 = venv, $2 = python, $3 = stamp hash, $4 = requirements, $5 = constraints
  local stamp="$1/.nft-$3"
  [ -f "$stamp" ] && return 0
  [ -x "$1/bin/python" ] || { say "creating $1"; "$2" -m venv "$1"; }
  say "installing Python packages into $1"
  pip_install "$1/bin/python" "$4" "$5"
  rm -f "$1"/.nft-*; touch "$stamp"
}

debootstrap_root() {  # $1 = root, $2 = suite, $3 = packages; leaves $1/.nft-debootstrap
  command -v debootstrap >/dev/null 2>&1 || {
    say "installing debootstrap"; apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  rm -rf "$1"; mkdir -p "$(dirname "$1")"
  say "debootstrap $2 ($3; about a minute)"
  debootstrap --variant=minbase --include="$3" "$2" "$1" "$mirror" >"$1.debootstrap.log" 2>&1 \
    || { say "debootstrap failed, see $1.debootstrap.log"; tail -20 "$1.debootstrap.log"; exit 1; }
  cp /etc/resolv.conf "$1/etc/resolv.conf"
}

host_files_into() {  # $1 = root: name resolution and any extra CA certificates of this machine (an egress proxy's)
  cp /etc/resolv.conf "$1/etc/resolv.conf"
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$1/usr/local/share/ca-certificates"
    if ! cmp -s <(cat /usr/local/share/ca-certificates/*.crt) <(cat "$1"/usr/local/share/ca-certificates/*.crt 2>/dev/null); then
      cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/"
      chroot "$1" update-ca-certificates >/dev/null 2>&1
    fi
  fi
}

root_venv() {  # $1 = root, $2 = python in the root, $3 = stamp hash, $4 = requirements, $5 = constraints
  [ -f "$1/opt/venv/.nft-$3" ] && return 0
  [ -f "$1/opt/venv/pyvenv.cfg" ] || { say "creating venv in $1"; chroot "$1" "$2" -m venv /opt/venv; }
  say "installing Python packages in $1 (about a minute)"
  rm -rf "$1/tmp/nft-req"; mkdir -p "$1/tmp/nft-req"
  cp "$4" "$1/tmp/nft-req/requirements.txt"
  local constraint=()
  [ -s "$5" ] && { cp "$5" "$1/tmp/nft-req/constraints.txt"; constraint=(-c /tmp/nft-req/constraints.txt); }
  env -u PIP_FIND_LINKS chroot "$1" /opt/venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  env -u PIP_FIND_LINKS chroot "$1" /opt/venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r /tmp/nft-req/requirements.txt "${constraint[@]}"
  rm -f "$1"/opt/venv/.nft-*; touch "$1/opt/venv/.nft-$3"
}

newest() {
  local py
  if py=$(host_python 3.14.2 "" python3.14 python3 python3.15); then
    say "using host $($py --version) at $py"
    host_venv "$repo/.venv" "$py" "$req_hash" "$reqs" "$cons"
    if [ -n "${NFT_CHROMIUM:-}" ] && [ -x "$NFT_CHROMIUM" ]; then
      say "using the browser at $NFT_CHROMIUM"
    elif ! command -v chromium >/dev/null 2>&1; then
      say "installing Debian's chromium"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    return
  fi
  say "no Python >= 3.14.2 on PATH: using a Debian sid root at $root"
  if [ ! -f "$root/.nft-base" ]; then
    debootstrap_root "$root" sid python3.14,python3.14-venv,ca-certificates,git
    say "installing Debian's chromium in the root (about 2 minutes)"
    # dconf and friends need /proc and /dev while they configure; the private mount
    # namespace drops both mounts when the command ends.
    unshare --mount --propagation private sh -c '
      mount -t proc proc "$0/proc" && mount --bind /dev "$0/dev" &&
      chroot "$0" sh -c "apt-get -qq -o Acquire::Check-Valid-Until=false update &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null"' "$root" \
      >>"$root.debootstrap.log" 2>&1 || { say "chromium install failed, see $root.debootstrap.log"; tail -20 "$root.debootstrap.log"; exit 1; }
    touch "$root/.nft-base"
    say "base root ready after $(elapsed)"
  fi
  host_files_into "$root"
  root_venv "$root" python3.14 "$req_hash" "$reqs" "$cons"
}

oldest() {
  local py
  if py=$(host_python 3.13.2 3.14 python3.13 python3); then
    say "oldest Home Assistant: using host $($py --version) at $py"
    host_venv "$repo/.venv-oldest" "$py" "$oldest_hash" "$oldest_reqs" "$oldest_cons"
    return
  fi
  say "oldest Home Assistant: no Python 3.13.2+ below 3.14 on PATH: using a Debian trixie root at $oldest_root"
  if [ ! -f "$oldest_root/.nft-base" ]; then
    # lru-dict 1.3.0 (pinned by HA 2026.1) has no wheel for Python 3.13: pip builds it with gcc.
    debootstrap_root "$oldest_root" trixie python3.13,python3.13-venv,python3.13-dev,gcc,libc6-dev,ca-certificates,git
    touch "$oldest_root/.nft-base"
    say "trixie root ready after $(elapsed)"
  fi
  host_files_into "$oldest_root"
  root_venv "$oldest_root" python3.13 "$oldest_hash" "$oldest_reqs" "$oldest_cons"
}

[ "$want" = oldest ] || newest
[ "$want" = newest ] || oldest

if [ "$want" != oldest ] && [ -f "$repo/site/package-lock.json" ]; then
  lock_hash=$(sha256sum "$repo/site/package-lock.json" | cut -c1-16)
  if [ ! -f "$repo/site/node_modules/.nft-$lock_hash" ]; then
    say "installing the site's npm packages (Observable Plot, d3)"
    (cd "$repo/site" && npm ci --ignore-scripts --no-audit --no-fund --silent)
    touch "$repo/site/node_modules/.nft-$lock_hash"
  fi
fi
say "toolchain ready ($(elapsed))"
