"""Category suggestions: the serving model, training a new one, and the record of each
report's suggestion.

Every way a report comes in (the submit page, the API, Open311, and the intake channels of
the next issues) asks `suggest`; every filed report gets a `Suggestion` row through the
lifecycle's subscription (`on_event_recorded`), whichever door it came through.
"""

from __future__ import annotations

import csv
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from reports.text import unaccent
from routing.models import Category

from . import model as ml
from .models import CategoryModel, ModelState, Suggestion
from .text import MAX_CHARS

if TYPE_CHECKING:
    from reports.models import ReportEvent

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
SEED_PATH = DATA / "seed.tsv"
# Never read by training: the figures of every model are measured on it.
HELDOUT_PATH = DATA / "heldout.tsv"
# A new model that scores this much lower on the held-out set than the serving one is kept
# aside, not served (one or two sentences either way is noise on a few hundred).
TOLERANCE = 0.01


# --- the corpus files ----------------------------------------------------------------------


class CorpusError(ValueError):
    pass


def read_corpus(path: Path) -> list[ml.Sample]:
    """`category<TAB>text` lines under that header; a bad line is named."""
    samples: list[ml.Sample] = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(rows, None)
        if header != ["category", "text"]:
            raise CorpusError(f"{path.name}: the first line must be 'category<TAB>text'")
        for number, row in enumerate(rows, 2):
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise CorpusError(f"{path.name} line {number}: expected category<TAB>text")
            samples.append((row[0].strip(), row[1].strip()))
    return samples


# --- the serving model ---------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    version: int
    classifier: ml.Classifier


_lock = threading.Lock()
_loaded: Loaded | None = None
_checked_at: float | None = None  # None: never looked (or forgotten)


