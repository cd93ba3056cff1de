"""The electronic vault's committee, shared by tenders and sealed-bid auctions (P-13, P-18).

Sealing: a new key pair whose private half is split k-of-n among the opening committee, each
share sealed to the member's own vault key, after which the private key is dropped. Opening:
each member unlocks their share with their vault passphrase and a code from their
authenticator app; the k-th share rebuilds the key. These helpers run inside the caller's
transaction, which holds the lock on the tender or auction being sealed or opened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from onestop.core.errors import ConflictError, InputError, PermissionDeniedError
from onestop.identity.public import Principal, Role, principal_for, totp_verify, user_find
from onestop.procurement.domain import vault
from onestop.procurement.models import VaultMemberKey

MIN_COMMITTEE = 3
MAX_COMMITTEE = 9


class VaultKeyMissingError(InputError):
    code = "vault_key_missing"
    message = _(
        "%(name)s has no vault key yet: each committee member creates one (with a passphrase "
        "only they know) before a vault can be sealed to them."
    )


class PassphraseWrongError(PermissionDeniedError):
    code = "vault_passphrase"
    message = _("The vault passphrase is not right.")


@dataclass(frozen=True)
class SealedSeat:
    """One member's part of a new vault: their share, sealed to their own key."""

    user: object
    share_index: int
    share_digest: str
    sealed_share: bytes


@dataclass(frozen=True)
class NewVault:
    public: bytes
    kid: str
    seats: list[SealedSeat]


def committee_members(agency, usernames: Sequence[str], threshold: int) -> list[tuple]:
    """The committee as (user, member public key): committee members of the agency who have a
    vault key, 3 to 9 of them, of whom 2 to all must release to open."""
    names = list(dict.fromkeys(name.strip() for name in usernames if name.strip()))
    if not MIN_COMMITTEE <= len(names) <= MAX_COMMITTEE:
        raise InputError(
            _("The bid-opening committee has %(min)s to %(max)s members."),
            field="committee",
            params={"min": MIN_COMMITTEE, "max": MAX_COMMITTEE},
        )
    if not 2 <= threshold <= len(names):
        raise InputError(
            _("Between 2 and %(count)s members must be needed to open the vault."),
            field="threshold",
            params={"count": len(names)},
        )
    members = []
    for username in names:
        user = user_find(username)
        principal = principal_for(user)
        if principal.agency_id != agency.pk or Role.COMMITTEE not in principal.roles:
            raise InputError(
                _("%(name)s is not a committee member of your agency."),
                field="committee",
                params={"name": username},
            )
        key = VaultMemberKey.objects.filter(user=user).first()
        if key is None:
            raise VaultKeyMissingError(field="committee", params={"name": principal.actor_name})
        members.append((user, bytes(key.public)))
    return members


def vault_seal(members: Sequence[tuple], threshold: int, context: Callable[[int], str]) -> NewVault:
    """A new vault key split among `members`; `context(index)` binds each sealed share to what
    it opens. The private key does not outlive this call."""
    private = vault.generate()
    public = vault.public_point(private)
    shares = vault.split(private, threshold, len(members))
    del private
    seats = [
        SealedSeat(
            user=user,
            share_index=share.index,
            share_digest=share.digest(),
            sealed_share=vault.seal(member_public, vault.share_bytes(share), context(share.index)),
        )
        for (user, member_public), share in zip(members, shares, strict=True)
    ]
    return NewVault(public=public, kid=vault.fingerprint(public), seats=seats)


def share_unlock(
    *,
    actor: Principal,
    seat,
    context: str,
    reference: str,
    passphrase: str,
    second_factor: str,
) -> vault.Share:
    """A member's share out of their seat, with their passphrase and authenticator code (spent
    in the caller's transaction: if the release fails after this, the code is not used up)."""
    totp_verify(user_id=actor.user_id, code=second_factor)
    member = VaultMemberKey.objects.get(user_id=actor.user_id)
    try:
        member_private = vault.member_key_unlock(
            bytes(member.encrypted_private), bytes(member.public), passphrase
        )
    except vault.PassphraseError as error:
        raise PassphraseWrongError(field="passphrase") from error
    try:
        share = vault.share_from_bytes(
            vault.open_sealed(member_private, bytes(seat.sealed_share), context)
        )
    except vault.VaultError as error:
        raise ConflictError(
            _("Your share of %(reference)s does not open: %(problem)s"),
            params={"reference": reference, "problem": str(error)},
        ) from error
    if share.digest() != seat.share_digest or share.index != seat.share_index:
        raise ConflictError(
            _("Your share of %(reference)s does not match the one on record."),
            params={"reference": reference},
        )
    return share
