"""Notifications delivered per second through the task queue to a local SMTP server.

N people (default 2,000) each get one notification (notify_staff, as the SLA reminders and the
area alerts send them) with e-mail on: N Delivery rows and N queued tasks. Then real
`manage.py db_worker` processes (--workers, default 1) drain the queue, each task claiming its
row and sending one e-mail over SMTP to an aiosmtpd server started here. The figure is
deliveries sent ÷ wall time from the workers' start to the last e-mail received.

Usage: .venv/bin/python bench/notify.py [--notifications 2000] [--workers 1]
       [--database-url postgresql://…]   (an empty, throw-away database)
Without --database-url it uses a fresh SQLite file in a temporary folder (removed at the end).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

from synthetic import ROOT, describe_machine, open_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notifications", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = open_database(args.database_url, "bench-notify-")
    from aiosmtpd.controller import Controller
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from notify.models import Delivery
    from notify.services import notify_staff

    received = []

    class Inbox:
        async def handle_DATA(self, server, session, envelope):
            received.append(time.perf_counter())
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        n = args.notifications
        started = time.perf_counter()
        password = make_password(None)
        User.objects.bulk_create(
            User(username=f"bench{i}", email=f"bench{i}@example.vn", password=password)
            for i in range(n)
        )
        users = list(User.objects.filter(username__startswith="bench").order_by("id"))
        for start in range(0, n, 500):
            notify_staff(
                users=users[start : start + 500],
                kind="alert",
                title="Cảnh báo ngập úng: tránh phố Hàng Bài từ 17 giờ",
                body="Mưa lớn, nước ngập 30 cm tại ngã tư Hàng Bài – Tràng Tiền.",
                url="/",
                dedupe_key=f"bench:{start}",
            )
        queued_s = time.perf_counter() - started
        pending = Delivery.objects.filter(status="pending").count()

        env = {
            **os.environ,
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret-" + "x" * 40),
        }
        command = [
            sys.executable, "manage.py", "db_worker", "--batch", "--no-reload",
            "--no-startup-delay", "--verbosity", "0",
        ]  # fmt: skip
        started = time.perf_counter()
        workers = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(args.workers)]
        for worker in workers:
            worker.wait()
        elapsed = time.perf_counter() - started
        sent = Delivery.objects.filter(status="sent").count()

        print(describe_machine())
        print(
            f"{n:,} notifications → {pending:,} e-mail deliveries queued in {queued_s:.1f} s "
            f"(users, notifications, deliveries, tasks)"
        )
        print(
            f"db_worker × {args.workers}: {sent:,} sent, {len(received):,} received by the SMTP "
            f"server in {elapsed:.1f} s (worker start-up included) → "
            f"{sent / elapsed:.0f} deliveries/s"
        )
        if len(received) > 1:
            # Without the worker's start-up (imports, system checks: ~6 s on this machine).
            steady = (len(received) - 1) / (received[-1] - received[0])
            print(f"steady rate, first to last e-mail received: {steady:.0f} deliveries/s")
        if sent != n or len(received) != n:
            sys.exit(f"expected {n} e-mails, got {sent} sent / {len(received)} received")
    finally:
        controller.stop()
        tmp.cleanup()


if __name__ == "__main__":
    main()
