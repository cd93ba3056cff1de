"""The procurement analytics page (P-24): savings, competition, time to award, tenders by status
and a monthly series, with charts drawn on the server as SVG (no JavaScript). Each chart has a
<title> and <desc> for screen readers, and the page shows its numbers in a table beneath it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop.core.thai import format_date, to_satang
from onestop.identity.public import agency_list
from onestop.procurement import analytics
from onestop.procurement.http.common import page

# Colours of the platform (onestop.css): brand blue, a darker gold, ink and lines.
INK = "#1b1f24"
MUTED = "#505a66"
LINE = "#d3d8de"
BRAND = "#12416b"
GOLD = "#8a6508"
BAD = "#a4161a"
WIDTH = 640
SVG_STYLE = "max-width:40rem;width:100%;height:auto"


def amount(value: Decimal | int | None) -> str:
    """A number with grouping and two decimals, no unit: '1,095,500.50'."""
    if value is None:
        return "—"
    return formats.number_format(to_satang(value), decimal_pos=2, force_grouping=True)


def whole(value: Decimal | int) -> str:
    return formats.number_format(value, decimal_pos=0, force_grouping=True)


# SVG -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    shown: str  # the value as written next to the bar


def _n(value: float) -> str:
    """A coordinate, short and locale-independent."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, **attributes: str) -> str:
    extra = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attributes.items()
    )
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{escape(content)}</text>'


def _open(chart_id: str, title: str, description: str, height: float) -> list[str]:
    chart_id = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="{WIDTH}" height="{_n(height)}" style="{SVG_STYLE}" role="img" '
        f'class="chart" id="{chart_id}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-size="14" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def bar_chart(*, chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> SafeString:
    """Horizontal bars, one row per label (long Thai labels fit on the left), with the value
    written on the right; negative values grow left of the zero line."""
    row, bar_height, top = 30, 18, 8
    label_width = min(250, max(40, 8 * max((len(bar.label) for bar in bars), default=0)))
    value_width = 110
    plot_x = label_width + 12
    plot_width = WIDTH - plot_x - value_width
    height = top * 2 + row * max(len(bars), 1)
    low = min([Decimal(0), *(Decimal(bar.value) for bar in bars)])
    high = max([Decimal(0), *(Decimal(bar.value) for bar in bars)])
    span = (high - low) or Decimal(1)

    def x(value: Decimal) -> float:
        return plot_x + float((value - low) / span) * plot_width

    parts = _open(chart_id, title, description, height)
    for index, bar in enumerate(bars):
        value = Decimal(bar.value)
        y = top + index * row
        start, end = x(min(value, Decimal(0))), x(max(value, Decimal(0)))
        parts.append("<g>")
        parts.append(f"<title>{escape(bar.label)}: {escape(bar.shown)}</title>")
        parts.append(
            _text(label_width, y + row / 2 + 5, bar.label, text_anchor="end", class_="label")
        )
        parts.append(
            f'<rect x="{_n(start)}" y="{_n(y + (row - bar_height) / 2)}" '
            f'width="{_n(max(end - start, 0))}" height="{bar_height}" '
            f'fill="{BAD if value < 0 else BRAND}"/>'
        )
        parts.append(_text(WIDTH - value_width + 8, y + row / 2 + 5, bar.shown, class_="value"))
        parts.append("</g>")
    zero = x(Decimal(0))
    parts.append(
        f'<line x1="{_n(zero)}" x2="{_n(zero)}" y1="{top - 4}" y2="{_n(height - top + 4)}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 'round' number (1, 2, 2.5 or 5 times a power of ten) at or above value."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** math.floor(math.log10(value))
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal]
    colour: str
    dashed: bool = False


