"""Reply classification: which TikTok answers are success, worth a retry, or final."""

import json

import pytest

from crm_sync.tiktok.replies import Outcome, classify_http

RETRYABLE = (40100, 50000, 50002)


def _classify(status=200, body=None, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    return classify_http(status=status, body=raw, headers=headers or {}, retryable_codes=RETRYABLE)


def test_code_zero_is_success_and_keeps_the_request_id():
    reply = _classify(body={"code": 0, "message": "OK", "request_id": "req-1"})
    assert (reply.outcome, reply.request_id) == (Outcome.SUCCESS, "req-1")


@pytest.mark.parametrize("status,body", [
    (429, {"code": 40100, "message": "Too many requests"}),
    (500, b"<html>bad gateway</html>"),
    (503, {}),
    (200, {"code": 40100, "message": "Too many requests"}),
    (200, {"code": 50000, "message": "System error"}),
    (200, {"code": 51234, "message": "some new system error"}),
    (200, b"<html>captive portal</html>"),
])
def test_rate_limits_server_errors_and_system_codes_are_retryable(status, body):
    assert _classify(status, body).outcome is Outcome.RETRYABLE


@pytest.mark.parametrize("status,body,auth", [
    (200, {"code": 40105, "message": "Access token is incorrect or has been revoked."}, True),
    (200, {"code": 40001, "message": "No permission"}, True),
    (401, {}, True),
    (200, {"code": 40002, "message": "data[0].event_time is not in Unix seconds"}, False),
    (400, {"code": 40002, "message": "bad"}, False),
])
def test_auth_and_parameter_errors_are_permanent_with_their_message(status, body, auth):
    reply = _classify(status, body)
    assert reply.outcome is Outcome.PERMANENT
    assert reply.is_auth_error is auth
    if isinstance(body, dict) and body.get("message"):
        assert body["message"] in reply.message


def test_request_id_falls_back_to_tiktoks_log_header():
    assert _classify(500, b"", {"x-tt-logid": "log-9"}).request_id == "log-9"
