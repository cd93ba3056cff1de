"""Who may do what, endpoint by endpoint and page by page: the permission matrix."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.core.models import Job
from onestop.identity.models import User
from tests.conftest import ApiClient, assert_error_shape

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "citizen",
    "supplier",
    "other_agency_admin",
    "cgd_buyer",
    "cgd_admin",
    "auditor",
    "platform_admin",
]


@pytest.fixture
def people(admin, cgd, dlt, officer, citizen, supplier, auditor):
    return {
        "anonymous": None,
        "citizen": citizen(),
        "supplier": supplier(),
        "other_agency_admin": officer("DLT", "agency_admin"),
        "cgd_buyer": officer("CGD", "buyer", username="cgd.buyer"),
        "cgd_admin": officer("CGD", "agency_admin", username="cgd.admin"),
        "auditor": auditor,
        "platform_admin": admin,
    }


def _expect(allowed: set[str], ok: int, actor: str) -> int:
    if actor in allowed:
        return ok
    return 401 if actor == "anonymous" else 403


def _call(people, actor, method, path, body=None):
    client = ApiClient(people[actor])
    return client.request(method, path, body)


def _check(response, expected):
    if expected >= 400:
        assert_error_shape(response, expected)
    else:
        assert response.status_code == expected, response.content


@pytest.mark.parametrize("actor", ACTORS)
def test_list_officers_of_an_agency(people, actor):
    allowed = {"cgd_buyer", "cgd_admin", "auditor", "platform_admin"}
    _check(_call(people, actor, "GET", "/api/agencies/CGD/officers"), _expect(allowed, 200, actor))


@pytest.mark.parametrize("actor", ACTORS)
def test_appoint_an_officer(people, actor, citizen):
    newcomer = citizen()
    response = _call(
        people,
        actor,
        "POST",
        "/api/agencies/CGD/officers",
        {"user": newcomer.username, "roles": ["buyer"]},
    )
    _check(response, _expect({"cgd_admin", "platform_admin"}, 201, actor))
    appointed = User.objects.filter(pk=newcomer.user_id, officer__agency__code="CGD").exists()
    assert appointed == (response.status_code == 201)


@pytest.mark.parametrize("actor", ACTORS)
def test_set_an_officers_roles(people, actor):
    response = _call(
        people,
        actor,
        "PUT",
        "/api/agencies/CGD/officers/cgd.buyer",
        {"roles": ["buyer", "approver"]},
    )
    _check(response, _expect({"cgd_admin", "platform_admin"}, 200, actor))
    roles = set(
        User.objects.get(username="cgd.buyer").officer.role_grants.values_list("role", flat=True)
    )
    assert roles == ({"buyer", "approver"} if response.status_code == 200 else {"buyer"})


@pytest.mark.parametrize("actor", ACTORS)
def test_release_an_officer(people, actor):
    response = _call(people, actor, "DELETE", "/api/agencies/CGD/officers/cgd.buyer")
    _check(response, _expect({"cgd_admin", "platform_admin"}, 204, actor))
    still_there = User.objects.filter(username="cgd.buyer", officer__isnull=False).exists()
    assert still_there == (response.status_code != 204)


@pytest.mark.parametrize("actor", ACTORS)
def test_create_an_agency(people, actor):
    response = _call(
        people,
        actor,
        "POST",
        "/api/agencies",
        {
            "code": "NEWDEPT",
            "name_th": "กรมใหม่",
            "name_en": "New Department",
            "kind": "department",
            "parent": "MOF",
        },
    )
    _check(response, _expect({"platform_admin"}, 201, actor))


@pytest.mark.parametrize("actor", ACTORS)
def test_grant_auditor_rights(people, actor, citizen):
    target = citizen()
    response = _call(
        people, actor, "PUT", f"/api/users/{target.username}/platform-flags", {"is_auditor": True}
    )
    _check(response, _expect({"platform_admin"}, 200, actor))
    assert User.objects.get(pk=target.user_id).is_auditor == (response.status_code == 200)


@pytest.mark.parametrize("actor", ACTORS)
def test_start_an_audit_verification(people, actor):
    response = _call(people, actor, "POST", "/api/audit/verifications")
    _check(response, _expect({"auditor", "platform_admin"}, 202, actor))
    assert Job.objects.filter(kind="audit.verify").exists() == (response.status_code == 202)


@pytest.mark.parametrize("actor", ACTORS)
def test_read_audit_entries(people, actor):
    response = _call(people, actor, "GET", "/api/audit/entries")
    _check(response, _expect(set(ACTORS) - {"anonymous"}, 200, actor))
    if response.status_code != 200:
        return
    agencies = {entry["agency_code"] for entry in response.json()["entries"]}
    actors = {entry["actor_id"] for entry in response.json()["entries"]}
    if actor in {"auditor", "platform_admin"}:
        assert {"CGD", "DLT"} <= agencies
    elif actor in {"cgd_admin", "other_agency_admin"}:
        own = people[actor].agency_code
        assert agencies <= {own, ""} and own in agencies
    else:
        assert actors <= {people[actor].actor_id}


@pytest.mark.parametrize("actor", ACTORS)
def test_follow_a_job_someone_else_started(people, actor):
    job = Job.objects.create(
        kind="audit.verify", title="t", requested_by=people["auditor"].actor_id
    )
    response = _call(people, actor, "GET", f"/api/jobs/{job.id}")
    expected = 200 if actor == "auditor" else (401 if actor == "anonymous" else 404)
    _check(response, expected)


HOMES = {
    "/home/citizen/": {"citizen"},
    "/home/business/": {"supplier"},
    "/home/agency/": {"other_agency_admin", "cgd_buyer", "cgd_admin"},
    "/home/auditor/": {"auditor"},
    "/home/platform/": {"platform_admin"},
    "/agencies/CGD/officers/": {"cgd_admin", "platform_admin"},
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", list(HOMES))
def test_pages_per_role(people, actor, path):
    client = Client()
    if people[actor] is not None:
        client.force_login(User.objects.get(pk=people[actor].user_id))
    response = client.get(path)
    if actor == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == (200 if actor in HOMES[path] else 403), path
