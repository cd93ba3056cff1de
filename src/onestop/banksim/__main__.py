"""Run the bank sandbox: python -m onestop.banksim --port 8100 --callback-url ...

The two secrets come from the environment (BANK_API_SECRET, BANK_WEBHOOK_SECRET), never from
the command line, where other users of the machine could read them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn

from onestop.banksim.app import create_app

DESCRIPTION = """\
Run the OneStop bank sandbox: a stand-in bank on its own port and SQLite file that speaks
docs/bank-protocol.md. It accepts signed payment orders, settles them after --settle-seconds,
pays Thai QR codes pasted on its page (http://HOST:PORT/) and sends signed callbacks to the
platform, retrying with backoff until the platform answers 2xx.

Orders fail (payment_order.failed) when the account number is 0000000000 or the PromptPay ID
ends in 0000.

Environment:
  BANK_API_SECRET      secret the platform signs its calls with (required)
  BANK_WEBHOOK_SECRET  secret the sandbox signs its callbacks with (required)
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line of the sandbox."""
    parser = argparse.ArgumentParser(
        prog="python -m onestop.banksim",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8100, help="port to listen on (8100)")
    parser.add_argument(
        "--database",
        default="var/banksim.sqlite3",
        help="the sandbox's SQLite file, created when missing (var/banksim.sqlite3)",
    )
    parser.add_argument(
        "--callback-url",
        default="http://127.0.0.1:8000/api/payments/bank/callback",
        help="where QR payment callbacks go, and order callbacks of orders that name no "
        "callback_url (http://127.0.0.1:8000/api/payments/bank/callback)",
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=1.0,
        help="seconds between accepting an order and settling it (1.0)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="how much to log (info)",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, check the secrets and serve until interrupted."""
    parser = build_parser()
    args = parser.parse_args(argv)
    missing = [
        name for name in ("BANK_API_SECRET", "BANK_WEBHOOK_SECRET") if not os.environ.get(name)
    ]
    if missing:
        parser.error(
            f"{' and '.join(missing)} must be set in the environment: the platform and the "
            "sandbox share these secrets to sign requests (e.g. export BANK_API_SECRET=...)."
        )
    if args.settle_seconds < 0:
        parser.error("--settle-seconds cannot be negative.")
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    app = create_app(
        database=args.database,
        api_secret=os.environ["BANK_API_SECRET"],
        webhook_secret=os.environ["BANK_WEBHOOK_SECRET"],
        callback_url=args.callback_url,
        settle_seconds=args.settle_seconds,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, lifespan="on")


if __name__ == "__main__":
    sys.exit(main())
