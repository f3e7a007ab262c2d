"""Beacons skip sessions, CSRF, auth and messages, but not CORS, host checks or response headers."""

import pytest

from tests.tracking.conftest import ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["stored on the request", "buffered in Redis"])
def either_mode(request, settings):
    if request.param == "buffered in Redis":
        from tests.conftest import redis_url

        request.getfixturevalue("live_redis")
        settings.CLICKLEDGER = {**settings.CLICKLEDGER, "COLLECTOR_BUFFER": True,
                                "COLLECTOR_BUFFER_URL": redis_url()}


def test_a_beacons_answer_has_cors_frame_and_length_headers_and_no_cookie(
        either_mode, beacon, touch_body):
    response = beacon("touch", touch_body)
    assert response.status_code == 202
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["X-Frame-Options"] == "DENY"
    assert int(response["Content-Length"]) == len(response.content)
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_a_refused_beacon_is_answered_by_the_api_view_with_the_same_headers(
        either_mode, beacon, touch_body):
    response = beacon("touch", {**touch_body, "utm_source": 42})
    assert response.status_code == 400
    assert response.json() == {"utm_source": ["Must be a string."]}
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["X-Frame-Options"] == "DENY"


def test_a_beacon_to_a_host_not_allowed_is_a_400(either_mode, beacon, touch_body):
    assert beacon("touch", touch_body, HTTP_HOST="collector.evil.example").status_code == 400


def test_a_urlconf_without_the_collector_still_serves_its_own_pages(client, settings):
    settings.ROOT_URLCONF = "attribution.tracking.demo_urls"
    settings.CLICKLEDGER = {**settings.CLICKLEDGER, "TRACKER_DEMO_PAGES": True}
    assert client.post("/ping/", data="x", content_type="text/plain").status_code == 202
