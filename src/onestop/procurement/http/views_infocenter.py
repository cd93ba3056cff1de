"""The public procurement information center (P-21): lists of tenders, results, contracts and
plans with filters and a Thai-aware search, a tender's whole public timeline, and every list as
CSV or XLSX. No login: everything here is public, and only what is public is read."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from onestop.core.errors import ApplicationError
from onestop.core.http.errors import error_response
from onestop.core.http.forms import AccessibleForm, add_application_error
from onestop.core.thai import BUDDHIST_ERA_OFFSET
from onestop.procurement import infocenter
from onestop.procurement.models import Tender

FORMATS = ("csv", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet holds 1,048,576 rows, the header included
TITLES = {
    "tenders": gettext_lazy("Tenders"),
    "results": gettext_lazy("Results"),
    "contracts": gettext_lazy("Contracts"),
    "plans": gettext_lazy("Procurement plans"),
}
INTROS = {
    "tenders": gettext_lazy(
        "Every published invitation to bid, newest first, from its announcement to its contract."
    ),
    "results": gettext_lazy("Awarded tenders with the winner and the winning price."),
    "contracts": gettext_lazy("Signed contracts with the supplier and the contract value."),
    "plans": gettext_lazy("The projects of the agencies' published annual procurement plans."),
}


# Filters -------------------------------------------------------------------------------------------

DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})$"),
)


class ThaiDateField(forms.DateField):
    """A day as 2026-12-31 or 31/12/2026; a year above 2400 is a Buddhist Era year (2569)."""

    widget = forms.DateInput(attrs={"type": "date"})
    default_error_messages = {
        "invalid": gettext_lazy("Enter a date such as 31/12/2569 or 2026-12-31."),
    }

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for pattern in DATE_FORMATS:
            match = pattern.match(text)
            if match:
                year = int(match["y"])
                if year > 2400:
                    year -= BUDDHIST_ERA_OFFSET
                try:
                    return dt.date(year, int(match["m"]), int(match["d"]))
                except ValueError:
                    break
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class AmountField(forms.DecimalField):
    """Baht, with or without thousands separators ("1,250,000" or "1250000.50")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False, min_value=Decimal(0), max_digits=14, decimal_places=2, **kwargs
        )
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.replace(",", "").replace("บาท", "").strip()
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        return attrs


