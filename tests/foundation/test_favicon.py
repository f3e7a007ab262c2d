"""/favicon.ico: every browser asks for it, on every page."""

import struct


def test_favicon_ico_answers_an_icon_that_browsers_cache(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    reserved, kind, count = struct.unpack("<HHH", response.content[:6])
    assert (reserved, kind, count) == (0, 1, 1)  # an ICO directory with one image


def test_pages_link_the_same_icon(admin_client):
    page = admin_client.get("/").content.decode()
    assert 'rel="icon" href="/static/clickledger/favicon.ico"' in page
