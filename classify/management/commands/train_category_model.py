"""Train the category classifier on the seed corpus and the reports' history."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from classify import services


class Command(BaseCommand):
    help = (
        "Huấn luyện mô hình gợi ý lĩnh vực từ kho câu mẫu và lịch sử phản ánh; in kết quả "
        "trên tập kiểm tra riêng và lưu phiên bản mới (chỉ dùng khi không kém bản đang chạy)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=Path, default=services.SEED_PATH)
        parser.add_argument("--heldout", type=Path, default=services.HELDOUT_PATH)
        parser.add_argument(
            "--no-history", action="store_true", help="Chỉ dùng kho câu mẫu (bỏ qua lịch sử)."
        )
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Không làm gì nếu đã có mô hình đang dùng (cho lệnh cài đặt).",
        )

    def handle(self, *args, **options):
        if options["if_missing"] and services.serving_model() is not None:
            self.stdout.write("Đã có mô hình gợi ý lĩnh vực đang dùng: không huấn luyện lại.")
            return
        try:
            result = services.category_model_train(
                seed_path=options["seed"],
                heldout_path=options["heldout"],
                include_history=not options["no_history"],
                workers=max(1, options["workers"]),
                log=lambda message: self.stdout.write(f"  {message}"),
            )
        except (services.CorpusError, OSError) as exc:
            raise CommandError(f"Không huấn luyện được: {exc}") from exc
        model, metrics = result.model, result.metrics
        self.stdout.write(
            f"Phiên bản v{model.pk}: {model.seed_samples} câu mẫu + {model.history_samples} "
            f"phản ánh, {model.seconds:.1f} s, {model.size_bytes / 1e6:.1f} MB"
        )
        self.stdout.write(
            f"Tập kiểm tra ({metrics.n} câu): top-1 {metrics.top1:.1%}, top-3 {metrics.top3:.1%}"
        )
        self.stdout.write("Theo lĩnh vực (đúng / tổng; nhầm sang):")
        for code, row in metrics.per_category.items():
            confused = ", ".join(f"{c} ×{k}" for c, k in row["confused_with"].items()) or "–"
            right = round(row["top1"] * row["n"])
            self.stdout.write(f"  {code:<24} {right:>3}/{row['n']:<3} {confused}")
        if result.serving:
            self.stdout.write(self.style.SUCCESS(f"v{model.pk} đang được dùng để gợi ý."))
        else:
            self.stdout.write(self.style.WARNING(f"v{model.pk} không được dùng: {model.note}"))
