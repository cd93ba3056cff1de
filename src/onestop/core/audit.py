"""The audit log (C-03): who did what to which object, with before/after, hash-chained.

Every service that changes state calls `record()` inside its transaction. Rows are append-only
(model guards plus database triggers), and each row's hash covers its predecessor's hash, so
`verify()` finds the first row that was changed, removed, inserted or reordered. The head
(last sequence number and hash) is public: anyone who notes it can later prove with
`verify(expect=...)` that history before it was not rewritten.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop.core.context import current_request_id
from onestop.core.errors import bilingual
from onestop.core.models import GENESIS_HASH, AuditChainHead, AuditEntry


@runtime_checkable
class Actor(Protocol):
    """Whoever acts: a person (identity's Principal) or the system itself."""

    @property
    def actor_id(self) -> str: ...

    @property
    def actor_name(self) -> str: ...


def user_actor_id(user_id: int | str) -> str:
    """The actor id of a person's account, as stored in audit rows and jobs."""
    return f"user:{user_id}"


@dataclass(frozen=True)
class SystemActor:
    actor_id: str = "system"
    actor_name: str = "OneStop"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class AuditVisibility:
    """Which entries a reader may see: everything, some agencies' entries, and always their own."""

    everything: bool = False
    agency_codes: frozenset[str] = frozenset()
    actor_id: str | None = None

    @property
    def anything(self) -> bool:
        return self.everything or bool(self.agency_codes) or self.actor_id is not None


# Action labels ---------------------------------------------------------------------------------

ACTION_LABELS: dict[str, Promise | str] = {}


def register_actions(labels: Mapping[str, Promise | str]) -> None:
    """Let an app name its audit actions for people (called from its AppConfig.ready())."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """'identity.officer.appoint' -> 'Appointed an officer' (the code itself when unnamed)."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


# Values ------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Turn a value into JSON that survives a database round trip unchanged (no floats)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, models.Model):
        return jsonable(value.pk)
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        return [jsonable(item) for item in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a model instance as JSON-safe values (foreign keys as ids)."""
    result: dict[str, Any] = {}
    for name in fields:
        model_field = obj._meta.get_field(name)
        attname = getattr(model_field, "attname", name)
        result[name] = jsonable(getattr(obj, attname))
    return result


def canonical_bytes(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "agency_code",
    "request_id",
    "before",
    "after",
    "prev_hash",
)


def entry_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of an entry's canonical JSON (all HASHED_FIELDS, time in UTC with microseconds)."""
    payload = {name: values[name] for name in HASHED_FIELDS}
    payload["at"] = jsonable(payload["at"])
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


# Writing -----------------------------------------------------------------------------------------


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    object_label: str | None = None,
    agency_code: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit chain.

    Must be called inside the service's transaction (the entry commits or rolls back with the
    change it describes). Locks the chain head until that transaction ends, so call it last.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "audit.record() must run inside the transaction of the change it records"
        )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        object_label = object_label if object_label is not None else str(obj)
    if not object_type or object_id is None:
        raise ValueError("audit.record() needs obj, or object_type and object_id")

    head = _locked_head()
    values: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": timezone.now(),
        "actor_id": actor.actor_id,
        "actor_name": str(actor.actor_name)[:200],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_label": (object_label or "")[:300],
        "agency_code": agency_code or "",
        "request_id": current_request_id(),
        "before": jsonable(before) if before is not None else None,
        "after": jsonable(after) if after is not None else None,
        "prev_hash": head.hash,
    }
    values["hash"] = entry_hash(values)
    entry = AuditEntry.objects.create(**values)
    AuditChainHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # The first entry ever: create the head. Concurrent first writers race on the primary key;
    # the loser's insert waits for the winner's commit, then get_or_create reads the winner's
    # row (created=False). A head created here while entries exist means it was deleted.
    head, created = AuditChainHead.objects.get_or_create(pk=1)
    if created and AuditEntry.objects.exists():
        raise RuntimeError("The audit chain's head row is missing; run `onestop audit verify`.")
    return AuditChainHead.objects.select_for_update().get(pk=head.pk)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


# Verifying ---------------------------------------------------------------------------------------

