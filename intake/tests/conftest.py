from __future__ import annotations

import pytest

from intake.testing import APP_ID, SECRET, TOKEN, ZaloServer


@pytest.fixture
def zalo_server(settings):
    server = ZaloServer().start()
    settings.ZALO_APP_ID = APP_ID
    settings.ZALO_OA_SECRET_KEY = SECRET
    settings.ZALO_OA_ACCESS_TOKEN = TOKEN
    settings.ZALO_API_BASE = server.base
    settings.ZALO_MEDIA_HOSTS = ["127.0.0.1"]
    yield server
    server.stop()
