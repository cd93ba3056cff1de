"""The `onestop` command: readable help, every management command, audit verification."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from onestop.cli import HELP, main
from onestop.core import audit

ROOT = Path(__file__).resolve().parents[2]


def test_help_names_the_commands_a_newcomer_needs(capsys):
    main(["--help"])
    out = capsys.readouterr().out
    for command in ("serve", "migrate", "demo", "worker", "audit verify", "bootstrap_admin"):
        assert command in out
    main([])
    assert capsys.readouterr().out == HELP


def test_the_installed_command_runs_django_commands(tmp_path):
    env = {**os.environ, "DEBUG": "1", "ONESTOP_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "onestop", "audit", "--help"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "verify" in result.stdout and "head" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_audit_verify_reports_an_intact_chain_and_a_broken_one(capsys):
    with transaction.atomic():
        entry = audit.record(actor=audit.SYSTEM, action="t", object_type="t", object_id=1)

    call_command("audit", "verify", "--no-progress", f"--expect={entry.seq}:{entry.hash}")
    assert "All 1 entries are intact" in capsys.readouterr().out

    with pytest.raises(SystemExit) as exited:
        call_command("audit", "verify", "--no-progress", f"--expect=1:{'a' * 64}")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "BROKEN at entry 1" in out


@pytest.mark.django_db
def test_a_malformed_anchor_is_explained():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not SEQ:HASH"):
        call_command("audit", "verify", "--expect=12:nothex")
