"""Procurement analytics API (P-24): the figures of the analytics page, as JSON.

Buyers, approvers and administrators of an agency read their own agency; auditors and platform
administrators read every agency, or one with `agency`. Amounts are baht (strings, two
decimals); percentages have two decimals; a figure without data is null."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from onestop.core.http.api import ErrorOut
from onestop.procurement import analytics

router = Router(tags=["procurement analytics"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class AnalyticsFilter(Schema):
    fiscal_year: str | None = Field(
        None,
        description="Fiscal year in the Buddhist Era (from 1 October), e.g. 2570; `all` for "
        "every year; the current fiscal year when left out.",
    )
    agency: str | None = Field(
        None, description="Agency code (auditors and platform administrators); officers: own."
    )


class SavingsOut(Schema):
    method: str | None = Field(description="e_bidding, e_market, specific; null: all methods")
    tenders: int = Field(description="Awarded tenders")
    reference_total: Decimal
    awarded_total: Decimal
    savings: Decimal = Field(description="reference_total − awarded_total")
    savings_percent: Decimal | None = Field(description="savings / reference_total × 100")


class BucketOut(Schema):
    bids: str = Field(description="0, 1, 2, 3, 4 or 5+ valid bids")
    tenders: int


class CompetitionOut(Schema):
    opened_tenders: int
    bids: int = Field(description="Valid current bids (opened, with a price) of opened tenders")
    average_bids: Decimal | None
    histogram: list[BucketOut]
    single_bidder_tenders: int
    single_bidder_percent: Decimal | None = Field(description="Of opened tenders")


class TimeToAwardOut(Schema):
    awarded_tenders: int
    median_days: Decimal | None = Field(description="Days from publication to award")
    p90_days: Decimal | None = Field(description="Nearest-rank 90th percentile, days")


class StatusOut(Schema):
    status: str
    tenders: int


class MonthOut(Schema):
    month: dt.date = Field(description="First day of the month of award (Asia/Bangkok)")
    tenders: int
    reference_total: Decimal
    awarded_total: Decimal


class AnalyticsOut(Schema):
    fiscal_year: int | None = Field(description="Buddhist Era; null: every year")
    agency: str | None = Field(description="Agency code; null: every agency")
    tenders: int
    savings: SavingsOut
    savings_by_method: list[SavingsOut]
    competition: CompetitionOut
    time_to_award: TimeToAwardOut
    by_status: list[StatusOut]
    monthly: list[MonthOut]


@router.get(
    "/analytics",
    response={200: AnalyticsOut, **ERRORS},
    summary="Procurement analytics: savings, competition, time to award (officers, auditors)",
)
def analytics_get(request: HttpRequest, filters: Query[AnalyticsFilter]):
    # Who may read (and which agency) first; then the year asked for.
    analytics.check_access(principal=request.principal, agency_code=filters.agency)
    return analytics.procurement_analytics(
        principal=request.principal,
        fiscal_year=analytics.parse_fiscal_year(filters.fiscal_year),
        agency_code=filters.agency,
    )
