"""A fake of the Google Ads API (REST searchStream) and Google's OAuth token endpoint on loopback.

Real HTTP, the real shapes: the refresh-token grant answers an ``access_token`` (or
``invalid_grant``); searchStream checks ``Authorization: Bearer``, ``developer-token`` and
``login-customer-id``, runs a small subset of GAQL (the resource after FROM and the
``segments.date BETWEEN`` range), and answers a JSON array of batches ``{results, fieldMask,
requestId}`` in camelCase with int64 values as strings. Scripted faults answer the next requests.
"""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

_PATH = re.compile(r"^/(v\d+)/customers/(\d+)/googleAds:searchStream$")
_RANGE = re.compile(r"segments\.date BETWEEN '(\d{4}-\d\d-\d\d)' AND '(\d{4}-\d\d-\d\d)'")
_FROM = re.compile(r"\bFROM\s+(\w+)")


def ad_result(ad_id, day, *, cost_micros="12500000", campaign_id="10", ad_group_id="20", conversions=1.5,
              value=45.0, currency="EUR"):
    """One GoogleAdsRow of the ad_group_ad query, as the REST reply spells it."""
    return {
        "customer": {"resourceName": "customers/1234567890", "currencyCode": currency},
        "campaign": {"resourceName": f"customers/1234567890/campaigns/{campaign_id}", "id": campaign_id,
                     "name": f"Search {campaign_id}"},
        "adGroup": {"resourceName": f"customers/1234567890/adGroups/{ad_group_id}", "id": ad_group_id,
                    "name": f"Group {ad_group_id}"},
        "adGroupAd": {"resourceName": f"customers/1234567890/adGroupAds/{ad_group_id}~{ad_id}",
                      "ad": {"resourceName": f"customers/1234567890/ads/{ad_id}", "id": ad_id,
                             "name": f"Ad {ad_id}"}},
        "metrics": {"costMicros": cost_micros, "impressions": "900", "clicks": "30",
                    "conversions": conversions, "conversionsValue": value},
        "segments": {"date": day},
    }


def parent_result(level, result):
    """The campaign or ad_group row matching an ad row (same metrics; one ad per parent in tests)."""
    row = {k: v for k, v in result.items() if k != "adGroupAd"}
    if level == "campaign":
        row.pop("adGroup")
    return row


class FakeGoogleAds:
    def __init__(self, *, refresh_token="refresh-token", client_id="client-id.apps.googleusercontent.com",
                 client_secret="client-secret", developer_token="dev-token", customer_id="1234567890",
                 login_customer_id="", version="v26", batch_size=2):
        self.refresh_tokens, self.client = {refresh_token}, (client_id, client_secret)
        self.developer_token, self.customer_id = developer_token, customer_id
        self.login_customer_id, self.version, self.batch_size = login_customer_id, version, batch_size
        self.rows: dict[str, list[dict]] = {"campaign": [], "ad_group": [], "ad_group_ad": []}
        self.access_tokens: set[str] = set()
        self.faults: list[tuple[int, object]] = []
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self.token_url = f"{self.base_url}/token"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def add_ad(self, result: dict) -> None:
        """An ad row plus its ad group and campaign rows."""
        self.rows["ad_group_ad"].append(result)
        self.rows["ad_group"].append(parent_result("adgroup", result))
        self.rows["campaign"].append(parent_result("campaign", result))

    def script(self, *faults) -> None:
        self.faults.extend(faults)

    @staticmethod
    def resource_exhausted(retry_seconds=30):
        failure = _failure(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).",
                           {"quotaError": "RESOURCE_EXHAUSTED"})
        failure["error"]["details"][0]["errors"][0]["details"] = {
            "quotaErrorDetails": {"rateScope": "DEVELOPER", "retryDelay": f"{retry_seconds}s"}}
        return 429, [failure]

    @staticmethod
    def unavailable():
        return 503, {"error": {"code": 503, "message": "The service is currently unavailable.",
                               "status": "UNAVAILABLE"}}

    # --- answering ------------------------------------------------------------------------------

    def token(self, form: dict):
        self.requests.append({"path": "/token", "form": form})
        if (form.get("client_id"), form.get("client_secret")) != self.client:
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        token = f"ya29.fake-{len(self.access_tokens)}"
        self.access_tokens.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "scope": "https://www.googleapis.com/auth/adwords",
                     "token_type": "Bearer"}

    def stream(self, path: str, headers, body: dict):
        self.requests.append({"path": path, "headers": dict(headers), "query": body.get("query", "")})
        if self.faults:
            return self.faults.pop(0)
        match = _PATH.match(path)
        if not match or match.group(1) != self.version:
            return 404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}}
        bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if bearer not in self.access_tokens:
            return 401, [_failure(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.",
                                  {"authenticationError": "OAUTH_TOKEN_INVALID"})]
        if headers.get("developer-token") != self.developer_token:
            return 401, [_failure(401, "UNAUTHENTICATED", "The developer token is not valid.",
                                  {"authenticationError": "DEVELOPER_TOKEN_INVALID"})]
        login = headers.get("login-customer-id") or ""
        if login != self.login_customer_id or match.group(2) != self.customer_id:
            return 403, [_failure(403, "PERMISSION_DENIED", "The caller does not have permission",
                                  {"authorizationError": "USER_PERMISSION_DENIED"})]
        query = body.get("query", "")
        resource = _FROM.search(query).group(1)
        if resource == "customer":
            return 200, [{"results": [{"customer": {"resourceName": f"customers/{self.customer_id}",
                                                    "id": self.customer_id, "descriptiveName": "Shop DE",
                                                    "currencyCode": "EUR"}}],
                          "fieldMask": "customer.id,customer.descriptiveName,customer.currencyCode",
                          "requestId": "req-customer"}]
        span = _RANGE.search(query)
        if resource not in self.rows or not span:
            return 400, [_failure(400, "INVALID_ARGUMENT", "Error in query",
                                  {"queryError": "UNEXPECTED_END_OF_QUERY"})]
        rows = [r for r in self.rows[resource] if span.group(1) <= r["segments"]["date"] <= span.group(2)]
        batches = [rows[i:i + self.batch_size] for i in range(0, len(rows), self.batch_size)] or [[]]
        return 200, [{"results": b, "fieldMask": "campaign.id,metrics.costMicros,segments.date",
                      "requestId": f"req-{i}"} for i, b in enumerate(batches)]


def _failure(code: int, status: str, message: str, error_code: dict) -> dict:
    return {"error": {"code": code, "message": message, "status": status, "details": [{
        "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
        "errors": [{"errorCode": error_code, "message": message}], "requestId": "req-error"}]}}


def _handler(fake: FakeGoogleAds):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            path = urlparse(self.path).path
            if path == "/token":
                status, body = fake.token({k: v[0] for k, v in parse_qs(raw).items()})
            else:
                status, body = fake.stream(path, self.headers, json.loads(raw or "{}"))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
