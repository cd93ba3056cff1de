import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "onestop.documents"
    label = "documents"
    verbose_name = _("Documents and certificates")

    def ready(self) -> None:
        from onestop.core.audit import register_actions

        # WeasyPrint logs each stylesheet it parses and fontTools each font it unpacks, at INFO:
        # several lines per rendered document in the server log.
        for name in ("weasyprint.progress", "fontTools"):
            logging.getLogger(name).setLevel(logging.WARNING)

        register_actions(
            {
                "documents.ca.create": _("Created the platform certificate authority"),
                "documents.certificate.issue": _("Issued a certificate"),
                "documents.certificate.revoke": _("Revoked a certificate"),
                "documents.document.issue": _("Issued a signed document"),
                "documents.pdf.sign": _("Signed a PDF"),
            }
        )
