"""The ways in to a privacy request: API (admin role), admin page, management commands, bulk CSV."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from attribution.models import Role
from crm_sync.models import PersonErasure
from crm_sync.privacy.export import FORMAT
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(workspace):
    user = UserFactory()
    MembershipFactory(user=user, workspace=workspace, role=Role.ANALYST)
    return user


def test_the_api_exports_the_person_as_documented_json(client, member, workspace, people):
    erased, _ = people
    client.force_login(member)
    response = client.post("/api/v1/privacy/export/", {"workspace": workspace.slug,
                                                        "email": erased.email.upper() + " "},
                           content_type="application/json")
    assert response.status_code == 200
    export = response.json()
    assert export["format"] == FORMAT and export["workspace"] == workspace.slug
    assert {t["ttclid"] for t in export["touchpoints"]} == {erased.ttclid}
    assert {d["crm_id"] for d in export["deals"]} == {erased.deal_id}
    assert len(export["visitors"]) == 2 and export["counts"]["conversions"] == 2
    assert erased.email not in response.content.decode()  # hashed on the way in


def test_the_api_erases_for_admins_only(client, member, analyst, workspace, people):
    erased, _ = people
    body = {"workspace": workspace.slug, "deal_id": erased.deal_id}
    client.force_login(analyst)
    refused = client.post("/api/v1/privacy/erase/", body, content_type="application/json")
    assert refused.status_code == 403 and "admin role" in refused.json()["detail"]
    assert not PersonErasure.objects.exists()

    client.force_login(member)
    response = client.post("/api/v1/privacy/erase/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["counts"]["deals"] == 1 and response.json()["outbox_cancelled"] == 2
    assert PersonErasure.objects.get().requested_by == member


def test_the_api_says_what_is_wrong_with_a_request(client, member, other_workspace, workspace):
    client.force_login(member)
    nothing = client.post("/api/v1/privacy/erase/", {"workspace": workspace.slug},
                          content_type="application/json")
    assert nothing.status_code == 400 and "at least one of" in str(nothing.json())
    bad = client.post("/api/v1/privacy/export/", {"workspace": workspace.slug, "email": "nope"},
                      content_type="application/json")
    assert bad.status_code == 400 and "not an email address" in str(bad.json())
    foreign = client.post("/api/v1/privacy/erase/", {"workspace": other_workspace.slug,
                                                     "email": "a@b.co"},
                          content_type="application/json")
    assert foreign.status_code == 404


def test_the_admin_page_finds_exports_and_erases(client, member, workspace, people):
    erased, _ = people
    client.force_login(member)
    url = "/admin/crm_sync/personerasure/person/"
    form = {"workspace": workspace.pk, "ttclid": erased.ttclid}
    found = client.post(url, {**form, "do": "find"})
    assert found.status_code == 200 and "Erase this person" in found.content.decode()
    export = client.post(url, {**form, "do": "export"})
    assert export["Content-Type"] == "application/json"
    assert json.loads(export.content)["counts"]["deals"] == 1

    erase = client.post(url, {**form, "do": "erase"})
    log = PersonErasure.objects.get()
    assert erase.status_code == 302 and erase["Location"].endswith(f"/{log.pk}/change/")
    assert log.source == "admin" and log.requested_by == member
    assert "Nothing is stored" in client.post(url, {**form, "do": "find"}).content.decode()


def test_the_admin_page_refuses_non_admins(client, analyst):
    client.force_login(analyst)
    assert client.get("/admin/crm_sync/personerasure/person/").status_code == 403


def test_the_commands_export_and_erase_one_person(workspace, people, tmp_path):
    erased, kept = people
    out = tmp_path / "jane.json"
    call_command("export_person", workspace=workspace.slug, phone=erased.phone, output=out,
                 stdout=StringIO())
    assert json.loads(out.read_text())["counts"]["contacts"] == 1

    stdout = StringIO()
    call_command("erase_person", workspace=workspace.slug, email=erased.email, dry_run=True,
                 stdout=stdout)
    assert "Would erase" in stdout.getvalue() and not PersonErasure.objects.exists()
    call_command("erase_person", workspace=workspace.slug, email=erased.email, stdout=stdout)
    assert "2 outbox row(s) cancelled" in stdout.getvalue()
    with pytest.raises(CommandError, match="not an email address"):
        call_command("erase_person", workspace=workspace.slug, email="jane at example")


def test_bulk_erasure_from_a_csv_erases_each_person_and_reports_bad_rows(workspace, people,
                                                                         tmp_path):
    erased, kept = people
    csv_file = tmp_path / "requests.csv"
    csv_file.write_text("Email,deal_id,phone\n"
                        f"{erased.email},,\n"
                        f",{kept.deal_id},\n"
                        ",,not-a-phone\n"
                        "nobody@example.com,,\n", encoding="utf-8")
    stdout, stderr = StringIO(), StringIO()
    call_command("erase_person", workspace=workspace.slug, csv=csv_file, stdout=stdout,
                 stderr=stderr)
    assert "4 people read, 2 found and erased" in stdout.getvalue()
    assert "line 4: not a phone number" in stderr.getvalue()
    assert PersonErasure.objects.filter(source="csv").count() == 3

    bad = tmp_path / "bad.csv"
    bad.write_text("name,address\nJane,Main St\n", encoding="utf-8")
    with pytest.raises(CommandError, match="header with at least one of"):
        call_command("erase_person", workspace=workspace.slug, csv=bad)


def test_the_contact_list_action_erases_the_selected_people(client, member, analyst, workspace,
                                                            people):
    from attribution.models import Contact
    from crm_sync.privacy.finder import person_find
    from crm_sync.privacy.keys import person_keys

    erased, kept = people
    contact = Contact.objects.get(pk__in=person_find(
        workspace=workspace, keys=person_keys(email=erased.email)).contacts)
    form = {"action": "erase_people", "_selected_action": [contact.pk]}
    client.force_login(analyst)
    client.post("/admin/attribution/contact/", form)
    assert not PersonErasure.objects.exists()

    client.force_login(member)
    response = client.post("/admin/attribution/contact/", form)
    assert response.status_code == 302
    log = PersonErasure.objects.get()
    assert log.counts["deals"] == 1 and log.outbox_cancelled == 2
    contact.refresh_from_db()
    assert contact.email_hash == "" and contact.opted_out
    assert person_find(workspace=workspace, keys=person_keys(email=kept.email)).deals
