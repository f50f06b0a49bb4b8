"""The audit log (read-only, filtered, exported as CSV) and the dashboard's pictures."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from signup.models import FunnelCount
from tests.backoffice import factories

pytestmark = pytest.mark.django_db

AUDIT = "/agents/audit/auditevent/"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_audit_log_is_read_only(agent_client):
    event = audit_record(AuditEvent.Type.LOGIN_FAILED, area="portal")
    assert agent_client.get(AUDIT).status_code == 200
    page = agent_client.get(f"{AUDIT}{event.pk}/change/").content.decode()
    assert 'type="submit" value="Enregistrer"' not in page
    assert agent_client.get(f"{AUDIT}add/").status_code == 403
    agent_client.post(f"{AUDIT}{event.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_csv_export_follows_the_filters_and_defuses_formulas(agent_client, agent):
    member = factories.member()
    audit_record(AuditEvent.Type.ACCOUNT_LOCKED, actor=agent, subject=member, by="agent")
    audit_record(AuditEvent.Type.LOGIN_FAILED, area='=HYPERLINK("http://evil")')
    response = agent_client.get(f"{AUDIT}export.csv?type__exact=account.locked")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = read_csv(response)
    assert rows[0][:3] == ["date", "type", "agent ou auteur"]
    body = rows[1:]
    assert [row[1] for row in body] == ["account.locked"]
    assert body[0][2] == agent.login and body[0][3] == str(member)

    every = read_csv(agent_client.get(f"{AUDIT}export.csv"))
    details = [row[5] for row in every[1:]]
    assert not any(cell.startswith("=") for row in every for cell in row)
    assert any("HYPERLINK" in cell for cell in details)


def test_csv_export_action_on_selected_events(agent_client):
    first = audit_record(AuditEvent.Type.LOGOUT)
    audit_record(AuditEvent.Type.LOGOUT)
    response = agent_client.post(AUDIT, {"action": "export_csv", "_selected_action": [first.pk]})
    assert len(read_csv(response)) == 2


def test_audit_log_filters_by_agent_and_date(agent_client, agent):
    other = factories.agent(login="agent.lake")
    audit_record(AuditEvent.Type.AGENT_ACTION, actor=other, action="x")
    old = audit_record(AuditEvent.Type.AGENT_ACTION, actor=agent, action="old")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=40))
    by_other = agent_client.get(f"{AUDIT}?agent={other.pk}").content.decode()
    assert "action : x" in by_other and "action : old" not in by_other
    since = (timezone.localtime() - datetime.timedelta(days=7)).isoformat()
    recent = agent_client.get(AUDIT, {"at__gte": since})
    assert "action : old" not in recent.content.decode()


def test_every_agent_action_is_audited(agent_client, agent):
    member = factories.member()
    agent_client.post(
        "/agents/backoffice/memberaccount/",
        {"action": "send_password_by_post", "_selected_action": [member.pk]},
    )
    assert AuditEvent.objects.filter(type=AuditEvent.Type.AGENT_ACTION, actor=agent).exists()


def test_dashboard_draws_registrations_and_funnel_with_text_alternatives(agent_client):
    today = timezone.localdate()
    for days_ago, channel, count in [
        (0, "email", 5),
        (0, "post", 2),
        (3, "review", 1),
        (40, "email", 99),
    ]:
        FunnelCount.objects.create(
            day=today - datetime.timedelta(days=days_ago),
            event=FunnelCount.Event.COMPLETE,
            channel=channel,
            count=count,
        )
    for step, count in [(1, 20), (2, 16), (3, 12), (4, 10), (5, 9), (6, 8)]:
        FunnelCount.objects.create(day=today, event=FunnelCount.Event.STEP, step=step, count=count)
    FunnelCount.objects.create(day=today, event=FunnelCount.Event.ABANDON, step=2, count=4)
    index = agent_client.get("/agents/").content.decode()
    assert 'href="/agents/tableau-de-bord/"' in index
    page = agent_client.get("/agents/tableau-de-bord/").content.decode()
    assert page.count('role="img"') == 2
    assert 'aria-labelledby="chart-registrations-title chart-registrations-desc"' in page
    assert "<desc" in page and "<title" in page
    # The figures are also in tables: 8 completed in 30 days (the one 40 days ago is out).
    assert "<table" in page
    assert "Par email 5, Par courrier 2, Après examen par un agent 1" in page
    assert "<strong>8</strong> inscriptions finalisées" in page
    assert "<strong>20</strong> inscriptions commencées" in page
    assert "<strong>4</strong> abandons" in page
    assert "40 %" in page  # 8 finished out of 20 started
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_dashboard_renders_with_no_data(agent_client):
    page = agent_client.get("/agents/tableau-de-bord/")
    assert page.status_code == 200
    assert "<strong>0</strong> inscriptions commencées" in page.content.decode()
