from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelState(models.TextChoices):
    SERVING = "serving", _("Serving")
    RETIRED = "retired", _("Replaced by a newer model")
    REJECTED = "rejected", _("Rejected: worse than the serving model")


class CategoryModel(models.Model):
    """One trained version of the category classifier, with how it scored on the held-out set."""

    created_at = models.DateTimeField(_("trained at"))
    state = models.CharField(_("state"), max_length=10, choices=ModelState.choices)
    # The weights (numpy .npz, compressed): a few MB, read once per process and cached.
    blob = models.BinaryField(_("model"))
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    seed_samples = models.PositiveIntegerField(_("seed corpus samples"))
    history_samples = models.PositiveIntegerField(_("reports from history"))
    heldout_top1 = models.FloatField(_("held-out top-1"))
    heldout_top3 = models.FloatField(_("held-out top-3"))
    # Per-category figures and the training's own (validation size, epochs, temperature).
    metrics = models.JSONField(_("metrics"), default=dict)
    seconds = models.FloatField(_("training time (s)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("category model")
        verbose_name_plural = _("category models")
        indexes = [models.Index(fields=["state", "-id"], name="classify_model_serving")]

    def __str__(self) -> str:
        return f"v{self.pk} ({self.get_state_display()}, top-1 {self.heldout_top1:.1%})"


class Suggestion(models.Model):
    """What was suggested when a report was filed, and whether the resident took it."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="category_suggestion"
    )
    created_at = models.DateTimeField(_("created at"), db_index=True)
    # None: no model was serving; the keyword fallback suggested.
    model = models.ForeignKey(
        CategoryModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [[code, probability], ...] best first, up to 3.
    suggested = models.JSONField(_("suggested"), default=list)
    top_code = models.CharField(_("first suggestion"), max_length=50, blank=True)
    top_probability = models.FloatField(_("its probability"), null=True, blank=True)
    chosen_code = models.CharField(_("resident's category"), max_length=50)
    # 1-3: where the resident's category stood among the suggestions; None: not among them.
    chosen_rank = models.PositiveSmallIntegerField(_("rank of the resident's pick"), null=True)

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.top_code} / {self.chosen_code}"

    @property
    def accepted(self) -> bool:
        return self.chosen_rank == 1
