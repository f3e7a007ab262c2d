"""A tiny fake of TikTok's report/integrated/get on loopback: real HTTP, real JSON, real pagination."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PATH = "/open_api/v1.3/report/integrated/get/"
LEVEL_OF = {"AUCTION_CAMPAIGN": "campaign", "AUCTION_ADGROUP": "adgroup", "AUCTION_AD": "ad"}


class FakeTikTokReporting:
    """rows: level → list of {"dimensions": {...}, "metrics": {...}}; failures: queued (status, body)."""

    def __init__(self, token: str):
        self.token = token
        self.rows: dict[str, list[dict]] = {"campaign": [], "adgroup": [], "ad": []}
        self.failures: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 (http.server's name)
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append(
                    {"path": url.path, "query": query, "token": self.headers.get("Access-Token")}
                )
                status, body = fake.answer(url.path, query, self.headers.get("Access-Token"))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def answer(self, path, query, token):
        if self.failures:
            return self.failures.pop(0)
        if path != PATH:
            return 404, {"code": 40404, "message": "no such path"}
        if token != self.token:
            return 200, {"code": 40105, "message": "Access token is incorrect or has been revoked."}
        level = LEVEL_OF[query["data_level"]]
        dims = json.loads(query["dimensions"])
        if dims != [f"{level}_id" if level != "adgroup" else "adgroup_id", "stat_time_day"]:
            return 200, {"code": 40002, "message": f"bad dimensions {dims}"}
        start, end = query["start_date"], query["end_date"]
        rows = [r for r in self.rows[level] if start <= r["dimensions"]["stat_time_day"][:10] <= end]
        page, size = int(query.get("page", 1)), int(query["page_size"])
        total_page = max(1, -(-len(rows) // size))
        return 200, {
            "code": 0,
            "message": "OK",
            "request_id": "fake-req",
            "data": {
                "list": rows[(page - 1) * size : page * size],
                "page_info": {
                    "page": page,
                    "page_size": size,
                    "total_number": len(rows),
                    "total_page": total_page,
                },
            },
        }
