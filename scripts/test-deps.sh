#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust:
# - a real SMTP server, Python's aiosmtpd (tests/smtp_server.py). When
#   python3 lacks it, pip installs it; where pip refuses (a Debian
#   "externally managed" Python) a virtualenv in target/smtp-venv gets
#   it, which the tests find by themselves; failing that, Debian's own
#   package. PORTALCTL_TEST_PYTHON names another Python.
# - the fish and zsh shells, into which the tests paste the commands
#   portalctl prints (fish reads quotes unlike sh; zsh expands a leading
#   `=`), from Debian's packages.
# Idempotent and quiet: nothing happens when both are there.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PORTALCTL_TEST_PYTHON:-python3}
log=target/test-deps-install.log
venv=target/smtp-venv
mkdir -p target
: >"$log"
has() { "$1" -c 'import aiosmtpd' >/dev/null 2>&1; }
apt_install() {
    command -v apt-get >/dev/null 2>&1 \
        && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >>"$log" 2>&1
}
fail() {
    echo "cannot install $1 for the tests; what was tried:" >&2
    cat "$log" >&2
    exit 1
}

smtp_server() {
    has "$python" && return 0
    has "$venv/bin/python" && return 0
    local pip_quiet=(--quiet --disable-pip-version-check --root-user-action=ignore)
    if "$python" -m pip install "${pip_quiet[@]}" aiosmtpd >>"$log" 2>&1 && has "$python"; then
        return 0
    fi
    if { "$python" -m venv "$venv" && "$venv/bin/python" -m pip install "${pip_quiet[@]}" aiosmtpd; } \
        >>"$log" 2>&1 && has "$venv/bin/python"; then
        return 0
    fi
    apt_install python3-aiosmtpd && has python3
}

shell() {
    command -v "$1" >/dev/null 2>&1 || { apt_install "$1" && command -v "$1" >/dev/null 2>&1; }
}

smtp_server || fail aiosmtpd
shell fish || fail fish
shell zsh || fail zsh
