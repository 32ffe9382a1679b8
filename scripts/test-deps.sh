#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust: a real SMTP server,
# Python's aiosmtpd (tests/smtp_server.py). Idempotent and quiet: nothing
# happens when python3 already has it. Otherwise pip installs it; where pip
# refuses (a Debian "externally managed" Python) a virtualenv in
# target/smtp-venv gets it, which the tests find by themselves; failing
# that, Debian's own package. PORTALCTL_TEST_PYTHON names another Python.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PORTALCTL_TEST_PYTHON:-python3}
log=target/aiosmtpd-install.log
venv=target/smtp-venv
mkdir -p target
has() { "$1" -c 'import aiosmtpd' >/dev/null 2>&1; }

has "$python" && exit 0
has "$venv/bin/python" && exit 0
pip_quiet=(--quiet --disable-pip-version-check --root-user-action=ignore)
if "$python" -m pip install "${pip_quiet[@]}" aiosmtpd >"$log" 2>&1 && has "$python"; then
    exit 0
fi
if { "$python" -m venv "$venv" && "$venv/bin/python" -m pip install "${pip_quiet[@]}" aiosmtpd; } \
    >>"$log" 2>&1 && has "$venv/bin/python"; then
    exit 0
fi
if command -v apt-get >/dev/null 2>&1 \
    && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd; } \
        >>"$log" 2>&1 && has python3; then
    exit 0
fi
echo "cannot install aiosmtpd for the SMTP tests; what was tried:" >&2
cat "$log" >&2
exit 1
