"""Procurement analytics (P-24, first part): savings against the reference price, competition
(bids per tender, single-bidder tenders), time to award, tenders by status and a monthly series
of awarded value against the reference price.

Reads only, scoped to who is asking: officers who buy, approve or administer see their own
agency; auditors and platform administrators see every agency (or one, when they filter). Sums
and counts are SQL aggregates (SQLite and PostgreSQL alike); medians and percentiles are taken
in Python over a values_list. Every figure with an empty denominator is None, never a division
by zero.

Definitions:

* awarded tender: status awarded or contracted, with an awarded bid that has a price; its
  awarded price is that bid's price.
* valid bid: a current (not superseded) bid that the vault opened with a price.
* opened tender: a tender whose bids were opened (opened_at is set), whatever happened next.
* time to award: days from publication to award; p90 is the nearest-rank 90th percentile
  (90% of the tenders were awarded within that many days).
* fiscal year: the tender's own fiscal year (Buddhist Era, from 1 October), as in its number.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pythainlp.util import thai_strftime

from onestop.core.errors import InputError
from onestop.core.thai import BUDDHIST_ERA_OFFSET
from onestop.core.thai import fiscal_year as fiscal_year_of
from onestop.identity.public import Principal, Role, agency_get, require_authenticated
from onestop.procurement.models import Submission, Tender
from onestop.procurement.policies import NotVisibleError, OfficersOnlyError

# Officers who may read their agency's analytics; auditors and platform admins read all.
ANALYTICS_ROLES = (Role.BUYER, Role.APPROVER, Role.AGENCY_ADMIN)
AWARDED_STATES = (Tender.Status.AWARDED, Tender.Status.CONTRACTED)
# The price an award was decided on: the tender's reverse auction's, else the sealed bid's.
AWARDED_PRICE = Coalesce("awarded_submission__auction_price", "awarded_submission__price")
HISTOGRAM_TOP = 5  # the last bucket is "5 or more"
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
SECONDS_PER_DAY = Decimal(86400)
ALL_YEARS = "all"


# Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Savings:
    """Savings against the reference price over awarded tenders (of one method, or all)."""

    method: str | None  # None: every method
    tenders: int
    reference_total: Decimal
    awarded_total: Decimal
    savings: Decimal  # reference_total - awarded_total; negative when awarded above it
    savings_percent: Decimal | None  # of reference_total; None without awarded tenders

    @property
    def label(self) -> str:
        return str(Tender.Method(self.method).label) if self.method else str(_("All methods"))


@dataclass(frozen=True)
class Bucket:
    bids: str  # "0" .. "4", "5+"
    tenders: int


@dataclass(frozen=True)
class Competition:
    opened_tenders: int
    bids: int  # valid current bids over the opened tenders
    average_bids: Decimal | None
    histogram: list[Bucket]
    single_bidder_tenders: int
    single_bidder_percent: Decimal | None  # of opened tenders


@dataclass(frozen=True)
class TimeToAward:
    awarded_tenders: int
    median_days: Decimal | None
    p90_days: Decimal | None


@dataclass(frozen=True)
class StatusCount:
    status: str
    tenders: int

    @property
    def label(self) -> str:
        return str(Tender.Status(self.status).label)


@dataclass(frozen=True)
class Month:
    month: dt.date  # the first day of the month (local time)
    tenders: int  # awarded that month
    reference_total: Decimal
    awarded_total: Decimal

    @property
    def label(self) -> str:
        """'ม.ค. 2570' in Thai, 'Jan 2027' in English."""
        if (translation.get_language() or "th").startswith("th"):
            return thai_strftime(dt.datetime.combine(self.month, dt.time()), "%b %Y")
        return f"{self.month:%b %Y}"


@dataclass(frozen=True)
class Analytics:
    fiscal_year: int | None  # None: every year
    agency: str | None  # agency code; None: every agency
    agency_name: str | None
    tenders: int
    savings: Savings
    savings_by_method: list[Savings]
    competition: Competition
    time_to_award: TimeToAward
    by_status: list[StatusCount]
    monthly: list[Month]

    @property
    def has_data(self) -> bool:
        return self.tenders > 0


# Who may read, and what ----------------------------------------------------------------------


def may_read_analytics(principal: Principal) -> bool:
    return (
        principal.is_auditor
        or principal.is_platform_admin
        or (principal.is_officer and bool(set(ANALYTICS_ROLES) & set(principal.roles)))
    )


def sees_every_agency(principal: Principal) -> bool:
    return principal.is_auditor or principal.is_platform_admin


def _require_reader(principal: Principal) -> None:
    require_authenticated(principal)
    if not may_read_analytics(principal):
        roles = format_lazy(
            _("{buyer}, {approver} or {admin}"),
            buyer=Role.BUYER.label,
            approver=Role.APPROVER.label,
            admin=Role.AGENCY_ADMIN.label,
        )
        raise OfficersOnlyError(params={"role": roles})


def _scope(principal: Principal, agency_code: str | None):
    """The tenders this principal may count, and the agency they are narrowed to (or None)."""
    _require_reader(principal)
    code = (agency_code or "").strip().upper()
    if sees_every_agency(principal):
        agency = agency_get(code) if code else None
    else:
        if code and code != principal.agency_code:
            raise NotVisibleError(field="agency")
        agency = agency_get(principal.agency_code)
    tenders = Tender.objects.all()
    if agency is not None:
        tenders = tenders.filter(agency_id=agency.pk)
    return tenders, agency


def check_access(*, principal: Principal, agency_code: str | None = None) -> None:
    """Refuses (401, 403, 404) whoever may not read these analytics, or not of that agency."""
    _scope(principal, agency_code)


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.now())


def parse_fiscal_year(value: str | int | None) -> int | None:
    """A Buddhist Era fiscal year ('2570'); 'all' for every year; empty for the current one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return current_fiscal_year()
    text = str(value).strip()
    if text.lower() == ALL_YEARS:
        return None
    if not text.isdecimal() or not 2400 <= int(text) <= 2800:
        raise InputError(
            _("Enter a fiscal year in the Buddhist Era, like %(year)s, or “all”."),
            field="fiscal_year",
            params={"year": current_fiscal_year()},
        )
    return int(text)


