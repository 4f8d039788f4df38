#!/usr/bin/env bash
# Provision the project's Python >= 3.14.2 environment (Home Assistant 2026.10 test harness,
# pandas, pyarrow, dev tools, Chromium). Idempotent: a second run only checks stamps.
#
# Two modes:
#   * a Python >= 3.14.2 on PATH: a venv in .venv, Chromium from the host's apt;
#   * otherwise (Debian 12 has none): a Debian sid root made with debootstrap, holding
#     python3.14, chromium and a venv at /opt/venv; scripts/run enters it.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
root=${NFT_TOOLCHAIN_ROOT:-/var/lib/nem-flex-telemetry/sid}
mirror=${NFT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
reqs="$repo/requirements/dev.txt"
cons="$repo/requirements/constraints.txt"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
elapsed() { printf '%ss' "$(( $(date +%s) - start ))"; }
start=$(date +%s)

req_hash=$( { cat "$reqs"; [ -f "$cons" ] && cat "$cons"; true; } | sha256sum | cut -c1-16)

host_python() {
  local candidate
  for candidate in python3.14 python3 python3.15; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" - <<'PY' 2>/dev/null; then
import sys; sys.exit(0 if sys.version_info >= (3, 14, 2) else 1)
PY
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

pip_install() {  # $1 = python of the venv
  local constraint=()
  [ -s "$cons" ] && constraint=(-c "$cons")
  "$1" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$1" -m pip install --quiet --disable-pip-version-check -r "$reqs" "${constraint[@]}"
}

if py=$(host_python); then
  say "using host $($py --version) at $py"
  stamp="$repo/.venv/.nft-$req_hash"
  if [ ! -f "$stamp" ]; then
    [ -x "$repo/.venv/bin/python" ] || { say "creating .venv"; "$py" -m venv "$repo/.venv"; }
    say "installing Python packages (HA test harness, pandas, pyarrow, tools)"
    pip_install "$repo/.venv/bin/python"
    rm -f "$repo"/.venv/.nft-*; touch "$stamp"
  fi
  if [ -n "${NFT_CHROMIUM:-}" ] && [ -x "$NFT_CHROMIUM" ]; then
    say "using the browser at $NFT_CHROMIUM"
  elif ! command -v chromium >/dev/null 2>&1; then
    say "installing Debian's chromium"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
else
  say "no Python >= 3.14.2 on PATH: using a Debian sid root at $root"
  if [ ! -f "$root/.nft-base" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      say "installing debootstrap"; apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
    rm -rf "$root"; mkdir -p "$(dirname "$root")"
    say "debootstrap sid (python3.14, git; about a minute)"
    debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates,git \
      sid "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
      || { say "debootstrap failed, see $root.debootstrap.log"; tail -20 "$root.debootstrap.log"; exit 1; }
    cp /etc/resolv.conf "$root/etc/resolv.conf"
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
  # Name resolution and any extra CA certificates of this machine (an egress proxy's) go into the root.
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    if ! cmp -s <(cat /usr/local/share/ca-certificates/*.crt) <(cat "$root"/usr/local/share/ca-certificates/*.crt 2>/dev/null); then
      cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
      chroot "$root" update-ca-certificates >/dev/null 2>&1
    fi
  fi
  if [ ! -f "$root/opt/venv/.nft-$req_hash" ]; then
    [ -f "$root/opt/venv/pyvenv.cfg" ] || { say "creating venv in the root"; chroot "$root" python3.14 -m venv /opt/venv; }
    say "installing Python packages in the root (about a minute)"
    mkdir -p "$root/tmp/nft-req"
    cp "$reqs" "$root/tmp/nft-req/dev.txt"; [ -s "$cons" ] && cp "$cons" "$root/tmp/nft-req/constraints.txt"
    reqs=/tmp/nft-req/dev.txt cons=/tmp/nft-req/constraints.txt
    env -u PIP_FIND_LINKS chroot "$root" /opt/venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    if [ -s "$root$cons" ]; then
      env -u PIP_FIND_LINKS chroot "$root" /opt/venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$reqs" -c "$cons"
    else
      env -u PIP_FIND_LINKS chroot "$root" /opt/venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$reqs"
    fi
    rm -f "$root"/opt/venv/.nft-*; touch "$root/opt/venv/.nft-$req_hash"
  fi
fi

if [ -f "$repo/site/package-lock.json" ]; then
  lock_hash=$(sha256sum "$repo/site/package-lock.json" | cut -c1-16)
  if [ ! -f "$repo/site/node_modules/.nft-$lock_hash" ]; then
    say "installing the site's npm packages (Observable Plot, d3)"
    (cd "$repo/site" && npm ci --no-audit --no-fund --silent)
    touch "$repo/site/node_modules/.nft-$lock_hash"
  fi
fi
say "toolchain ready ($(elapsed))"
