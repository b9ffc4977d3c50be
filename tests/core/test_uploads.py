"""Uploads (issue 9, item 4): photos are stored re-encoded without EXIF, GPS, XMP or comments
and upright; a decompression bomb is a clear refusal, never a 500; the application caps the
size of a request itself; stored files and their folders are for the service's user alone.

The paths of each app have their own test beside the app's tests (hazard photos, patrol
photos, scanned agreements); the case register's attachments stand for them all here."""

import contextlib
import http.client
import io
import os
import re
import stat
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from qunfang.casebook.models import Attachment, Case
from qunfang.core.uploads import check_upload
from tests.casebook.test_cases_screens import form_data
from tests.core.test_settings import run_qunfang
from tests.factories import MINIMAL_PDF
from tests.images import bomb_png, metadata_left, phone_photo

ROOT = Path(__file__).resolve().parents[2]
CREATE = "casebook:case_create"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def pdf_of(size: int) -> bytes:
    return MINIMAL_PDF + b"%" + b"0" * (size - len(MINIMAL_PDF) - 1)


# ---- photos are stored cleaned --------------------------------------------------------------


@pytest.mark.django_db
def test_a_case_photo_is_stored_upright_without_exif_gps_xmp_or_comment(world, client_for):
    client = client_for(world.director1)
    photo = phone_photo("JPEG", orientation=6)  # taken with the phone on its side
    response = client.post(
        reverse(CREATE), form_data(world, attachments=[upload("IMG_0001.jpg", photo)])
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as handle:  # what is on disk, read back from storage
        stored = handle.read()
    assert metadata_left(stored) == []
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (20, 40)  # turned upright
        image = image.convert("RGB")
        red, blue = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]  # left half on top, as shown
    assert attachment.size == len(stored) and attachment.content_type == "image/jpeg"
    assert attachment.original_name == "IMG_0001.jpg" and "IMG_0001" not in attachment.file.name


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")],
)
def test_every_photo_format_keeps_its_format_and_loses_its_metadata(fmt, content_type):
    checked = check_upload(upload("photo", phone_photo(fmt), content_type))
    data = checked.file.read()
    assert metadata_left(data) == []
    assert checked.content_type == content_type and checked.size == len(data)
    assert checked.file.name.endswith("." + checked.extension) and "photo" not in checked.file.name
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt and image.size == (40, 20)


def test_a_cameras_multi_picture_jpeg_is_stored_as_its_first_picture():
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (40, 20), "red"), Image.new("RGB", (40, 20), "blue")
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    checked = check_upload(upload("DSC_0001.jpg", buffer.getvalue()))
    with Image.open(checked.file) as image:
        assert checked.content_type == "image/jpeg" and image.format == "JPEG"
        assert image.convert("RGB").getpixel((5, 5))[0] > 200


def test_jpeg_is_kept_at_good_quality():
    gradient = Image.linear_gradient("L").resize((64, 64)).convert("RGB")
    buffer = io.BytesIO()
    gradient.save(buffer, "JPEG", quality=95)
    cleaned = Image.open(check_upload(upload("g.jpg", buffer.getvalue())).file).convert("RGB")
    worst = max(abs(a - b) for a, b in zip(cleaned.tobytes(), gradient.tobytes(), strict=True))
    assert worst < 12


def test_a_pdf_is_stored_as_given_under_a_name_of_our_own():
    checked = check_upload(upload("协议.pdf", MINIMAL_PDF, "application/pdf"))
    assert checked.file.read() == MINIMAL_PDF and checked.content_type == "application/pdf"
    assert checked.file.name.endswith(".pdf") and "协议" not in checked.file.name
    with pytest.raises(ValidationError, match="该文件不是JPEG、PNG 或 WebP 格式的照片。"):
        check_upload(upload("协议.pdf", MINIMAL_PDF, "application/pdf"), allow_pdf=False)


