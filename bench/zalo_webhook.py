"""The Zalo webhook under load, and one conversation from first message to tracking code.

A real gunicorn (2 workers) serves the app on a fresh SQLite file (or --database-url); a real
`manage.py db_worker` handles the events; a local server speaks the OA message API's JSON and
serves the photo (intake/testing.py). Signed `user_send_text` events arrive open-loop at
--rate per second for --seconds from many Zalo users (each a new conversation, so every event
is stored, queued and later handled); the figure is the webhook's answer time (p50/p95/max),
which must stay under 200 ms at 50 events/s. Then one resident's conversation runs through
the same server and worker and the messages it took to get the tracking code are counted.

Usage: .venv/bin/python bench/zalo_webhook.py [--rate 50] [--seconds 20] [--database-url …]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from servers import app_env, free_port, manage, start_gunicorn, start_worker, stop, wait_http
from synthetic import describe_machine

HOAN_KIEM_LAKE = (21.0285, 105.8522)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    import os

    tmp = tempfile.TemporaryDirectory(prefix="bench-zalo-")
    database_url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
    import django

    django.setup()
    from django.conf import settings

    from intake.testing import APP_ID, SECRET, TOKEN, ZaloServer, event, signed

    # Signing in this process uses the same app id and secret as the server's.
    settings.ZALO_APP_ID, settings.ZALO_OA_SECRET_KEY = APP_ID, SECRET

    zalo_server = ZaloServer().start()
    env = app_env(
        database_url,
        ZALO_APP_ID=APP_ID,
        ZALO_OA_SECRET_KEY=SECRET,
        ZALO_OA_ACCESS_TOKEN=TOKEN,
        ZALO_API_BASE=zalo_server.base,
        ZALO_MEDIA_HOSTS="127.0.0.1",
        MEDIA_ROOT=f"{tmp.name}/media",
        PRIVATE_MEDIA_ROOT=f"{tmp.name}/private",
        SITE_URL="http://127.0.0.1",
    )
    logdir = Path(tmp.name) / "logs"
    for command in (
        ("migrate", "-v0"),
        ("load_units", "--no-progress"),
        ("load_agencies",),
        ("load_categories",),
    ):
        manage(env, *command)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port=port, workers=2, logdir=logdir)
    worker = None
    try:
        wait_http(base + "/", process=server)

        def send(payload: dict) -> tuple[float, int]:
            body, signature = signed(payload)
            request = urllib.request.Request(  # noqa: S310 - loopback only
                base + "/kenh/zalo/webhook/",
                data=body,
                headers={"Content-Type": "application/json", "X-ZEvent-Signature": signature},
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                response.read()
                return (time.perf_counter() - started) * 1000, response.status

        for i in range(20):  # warm both workers
            send(event("user_send_text", user=f"warm{i}", text="xin chào"))
        total = int(args.rate * args.seconds)
        payloads = [
            event("user_send_text", user=f"u{i}", text="Rác thải đổ đầy vỉa hè đầu ngõ 12")
            for i in range(total)
        ]
        results: list[tuple[float, int]] = []
        lock = threading.Lock()
        start = time.perf_counter()

        def fire(i: int) -> None:
            # Open loop: each event leaves at its own moment, whatever the earlier ones did.
            delay = start + i / args.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            outcome = send(payloads[i])
            with lock:
                results.append(outcome)

        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(fire, range(total)))
        wall = time.perf_counter() - start
        ms = sorted(r[0] for r in results)
        ok = sum(1 for r in results if r[1] == 200)

        def pct(q: float) -> float:
            return ms[min(len(ms) - 1, int(q * len(ms)))]

        # One conversation, first message to tracking code, through the real worker, once the
        # worker has handled the load's events (the conversation would queue behind them).
        worker = start_worker(env, logdir=logdir)
        from intake.models import ZaloEvent

        drain_start = time.perf_counter()
        while ZaloEvent.objects.filter(handled_at__isnull=True).exists():
            time.sleep(0.5)
        drained = time.perf_counter() - drain_start
        from conftest_photo import jpeg

        zalo_server.media["p.jpg"] = jpeg()
        user = "conversation"
        steps = [
            event(
                "user_send_text", user=user, text="Rác thải đổ bừa bãi đầy vỉa hè đầu ngõ, bốc mùi"
            ),
            event(
                "user_send_image",
                user=user,
                attachments=[
                    {"type": "image", "payload": {"url": f"{zalo_server.base}/media/p.jpg"}}
                ],
            ),
            event(
                "user_send_location",
                user=user,
                attachments=[
                    {
                        "type": "location",
                        "payload": {
                            "coordinates": {
                                "latitude": str(HOAN_KIEM_LAKE[0]),
                                "longitude": str(HOAN_KIEM_LAKE[1]),
                            }
                        },
                    }
                ],
            ),
            event("user_send_text", user=user, text="có"),
        ]
        sent = 0
        code = ""
        last: list[str] = []
        for step in steps:
            before = len(zalo_server.texts_to(user))
            send(step)
            sent += 1
            deadline = time.monotonic() + 60
            while len(zalo_server.texts_to(user)) == before and time.monotonic() < deadline:
                time.sleep(0.05)
            replies = zalo_server.texts_to(user)[before:]
            code = next(
                (w.strip(".,") for r in replies for w in r.split() if w.startswith("PA-")), ""
            )
            if code:
                break
    finally:
        stop(server)
        if worker is not None:
            stop(worker)
        zalo_server.stop()

    print(describe_machine())
    print(
        f"webhook: {len(results)} signed events at {args.rate:g}/s over {wall:.1f} s "
        f"({len(results) / wall:.1f}/s achieved), {ok} answered 200"
    )
    print(
        f"webhook answer ms: p50 {pct(0.50):.1f}  p95 {pct(0.95):.1f}  max {ms[-1]:.1f}  (target p95 < 200)"
    )
    print(f"worker: the {len(results)} events' conversations handled in {drained:.1f} s")
    if not code:
        print("last replies:", last)
    print(
        f"conversation: {sent} messages from the resident to the tracking code {code or 'NONE'} (target ≤ 5)"
    )
    print(json.dumps({"p95_ms": round(pct(0.95), 1), "messages_to_code": sent, "code": code}))


if __name__ == "__main__":
    main()
