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


def _resolved(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_no_request_body_requires_a_read_only_field(client, member):
    """A client may not send read-only fields, so a request schema requiring one cannot be met
    (an OpenAPI fuzzer finds no request to generate): POST /api/v1/runs/ once took the reply's."""
    client.force_login(member)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    unsatisfiable = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                body = _resolved(schema, media["schema"])
                props = body.get("properties", {})
                unsatisfiable += [(method, path, name) for name in body.get("required", [])
                                  if _resolved(schema, props.get(name, {})).get("readOnly")]
    assert not unsatisfiable
    runs_body = schema["paths"]["/api/v1/runs/"]["post"]["requestBody"]["content"]
    assert _resolved(schema, runs_body["application/json"]["schema"])["required"] == ["workspace"]