def fiscal_years(*, principal: Principal, agency_code: str | None = None) -> list[int]:
    """The fiscal years that have tenders in scope, and the current one; newest first."""
    tenders, _agency = _scope(principal, agency_code)
    years = set(tenders.order_by().values_list("fiscal_year", flat=True).distinct())
    years.add(current_fiscal_year())
    return sorted(years, reverse=True)


# Figures ---------------------------------------------------------------------------------------


def _money(value) -> Decimal:
    return Decimal(value if value is not None else 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


def _awarded(tenders: QuerySet[Tender]) -> QuerySet[Tender]:
    return tenders.filter(
        status__in=AWARDED_STATES,
        awarded_submission__isnull=False,
        awarded_submission__price__isnull=False,  # a sealed price, at least
    )


def _savings(method: str | None, tenders: int, reference, awarded) -> Savings:
    reference, awarded = _money(reference), _money(awarded)
    savings = reference - awarded
    return Savings(
        method=method,
        tenders=tenders,
        reference_total=reference,
        awarded_total=awarded,
        savings=savings,
        savings_percent=_percent(savings, reference) if tenders else None,
    )


def savings_by_method(tenders: QuerySet[Tender]) -> tuple[Savings, list[Savings]]:
    """Overall and per method (every method listed, in the order of Tender.Method)."""
    rows = {
        row["method"]: row
        for row in _awarded(tenders)
        .order_by()
        .values("method")
        .annotate(
            count=Count("pk"),
            reference=Sum("reference_price"),
            awarded=Sum(AWARDED_PRICE),
        )
    }
    by_method = [
        _savings(
            method,
            rows.get(method, {}).get("count", 0),
            rows.get(method, {}).get("reference"),
            rows.get(method, {}).get("awarded"),
        )
        for method in Tender.Method.values
    ]
    overall = _savings(
        None,
        sum(row.tenders for row in by_method),
        sum((row.reference_total for row in by_method), ZERO),
        sum((row.awarded_total for row in by_method), ZERO),
    )
    return overall, by_method


def _valid_bids() -> Subquery:
    """The number of valid current bids of the outer tender (0 when it has none)."""
    counted = (
        Submission.objects.filter(
            tender=OuterRef("pk"), superseded=False, outcome=Submission.Outcome.OPENED
        )
        .exclude(price__isnull=True)
        .order_by()
        .values("tender")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), V(0))


