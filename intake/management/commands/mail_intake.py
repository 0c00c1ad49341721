from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from intake.smtp import controller


class Command(BaseCommand):
    help = "Chạy máy chủ SMTP nhận phản ánh qua thư điện tử (đặt sau máy chủ thư của thành phố)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)

    def handle(self, *args, host: str, port: int, **options):
        server = controller(host, port)
        server.start()
        self.stdout.write(
            f"Đang nhận thư gửi {settings.MAIL_INTAKE_ADDRESS} tại {host}:{port} (Ctrl+C để dừng)."
        )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        server.stop()
        self.stdout.write("Đã dừng.")
