"""The category classifier itself: features, training, prediction, storage. No Django here.

Features: a report's folded syllables (classify/text.py) as words, syllable bigrams, and the
character 3- and 4-grams of each syllable (typos, missing tone marks read the same), hashed
into a fixed space so that no vocabulary has to be held or shipped; sublinear TF times IDF,
L2-normalised. Model: a linear classifier (one-vs-rest logistic loss, SGD) trained in chunks
with `partial_fit`, so a million reports train in bounded memory; its scores go through a
softmax with a temperature fitted on a validation split, so a score is a calibrated
probability (the submit page preselects only above a threshold).

Serving needs only numpy: the weights are a dense (categories × features) float32 matrix and
one prediction gathers the few hundred columns a text touches. scikit-learn and scipy are
imported by training alone, so a web worker that only suggests never loads them.
"""

from __future__ import annotations

import io
import itertools
import math
import random
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .text import syllables

FEATURE_BITS = 18
_MASK = (1 << FEATURE_BITS) - 1
CHAR_NGRAMS = (3, 4)
# Caches of syllable → feature indices: the syllables people write are few (tens of thousands
# with typos), so hashing costs a dict lookup per syllable after the first sight.
_CACHE_LIMIT = 300_000
_syllable_cache: dict[str, tuple[int, ...]] = {}
_bigram_cache: dict[tuple[str, str], int] = {}


def _h(feature: str) -> int:
    return zlib.crc32(feature.encode()) & _MASK


def _syllable_features(s: str) -> tuple[int, ...]:
    hit = _syllable_cache.get(s)
    if hit is None:
        padded = f" {s} "
        grams = {padded[i : i + n] for n in CHAR_NGRAMS for i in range(max(1, len(padded) - n + 1))}
        hit = (_h("w" + s), *(_h("c" + g) for g in sorted(grams)))
        if len(_syllable_cache) > _CACHE_LIMIT:
            _syllable_cache.clear()
        _syllable_cache[s] = hit
    return hit


def feature_indices(text: str) -> list[int]:
    """The hashed feature of every occurrence in `text` (repeats counted by repetition)."""
    words = syllables(text)
    out: list[int] = []
    for s in words:
        out.extend(_syllable_features(s))
    for pair in itertools.pairwise(words):
        index = _bigram_cache.get(pair)
        if index is None:
            index = _h(f"b{pair[0]} {pair[1]}")
            if len(_bigram_cache) > _CACHE_LIMIT:
                _bigram_cache.clear()
            _bigram_cache[pair] = index
        out.append(index)
    return out


