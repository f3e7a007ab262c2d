"""A WSGI app for the gunicorn worker tests: answers with its process id and the path it served."""

import os
import time


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError("the probe app fails on purpose")
    if path == "/sleep":
        time.sleep(float(environ["QUERY_STRING"]))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    received = environ["wsgi.input"].read(length) if length else b""
    body = f"{os.getpid()} {path} {len(received)}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