REASONS: dict[str, Promise] = {
    "missing": _(
        "Entry %(seq)s is missing: the sequence jumps from %(previous)s to %(found)s. "
        "Rows were deleted."
    ),
    "link": _(
        "Entry %(seq)s does not point to the hash of the entry before it: "
        "rows were removed, inserted or reordered."
    ),
    "content": _(
        "Entry %(seq)s was changed after it was written: its content no longer matches its hash."
    ),
    "tail": _(
        "The chain ends at entry %(found)s but its head records entry %(seq)s "
        "(hash %(expected)s): entries at the end were removed or changed."
    ),
    "head": _("The chain's head record is missing, so its end cannot be checked: it was deleted."),
    "anchor": _(
        "Entry %(seq)s has hash %(found)s, not the %(expected)s that was published: "
        "the log was rewritten."
    ),
}


@dataclass
class VerifyReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> dict[str, str]:
        if self.ok:
            return bilingual(
                _("All %(count)s entries are intact; the chain head is %(hash)s."),
                {"count": self.checked, "hash": self.head_hash},
            )
        return bilingual(REASONS[self.reason or "content"], self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "broken_seq": self.broken_seq,
            "reason": self.reason,
            "message": self.message,
        }


def head() -> tuple[int, str]:
    """The chain's last sequence number and hash (public: anyone may note it)."""
    row = AuditChainHead.objects.filter(pk=1).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def verify(
    *,
    expect: Mapping[int, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = 2000,
) -> VerifyReport:
    """Recompute the chain and report the first broken entry.

    `expect` maps sequence numbers to hashes published earlier (anchors). `progress(done, total)`
    is called after every chunk. Entries appended while this runs are not checked.
    """
    head_seq, head_hash = head()
    expect = dict(expect or {})
    previous_seq, previous_hash, checked = 0, GENESIS_HASH, 0

    def broken(seq: int, reason: str, **params: Any) -> VerifyReport:
        return VerifyReport(
            False, checked, head_seq, head_hash, seq, reason, {"seq": seq, **params}
        )

    if not AuditChainHead.objects.filter(pk=1).exists() and AuditEntry.objects.exists():
        return broken(1, "head")

    rows = (
        AuditEntry.objects.filter(seq__lte=head_seq)
        .order_by("seq")
        .values(*HASHED_FIELDS, "hash")
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        seq = row["seq"]
        if seq != previous_seq + 1:
            return broken(previous_seq + 1, "missing", previous=previous_seq, found=seq)
        if row["prev_hash"] != previous_hash:
            return broken(seq, "link")
        if entry_hash(row) != row["hash"]:
            return broken(seq, "content")
        if seq in expect and expect[seq] != row["hash"]:
            return broken(seq, "anchor", expected=expect[seq], found=row["hash"])
        previous_seq, previous_hash, checked = seq, row["hash"], checked + 1
        if progress and checked % chunk_size == 0:
            progress(checked, head_seq)
    if previous_seq != head_seq or previous_hash != head_hash:
        return broken(head_seq, "tail", found=previous_seq, expected=head_hash)
    unreached = [seq for seq in expect if seq > head_seq]
    if unreached:
        seq = min(unreached)
        return broken(seq, "anchor", expected=expect[seq], found="-")
    if progress:
        progress(checked, head_seq)
    return VerifyReport(True, checked, head_seq, head_hash)


# Reading -----------------------------------------------------------------------------------------


def entries_list(
    *,
    visibility: AuditVisibility,
    agency_code: str | None = None,
    action_prefix: str | None = None,
    actor_id: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Entries the reader may see, newest first, `limit` at a time (keyset on seq)."""
    if not visibility.anything:
        return []
    entries = AuditEntry.objects.all()
    if not visibility.everything:
        allowed = models.Q(agency_code__in=visibility.agency_codes)
        if visibility.actor_id:
            allowed |= models.Q(actor_id=visibility.actor_id)
        entries = entries.filter(allowed)
    if agency_code:
        entries = entries.filter(agency_code=agency_code)
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if before_seq:
        entries = entries.filter(seq__lt=before_seq)
    return list(entries.order_by("-seq")[: max(1, min(limit, 500))])