def line_chart(
    *, chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series]
) -> SafeString:
    """Lines over months, with a marker (and its <title>) on every point and a legend."""
    left, right, top, bottom, height = 100, 44, 40, 40, 300
    plot_width, plot_height = WIDTH - left - right, height - top - bottom
    high = nice_ceiling(max((value for line in series for value in line.values), default=0))
    count = len(labels)

    def x(index: int) -> float:
        return left + plot_width / 2 if count == 1 else left + index * plot_width / (count - 1)

    def y(value: Decimal) -> float:
        return top + plot_height - float(value / high) * plot_height

    parts = _open(chart_id, title, description, height)
    for tick in range(5):
        value = high * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{_n(y(value))}" y2="{_n(y(value))}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y(value) + 5, whole(value), text_anchor="end"))
    step = max(1, math.ceil(count / 8))
    for index, label in enumerate(labels):
        if index % step == 0:
            parts.append(_text(x(index), height - bottom + 22, label, text_anchor="middle"))
    legend_x = left
    for line in series:
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 28}" y1="16" y2="16" stroke="{line.colour}" '
            f'stroke-width="3"{dash}/>'
        )
        parts.append(_text(legend_x + 34, 21, line.name))
        legend_x += 34 + 9 * len(line.name) + 24
    for line in series:
        dash = ' stroke-dasharray="6 4"' if line.dashed else ""
        points = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in enumerate(line.values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{line.colour}" '
            f'stroke-width="2.5"{dash}/>'
        )
        for index, value in enumerate(line.values):
            parts.append(
                f'<circle cx="{_n(x(index))}" cy="{_n(y(value))}" r="4" fill="{line.colour}">'
                f"<title>{escape(labels[index])} · {escape(line.name)}: "
                f"{escape(amount(value))}</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# The page --------------------------------------------------------------------------------------


def charts(report: analytics.Analytics) -> dict[str, SafeString]:
    drawn: dict[str, SafeString] = {}
    if report.savings.tenders:
        drawn["savings"] = bar_chart(
            chart_id="chart-savings",
            title=_("Savings against the reference price by method (baht)"),
            description=_(
                "Reference price minus awarded price, summed over awarded tenders of each "
                "method. The table below has the same numbers."
            ),
            bars=[
                Bar(row.label, row.savings, amount(row.savings)) for row in report.savings_by_method
            ],
        )
    if report.competition.opened_tenders:
        drawn["bids"] = bar_chart(
            chart_id="chart-bids",
            title=_("Opened tenders by number of valid bids"),
            description=_(
                "How many opened tenders received 0, 1, 2, 3, 4, or 5 or more valid bids. The "
                "table below has the same numbers."
            ),
            bars=[
                Bar(bucket.bids, bucket.tenders, whole(bucket.tenders))
                for bucket in report.competition.histogram
            ],
        )
    if report.tenders:
        drawn["status"] = bar_chart(
            chart_id="chart-status",
            title=_("Tenders by status"),
            description=_("How many tenders are in each status. The table below has the same."),
            bars=[Bar(row.label, row.tenders, whole(row.tenders)) for row in report.by_status],
        )
    if report.monthly:
        drawn["monthly"] = line_chart(
            chart_id="chart-monthly",
            title=_("Awarded value and reference price by month of award (baht)"),
            description=_(
                "Solid line: awarded value; dashed line: reference price of the same tenders. "
                "The table below has the same numbers."
            ),
            labels=[month.label for month in report.monthly],
            series=[
                Series(
                    _("Awarded value"), [month.awarded_total for month in report.monthly], BRAND
                ),
                Series(
                    _("Reference price"),
                    [month.reference_total for month in report.monthly],
                    GOLD,
                    dashed=True,
                ),
            ],
        )
    return drawn


@page
@require_GET
def analytics_page(request: HttpRequest) -> HttpResponse:
    principal = request.principal
    agency_code = request.GET.get("agency", "").strip() or None
    # Who may read (and which agency) first; then the year asked for.
    years = analytics.fiscal_years(principal=principal, agency_code=agency_code)
    fiscal_year = analytics.parse_fiscal_year(request.GET.get("fiscal_year"))
    report = analytics.procurement_analytics(
        principal=principal, fiscal_year=fiscal_year, agency_code=agency_code
    )
    period = None
    if fiscal_year is not None:
        first, last = analytics.fiscal_year_bounds(fiscal_year)
        period = f"{format_date(first)} – {format_date(last)}"
    every_agency = analytics.sees_every_agency(principal)
    return render(
        request,
        "procurement/analytics.html",
        {
            "report": report,
            "charts": charts(report),
            "years": years,
            "all_years": analytics.ALL_YEARS,
            "period": period,
            "every_agency": every_agency,
            "agencies": agency_list() if every_agency else [],
        },
    )
