"""The audit log: append-only, hash-chained, and tampering is found and located."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction

from onestop.core import audit
from onestop.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)


def _record(n: int) -> list[AuditEntry]:
    entries = []
    for index in range(n):
        with transaction.atomic():
            entries.append(
                audit.record(
                    actor=audit.SYSTEM,
                    action="test.thing.change",
                    object_type="test.thing",
                    object_id=index,
                    object_label=f"สิ่งของ {index}",
                    before={"price": "10.00"},
                    after={"price": f"{index}.50", "name": "กระดาษ"},
                )
            )
    return entries


def _owner_sql(sql: str, params: list) -> None:
    """What a database owner can do: switch the append-only triggers off and edit rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
            cursor.execute(sql, params)


def test_entries_are_chained_from_the_genesis_hash():
    # given / when
    first, second, third = _record(3)

    # then
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.head() == (3, third.hash)
    report = audit.verify()
    assert report.ok and report.checked == 3 and report.head_hash == third.hash


def test_the_hash_covers_every_recorded_field():
    (entry,) = _record(1)
    values = {name: getattr(entry, name) for name in audit.HASHED_FIELDS}
    for name in audit.HASHED_FIELDS:
        changed = dict(values)
        changed[name] = "x" if name not in {"seq"} else 99
        if name in {"before", "after"}:
            changed[name] = {"price": "0.00"}
        assert audit.entry_hash(changed) != entry.hash, name


def test_changing_a_row_is_detected_at_that_row():
    # given
    _record(5)

    # when the owner rewrites the price of entry 3
    _owner_sql("UPDATE core_auditentry SET after = %s WHERE seq = %s", ['{"price": "1.00"}', 3])

    # then
    report = audit.verify()
    assert not report.ok
    assert report.broken_seq == 3 and report.reason == "content"
    assert "3" in report.message["en"] and report.message["th"]
    assert report.checked == 2


def test_rehashing_a_changed_row_breaks_the_link_of_the_next():
    _record(4)
    row = AuditEntry.objects.values(*audit.HASHED_FIELDS).get(seq=2)
    row["actor_name"] = "someone else"
    forged = audit.entry_hash(row)
    _owner_sql(
        "UPDATE core_auditentry SET actor_name = %s, hash = %s WHERE seq = %s",
        ["someone else", forged, 2],
    )

    report = audit.verify()

    assert (report.ok, report.broken_seq, report.reason) == (False, 3, "link")


def test_reordering_rows_is_detected():
    _record(5)
    _owner_sql("UPDATE core_auditentry SET seq = seq + 100 WHERE seq IN (2, 4)", [])
    _owner_sql("UPDATE core_auditentry SET seq = 4 WHERE seq = 102", [])
    _owner_sql("UPDATE core_auditentry SET seq = 2 WHERE seq = 104", [])

    report = audit.verify()

    assert (report.ok, report.broken_seq, report.reason) == (False, 2, "link")


def test_deleting_a_row_is_detected():
    _record(5)
    _owner_sql("DELETE FROM core_auditentry WHERE seq = %s", [3])

    report = audit.verify()

    assert (report.ok, report.broken_seq, report.reason) == (False, 3, "missing")


def test_deleting_the_last_rows_is_detected_by_the_head():
    _record(5)
    _owner_sql("DELETE FROM core_auditentry WHERE seq >= %s", [4])

    report = audit.verify()

    assert (report.ok, report.broken_seq, report.reason) == (False, 5, "tail")


def test_appending_after_the_head_was_deleted_is_refused():
    _record(2)
    _owner_sql("DELETE FROM core_auditchainhead", [])

    with pytest.raises(RuntimeError, match="head row is missing"), transaction.atomic():
        audit.record(actor=audit.SYSTEM, action="after", object_type="t", object_id=1)

    assert AuditEntry.objects.count() == 2


def _rewrite_history(from_seq: int, after: dict) -> None:
    """The owner's full forgery: change one entry, re-hash it and all later ones, move the head."""
    previous_hash = AuditEntry.objects.get(seq=from_seq - 1).hash if from_seq > 1 else "0" * 64
    later = (
        AuditEntry.objects.filter(seq__gte=from_seq).order_by("seq").values(*audit.HASHED_FIELDS)
    )
    for row in list(later):
        if row["seq"] == from_seq:
            row["after"] = after
        row["prev_hash"] = previous_hash
        previous_hash = audit.entry_hash(row)
        _owner_sql(
            "UPDATE core_auditentry SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(row["after"]), row["prev_hash"], previous_hash, row["seq"]],
        )
    AuditChainHead.objects.filter(pk=1).update(hash=previous_hash)


def test_a_rewritten_history_is_caught_by_a_published_anchor():
    # given: the public noted the head when it was at entry 3
    entries = _record(3)
    noted = {3: entries[2].hash}

    # when: the owner rewrites entry 2 and re-hashes everything after it, head included
    _rewrite_history(2, {"price": "0.01"})

    # then: the chain alone looks intact, the published anchor does not
    assert audit.verify().ok
    report = audit.verify(expect=noted)
    assert (report.ok, report.broken_seq, report.reason) == (False, 3, "anchor")


def test_the_database_refuses_updates_and_deletes():
    _record(2)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEntry.objects.filter(seq=1).update(actor_name="x")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEntry.objects.filter(seq=2).delete()
    assert AuditEntry.objects.count() == 2
    assert audit.verify().ok


def test_the_model_refuses_updates_and_deletes():
    (entry,) = _record(1)
    entry.actor_name = "x"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()


def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record(actor=audit.SYSTEM, action="x", object_type="t", object_id=1)
    assert AuditEntry.objects.count() == 0


def test_an_entry_rolls_back_with_its_change():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record(actor=audit.SYSTEM, action="x", object_type="t", object_id=1)
        1 / 0  # noqa: B018
    assert AuditEntry.objects.count() == 0
    assert audit.head() == (0, "0" * 64)
    (entry,) = _record(1)
    assert entry.seq == 1


def test_progress_is_reported_while_verifying():
    _record(7)
    calls = []
    report = audit.verify(progress=lambda done, total: calls.append((done, total)), chunk_size=3)
    assert report.ok
    assert calls == [(3, 7), (6, 7), (7, 7)]


def test_visibility_limits_what_a_reader_sees():
    with transaction.atomic():
        audit.record(
            actor=audit.SYSTEM, action="a", object_type="t", object_id=1, agency_code="CGD"
        )
        audit.record(
            actor=audit.SYSTEM, action="b", object_type="t", object_id=2, agency_code="DLT"
        )
    mine = audit.SystemActor(actor_id="user:7", actor_name="me")
    with transaction.atomic():
        audit.record(actor=mine, action="c", object_type="t", object_id=3)

    def actions(visibility):
        return [entry.action for entry in audit.entries_list(visibility=visibility)]

    assert actions(audit.AuditVisibility(everything=True)) == ["c", "b", "a"]
    assert actions(audit.AuditVisibility(agency_codes=frozenset({"CGD"}), actor_id="user:7")) == [
        "c",
        "a",
    ]
    assert actions(audit.AuditVisibility(actor_id="user:7")) == ["c"]
    assert actions(audit.AuditVisibility()) == []


def test_concurrent_appends_keep_one_unbroken_chain():
    errors = []

    def append(worker: int) -> None:
        try:
            for index in range(10):
                with transaction.atomic():
                    audit.record(
                        actor=audit.SYSTEM,
                        action="race",
                        object_type="t",
                        object_id=f"{worker}-{index}",
                    )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = audit.verify()
    assert report.ok and report.checked == 40
