"""The bank sandbox: a stand-in bank for development and tests (docs/bank-protocol.md).

A separate program with its own SQLite file and port: `python -m onestop.banksim` or
`onestop banksim`. It imports nothing of the platform but the pure `onestop.payments.domain`.
"""

from onestop.banksim.app import BankSandbox, create_app

__all__ = ["BankSandbox", "create_app"]
