"""A fake of Meta's Marketing API (Insights of an ad account) on loopback: real HTTP, Meta's shapes.

It checks the ``access_token`` parameter (unknown → code 190), the version in the path, the
parameters the Insights edge needs (``level``, ``time_increment``, ``time_range``, ``fields``,
``action_attribution_windows``), pages with ``paging.cursors.after`` and a full ``paging.next``
URL, runs asynchronous report jobs (POST → ``report_run_id``, a poll or two, then ``/insights``),
sends the usage headers, and answers scripted faults for the next requests.

    with FakeMeta(token="t") as fake:
        fake.insights = [insight(...)]
        fake.script(FakeMeta.throttled())
"""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

VALID_WINDOWS = {"1d_click", "7d_click", "28d_click", "1d_view", "1d_ev"}
REQUIRED_FIELDS = {"ad_id", "date_start", "spend"}


def insight(ad_id, day, *, spend="10.00", campaign_id="c1", adset_id="s1", purchases=None,
            purchase_value=None, currency="USD", action_type="offsite_conversion.fb_pixel_purchase"):
    """One Insights row as Meta sends it: numbers as strings, actions keyed per window."""
    row = {
        "campaign_id": campaign_id, "campaign_name": f"Campaign {campaign_id}",
        "adset_id": adset_id, "adset_name": f"Ad set {adset_id}",
        "ad_id": ad_id, "ad_name": f"Ad {ad_id}",
        "spend": spend, "impressions": "1000", "clicks": "40", "account_currency": currency,
        "date_start": day, "date_stop": day,
    }
    if purchases:
        row["actions"] = [{"action_type": action_type, "value": str(sum(map(int, purchases.values()))),
                           **purchases},
                          {"action_type": "link_click", "value": "40", "7d_click": "40"}]
    if purchase_value:
        row["action_values"] = [{"action_type": action_type,
                                 "value": str(sum(map(float, purchase_value.values()))), **purchase_value}]
    return row


