"""Reports by e-mail: a mail to the intake address (MAIL_INTAKE_ADDRESS) becomes a report.

`manage.py mail_intake` runs the SMTP server (aiosmtpd) that the city's mail server relays to;
each mail goes through ``mail_receive``: subject and body as the text, attached images as the
photos (checked like any upload), the place from a photo's EXIF GPS or an "Địa chỉ:" line,
else the coordination office places it. The sender gets the tracking code by reply.

Never a reply to an automatic mail (RFC 3834: Auto-Submitted other than "no", bounces with an
empty return path, delivery reports, mailing lists, bulk), nor to our own address: two
auto-responders must not talk to each other forever. A sender over the rate limit is refused.

The From address is not proof of anything (it is easily forged): a mail's reports belong to an
account of that address made for mail alone, never to an existing account with the same
address, and only the address itself hears back.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.models import User
from reports import clock
from reports.models import ReportChannel
from routing.models import OTHER_CATEGORY, Category

from .models import MailIntake

log = logging.getLogger(__name__)

_ADDRESS_LINE = re.compile(r"^\s*(?:địa chỉ|dia chi|đ/c|d/c|tại|tai)\s*[:：]\s*(.+)$", re.I | re.M)
UNPLACED = "Chưa rõ vị trí (gửi qua thư điện tử)"


@dataclass(frozen=True)
class Outcome:
    record: MailIntake
    # The SMTP answer: "250 …" accepted (filed, or ignored on purpose), "550 …" refused.
    smtp: str


def is_automatic(message: ParsedMessage, mail_from: str) -> str:
    """Why a mail must not be answered (RFC 3834 and the usual list/bulk markers), or ""."""
    if not mail_from or mail_from == "<>":
        return "bounce (empty return path)"
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if message.get_content_type() == "multipart/report":
        return "delivery or read report"
    if str(message.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list"}:
        return "Precedence: bulk/list"
    for header in ("List-Id", "List-Unsubscribe", "X-Autoreply", "X-Autorespond"):
        if message.get(header):
            return header
    if parseaddr(mail_from)[1].lower().startswith(("mailer-daemon@", "postmaster@")):
        return "mailer daemon"
    return ""


def _text_of(message: ParsedMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeDecodeError):
        return ""
    if body.get_content_type() == "text/html":
        content = strip_tags(content)
    # A reply's quoted history is not the problem.
    lines = [ln for ln in content.splitlines() if not ln.lstrip().startswith(">")]
    return "\n".join(lines).strip()


def _attachments(message: ParsedMessage) -> list[tuple[str, bytes]]:
    found = []
    for part in message.iter_attachments():
        kind = part.get_content_maintype()
        if kind in ("image", "video") or part.get_content_type() == "application/octet-stream":
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                data = b""
            found.append((part.get_filename() or f"anh.{part.get_content_subtype()}", data))
    return found


def _exif_point(content: bytes) -> tuple[float, float] | None:
    """The GPS position a phone wrote into a photo, if any."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            gps = image.getexif().get_ifd(0x8825)
    except Exception:
        return None
    try:

        def degrees(values, ref) -> float:
            d, m, s = (float(v) for v in values)
            value = d + m / 60 + s / 3600
            return -value if ref in ("S", "W") else value

        return degrees(gps[2], gps.get(1, "N")), degrees(gps[4], gps.get(3, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _reporter_for(address: str) -> User:
    """The mail-only account of this address (see the module)."""
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:24]
    user = User.objects.filter(username=f"mail-{digest}").first()
    if user is None:
        user = User(username=f"mail-{digest}", email=address)
        user.set_unusable_password()
        user.save()
    return user


def _smtp_text(text: str) -> str:
    # SMTP replies are ASCII (RFC 5321): Vietnamese without its accents, still readable.
    from notify.sms import unaccented

    return unaccented(text)


def _record(**fields) -> MailIntake:
    return MailIntake.objects.create(received_at=clock.now(), **fields)


def _reply(message: ParsedMessage, to: str, text: str) -> None:
    subject = str(message.get("Subject", "")).strip()
    reply = EmailMessage(
        subject=("Re: " + subject if subject else _("Your report to Digital Citizen"))[:200],
        body=text,
        from_email=settings.MAIL_INTAKE_ADDRESS,
        to=[to],
        headers={
            # RFC 3834: an automatic answer says so, and other responders then stay silent.
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            **({"In-Reply-To": message["Message-ID"]} if message.get("Message-ID") else {}),
        },
    )
    try:
        reply.send(fail_silently=False)
    except Exception:
        # The report is filed whatever happens to the reply; the log says why it did not go.
        log.exception("reply to %s failed", to)


def mail_receive(*, raw: bytes, mail_from: str) -> Outcome:
    """Turn one mail into a report (or a refusal); see the module."""
    with translation.override(settings.LANGUAGE_CODE):
        return _receive(raw=raw, mail_from=mail_from)


def _receive(*, raw: bytes, mail_from: str) -> Outcome:
    if len(raw) > settings.MAIL_INTAKE_MAX_BYTES:
        record = _record(
            sender=mail_from[:254], outcome=MailIntake.Outcome.REFUSED, reason="too large"
        )
        return Outcome(record, "552 5.3.4 " + _smtp_text(_("The mail is too large.")))
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = parseaddr(str(message.get("From", "")))[1] or parseaddr(mail_from)[1]
    sender = sender.strip()[:254]
    subject = " ".join(str(message.get("Subject", "")).split())[:300]
    message_id = str(message.get("Message-ID", "")).strip()[:300]
    common = {"sender": sender, "subject": subject, "message_id": message_id}
    automatic = is_automatic(message, mail_from)
    ours = settings.MAIL_INTAKE_ADDRESS.lower()
    if not automatic and sender.lower() == ours:
        automatic = "our own address (a loop)"
    if not automatic and any(
        a.lower() == ours for _n, a in getaddresses(message.get_all("From", []))
    ):
        automatic = "our own address (a loop)"
    if automatic:
        record = _record(outcome=MailIntake.Outcome.IGNORED, reason=automatic, **common)
        return Outcome(record, "250 2.0.0 OK")
    if not sender or "@" not in sender:
        record = _record(outcome=MailIntake.Outcome.REFUSED, reason="no sender", **common)
        return Outcome(record, "550 5.1.7 " + _smtp_text(_("The mail has no sender address.")))
    limited = ratelimit.check("mail-intake:sender", sender.lower())
    if limited is not None:
        record = _record(outcome=MailIntake.Outcome.RATE_LIMITED, reason=limited.name, **common)
        # Refused in the SMTP dialogue: the sender's own server tells them, we send nothing.
        return Outcome(record, "550 5.7.1 " + _smtp_text(ratelimit.message(limited)))

    def refuse(reason: str) -> Outcome:
        record = _record(outcome=MailIntake.Outcome.REFUSED, reason=reason, **common)
        _reply(
            message,
            sender,
            _("Your mail could not be filed as a report: %(reason)s") % {"reason": reason},
        )
        return Outcome(record, "250 2.0.0 OK")

    attachments = _attachments(message)
    if len(attachments) > settings.MAIL_INTAKE_MAX_ATTACHMENTS:
        return refuse(
            _("at most %(n)s photos may be attached.") % {"n": settings.MAIL_INTAKE_MAX_ATTACHMENTS}
        )
    body = _text_of(message)
    text = "\n".join(t for t in (subject, body) if t).strip()
    if len(text) < 5:
        return refuse(_("the mail has no text. Write what the problem is and where."))
    point = next((p for p in (_exif_point(c) for _n, c in attachments) if p), None)
    address_match = _ADDRESS_LINE.search(body)
    address = address_match.group(1).strip()[:300] if address_match else ""
    from classify import services as classify

    picks = classify.suggest(text)
    category = picks[0].category if picks else Category.objects.filter(code=OTHER_CATEGORY).first()
    if category is None:
        return refuse(_("no category is available."))
    files = [SimpleUploadedFile(name[:100], content) for name, content in attachments]
    from reports.services import report_submit

    try:
        with transaction.atomic():
            reporter = _reporter_for(sender)
            report = report_submit(
                reporter=reporter,
                category=category,
                lat=point[0] if point else None,
                lon=point[1] if point else None,
                title=(subject or body.splitlines()[0])[:80],
                description=body or subject,
                address=address or ("" if point else UNPLACED),
                files=files,
                channel=ReportChannel.EMAIL,
                # The same mail delivered twice (a relay's retry) is filed once.
                idempotency_key=(
                    "mail-" + hashlib.sha256(message_id.encode()).hexdigest()[:40]
                    if message_id
                    else None
                ),
            )
    except ValidationError as exc:
        return refuse(" ".join(exc.messages))
    record = _record(outcome=MailIntake.Outcome.FILED, report=report, **common)
    link = settings.SITE_URL + reverse("citizen:report_detail", args=[report.tracking_code])
    _reply(
        message,
        sender,
        _(
            "Thank you. Your report was received with tracking code %(code)s and sent to the "
            "unit in charge. Follow it at %(link)s\n\nThis is an automatic answer."
        )
        % {"code": report.tracking_code, "link": link},
    )
    return Outcome(record, "250 2.0.0 OK " + report.tracking_code)
