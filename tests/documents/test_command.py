"""`onestop pki`: init, status, issue-agency."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop.documents import selectors
from onestop.documents.domain.certificates import fingerprint_display
from onestop.documents.models import CertificateAuthority, IssuedCertificate

pytestmark = pytest.mark.django_db


def test_init_creates_the_ca_once_and_prints_its_fingerprint(capsys):
    # when
    call_command("pki", "init")
    first = capsys.readouterr().out
    call_command("pki", "init")
    second = capsys.readouterr().out

    # then
    authority = selectors.ca_get()
    assert "Created the platform root CA." in first
    assert "The platform root CA already exists." in second
    for out in (first, second):
        assert fingerprint_display(authority.fingerprint) in out
        assert "CN=OneStop Platform Root CA" in out
    assert CertificateAuthority.objects.count() == 1


def test_status_before_and_after_init(capsys, cgd):
    with pytest.raises(CommandError, match="onestop pki init"):
        call_command("pki", "status")

    call_command("pki", "issue-agency", "CGD")
    capsys.readouterr()
    call_command("pki", "status")
    out = capsys.readouterr().out
    assert fingerprint_display(selectors.ca_get().fingerprint) in out
    assert "Certificates: 1 issued, 1 current" in out


def test_issue_agency_issues_once(capsys, cgd):
    # when
    call_command("pki", "issue-agency", "cgd")
    first = capsys.readouterr().out
    call_command("pki", "issue-agency", "CGD")
    second = capsys.readouterr().out

    # then
    certificate = IssuedCertificate.objects.get()
    assert "Issued a new certificate." in first
    assert "The agency already has a current certificate." in second
    assert f"Serial:      {certificate.serial}" in first
    assert "C=TH,serialNumber=CGD,O=OneStop agency,CN=Department CGD" in first


def test_issue_agency_for_an_unknown_agency_explains(db):
    with pytest.raises(CommandError, match="There is no agency with the code NOPE"):
        call_command("pki", "issue-agency", "NOPE")
    assert not IssuedCertificate.objects.exists()
