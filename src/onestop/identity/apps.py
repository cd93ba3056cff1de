from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "onestop.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from onestop.core.audit import register_actions
        from onestop.identity import signals  # noqa: F401

        register_actions(
            {
                "identity.citizen.register": _("Registered as a citizen"),
                "identity.account.create": _("Opened an account"),
                "identity.account.update": _("Changed contact details"),
                "identity.account.password_change": _("Changed the password"),
                "identity.account.login": _("Logged in"),
                "identity.account.platform_flags": _("Changed auditor or administrator rights"),
                "identity.business.register": _("Registered a business"),
                "identity.business.member_add": _("Added a person to a business"),
                "identity.agency.create": _("Added an agency"),
                "identity.officer.appoint": _("Appointed an officer"),
                "identity.officer.roles_set": _("Changed an officer's roles"),
                "identity.officer.release": _("Released an officer"),
                "identity.api_token.create": _("Created an API token"),
                "identity.api_token.revoke": _("Revoked an API token"),
                "identity.totp.enroll": _("Started setting up two-step verification"),
                "identity.totp.reset": _("Set up two-step verification again"),
                "identity.totp.confirm": _("Turned on two-step verification"),
                "identity.totp.enroll_known": _("Two-step verification set up with a demo key"),
            }
        )
