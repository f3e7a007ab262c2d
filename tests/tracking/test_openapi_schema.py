"""The OpenAPI schema documents the collector and the events API."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_lists_the_collector_and_events_endpoints_with_their_inputs(client, member):
    client.force_login(member)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in ("/api/v1/collect/touch", "/api/v1/collect/event", "/api/v1/collect/identify",
                 "/api/v1/events"):
        assert "post" in paths[path], path
    components = schema["components"]
    assert "ttclid" in components["schemas"]["TouchIn"]["properties"]
    assert "event_id" in components["schemas"]["EventIn"]["properties"]
    assert "siteSecretKey" in components["securitySchemes"]
    assert paths["/api/v1/collect/touch"]["post"].get("security", []) in ([], [{}])  # public key
    assert paths["/api/v1/events"]["post"]["security"] == [{"siteSecretKey": []}]
