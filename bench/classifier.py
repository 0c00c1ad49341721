"""The category classifier's figures (issue 17).

Usage: .venv/bin/python bench/classifier.py [--reports 1000000] [--workers 2]

1. Accuracy: trained on the seed corpus (classify/data/seed.tsv) as `train_category_model
   --no-history` does; top-1 / top-3 on the held-out file (classify/data/heldout.tsv), which
   training never reads. Targets: top-3 ≥ 95 %, top-1 ≥ 80 %.
2. Latency: `classify.services.suggest` in-process (the API's work without HTTP: features,
   scores, the category query), p50/p95 over the held-out sentences repeated; target p95
   < 20 ms.
3. Training on N reports (default 1 M, target < 5 min on 2 cores): the texts are the seed
   sentences varied the way residents vary them (diacritics dropped, words dropped, a street
   and a house number added, letters swapped), streamed as a database cursor would be; the
   wall time, the peak RSS of the training and the stored model's size (target < 20 MB).
4. Memory: a fresh process that loads the whole app (every URL module, as a web worker
   does), then the model, and answers 2,000 suggestions through the Django test client; its
   peak RSS (target < 200 MB with the model loaded).
Needs the categories loaded (`make run` or `manage.py load_categories`).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from classify import model as ml  # noqa: E402
from classify import services  # noqa: E402

STREETS = [
    "Nguyễn Trãi",
    "Giải Phóng",
    "Láng Hạ",
    "Kim Mã",
    "Xã Đàn",
    "Tôn Đức Thắng",
    "Cầu Giấy",
    "Hoàng Quốc Việt",
    "Minh Khai",
    "Lạc Long Quân",
    "Nguyễn Văn Cừ",
    "Trường Chinh",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def varied(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 6 and rng.random() < 0.5:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 3:
            j = rng.randrange(len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    out = " ".join(words)
    if rng.random() < 0.4:
        out += f" số {rng.randint(1, 400)} {rng.choice(STREETS)}"
    if rng.random() < 0.35:
        out = strip_marks(out)
    return out


def accuracy(workers: int) -> ml.Classifier:
    seed = services.read_corpus(services.SEED_PATH)
    heldout = services.read_corpus(services.HELDOUT_PATH)
    started = time.perf_counter()
    classifier = ml.train(lambda: iter(seed), classes=sorted({c for c, _ in seed}), workers=workers)
    seconds = time.perf_counter() - started
    metrics = ml.evaluate(classifier, heldout)
    print(f"seed corpus: {len(seed)} sentences, {len({c for c, _ in seed})} categories")
    print(f"held-out file: {metrics.n} sentences (never read by training)")
    print(f"  top-1 {metrics.top1:.1%}   top-3 {metrics.top3:.1%}   trained in {seconds:.1f} s")
    worst = sorted(metrics.per_category.items(), key=lambda kv: kv[1]["top1"])[:4]
    for code, row in worst:
        print(f"  weakest: {code:<24} top-1 {row['top1']:.0%} confused with {row['confused_with']}")
    keyword_baseline(heldout)
    return classifier


def keyword_baseline(heldout: list[ml.Sample]) -> None:
    """The fallback (and, before issue 17, the only way) on the same held-out file."""
    from routing.models import Category

    categories = list(Category.objects.filter(is_active=True))
    top1 = top3 = 0
    for code, text in heldout:
        codes = [s.category.code for s in services._keyword_suggestions(text, 3, categories)]
        top1 += codes[:1] == [code]
        top3 += code in codes
    print(f"  keywords alone: top-1 {top1 / len(heldout):.1%}   top-3 {top3 / len(heldout):.1%}")


def latency(classifier: ml.Classifier) -> None:
    from classify.models import CategoryModel, ModelState

    # The bench's model serves while it runs; the one served before is given back after.
    before = list(
        CategoryModel.objects.filter(state=ModelState.SERVING).values_list("pk", flat=True)
    )
    stored = services.model_store(classifier, serving=True, note="bench/classifier.py")
    try:
        texts = [t for _c, t in services.read_corpus(services.HELDOUT_PATH)]
        services.suggest(texts[0])  # load
        timings = []
        for _round in range(5):
            for text in texts:
                started = time.perf_counter()
                services.suggest(text)
                timings.append((time.perf_counter() - started) * 1000)
        p50, p95, p99 = np.percentile(timings, [50, 95, 99])
        print(
            f"suggest() in-process, {len(timings)} calls: p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
            f"p99 {p99:.2f} ms"
        )
    finally:
        stored.delete()
        CategoryModel.objects.filter(pk__in=before).update(state=ModelState.SERVING)
        services.forget_serving_model()


def training(n: int, workers: int) -> None:
    seed = services.read_corpus(services.SEED_PATH)
    classes = sorted({c for c, _ in seed})

    def samples():
        rng = random.Random(2026)
        for _i in range(n):
            code, text = seed[rng.randrange(len(seed))]
            yield code, varied(text, rng)

    before = rss_mb()
    started = time.perf_counter()
    classifier = ml.train(samples, classes=classes, workers=workers)
    seconds = time.perf_counter() - started
    blob = classifier.to_bytes()
    print(
        f"training on {n:,} reports: {seconds:.0f} s wall ({seconds / 60:.1f} min), "
        f"{classifier.info['epochs']} epoch(s); peak RSS {rss_mb():.0f} MB "
        f"(was {before:.0f} MB before)"
    )
    print(
        f"stored model: {len(blob) / 1e6:.1f} MB (compressed .npz); in memory "
        f"{(classifier.coef.nbytes + classifier.idf.nbytes) / 1e6:.1f} MB"
    )
    heldout = services.read_corpus(services.HELDOUT_PATH)
    metrics = ml.evaluate(classifier, heldout)
    print(
        f"  (that model on the held-out file: top-1 {metrics.top1:.1%}, top-3 {metrics.top3:.1%})"
    )


WORKER = r"""
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
import django
django.setup()
from django.conf import settings
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as a web worker imports them
from django.test import Client
from classify import services
client = Client(HTTP_HOST="127.0.0.1")
client.get("/api/categories/suggest", {"text": "rác"})
# VmHWM, not ru_maxrss: the latter keeps the bench parent's peak across fork + exec.
def mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
print(f"app loaded, no model: {mb():.0f} MB", flush=True)
from classify.models import CategoryModel, ModelState
from django.utils import timezone
blob = open(sys.argv[2], "rb").read()
stored = CategoryModel.objects.create(created_at=timezone.now(), state=ModelState.SERVING, blob=blob,
    size_bytes=len(blob), seed_samples=0, history_samples=0, heldout_top1=0, heldout_top3=0, seconds=0)
try:
    services.forget_serving_model()
    texts = [t for _c, t in services.read_corpus(services.HELDOUT_PATH)]
    for i in range(2000):
        r = client.get("/api/categories/suggest", {"text": texts[i % len(texts)]})
        assert r.status_code == 200 and r.json()
    print(f"after 2,000 suggestions with the model: peak RSS {mb():.0f} MB", flush=True)
    print("sklearn imported:", "sklearn" in sys.modules, "| scipy imported:", "scipy" in sys.modules)
finally:
    stored.delete()
"""


def worker_memory(classifier: ml.Classifier, tmp: Path) -> None:
    path = tmp / "bench-model.npz"
    path.write_bytes(classifier.to_bytes())
    try:
        out = subprocess.run(
            [sys.executable, "-c", WORKER, str(ROOT), str(path)],
            capture_output=True,
            text=True,
        )
        print(out.stdout.strip())
        if out.returncode:
            sys.exit(f"the worker-memory process failed:\n{out.stderr}")
    finally:
        path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    classifier = accuracy(args.workers)
    latency(classifier)
    with tempfile.TemporaryDirectory() as tmp:
        worker_memory(classifier, Path(tmp))
    training(args.reports, args.workers)


if __name__ == "__main__":
    main()
