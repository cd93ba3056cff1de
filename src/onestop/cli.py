"""The `onestop` command: every management command of the platform, with a readable --help."""

from __future__ import annotations

import os
import sys

HELP = """\
usage: onestop <command> [options]

OneStop: an open platform for digital government and digital business in Thailand.

Start here:
  serve            Serve pages, API and WebSockets on http://127.0.0.1:8000 (with a worker)
  migrate          Create or update the database tables
  demo             Load demo agencies, officers, suppliers and citizens (safe to repeat)
  worker           Run background jobs (run one or more next to the servers)

Checking and operating:
  audit verify     Recompute the audit log's hash chain; exit code 1 names the first broken entry
  audit head       Print the audit chain's head (entry number and hash)
  bootstrap_admin  Create the first platform administrator on an empty installation
  banksim          Run the bank sandbox (a separate program) for development and tests
  pki status       Show the platform certificate authority; `pki init`, `pki issue-agency CODE`
  check --deploy   Check production settings
  createcachetable, dbshell, shell, collectstatic, ...   (standard Django commands)

Every command has its own help:  onestop <command> --help
List every command:               onestop help --commands

Settings come from environment variables: DATABASE_URL (default: SQLite in ./var), REDIS_URL,
SECRET_KEY, DEBUG, ALLOWED_HOSTS, EMAIL_HOST... See .env.example and docs/operations.md.
"""


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args in (["-h"], ["--help"], ["help"]):
        sys.stdout.write(HELP)
        return
    if args in (["--version"], ["version"]):
        from onestop import __version__

        print(f"onestop {__version__}")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onestop", *args])
