"""The Zalo Official Account webhook: verify, store, queue, answer (well under Zalo's 2 s)."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import zalo


@csrf_exempt  # Zalo signs its events (X-ZEvent-Signature); there is no session to forge.
@require_POST
def zalo_webhook(request):
    signature = request.headers.get("X-ZEvent-Signature", "")
    if not signature.strip().startswith("mac="):
        # Not from Zalo, whatever the body: refused before it is even read.
        return JsonResponse(
            {"error": "unauthorized", "detail": "missing X-ZEvent-Signature"}, status=401
        )
    try:
        body = request.body
    except RawPostDataException:
        # A form post (read by a middleware before us) is not one of Zalo's JSON events.
        return JsonResponse({"error": "bad_request", "detail": "the body is not JSON"}, status=400)
    try:
        outcome = zalo.event_receive(body=body, signature=signature)
    except zalo.BadSignature as exc:
        return JsonResponse({"error": "unauthorized", "detail": str(exc)}, status=401)
    except zalo.BadEvent as exc:
        return JsonResponse({"error": "bad_request", "detail": str(exc)}, status=400)
    return HttpResponse(outcome, content_type="text/plain", status=200)
