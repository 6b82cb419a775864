"""The client's setup test on the counselor's pages: a badge per appointment and a summary
on its detail page ("Setup: ready / problems / not tested")."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from visavis.appointments.links import setup_url
from visavis.setupcheck import services
from visavis.setupcheck.models import CHECKS, SetupCheck

register = template.Library()


@register.inclusion_tag("setupcheck/_badge.html")
def setup_badge(appointment):
    """One small query per appointment: the newest result's verdict only."""
    verdict = (
        SetupCheck.objects.filter(appointment=appointment)
        .order_by("-checked_at", "-pk")
        .values_list("verdict", flat=True)
        .first()
    )
    check = SetupCheck(verdict=verdict) if verdict else None
    return {"status": services.status_of(check)}


@register.inclusion_tag("setupcheck/_summary.html", takes_context=True)
def setup_summary(context, appointment):
    check = services.latest(appointment)
    guest_url = context.get("guest_url", "")
    return {
        "check": check,
        "status": services.status_of(check),
        "rows": _rows(check),
        "setup_url": setup_url(guest_url) if guest_url else "",
    }


def _rows(check: SetupCheck | None) -> list[dict]:
    if check is None:
        return []
    relayed = check.relay_configured and check.call == "pass"
    rows = []
    for name in CHECKS:
        outcome, label = getattr(check, name), getattr(check, f"get_{name}_display")()
        if name == "srflx" and outcome == "fail" and relayed:
            # Not a problem: the call went through the relay. Shown calmly, as to the client.
            outcome, label = "minor", _("not found (not needed: the relay server works)")
        rows.append(
            {"name": SetupCheck._meta.get_field(name).verbose_name, "outcome": outcome,
             "label": label}
        )
    return rows