def _weights(indices: list[int], idf: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if not indices:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    cols, counts = np.unique(np.asarray(indices, dtype=np.int64), return_counts=True)
    values = (1.0 + np.log(counts)).astype(np.float32)
    if idf is not None:
        values *= idf[cols]
    norm = float(np.sqrt(np.dot(values, values)))
    return cols, values / norm if norm else values


@dataclass(frozen=True)
class Vector:
    """A text as a sparse unit vector (sorted column indices and their weights)."""

    cols: np.ndarray
    values: np.ndarray

    def cosine(self, other: Vector) -> float:
        common, mine, theirs = np.intersect1d(
            self.cols, other.cols, assume_unique=True, return_indices=True
        )
        if not len(common):
            return 0.0
        return float(np.dot(self.values[mine], other.values[theirs]))


def vector(text: str, idf: np.ndarray | None = None) -> Vector:
    return Vector(*_weights(feature_indices(text), idf))


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class Classifier:
    """A trained model: what `predict` needs and nothing else."""

    classes: list[str]
    coef: np.ndarray  # (len(classes), 2**FEATURE_BITS) float32
    intercept: np.ndarray  # (len(classes),) float32
    idf: np.ndarray  # (2**FEATURE_BITS,) float32
    temperature: float = 1.0
    info: dict[str, Any] = field(default_factory=dict)

    def vector(self, text: str) -> Vector:
        return vector(text, self.idf)

    def probabilities(self, text: str) -> np.ndarray:
        v = self.vector(text)
        scores = self.coef[:, v.cols] @ v.values + self.intercept
        return softmax(scores.astype(np.float64), self.temperature)

    def top(self, text: str, n: int = 3) -> list[tuple[str, float]]:
        """The `n` likeliest categories, best first, with their probabilities."""
        p = self.probabilities(text)
        order = np.argsort(-p, kind="stable")[:n]
        return [(self.classes[i], float(p[i])) for i in order]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            classes=np.array(self.classes),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            idf=self.idf.astype(np.float32),
            temperature=np.array([self.temperature]),
            feature_bits=np.array([FEATURE_BITS]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> Classifier:
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            if int(data["feature_bits"][0]) != FEATURE_BITS:
                raise ValueError("model was trained with another feature space")
            return cls(
                classes=[str(c) for c in data["classes"]],
                coef=np.ascontiguousarray(data["coef"], dtype=np.float32),
                intercept=data["intercept"].astype(np.float32),
                idf=data["idf"].astype(np.float32),
                temperature=float(data["temperature"][0]),
            )


# --- training ------------------------------------------------------------------------------

Sample = tuple[str, str]  # (category code, text)
CHUNK = 20_000
# SGD sees about this many samples in all: a small corpus is gone over many times, a million
# reports once.
_TARGET_VISITS = 600_000
_MAX_EPOCHS = 40
# Up to this many samples are kept hashed in memory between epochs; above, each epoch hashes
# again, chunk by chunk (memory stays bounded by one chunk).
_IN_MEMORY = 150_000
ALPHA = 2e-5


def _hash_chunk(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    indptr = [0]
    indices: list[int] = []
    for text in texts:
        indices.extend(feature_indices(text))
        indptr.append(len(indices))
    return np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int32)


def _matrix(texts: Sequence[str], idf: np.ndarray | None, pool=None):
    """CSR rows of sublinear TF (× IDF when given), L2-normalised."""
    from scipy import sparse

    if pool is not None and len(texts) > 2_000:
        half = len(texts) // 2
        parts = list(pool.map(_hash_chunk, [texts[:half], texts[half:]]))
    else:
        parts = [_hash_chunk(texts)]
    blocks = []
    for indptr, indices in parts:
        m = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(indptr) - 1, 1 << FEATURE_BITS),
        )
        m.sum_duplicates()
        blocks.append(m)
    x = sparse.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]
    x.data = 1.0 + np.log(x.data)
    if idf is not None:
        x = x @ sparse.diags(idf)
        x = sparse.csr_matrix(x)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ x)


def _idf(x, n_docs: int) -> np.ndarray:
    df = np.bincount(x.indices, minlength=1 << FEATURE_BITS).astype(np.float64)
    return (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)


