"""Reports by e-mail: real SMTP sessions to `manage.py mail_intake`'s server, and the rules
(RFC 3834, limits, places) on the mails themselves."""

from __future__ import annotations

import io
import smtplib
from email.message import EmailMessage

import pytest
from django.core import mail as django_mail
from PIL import Image

from accounts.models import User
from conftest import HOAN_KIEM_LAKE, photo_file
from intake.mail import mail_receive
from intake.models import MailIntake
from intake.smtp import controller
from notify.tests.conftest import free_port
from reports.models import Report

INTAKE = "phananh@congdanso.local"


def letter(
    *,
    subject="Rác thải ngập ngõ 12 Hàng Bài",
    body="Rác thải đổ đầy ngõ ba ngày nay.\nĐịa chỉ: Ngõ 12 phố Hàng Bài",
    sender="dan@example.vn",
    photos=(),
    **headers,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = INTAKE
    message["Subject"] = subject
    message["Message-ID"] = f"<{id(message)}-{abs(hash(subject))}@example.vn>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    for n, content in enumerate(photos, start=1):
        message.add_attachment(content, maintype="image", subtype="jpeg", filename=f"anh{n}.jpg")
    return message


def jpeg_with_gps(lat: float, lon: float) -> bytes:
    def dms(value: float):
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60, 4)
        return (d, m, s)

    image = Image.new("RGB", (80, 60), (120, 40, 200))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


@pytest.fixture
def smtp_server(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    server = controller("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_mail_sent_over_smtp_becomes_a_report_and_the_sender_gets_the_code(smtp_server):
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        client.send_message(letter(photos=[jpeg_with_gps(*HOAN_KIEM_LAKE)]))
    report = Report.objects.get()
    assert report.channel == "email"
    assert report.ward.code == "00070"  # from the photo's GPS
    assert report.media.count() == 1
    [reply] = django_mail.outbox
    assert reply.to == ["dan@example.vn"] and report.tracking_code in reply.body
    assert reply.extra_headers["Auto-Submitted"] == "auto-replied"
    assert MailIntake.objects.get().outcome == "filed"


@pytest.mark.django_db(transaction=True)
def test_the_smtp_server_refuses_other_recipients_mail_bombs_and_senders_over_the_limit(
    smtp_server, settings
):
    settings.MAIL_INTAKE_MAX_BYTES = 200_000
    settings.RATE_LIMITS = {"mail-intake:sender": (2, 3600)}
    smtp_server.stop()
    smtp_server.__init__(
        smtp_server.handler,
        hostname="127.0.0.1",
        port=smtp_server.port,
        data_size_limit=200_000,
        decode_data=False,
    )
    smtp_server.start()
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("dan@example.vn", ["someone@else.vn"], letter().as_bytes())
        huge = letter(body="rác " * 100_000)
        with pytest.raises(
            (smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPServerDisconnected)
        ):
            client.send_message(huge)
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as client:
        client.send_message(letter(subject="Rác thải lần 1", photos=[photo_file().read()]))
        client.send_message(letter(subject="Rác thải lần 2", photos=[photo_file().read()]))
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(letter(subject="Rác thải lần 3"))
    assert refused.value.smtp_code == 550
    assert "qua nhieu phan anh" in refused.value.smtp_error.decode()
    assert Report.objects.count() == 2


pytestmark_db = pytest.mark.django_db


@pytestmark_db
@pytest.mark.parametrize(
    "headers, mail_from",
    [
        ({"Auto_Submitted": "auto-replied"}, "dan@example.vn"),
        ({"Auto_Submitted": "auto-generated"}, "dan@example.vn"),
        ({"Precedence": "bulk"}, "dan@example.vn"),
        ({"List_Id": "<tin.example.vn>"}, "dan@example.vn"),
        ({}, ""),  # a bounce: empty return path
    ],
)
def test_automatic_mail_and_bounces_are_never_answered(settings, media_root, headers, mail_from):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    outcome = mail_receive(raw=letter(**headers).as_bytes(), mail_from=mail_from)
    assert outcome.record.outcome == "ignored"
    assert Report.objects.count() == 0 and django_mail.outbox == []


@pytestmark_db
def test_our_own_address_is_never_answered(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    outcome = mail_receive(raw=letter(sender=INTAKE).as_bytes(), mail_from=INTAKE)
    assert outcome.record.outcome == "ignored" and django_mail.outbox == []


@pytestmark_db
def test_fifty_attachments_are_refused_with_a_reply(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    photos = [photo_file().read() for _ in range(50)]
    outcome = mail_receive(raw=letter(photos=photos).as_bytes(), mail_from="dan@example.vn")
    assert outcome.record.outcome == "refused"
    assert Report.objects.count() == 0
    assert "10" in django_mail.outbox[0].body


@pytestmark_db
def test_a_mail_without_text_is_refused_with_a_reply(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    outcome = mail_receive(raw=letter(subject="", body="").as_bytes(), mail_from="dan@example.vn")
    assert outcome.record.outcome == "refused" and Report.objects.count() == 0
    assert "không có nội dung" in django_mail.outbox[0].body


@pytestmark_db
def test_an_image_that_is_not_an_image_is_refused_and_nothing_stored(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    raw = letter(photos=[b"MZ\x90\x00 this is a program"]).as_bytes()
    outcome = mail_receive(raw=raw, mail_from="dan@example.vn")
    assert outcome.record.outcome == "refused"
    assert (
        Report.objects.count() == 0
        and User.objects.filter(username__startswith="mail-").count() == 0
    )
    assert "anh1.jpg" in django_mail.outbox[0].body


@pytestmark_db
def test_a_mail_with_no_place_goes_to_the_coordination_office(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    mail_receive(
        raw=letter(
            body="Rác thải đổ trộm ở đầu ngõ nhà tôi", photos=[photo_file().read()]
        ).as_bytes(),
        mail_from="dan@example.vn",
    )
    report = Report.objects.get()
    assert report.lat is None and report.agency.code == "dieu-phoi"
    assert "thư điện tử" in report.address


@pytestmark_db
def test_the_same_mail_delivered_twice_is_filed_once(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    raw = letter(photos=[photo_file().read()]).as_bytes()
    mail_receive(raw=raw, mail_from="dan@example.vn")
    mail_receive(raw=raw, mail_from="dan@example.vn")
    assert Report.objects.count() == 1


@pytestmark_db
def test_a_forged_from_never_reaches_an_existing_account(settings, media_root, alice):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    alice.email = "alice@example.vn"
    alice.save()
    mail_receive(
        raw=letter(sender="alice@example.vn", photos=[photo_file().read()]).as_bytes(),
        mail_from="alice@example.vn",
    )
    assert Report.objects.get().reporter != alice


@pytestmark_db
def test_a_mail_without_a_photo_for_a_category_that_needs_one_is_answered(settings, media_root):
    settings.MAIL_INTAKE_ADDRESS = INTAKE
    mail_receive(raw=letter().as_bytes(), mail_from="dan@example.vn")
    assert Report.objects.count() == 0
    assert "ảnh" in django_mail.outbox[0].body
