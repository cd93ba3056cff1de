"""Template filters for Thai-first output; loaded as builtins in every template."""

from __future__ import annotations

from django import template

from onestop.core import audit, thai

register = template.Library()


@register.filter
def thai_date(value):
    return thai.format_date(value)


@register.filter
def thai_datetime(value):
    return thai.format_datetime(value)


@register.filter
def thai_month(value):
    return thai.format_month(value)


@register.filter
def thai_short_date(value):
    return thai.format_short_date(value)


@register.filter
def baht(value):
    return thai.format_baht(value)


@register.filter
def baht_words(value):
    return thai.baht_in_words(value) if value is not None else ""


@register.filter
def fiscal_year(value):
    return thai.fiscal_year(value) if value else ""


@register.filter
def audit_action(value):
    """A person-readable name for an audit action code."""
    return audit.action_label(value)
