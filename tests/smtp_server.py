#!/usr/bin/env python3
"""A real SMTP server for portalctl's tests and benchmark (aiosmtpd).

    smtp_server.py --dir DIR [--reply "451 4.3.0 try again later"]
                   [--auth USER:PASSWORD] [--discard] [--drop-first N]
                   [--smtputf8] [--login-for SENDER] [--login-after N]
    smtp_server.py --decode FILE.eml...

Serves on 127.0.0.1 on a free port and writes the port to DIR/port once it
listens. Each message it accepts becomes DIR/NNNN.json: the envelope
(mail_from, rcpt_tos), the decoded subject, plain-text and HTML bodies
(Python's own MIME parser reads what portalctl wrote) and the raw
message. `--reply` answers every DATA with that reply instead (a 4xx or
5xx refusal); `--auth` requires AUTH PLAIN/LOGIN with that login;
`--discard` counts messages in DIR/count without writing them (the
benchmark); `--drop-first N` closes the connection after the first N
messages' DATA without answering (a link that breaks mid-exchange).
`--smtputf8` offers SMTPUTF8 (RFC 6531), which an address with letters
beyond ASCII before the `@` needs; by default it is not offered, as on
many servers. `--login-for SENDER` answers `530 5.7.0 Authentication
required` to MAIL FROM that sender (any other, the null sender `<>`
among them, is taken without a login); `--login-after N` answers every
MAIL after the first N so (a server that takes a check's MAIL and wants
a login for the emails). `--decode` prints the same JSON for .eml files
and exits.

Exits 3 with a message naming the install step when aiosmtpd is missing.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import sys
import warnings


def decoded(raw: bytes) -> dict:
    """The parts of a message a test checks, decoded by the stdlib."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    return {
        "from": str(msg["From"]),
        "to": str(msg["To"]),
        "subject": str(msg["Subject"]),
        "date": str(msg["Date"]),
        "message_id": str(msg["Message-ID"]),
        "text": plain.get_content() if plain is not None else None,
        "html": html.get_content() if html is not None else None,
        "raw": raw.decode("utf-8", "replace"),
    }


def write_atomically(path: str, text: str) -> None:
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, path)


LOGIN_WANTED = "530 5.7.0 Authentication required"


class Handler:
    def __init__(self, directory: str, reply: str | None, discard: bool, drop: int,
                 login_for: str | None = None, login_after: int | None = None):
        self.directory = directory
        self.reply = reply
        self.discard = discard
        self.drop = drop
        self.count = 0
        self.login_for = login_for
        self.login_after = login_after
        self.mails = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.login_for is not None and address.lower() == self.login_for.lower():
            return LOGIN_WANTED
        if self.login_after is not None and self.mails > self.login_after:
            return LOGIN_WANTED
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        if self.drop > 0:
            self.drop -= 1
            server.transport.close()
            return "250 2.0.0 never heard"
        self.count += 1
        if self.discard:
            write_atomically(os.path.join(self.directory, "count"), str(self.count))
        else:
            record = decoded(envelope.original_content or envelope.content)
            record["mail_from"] = envelope.mail_from
            record["rcpt_tos"] = envelope.rcpt_tos
            name = os.path.join(self.directory, f"{self.count:04}.json")
            write_atomically(name, json.dumps(record, indent=1))
        # Written before the reply: once portalctl hears 250, the file is there.
        return "250 2.0.0 Message accepted for delivery"


async def serve(args) -> None:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    # AUTH without TLS is what a loopback test wants; no need to warn.
    warnings.filterwarnings("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    handler = Handler(args.dir, args.reply, args.discard, args.drop_first,
                      args.login_for, args.login_after)
    options = {}
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            # handled=False: aiosmtpd answers 535 itself on a wrong login.
            return AuthResult(success=ok, handled=False)

        options = {
            "authenticator": authenticator,
            "auth_required": True,
            # Loopback only, and no certificate to offer STARTTLS with.
            "auth_require_tls": False,
        }
    if args.smtputf8:
        options["enable_SMTPUTF8"] = True
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", **options),
        host="127.0.0.1",
        port=0,
    )
    port = server.sockets[0].getsockname()[1]
    write_atomically(os.path.join(args.dir, "port"), str(port))
    async with server:
        await server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir")
    parser.add_argument("--reply")
    parser.add_argument("--auth")
    parser.add_argument("--discard", action="store_true")
    parser.add_argument("--drop-first", type=int, default=0)
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--login-for", metavar="SENDER")
    parser.add_argument("--login-after", type=int, metavar="N")
    parser.add_argument("--decode", nargs="+", metavar="FILE")
    args = parser.parse_args()
    if args.decode:
        out = []
        for path in args.decode:
            with open(path, "rb") as f:
                out.append(decoded(f.read()))
        json.dump(out, sys.stdout, indent=1)
        return 0
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        print(
            "the SMTP tests need Python's aiosmtpd: run `.ci/run`, or "
            "`python3 -m pip install aiosmtpd` (or set PORTALCTL_TEST_PYTHON "
            "to a Python that has it)",
            file=sys.stderr,
        )
        return 3
    if not args.dir:
        parser.error("--dir is required")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