class FilterForm(AccessibleForm):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    agency = forms.ChoiceField(label=gettext_lazy("Agency"), required=False)
    method = forms.ChoiceField(label=gettext_lazy("Method"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    amount_min = AmountField(label=gettext_lazy("Amount from (baht)"))
    amount_max = AmountField(label=gettext_lazy("Amount up to (baht)"))
    date_from = ThaiDateField(label=gettext_lazy("Published from"), required=False)
    date_to = ThaiDateField(label=gettext_lazy("Published until"), required=False)

    def __init__(self, data: Any, *, kind: str) -> None:
        super().__init__(data)
        self.kind = kind
        everything = [("", _("All"))]
        self.fields["agency"].choices = everything + [
            (code, f"{name} ({code})") for code, name in infocenter.agencies()
        ]
        self.fields["method"].choices = everything + list(Tender.Method.choices)
        statuses = {"tenders": infocenter.PUBLIC_STATES, "results": infocenter.RESULT_STATES}
        labels = dict(Tender.Status.choices)
        self.fields["status"].choices = everything + [
            (value, labels[value]) for value in statuses.get(kind, ())
        ]
        if kind not in statuses:
            del self.fields["status"]
        if kind == "contracts":
            self.fields["amount_min"].label = _("Contract value from (baht)")
            self.fields["amount_max"].label = _("Contract value up to (baht)")
            self.fields["date_from"].label = _("Signed from")
            self.fields["date_to"].label = _("Signed until")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The highest amount is below the lowest one."))
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The last day is before the first one."))
        return data

    def filters(self) -> infocenter.Filters:
        data = self.cleaned_data
        return infocenter.Filters(
            agency=data.get("agency") or "",
            method=data.get("method") or "",
            status=data.get("status") or "",
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=(data.get("q") or "").strip(),
        )


def _query(request: HttpRequest, **changes: Any) -> str:
    """The request's filters as a query string, with `changes` (None drops a parameter)."""
    params = {key: value for key, value in request.GET.items() if value and key != "cursor"}
    params.update(changes)
    return urlencode({key: value for key, value in params.items() if value is not None})


# Lists ---------------------------------------------------------------------------------------------


def _kinds() -> list[tuple[str, Any]]:
    return [(name, TITLES[name]) for name in infocenter.KINDS]


def _kind(kind: str) -> str:
    if kind not in infocenter.KINDS:
        raise Http404
    return kind


def _list(request: HttpRequest, kind: str) -> HttpResponse:
    form = FilterForm(request.GET, kind=kind)
    page = None
    if form.is_valid():
        try:
            page = infocenter.PAGES[kind](
                form.filters(),
                cursor=request.GET.get("cursor") or None,
                size=infocenter.PAGE_SIZE,
            )
        except ApplicationError as refused:
            add_application_error(form, refused)
    htmx = bool(request.headers.get("HX-Request"))
    context = {
        "kind": kind,
        "title": TITLES[kind],
        "intro": INTROS[kind],
        "form": form,
        "page": page,
        "filtered": _query(request),
        "next_query": _query(request, cursor=page.next_cursor) if page and page.next_cursor else "",
        "first_page": bool(request.GET.get("cursor")),
        "search_limit": infocenter.SEARCH_EXPORT_LIMIT,
        "kinds": _kinds(),
    }
    template = (
        "procurement/infocenter/_results.html" if htmx else "procurement/infocenter/list.html"
    )
    # htmx swaps only successful answers: a partial with the errors comes back as 200.
    status = 400 if form.errors and not htmx else 200
    return render(request, template, context, status=status)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("procurement:info_tenders")


@require_GET
def tenders(request: HttpRequest) -> HttpResponse:
    return _list(request, "tenders")


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    return _list(request, "results")


@require_GET
def contracts(request: HttpRequest) -> HttpResponse:
    return _list(request, "contracts")


@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    return _list(request, "plans")


# A tender's public page ---------------------------------------------------------------------------


@require_GET
def tender(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        timeline = infocenter.tender_timeline(reference)
    except ApplicationError as error:
        return error_response(request, error)
    found = timeline.tender
    # The same tender as OCDS releases (P-22), for machines.
    ocds_url = f"/api/ocds/tenders/{quote(found.reference, safe='')}/releases"
    return render(
        request,
        "procurement/infocenter/tender.html",
        {"timeline": timeline, "tender": found, "kinds": _kinds(), "ocds_url": ocds_url},
    )


# Types a browser may show; anything else is offered as a plain download.
SHOWN_TYPES = {"application/pdf", "image/png", "image/jpeg"}


@require_GET
def document(request: HttpRequest, reference: str, document_id: int) -> HttpResponse:
    try:
        found = infocenter.tender_document(reference, document_id)
    except ApplicationError as error:
        return error_response(request, error)
    content_type = found.content_type if found.content_type in SHOWN_TYPES else None
    response = HttpResponse(
        bytes(found.data), content_type=content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(found.file_name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# Downloads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[dict[str, Any]], Any]
    text: bool = False  # free text typed by people: guarded against spreadsheet formulas
    width: int = 16


def _columns(kind: str, request: HttpRequest) -> list[Column]:
    """The columns of a download, labelled in the request's language."""
    zone = timezone.get_current_timezone()
    methods = {value: str(label) for value, label in Tender.Method.choices}
    states = {value: str(label) for value, label in Tender.Status.choices}
    page = request.build_absolute_uri(reverse("procurement:info_tender", args=["REF"]))

    def link(reference: str) -> str:
        return page.replace("/REF/", f"/{quote(reference)}/")

    def field(name: str) -> Callable[[dict[str, Any]], Any]:
        return lambda row: row[name]

    def moment(name: str) -> Callable[[dict[str, Any]], Any]:
        """A local time without its zone: spreadsheets know no time zones."""

        def local(row: dict[str, Any]) -> dt.datetime | None:
            value = row[name]
            return value.astimezone(zone).replace(tzinfo=None, microsecond=0) if value else None

        return local

    def label(name: str, labels: dict[str, str]) -> Callable[[dict[str, Any]], Any]:
        return lambda row: labels.get(row[name], row[name])

    def winning_price(row: dict[str, Any]) -> Decimal | None:
        auction = row["awarded_submission__auction_price"]
        return auction if auction is not None else row["awarded_submission__price"]

    if kind in ("tenders", "results"):
        columns = [
            Column(_("Reference"), field("reference"), width=20),
            Column(_("Title"), field("title"), text=True, width=60),
            Column(_("Agency code"), field("agency__code"), width=10),
            Column(_("Agency"), field("agency__name_th"), text=True, width=30),
            Column(_("Method"), label("method", methods), width=20),
            Column(_("Status"), label("status", states), width=20),
            Column(_("Budget (baht)"), field("budget")),
            Column(_("Reference price (baht)"), field("reference_price")),
            Column(_("Published"), moment("published_at"), width=18),
            Column(_("Bids until"), moment("submission_deadline"), width=18),
            Column(_("Opening from"), moment("opening_at"), width=18),
        ]
        if kind == "results":
            columns += [
                Column(_("Awarded"), moment("awarded_at"), width=18),
                Column(
                    _("Winner's juristic ID"),
                    field("awarded_submission__supplier__business__juristic_id"),
                    width=16,
                ),
                Column(
                    _("Winner"),
                    field("awarded_submission__supplier__business__name_th"),
                    text=True,
                    width=40,
                ),
                Column(_("Winning price (baht)"), winning_price),
            ]
        columns.append(Column(_("Page"), lambda row: link(row["reference"]), width=50))
        return columns
    if kind == "contracts":
        return [
            Column(_("Contract number"), field("number"), width=20),
            Column(_("Signed"), moment("signed_at"), width=18),
            Column(_("Tender"), field("tender__reference"), width=20),
            Column(_("Title"), field("tender__title"), text=True, width=60),
            Column(_("Agency code"), field("tender__agency__code"), width=10),
            Column(_("Agency"), field("tender__agency__name_th"), text=True, width=30),
            Column(_("Method"), label("tender__method", methods), width=20),
            Column(_("Supplier's juristic ID"), field("supplier__business__juristic_id")),
            Column(_("Supplier"), field("supplier__business__name_th"), text=True, width=40),
            Column(_("Contract value (baht)"), field("amount")),
            Column(_("Deliver by"), field("delivery_due"), width=12),
            Column(_("Page"), lambda row: link(row["tender__reference"]), width=50),
        ]
    return [
        Column(_("Fiscal year"), field("plan__fiscal_year"), width=10),
        Column(_("Agency code"), field("plan__agency__code"), width=10),
        Column(_("Agency"), field("plan__agency__name_th"), text=True, width=30),
        Column("#", field("position"), width=6),
        Column(_("Project"), field("title"), text=True, width=60),
        Column(_("Method"), label("method", methods), width=20),
        Column(_("Budget (baht)"), field("budget")),
        Column(_("Expected announcement"), field("expected_month"), width=12),
        Column(_("Plan published"), moment("plan__published_at"), width=18),
    ]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any, text: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if text and isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet must not run a title as a formula
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(columns: list[Column], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV text in pieces: a byte order mark (so that Excel reads UTF-8 Thai), the header,
    then the rows, about 200 at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([column.label for column in columns])
    lines = []
    for row in rows:
        lines.append(
            writer.writerow([_csv_value(column.value(row), column.text) for column in columns])
        )
        if len(lines) == 200:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _xlsx_file(columns: list[Column], rows: Iterable[dict[str, Any]], title: str):
    """The workbook in a temporary file. openpyxl's write-only mode writes each row out as it
    comes (strings inline, no shared-string table), so memory stays flat."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.append([column.label for column in columns])

    def cell(value: Any) -> Any:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value.startswith("="):  # openpyxl would store it as a formula
                text = WriteOnlyCell(sheet, value=value)
                text.data_type = "s"
                return text
        return value

    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            break
        sheet.append([cell(column.value(row)) for column in columns])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook.save(spool)
    spool.seek(0)
    return spool


def _filename(kind: str, fmt: str) -> str:
    today = timezone.localdate()
    return f"onestop-{kind}-{today:%Y%m%d}.{fmt}"


@require_GET
def download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """Every row of the filtered list: CSV streamed as it is read, or an XLSX workbook."""
    kind = _kind(kind)
    if fmt not in FORMATS:
        raise Http404
    form = FilterForm(request.GET, kind=kind)
    rows = None
    if form.is_valid():
        try:
            rows = infocenter.iter_rows(kind, form.filters())
        except ApplicationError as refused:
            add_application_error(form, refused)
    if rows is None:
        return _list(request, kind)
    columns = _columns(kind, request)
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_stream(columns, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = FileResponse(
            _xlsx_file(columns, rows, str(TITLES[kind])),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{_filename(kind, fmt)}"'
    return response
