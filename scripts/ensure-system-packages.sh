#!/usr/bin/env bash
# The Debian packages the tests run for real: a browser (web e2e), Redis (the shared store) and
# HAProxy (the load balancer). Extra package names may be given (.ci/run adds docker-compose).
#
#   bash scripts/ensure-system-packages.sh [PACKAGE...]
#
# Fast and silent when everything is there (only `command -v` lookups). Otherwise installs what is
# missing with apt-get when running as root, or prints the command to run and exits 1.
# Plain bash 3 (no mapfile): it must at least explain itself on a Mac.
set -euo pipefail

# The command that shows a package is installed (the package's own name unless listed here).
command_for() {
  case "$1" in
    chromium) echo "${CHROMIUM_PATH:-chromium}" ;; # the browser test honours CHROMIUM_PATH too
    *) echo "$1" ;;
  esac
}

# Sets `missing` to those of the given packages whose command is not found.
find_missing() {
  missing=()
  local package
  for package in "$@"; do
    command -v "$(command_for "$package")" >/dev/null 2>&1 || missing+=("$package")
  done
}

find_missing chromium redis-server haproxy "$@"
[ ${#missing[@]} -eq 0 ] && exit 0

install="sudo apt-get update && sudo apt-get install -y ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "missing: ${missing[*]} — install them with your package manager (on Debian: $install)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing: ${missing[*]} — run: $install" >&2
  exit 1
fi

wanted=("${missing[@]}")
echo "installing: ${wanted[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${wanted[@]}"

find_missing "${wanted[@]}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "apt-get installed ${wanted[*]}, yet these are still not found: ${missing[*]}" >&2
  exit 1
fi