# The validation targets are smoothed this much: a small validation set that the model gets
# all right would otherwise drive the temperature to zero and every score to 100 %.
SMOOTHING = 0.05


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the (smoothed) log-loss of `scores` on `truth`
    (golden-section search over log T)."""
    k = scores.shape[1]
    target = np.full(scores.shape, SMOOTHING / k)
    target[np.arange(len(truth)), truth] += 1.0 - SMOOTHING

    def nll(log_t: float) -> float:
        p = softmax(scores, math.exp(log_t))
        return float(-np.mean(np.sum(target * np.log(np.maximum(p, 1e-12)), axis=1)))

    lo, hi = math.log(0.02), math.log(50.0)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return math.exp((lo + hi) / 2)


def _chunks(samples: Callable[[], Iterable[Sample]], size: int) -> Iterator[list[Sample]]:
    chunk: list[Sample] = []
    for sample in samples():
        chunk.append(sample)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _validation(code: str, text: str) -> bool:
    # One sample in ten by a stable hash of its text: the same split on every pass.
    return zlib.crc32(text.encode()) % 10 == 0


def train(
    samples: Callable[[], Iterable[Sample]],
    *,
    classes: Sequence[str],
    workers: int = 2,
    seed: int = 17,
    log: Callable[[str], None] = lambda message: None,
) -> Classifier:
    """Train on `samples()` (called once per pass, so a database cursor can stream a million
    rows). Nine samples in ten train; the tenth fits the probability temperature."""
    from concurrent.futures import ProcessPoolExecutor

    from sklearn.linear_model import SGDClassifier

    classes = sorted(classes)
    class_index = {c: i for i, c in enumerate(classes)}

    def kept() -> Iterator[Sample]:
        return (s for s in samples() if s[0] in class_index and s[1].strip())

    rng = random.Random(seed)
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        # Pass 1: count, document frequencies from the first chunks, the validation split.
        n_train = 0
        idf_rows = []
        idf_docs = 0
        valid: list[Sample] = []
        for chunk in _chunks(kept, CHUNK):
            for sample in chunk:
                if _validation(*sample):
                    valid.append(sample)
                else:
                    n_train += 1
            if idf_docs < 100_000:
                idf_rows.append(_matrix([t for _c, t in chunk], None, pool))
                idf_docs += len(chunk)
        if n_train == 0:
            raise ValueError("nothing to train on")
        from scipy import sparse

        idf = _idf(sparse.vstack(idf_rows, format="csr"), idf_docs)
        del idf_rows
        epochs = max(1, min(_MAX_EPOCHS, math.ceil(_TARGET_VISITS / n_train)))
        log(f"{n_train} training samples, {len(valid)} validation, {epochs} epoch(s)")

        model = SGDClassifier(loss="log_loss", alpha=ALPHA, random_state=seed)
        all_classes = np.arange(len(classes))
        cached: list[tuple[Any, np.ndarray]] | None = [] if n_train <= _IN_MEMORY else None
        for epoch in range(epochs):
            if cached is not None and epoch > 0:
                rng.shuffle(cached)
                batches: Iterable[tuple[Any, np.ndarray]] = cached
            else:
                batches = _train_batches(kept, class_index, idf, pool, rng)
            for x, y in batches:
                if cached is not None and epoch == 0:
                    cached.append((x, y))
                model.partial_fit(x, y, classes=all_classes)
        del cached

        coef = np.asarray(model.coef_, dtype=np.float32)
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        if len(classes) == 2:  # sklearn keeps one row for two classes
            coef = np.vstack([-coef, coef])
            intercept = np.concatenate([-intercept, intercept])
        temperature = 1.0
        if valid:
            xv = _matrix([t for _c, t in valid], idf, pool)
            scores = np.asarray(xv @ coef.T) + intercept
            truth = np.array([class_index[c] for c, _t in valid])
            temperature = fit_temperature(scores.astype(np.float64), truth)
    finally:
        if pool is not None:
            pool.shutdown()
    return Classifier(
        classes=list(classes),
        coef=np.ascontiguousarray(coef),
        intercept=intercept,
        idf=idf,
        temperature=temperature,
        info={"trained_on": n_train, "validated_on": len(valid), "epochs": epochs},
    )


def _train_batches(kept, class_index, idf, pool, rng) -> Iterator[tuple[Any, np.ndarray]]:
    # Small batches within a chunk, shuffled: SGD's steps should not see one category at a
    # time when the history comes ordered.
    for chunk in _chunks(kept, CHUNK):
        chunk = [s for s in chunk if not _validation(*s)]
        if not chunk:
            continue
        rng.shuffle(chunk)
        x = _matrix([t for _c, t in chunk], idf, pool)
        y = np.array([class_index[c] for c, _t in chunk])
        for start in range(0, len(chunk), 2_000):
            yield x[start : start + 2_000], y[start : start + 2_000]


# --- evaluation ----------------------------------------------------------------------------


@dataclass
class Metrics:
    """Top-1 / top-3 on a labelled set and what each category was taken for."""

    n: int
    top1: float
    top3: float
    per_category: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "top1": self.top1,
            "top3": self.top3,
            "per_category": self.per_category,
        }


def evaluate(classifier: Classifier, samples: Iterable[Sample]) -> Metrics:
    n = hit1 = hit3 = 0
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for code, text in samples:
        picks = [c for c, _p in classifier.top(text, 3)]
        n += 1
        hit1 += picks[0] == code
        hit3 += code in picks
        counts[code][picks[0]] += 1
    per_category = {}
    for code, taken in sorted(counts.items()):
        total = sum(taken.values())
        per_category[code] = {
            "n": total,
            "top1": taken[code] / total,
            "confused_with": {c: k for c, k in taken.most_common() if c != code},
        }
    return Metrics(
        n=n, top1=hit1 / n if n else 0.0, top3=hit3 / n if n else 0.0, per_category=per_category
    )
