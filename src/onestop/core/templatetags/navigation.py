from django import template

from onestop.core.navigation import links_for

register = template.Library()


@register.simple_tag(takes_context=True)
def app_links(context, section=None):
    """Links that apps registered for the current person, e.g. {% app_links "officer" as links %}."""
    request = context.get("request")
    return links_for(getattr(request, "principal", None), section)
