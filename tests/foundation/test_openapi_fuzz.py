"""Every operation of the OpenAPI schema, fuzzed by schemathesis against a live server on loopback
with real credentials (a workspace admin's login, the site's public and secret keys, the CRM
webhook secret): schemathesis must be able to generate requests for every schema, and no
request may be answered with a server error."""

import base64

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from attribution.models import Role
from crm_sync.models import CrmWebhookSecret, DealStageRule
from tests.factories import (
    ConversionEventFactory,
    MembershipFactory,
    ModelConfigFactory,
    SiteFactory,
    UserFactory,
    WorkspaceFactory,
)

PASSWORD = "pass-word-123"  # UserFactory's
EXAMPLES = 15  # per operation: the whole schema in one to two minutes on a loaded two-core host


@pytest.fixture
def credentials(transactional_db):
    workspace = WorkspaceFactory(slug="fuzz-shop")
    user = UserFactory(username="fuzz-admin")
    MembershipFactory(user=user, workspace=workspace, role=Role.ADMIN)
    site = SiteFactory(workspace=workspace)
    _, secret_key = site.issue_secret_key(label="fuzz")
    _, webhook_secret = CrmWebhookSecret.issue(workspace=workspace, label="fuzz")
    ModelConfigFactory(workspace=workspace)
    ConversionEventFactory(workspace=workspace)
    DealStageRule.objects.create(workspace=workspace, crm_stage="closedwon", event_name="ClosedWon",
                                 uses_amount=True)
    basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    return {"workspace": workspace, "basic": f"Basic {basic}", "public_key": site.public_key,
            "secret_key": secret_key, "webhook_secret": webhook_secret}


# The schema as /api/schema/ serves it, built in-process (it reads no data).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def _auth_headers(path: str, creds: dict) -> dict:
    """The credentials each kind of endpoint takes."""
    if path.startswith("/api/v1/collect/"):
        return {"X-Clickledger-Key": creds["public_key"]}
    if path == "/api/v1/events":
        return {"Authorization": f"Bearer {creds['secret_key']}"}
    if path.startswith("/api/v1/crm/webhook/"):
        return {"X-Clickledger-Secret": creds["webhook_secret"]}
    return {"Authorization": creds["basic"]}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_answered_with_a_server_error(case, live_server, credentials):
    if "workspace_slug" in (case.path_parameters or {}):
        case.path_parameters["workspace_slug"] = credentials["workspace"].slug
    case.call_and_validate(base_url=live_server.url,
                           headers=_auth_headers(case.path, credentials),
                           checks=[not_a_server_error])