class FakeMeta:
    def __init__(self, *, token: str = "meta-token", version: str = "v26.0", account_id: str = "111"):
        self.tokens, self.expired = {token}, set()
        self.version, self.account_id = version, account_id
        self.insights: list[dict] = []
        self.faults: list[tuple[int, dict, dict]] = []
        self.requests: list[dict] = []
        self.runs: dict[str, dict] = {}
        self._filtered: dict[tuple, tuple] = {}  # the last query's rows: its pages reuse them
        self.polls_before_done = 1
        self.usage = {"111": [{"type": "ads_insights", "call_count": 5, "total_cputime": 3,
                               "total_time": 4, "estimated_time_to_regain_access": 0}]}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def script(self, *faults: tuple[int, dict, dict]) -> None:
        self.faults.extend(faults)

    @staticmethod
    def throttled(code: int = 80000, regain_minutes: int = 3):
        headers = {"X-Business-Use-Case-Usage": json.dumps({"111": [{
            "type": "ads_insights", "call_count": 100, "total_cputime": 40, "total_time": 100,
            "estimated_time_to_regain_access": regain_minutes}]})}
        return 400, {"error": {"message": "There have been too many calls from this ad-account.",
                               "type": "OAuthException", "code": code, "error_subcode": 2446079,
                               "is_transient": True, "fbtrace_id": "Fthrottle"}}, headers

    @staticmethod
    def server_error():
        return 500, {"error": {"message": "An unknown error occurred", "type": "OAuthException",
                               "code": 1, "is_transient": True, "fbtrace_id": "F500"}}, {}

    # --- answering ------------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, url: str):
        self.requests.append({"method": method, "path": path, "query": query})
        if self.faults:
            return self.faults.pop(0)
        token = query.get("access_token")
        if token in self.expired:
            return 400, _error(190, "Error validating access token: Session has expired.", 463), {}
        if token not in self.tokens:
            return 400, _error(190, "Invalid OAuth access token - Cannot parse access token"), {}
        parts = path.strip("/").split("/")
        if parts[0] != self.version:
            return 400, _error(2635, f"Unknown API version {parts[0]}"), {}
        parts = parts[1:]
        usage = {"X-Business-Use-Case-Usage": json.dumps(self.usage),
                 "X-Ad-Account-Usage": json.dumps({"acc_id_util_pct": 9.5, "reset_time_duration": 0})}
        if parts == [f"act_{self.account_id}"]:
            return 200, {"id": f"act_{self.account_id}", "name": "Shop", "currency": "EUR",
                         "account_status": 1}, usage
        if parts == [f"act_{self.account_id}", "insights"]:
            problem = self._check_insights(query)
            if problem:
                return 400, _error(100, problem), {}
            if method == "POST":
                run_id = str(900000 + len(self.runs))
                self.runs[run_id] = {"query": query, "polls": 0}
                return 200, {"report_run_id": run_id}, usage
            return 200, self._page(self._rows(query), query, url), usage
        if len(parts) >= 1 and parts[0] in self.runs:
            run = self.runs[parts[0]]
            if len(parts) == 1:
                run["polls"] += 1
                done = run["polls"] > self.polls_before_done
                return 200, {"id": parts[0], "async_status": "Job Completed" if done else "Job Running",
                             "async_percent_completion": 100 if done else 50}, usage
            return 200, self._page(self._rows(run["query"]), query, url), usage
        return 400, _error(803, f"Some of the aliases you requested do not exist: {path}"), {}

    def _check_insights(self, query: dict) -> str:
        if query.get("level") != "ad" or query.get("time_increment") != "1":
            return "level=ad and time_increment=1 expected"
        missing = REQUIRED_FIELDS - set(query.get("fields", "").split(","))
        if missing:
            return f"fields missing {sorted(missing)}"
        windows = json.loads(query.get("action_attribution_windows", "[]"))
        if not windows or set(windows) - VALID_WINDOWS:
            return f"(#100) action_attribution_windows {windows} is not valid"
        json.loads(query["time_range"])
        return ""

    def _rows(self, query: dict) -> list[dict]:
        key = (query["time_range"], query["action_attribution_windows"], id(self.insights),
               len(self.insights))
        if key not in self._filtered:  # the source list is kept with it, so its id is not reused
            self._filtered = {key: (self.insights, self._filter(query))}
        return self._filtered[key][1]

    def _filter(self, query: dict) -> list[dict]:
        span = json.loads(query["time_range"])
        windows = set(json.loads(query["action_attribution_windows"]))
        rows = []
        for row in self.insights:
            if span["since"] <= row["date_start"] <= span["until"]:
                row = dict(row)
                for key in ("actions", "action_values"):  # only the windows asked for come back
                    if key in row:
                        row[key] = [{k: v for k, v in e.items()
                                     if k in ("action_type", "value") or k in windows} for e in row[key]]
                rows.append(row)
        return rows

    def _page(self, rows: list[dict], query: dict, url: str) -> dict:
        limit = int(query.get("limit", 25))
        offset = int(base64.b64decode(query["after"]).decode()) if query.get("after") else 0
        chunk = rows[offset:offset + limit]
        body = {"data": chunk, "paging": {"cursors": {
            "before": base64.b64encode(str(offset).encode()).decode(),
            "after": base64.b64encode(str(offset + len(chunk)).encode()).decode()}}}
        if offset + limit < len(rows):
            nxt = {**query, "after": body["paging"]["cursors"]["after"]}
            body["paging"]["next"] = f"{self.base_url}{urlparse(url).path}?{urlencode(nxt)}"
        return body


def _error(code: int, message: str, subcode: int | None = None) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Ffake"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


def _handler(fake: FakeMeta):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            self._reply(*fake.answer("GET", url.path, _flat(parse_qs(url.query)), self.path))

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = _flat(parse_qs(self.rfile.read(length).decode()))
            url = urlparse(self.path)
            self._reply(*fake.answer("POST", url.path, {**_flat(parse_qs(url.query)), **form}, self.path))

        def _reply(self, status: int, body: dict, headers: dict):
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _flat(query: dict) -> dict:
    return {k: v[0] for k, v in query.items()}
