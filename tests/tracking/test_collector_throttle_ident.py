"""The collector's throttles name a client exactly as DRF's throttles would."""

import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from attribution.tracking.http import CollectorThrottle, EventsApiThrottle


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