def serving_model() -> Loaded | None:
    """The newest serving model, loaded once per process; whether a newer one serves is
    checked at most every CLASSIFIER_RECHECK_SECONDS (one indexed query)."""
    global _loaded, _checked_at
    now = time.monotonic()
    # "No model serves" is cached too: the keyword fallback must not cost a query per call.
    if _checked_at is not None and now - _checked_at < settings.CLASSIFIER_RECHECK_SECONDS:
        return _loaded
    with _lock:
        newest = (
            CategoryModel.objects.filter(state=ModelState.SERVING)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
        _checked_at = now
        if newest is None:
            _loaded = None
        elif _loaded is None or _loaded.version != newest:
            blob = CategoryModel.objects.values_list("blob", flat=True).get(pk=newest)
            _loaded = Loaded(newest, ml.Classifier.from_bytes(bytes(blob)))
    return _loaded


def forget_serving_model() -> None:
    """Drop the process cache (tests, and right after training in the same process)."""
    global _loaded, _checked_at
    with _lock:
        _loaded, _checked_at = None, None


@dataclass(frozen=True)
class CategorySuggestion:
    category: Category
    probability: float

    @property
    def percent(self) -> int:
        return round(100 * self.probability)


def suggest(text: str, *, limit: int = 3) -> list[CategorySuggestion]:
    """Up to `limit` active categories for a resident's text, likeliest first, each with a
    probability. Empty text, or text with no letters, suggests nothing."""
    return suggest_many([text], limit=limit)[0]


def suggest_many(
    texts: list[str], *, limit: int = 3, categories: Iterable[Category] | None = None
) -> list[list[CategorySuggestion]]:
    """`suggest` for a page of texts: one query for the active categories whatever their
    number, none when the caller already holds them."""
    loaded = serving_model()
    if categories is None:
        categories = Category.objects.filter(is_active=True)
    by_code = {c.code: c for c in categories}
    out: list[list[CategorySuggestion]] = []
    for text in texts:
        text = (text or "")[:MAX_CHARS]
        if not any(ch.isalpha() for ch in text):
            out.append([])
        elif loaded is None:
            out.append(_keyword_suggestions(text, limit, by_code.values()))
        else:
            picks = loaded.classifier.top(text, len(loaded.classifier.classes))
            active = [(by_code[code], p) for code, p in picks if code in by_code]
            total = sum(p for _c, p in active) or 1.0
            # Renormalised over the categories in use today (a retired one is never offered).
            out.append([CategorySuggestion(c, p / total) for c, p in active[:limit]])
    return out


def _keyword_suggestions(
    text: str, limit: int, categories: Iterable[Category]
) -> list[CategorySuggestion]:
    """The fallback while no model serves: categories whose keywords occur in the text. A
    keyword found as a phrase scores its word count; a name word scores 1. The scores are
    shared out as probabilities, halved: a keyword hit is never sure enough to preselect."""
    plain = f" {' '.join(unaccent(text).split())} "
    words = set(plain.split())
    scored = []
    for category in categories:
        score = 0
        for keyword in (k.strip() for k in category.keywords.split(",")):
            k = unaccent(keyword)
            if k and f" {k} " in plain:
                score += 2 * len(k.split())
        score += sum(1 for w in unaccent(category.name).split() if len(w) > 2 and w in words)
        if score:
            scored.append((score, category))
    scored.sort(key=lambda sc: (-sc[0], sc[1].sort_order, sc[1].name))
    total = sum(s for s, _c in scored)
    return [CategorySuggestion(c, 0.5 * s / total) for s, c in scored[:limit]]


def is_confident(suggestion: CategorySuggestion) -> bool:
    """Sure enough for the submit page to preselect it."""
    return suggestion.probability >= settings.CLASSIFIER_PRESELECT_PROBABILITY


# --- text similarity (duplicates by meaning) -----------------------------------------------


# Two descriptions this alike (cosine, 0-1) describe the same problem, whatever category each
# resident picked: "cột điện đổ" / "trụ điện bị ngã" ≈ 0.5, unrelated texts < 0.15 (tests).
SAME_PROBLEM = 0.3


def similarity(text: str, others: Iterable[str]) -> list[float]:
    """Cosine similarity of `text` to each of `others` in the classifier's feature space
    (its IDF when a model serves): "cột điện đổ" and "trụ điện bị ngã" score high."""
    loaded = serving_model()
    idf = loaded.classifier.idf if loaded else None
    mine = ml.vector(text, idf)
    return [mine.cosine(ml.vector(other, idf)) for other in others]


# --- the record of each report's suggestion ------------------------------------------------


def on_event_recorded(event: ReportEvent) -> None:
    from reports.workflow import Action

    if event.action == Action.SUBMIT:
        suggestion_record(report=event.report)


def suggestion_record(*, report) -> Suggestion | None:
    """What would have been suggested for this report's text, and where the resident's own
    category stood among it. Part of the submission's transaction; a failure to predict
    never costs the resident their report (logged, no row)."""
    try:
        loaded = serving_model()
        picks = [
            (s.category.code, round(s.probability, 4))
            for s in suggest(f"{report.title}\n{report.description}")
        ]
    except Exception:
        logger.exception("category suggestion failed for report %s", report.pk)
        return None
    codes = [code for code, _p in picks]
    chosen = report.category.code
    return Suggestion.objects.create(
        report=report,
        created_at=report.created_at,
        model_id=loaded.version if loaded else None,
        suggested=[list(p) for p in picks],
        top_code=codes[0] if codes else "",
        top_probability=picks[0][1] if picks else None,
        chosen_code=chosen,
        chosen_rank=codes.index(chosen) + 1 if chosen in codes else None,
    )


# --- training ------------------------------------------------------------------------------


def history_samples() -> Iterator[ml.Sample]:
    """Reports whose category a unit has vouched for, with their FINAL category: a report a
    coordinator re-routed to another category teaches that one, not the resident's pick.
    Merged and rejected reports teach nothing (a duplicate, spam)."""
    from reports.models import Report
    from reports.workflow import Status

    rows = (
        Report.objects.filter(accepted_at__isnull=False)
        .exclude(status__in=[Status.MERGED, Status.REJECTED])
        .values_list("category__code", "title", "description")
        .order_by("pk")
    )
    for code, title, description in rows.iterator(chunk_size=5_000):
        yield code, f"{title}\n{description}"


@dataclass
class TrainingResult:
    model: CategoryModel
    serving: bool
    previous: CategoryModel | None
    metrics: ml.Metrics


def category_model_train(
    *,
    seed_path: Path = SEED_PATH,
    heldout_path: Path = HELDOUT_PATH,
    include_history: bool = True,
    workers: int = 2,
    log=lambda message: None,
) -> TrainingResult:
    """Train on the seed corpus and the history, measure on the held-out file, and store the
    model: serving if it is not worse than the serving one, else kept aside as rejected.
    Raises (and stores nothing) when the corpus or the training fails."""
    started = time.monotonic()
    seed = read_corpus(seed_path)
    heldout = read_corpus(heldout_path)
    active = list(Category.objects.filter(is_active=True).values_list("code", flat=True))
    unknown = sorted({c for c, _t in seed + heldout} - set(active))
    if unknown:
        raise CorpusError(f"unknown or inactive categories in the corpus: {', '.join(unknown)}")
    counted = {"history": 0}

    def samples() -> Iterator[ml.Sample]:
        yield from seed
        if include_history:
            n = 0
            for sample in history_samples():
                n += 1
                yield sample
            counted["history"] = n

    classifier = ml.train(samples, classes=active, workers=workers, log=log)
    metrics = ml.evaluate(classifier, heldout)
    seconds = time.monotonic() - started
    with transaction.atomic():
        current = (
            CategoryModel.objects.select_for_update()
            .filter(state=ModelState.SERVING)
            .order_by("-pk")
            .first()
        )
        note = ""
        serving = True
        if current is not None:
            # The serving model is measured again on today's held-out file: the file may
            # have grown since it was trained.
            try:
                current_metrics = ml.evaluate(
                    ml.Classifier.from_bytes(bytes(current.blob)), heldout
                )
                current_top1 = current_metrics.top1
            except ValueError:
                current_top1 = 0.0  # trained with another feature space: replace it
            if metrics.top1 + TOLERANCE < current_top1:
                serving = False
                note = (
                    f"held-out top-1 {metrics.top1:.3f} < serving v{current.pk}'s "
                    f"{current_top1:.3f}: not served"
                )
        stored = model_store(
            classifier,
            serving=serving,
            seed_samples=len(seed),
            history_samples=counted["history"],
            metrics=metrics,
            seconds=seconds,
            note=note,
        )
    return TrainingResult(model=stored, serving=serving, previous=current, metrics=metrics)


def model_store(
    classifier: ml.Classifier,
    *,
    serving: bool,
    seed_samples: int = 0,
    history_samples: int = 0,
    metrics: ml.Metrics | None = None,
    seconds: float = 0.0,
    note: str = "",
) -> CategoryModel:
    """Store a trained classifier; a serving one retires the model served before it."""
    blob = classifier.to_bytes()
    with transaction.atomic():
        stored = CategoryModel.objects.create(
            created_at=timezone.now(),
            state=ModelState.SERVING if serving else ModelState.REJECTED,
            blob=blob,
            size_bytes=len(blob),
            seed_samples=seed_samples,
            history_samples=history_samples,
            heldout_top1=metrics.top1 if metrics else 0.0,
            heldout_top3=metrics.top3 if metrics else 0.0,
            metrics={
                "heldout": metrics.as_dict() if metrics else {},
                "training": {**classifier.info, "temperature": classifier.temperature},
            },
            seconds=seconds,
            note=note,
        )
        if serving:
            CategoryModel.objects.filter(state=ModelState.SERVING).exclude(pk=stored.pk).update(
                state=ModelState.RETIRED
            )
    forget_serving_model()
    return stored
