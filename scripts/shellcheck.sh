#!/usr/bin/env bash
# Lints every shell script of the repository with ShellCheck (what CI runs before the build).
# Installs ShellCheck from Debian's packages when it is missing and this machine can (root or
# sudo, apt-get); otherwise fails and says how to install it.
#
# usage: scripts/shellcheck.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

install_shellcheck() {
    local -a as_root=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null || return 1
        as_root=(sudo -n)
    fi
    command -v apt-get >/dev/null || return 1
    echo "shellcheck: installing it from Debian's packages (apt-get install shellcheck)" >&2
    "${as_root[@]}" apt-get install -y -q shellcheck >/dev/null 2>&1 ||
        { "${as_root[@]}" apt-get update -q >/dev/null 2>&1 &&
            "${as_root[@]}" apt-get install -y -q shellcheck >/dev/null 2>&1; }
}

if ! command -v shellcheck >/dev/null; then
    install_shellcheck || {
        echo "shellcheck: not installed and not installable here; install it (Debian/Ubuntu: apt-get install shellcheck, macOS: brew install shellcheck) and run again" >&2
        exit 1
    }
fi

# Every script: *.sh anywhere outside target/, and the extension-less CI entry point.
mapfile -t scripts < <(git ls-files --cached --others --exclude-standard -- '*.sh' .ci/run)
echo "shellcheck: $(shellcheck --version | sed -n 's/^version: //p'), ${#scripts[@]} scripts" >&2
# -x -P SCRIPTDIR: follow each `source` relative to the script that sources it.
shellcheck -x -P SCRIPTDIR "${scripts[@]}"
echo "shellcheck: no findings" >&2
