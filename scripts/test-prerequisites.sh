#!/usr/bin/env bash
# First step of `pnpm test` (and of .ci/run): finds the commands listed in test-prerequisites.txt
# and, as root on a machine with apt, installs the Debian packages of the missing ones. Anywhere
# else it stops at once with one line naming the packages and the command to run, rather than
# letting the tests that need them fail one by one. When nothing is missing it costs a few
# milliseconds: only bash builtins run.
#
# usage: test-prerequisites.sh [list]   (default: test-prerequisites.txt beside this script)
set -euo pipefail

here=${BASH_SOURCE[0]%/*}
[[ "$here" == "${BASH_SOURCE[0]}" ]] && here=.
list=${1:-"$here/test-prerequisites.txt"}
# sshd and friends live in sbin, which a non-root PATH often leaves out.
search_path="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

missing_packages=()
missing_commands=()
while read -r package command _ || [[ -n "${package:-}" ]]; do
  [[ -z "$package" || "$package" == \#* ]] && continue
  if ! PATH="$search_path" command -v "$command" >/dev/null 2>&1; then
    missing_packages+=("$package")
    missing_commands+=("$command")
  fi
done <"$list"

[[ ${#missing_packages[@]} -eq 0 ]] && exit 0

install=(apt-get install -y --no-install-recommends "${missing_packages[@]}")
if ! command -v apt-get >/dev/null 2>&1; then
  echo "pnpm test needs ${missing_commands[*]} (not found): install them with your package manager (Debian packages: ${missing_packages[*]})" >&2
  exit 1
fi
if [[ "$(id -u)" != 0 ]]; then
  echo "pnpm test needs ${missing_commands[*]} (not found): run sudo ${install[*]} (or pnpm test as root, which does)" >&2
  exit 1
fi

echo "installing test prerequisites: ${missing_packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
"${install[@]}" -qq >/dev/null
