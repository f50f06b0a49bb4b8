"""The private space's navigation, shown at the top of each of its pages (portal owns it)."""

from django import template

from payments.selectors import pays_contributions

register = template.Library()


@register.inclusion_tag("portal/includes/space_nav.html", takes_context=True)
def space_nav(context, current: str):
    """``current``: the page's item (« home », « payments »…), marked aria-current."""
    user = context["user"]
    return {"current": current, "contributions": pays_contributions(user)}
