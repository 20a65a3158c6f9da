#!/usr/bin/env bash
# Install the Debian packages the project needs (PDF rendering, browser tests, compose lint,
# the database and cache servers for `make test`). Installs only what is missing.
#
# Usage: scripts/install-system-deps.sh [--check]
#   --check  only report what is missing; exit 1 if anything is.
#
# Without root and without sudo it prints what is missing and exits 0, so `make setup`
# still works on a machine where someone else manages the packages.
set -euo pipefail

PACKAGES=(
    chromium
    chromium-driver
    poppler-utils
    docker-compose
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fonts-dejavu-core
    postgresql-15
    redis-server
)

missing=()
for package in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "System packages: all present."
    exit 0
fi

echo "System packages missing: ${missing[*]}"
if [[ "${1:-}" == "--check" ]]; then
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt-get on this machine: install the packages above by hand." >&2
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    run_as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run_as_root=(sudo -n)
else
    echo "Not root and no password-less sudo: skipping. Install them with:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
"${run_as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${run_as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
echo "System packages installed: ${missing[*]}"
