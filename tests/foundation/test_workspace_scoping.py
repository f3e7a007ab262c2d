"""A user of workspace A never sees workspace B's rows, in admin or in the API."""

import pytest
from django.urls import reverse

from attribution.models import Role
from tests.factories import (
    ConversionEventFactory,
    DealFactory,
    MembershipFactory,
    TouchpointFactory,
    UserFactory,
    VisitorFactory,
)


@pytest.fixture
def two_workspaces(workspace, other_workspace):
    mine = ConversionEventFactory(workspace=workspace, event_id="mine-1")
    theirs = ConversionEventFactory(workspace=other_workspace, event_id="theirs-1")
    return mine, theirs


@pytest.mark.parametrize("model,factory", [
    ("attribution/conversionevent", lambda ws, tag: ConversionEventFactory(workspace=ws, event_id=tag)),
    ("attribution/touchpoint",
     lambda ws, tag: TouchpointFactory(visitor=VisitorFactory(workspace=ws), utm_campaign=tag)),
    ("crm_sync/deal", lambda ws, tag: DealFactory(workspace=ws, name=tag)),
])
def test_admin_changelist_shows_only_my_workspace(client, member, workspace, other_workspace,
                                                  model, factory):
    factory(workspace, "visible-row-of-mine")
    factory(other_workspace, "hidden-row-of-theirs")
    client.force_login(member)
    page = client.get(f"/admin/{model}/")
    assert page.status_code == 200
    body = page.content.decode()
    if model != "attribution/conversionevent":
        assert "visible-row-of-mine" in body
    assert "hidden-row-of-theirs" not in body
    assert "1 " in body and "result" in body


def test_admin_change_page_of_another_workspace_is_not_reachable(client, member, two_workspaces):
    _, theirs = two_workspaces
    client.force_login(member)
    page = client.get(f"/admin/attribution/conversionevent/{theirs.pk}/change/", follow=True)
    assert "theirs-1" not in page.content.decode()
    assert page.redirect_chain and page.redirect_chain[-1][0].startswith("/admin/")


def test_admin_workspace_picker_offers_only_my_workspaces(client, member, workspace,
                                                           other_workspace):
    client.force_login(member)
    page = client.get("/admin/attribution/channelrule/add/")
    assert page.status_code == 200
    body = page.content.decode()
    assert workspace.name in body and other_workspace.name not in body


def test_a_viewer_can_look_but_not_edit(client, workspace):
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace=workspace, role=Role.VIEWER)
    client.force_login(viewer)
    assert client.get("/admin/attribution/channelrule/").status_code == 200
    assert client.get("/admin/attribution/channelrule/add/").status_code == 403


def test_a_staff_user_without_membership_sees_no_tracking_admin(client, db):
    client.force_login(UserFactory())
    assert client.get("/admin/attribution/touchpoint/").status_code == 403


def test_api_lists_only_my_workspaces_and_their_conversions(client, member, workspace,
                                                            two_workspaces):
    client.force_login(member)
    spaces = client.get(reverse("workspace-list")).json()["results"]
    assert [w["slug"] for w in spaces] == [workspace.slug]
    conversions = client.get(reverse("conversion-list")).json()["results"]
    assert [c["event_id"] for c in conversions] == ["mine-1"]


def test_api_refuses_to_widen_scope_to_a_foreign_workspace(client, member, other_workspace,
                                                           two_workspaces):
    client.force_login(member)
    reply = client.get(reverse("conversion-list"), {"workspace": other_workspace.slug})
    assert reply.status_code == 404
    assert other_workspace.slug in reply.json()["detail"]


def test_api_requires_login(client, db):
    assert client.get(reverse("conversion-list")).status_code in (401, 403)