def competition(tenders: QuerySet[Tender]) -> Competition:
    opened = tenders.filter(opened_at__isnull=False).order_by().annotate(bids=_valid_bids())
    totals = opened.aggregate(
        tenders=Count("pk"), valid_bids=Sum("bids"), single=Count("pk", filter=Q(bids=1))
    )
    buckets = {
        row["bucket"]: row["n"]
        for row in opened.annotate(
            bucket=Case(
                When(bids__gte=HISTOGRAM_TOP, then=V(HISTOGRAM_TOP)),
                default=F("bids"),
                output_field=IntegerField(),
            )
        )
        .values("bucket")
        .annotate(n=Count("pk"))
        .order_by()
    }
    histogram = [
        Bucket(
            bids=f"{size}+" if size == HISTOGRAM_TOP else str(size), tenders=buckets.get(size, 0)
        )
        for size in range(HISTOGRAM_TOP + 1)
    ]
    count = totals["tenders"] or 0
    bids = totals["valid_bids"] or 0
    return Competition(
        opened_tenders=count,
        bids=bids,
        average_bids=(Decimal(bids) / count).quantize(CENT, rounding=ROUND_HALF_UP)
        if count
        else None,
        histogram=histogram,
        single_bidder_tenders=totals["single"] or 0,
        single_bidder_percent=_percent(totals["single"] or 0, count),
    )


def nearest_rank(values: list[Decimal], percent: int) -> Decimal:
    """The nearest-rank percentile of sorted values: the smallest value with at least
    `percent`% of the values at or below it."""
    rank = max(1, math.ceil(len(values) * percent / 100))
    return values[rank - 1]


def time_to_award(tenders: QuerySet[Tender]) -> TimeToAward:
    moments = (
        _awarded(tenders)
        .filter(published_at__isnull=False, awarded_at__isnull=False)
        .order_by()
        .values_list("published_at", "awarded_at")
    )
    days = sorted(
        Decimal(str((awarded - published).total_seconds())) / SECONDS_PER_DAY
        for published, awarded in moments
    )
    if not days:
        return TimeToAward(awarded_tenders=0, median_days=None, p90_days=None)
    return TimeToAward(
        awarded_tenders=len(days),
        median_days=Decimal(statistics.median(days)).quantize(TENTH, rounding=ROUND_HALF_UP),
        p90_days=nearest_rank(days, 90).quantize(TENTH, rounding=ROUND_HALF_UP),
    )


def by_status(tenders: QuerySet[Tender]) -> list[StatusCount]:
    counts = dict(
        tenders.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [StatusCount(status, counts.get(status, 0)) for status in Tender.Status.values]


def _month_start(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def _next_month(value: dt.date) -> dt.date:
    return (value.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def monthly(tenders: QuerySet[Tender]) -> list[Month]:
    """Awarded value and reference price per month of award (local time), from the first to
    the last month with an award; months between without one are zero."""
    rows = {
        _month_start(row["month"]): row
        for row in _awarded(tenders)
        .filter(awarded_at__isnull=False)
        .order_by()
        .annotate(month=TruncMonth("awarded_at"))
        .values("month")
        .annotate(
            count=Count("pk"),
            reference=Sum("reference_price"),
            awarded=Sum(AWARDED_PRICE),
        )
    }
    if not rows:
        return []
    series = []
    month, last = min(rows), max(rows)
    while month <= last:
        row = rows.get(month, {})
        series.append(
            Month(
                month=month,
                tenders=row.get("count", 0),
                reference_total=_money(row.get("reference")),
                awarded_total=_money(row.get("awarded")),
            )
        )
        month = _next_month(month)
    return series


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of a Buddhist Era fiscal year: 1 October to 30 September."""
    common = year - BUDDHIST_ERA_OFFSET
    return dt.date(common - 1, 10, 1), dt.date(common, 9, 30)


def procurement_analytics(
    *, principal: Principal, fiscal_year: int | None = None, agency_code: str | None = None
) -> Analytics:
    """Every figure of the analytics page for one fiscal year (None: all) and agency."""
    tenders, agency = _scope(principal, agency_code)
    if fiscal_year is not None:
        tenders = tenders.filter(fiscal_year=fiscal_year)
    overall, per_method = savings_by_method(tenders)
    statuses = by_status(tenders)
    return Analytics(
        fiscal_year=fiscal_year,
        agency=agency.code if agency else None,
        agency_name=agency.name_th if agency else None,
        tenders=sum(row.tenders for row in statuses),
        savings=overall,
        savings_by_method=per_method,
        competition=competition(tenders),
        time_to_award=time_to_award(tenders),
        by_status=statuses,
        monthly=monthly(tenders),
    )
