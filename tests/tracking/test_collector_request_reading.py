"""The collector reads the client's address and the query string's key exactly as DRF and Django would."""

import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from attribution.tracking.http import CollectorThrottle, EventsApiThrottle, query_key


@pytest.mark.parametrize("num_proxies", [None, 0, 1, 2])
@pytest.mark.parametrize("forwarded", [None, "", "203.0.113.7", "203.0.113.7, 10.0.0.1",
                                       " 198.51.100.2 ,203.0.113.7,  10.0.0.1 "])
@pytest.mark.parametrize("throttle_class", [CollectorThrottle, EventsApiThrottle])
def test_the_client_address_is_drfs(num_proxies, forwarded, throttle_class, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    api_settings.reload()
    try:
        extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
        request = RequestFactory().post("/api/v1/collect/touch", REMOTE_ADDR="192.0.2.1", **extra)
        assert throttle_class().get_ident(request) == BaseThrottle().get_ident(request)
    finally:
        settings.REST_FRAMEWORK = {k: v for k, v in settings.REST_FRAMEWORK.items()
                                   if k != "NUM_PROXIES"}
        api_settings.reload()


@pytest.mark.parametrize("query", [
    "", "k=pk_abc-D_9", "k=pk.a~b", "k=pk_a%2Bb", "k=a+b", "k=", "k=&k=pk_x", "k=pk_x&k=pk_y",
    "x=1&k=pk_x", "k=pk_x;y=1", "K=pk_x", "k", "k=pk_x&", "k=pk_\xc3\xa9", "k=pk_%ZZ"])
def test_the_key_in_the_query_string_reads_as_request_get_does(query):
    request = RequestFactory().post("/api/v1/collect/touch", QUERY_STRING=query)
    assert query_key(request) == _fresh(query).GET.get("k")


def test_a_plain_key_is_read_without_parsing_the_query_string():
    request = _fresh("k=pk_abc-D_9")
    assert query_key(request) == "pk_abc-D_9"
    assert "GET" not in request.__dict__


def _fresh(query):
    return RequestFactory().post("/api/v1/collect/touch", QUERY_STRING=query)