@pytest.mark.parametrize(
    "data",
    [
        phone_photo("JPEG")[:300],  # cut off in the middle of the picture
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # starts like a JPEG, nothing behind it
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
    ids=["truncated", "magic-only", "svg"],
)
def test_a_broken_or_disguised_photo_is_refused(data):
    with pytest.raises(ValidationError, match="该文件不是JPEG、PNG 或 WebP 格式的照片。"):
        check_upload(upload("photo.jpg", data), allow_pdf=False)


# ---- decompression bombs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "megapixels"),
    [(9000, "81"), (10000, "100"), (20000, "400")],
    ids=["over-ours", "pillow-warns", "pillow-refuses"],
)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, on opening
def test_a_decompression_bomb_is_refused_before_it_is_decoded(side, megapixels):
    bomb = bomb_png(side, side)
    assert len(bomb) < 100_000  # tiny on disk
    with pytest.raises(ValidationError) as refused:
        check_upload(upload("bomb.png", bomb, "image/png"))
    assert refused.value.messages == [
        f"这张图片太大，无法处理：{megapixels} 百万像素，最多 40 百万像素。"
    ]


@pytest.mark.django_db
def test_a_bomb_posted_to_a_case_is_a_form_error_and_nothing_is_stored(
    world, client_for, settings, media
):
    client = english(client_for(world.director1), settings)
    response = client.post(
        reverse(CREATE),
        form_data(
            world,
            attachments=[
                upload("ok.pdf", MINIMAL_PDF, "application/pdf"),
                upload("bomb.png", bomb_png(20000, 20000), "image/png"),
            ],
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="form-errors"' in body
    assert "bomb.png: This image is too large to process: 400 megapixels, at most 40." in body
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


def test_the_pixel_limit_is_a_setting(settings):
    settings.QUNFANG_MAX_IMAGE_PIXELS = 100_000

    def png(width, height):
        buffer = io.BytesIO()
        Image.new("RGB", (width, height), "white").save(buffer, "PNG")
        return upload("p.png", buffer.getvalue(), "image/png")

    assert check_upload(png(400, 250)).content_type == "image/png"
    with pytest.raises(ValidationError, match=r"最多 0\.1 百万像素"):
        check_upload(png(400, 251))


# ---- the size of a request ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_over_the_cap_is_refused_with_413_and_nothing_is_stored(
    world, client_for, settings, media
):
    settings.QUNFANG_MAX_REQUEST_BYTES = 1 * MB
    client = english(client_for(world.director1), settings)
    files = [
        upload(f"{n}.pdf", pdf_of(600_000), "application/pdf") for n in range(2)
    ]  # each allowed
    response = client.post(reverse(CREATE), form_data(world, attachments=files))
    assert response.status_code == 413
    assert "This request is larger than 1 MB, so it was refused and nothing was saved." in (
        response.content.decode()
    )
    assert not Case.objects.exists() and stored_files(media) == []
    settings.QUNFANG_MAX_REQUEST_BYTES = 2 * MB  # the same post under the cap goes through
    files = [upload(f"{n}.pdf", pdf_of(600_000), "application/pdf") for n in range(2)]
    assert client.post(reverse(CREATE), form_data(world, attachments=files)).status_code == 302
    assert Attachment.objects.count() == 2


@pytest.mark.django_db
def test_the_refusal_is_in_the_users_language_and_json_for_the_api(world, client_for, settings):
    settings.QUNFANG_MAX_REQUEST_BYTES = 1 * MB
    client = client_for(world.patrol1)  # Chinese, the default
    page = client.post(reverse(CREATE), {"title": "x" * (2 * MB)})
    assert page.status_code == 413 and "本次提交超过 1 MB" in page.content.decode()
    api = client.post(
        "/api/v1/patrols/check-ins", b"{}" + b" " * (2 * MB), content_type="application/json"
    )
    assert api.status_code == 413
    assert set(api.json()) == {"detail"} and api.json()["detail"].startswith("本次提交超过 1 MB")


@pytest.mark.django_db
def test_a_body_of_unknown_length_is_refused(world, client_for, settings):
    client = english(client_for(world.director1), settings)
    response = client.post(
        reverse(CREATE),
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 411
    assert "did not say how large it is" in response.content.decode()


def test_the_cap_comes_from_the_environment(tmp_path):
    # a bad value is refused, naming the variable: tests/core/test_settings.py
    code = "from django.conf import settings; print(settings.QUNFANG_MAX_REQUEST_BYTES)"
    result = run_qunfang(["shell", "-c", code], {"QUNFANG_MAX_REQUEST_MB": "7"}, tmp_path)
    assert result.stdout.split()[-1] == str(7 * MB)


# ---- the same over real HTTP ----------------------------------------------------------------


def _session_cookie(client) -> str:
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@contextmanager
def _connection(live_server):
    url = urllib.parse.urlsplit(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        yield connection
    finally:
        connection.close()


def _signed_in_form(live_server, cookie: str) -> tuple[str, str]:
    """(cookie header with the CSRF cookie, CSRF token) from the real form page."""
    with _connection(live_server) as connection:
        connection.request("GET", reverse(CREATE), headers={"Cookie": cookie})
        page = connection.getresponse()
        body = page.read().decode()
        assert page.status == 200
        csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    return f"{cookie}; csrftoken={csrf_cookie}", token


def _multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "qunfang-test-boundary"
    parts = []
    for name, value in fields.items():
        part = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        parts.append(part.encode())
    for filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.django_db(transaction=True)  # the live server's thread reads committed rows
def test_a_big_post_over_real_http_is_refused_with_413_and_nothing_is_written(
    live_server, world, client_for, settings, media
):
    settings.QUNFANG_MAX_REQUEST_BYTES = 2 * MB
    cookie, token = _signed_in_form(live_server, _session_cookie(client_for(world.director1)))
    fields = {**form_data(world), "csrfmiddlewaretoken": token}
    headers = {"Cookie": cookie, "Referer": live_server.url}

    def post(files):
        body, content_type = _multipart(fields, files)
        with _connection(live_server) as connection:
            connection.request(
                "POST",
                reverse(CREATE),
                body=body,
                headers={**headers, "Content-Type": content_type, "Content-Length": str(len(body))},
            )
            answer = connection.getresponse()
            return answer.status, answer.read().decode()

    status, body = post([(f"{n}.pdf", pdf_of(3 * MB)) for n in range(2)])  # 6 MB, each allowed
    assert status == 413 and "本次提交超过 2 MB" in body
    assert not Case.objects.exists() and stored_files(media) == []
    status, _body = post([("small.pdf", pdf_of(100_000))])  # the same form under the cap
    assert status == 302 and Attachment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_chunked_post_over_real_http_is_refused(live_server, world, settings, media):
    with _connection(live_server) as connection:
        chunks = (b"x" * 1024 for _ in range(2))  # no length said up front
        # the server may answer and close before the last chunk is sent
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request(
                "POST",
                reverse(CREATE),
                body=chunks,
                encode_chunked=True,
                headers={
                    "Content-Type": "application/octet-stream",
                    "Transfer-Encoding": "chunked",
                },
            )
        answer = connection.getresponse()
        assert answer.status == 411
        answer.read()
    assert stored_files(media) == []


# ---- stored files are for the service's user alone ----------------------------------------


@contextmanager
def _umask(mask: int):
    """A permissive umask, as on a default server: the modes must not depend on it."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.django_db
def test_a_stored_upload_is_readable_by_the_service_user_alone(world, client_for, media):
    client = client_for(world.director1)
    with _umask(0o022):
        response = client.post(
            reverse(CREATE),
            form_data(
                world,
                attachments=[
                    upload("p.jpg", phone_photo("JPEG")),
                    upload("a.pdf", MINIMAL_PDF, "application/pdf"),
                ],
            ),
        )
    assert response.status_code == 302
    files = stored_files(media)
    assert len(files) == 2 and all(_mode(f) == 0o600 for f in files)
    folders = {p for f in files for p in f.parents if p == media or media in p.parents}
    assert media in folders and all(_mode(d) == 0o700 for d in folders)


@pytest.mark.django_db(transaction=True)  # committed data, as when the command runs for real
def test_the_backup_keeps_its_copies_private(world, settings, tmp_path, media):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the backup command copies SQLite; PostgreSQL uses pg_dump")
    settings.DATA_DIR = tmp_path / "data"
    old = media / "casebook" / "2025" / "01"
    with _umask(0o022):
        old.mkdir(parents=True)  # uploaded before the permissions were set: world-readable
        (old / "old.jpg").write_bytes(b"old")
        call_command("backup")
    backups = settings.DATA_DIR / "backups"
    (database,) = backups.glob("*.sqlite3")
    copy = database.with_suffix(".media")
    assert (copy / "casebook" / "2025" / "01" / "old.jpg").read_bytes() == b"old"
    assert _mode(backups) == 0o700 and _mode(database) == 0o600
    assert all(_mode(p) == (0o700 if p.is_dir() else 0o600) for p in [copy, *copy.rglob("*")])
