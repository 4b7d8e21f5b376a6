"""Share links, pure: the token and PIN secrets, the PIN cookie, a share's state by the clock,
and the outside party's page (escaped, in the reader's language, nothing internal)."""

from __future__ import annotations

import datetime as dt
import hashlib

from server.evidence import share_page, share_secrets
from server.evidence.share_schemas import SharedItem, ShareMode, ShareRecord, ShareState
from server.evidence.share_words import WORDS
from server.evidence.sharing import share_out, state_of

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
TOKEN_HASH = hashlib.sha256(b"token").hexdigest()


def _share(**changes: object) -> ShareRecord:
    values: dict[str, object] = {
        "id": 7,
        "token_sha256": TOKEN_HASH,
        "recording_id": "rec-1",
        "incident_id": None,
        "recordings": ["rec-1"],
        "recipient": "Court <No. 2> & Co",
        "reason": "internal: case 12/345",
        "mode": ShareMode.VIEW,
        "expires_at": NOW + dt.timedelta(days=1),
        "pin_hash": None,
        "created_by": "admin:alice",
        "created_at": NOW,
        "revoked_at": None,
        "revoked_by": None,
        "revoke_reason": None,
        "pin_failures": 0,
        "locked_until": None,
        "access_count": 0,
        "last_access_at": None,
    }
    return ShareRecord(**(values | changes))  # type: ignore[arg-type]


def _item(**changes: object) -> SharedItem:
    values: dict[str, object] = {
        "recording_id": "rec-1",
        "title": "<script>alert(1)</script>",
        "file_name": "BWC0001.mp4",
        "camera": "Axon BWC-0042",
        "recorded_start": NOW,
        "duration_s": 125.0,
        "size_bytes": 3 * 1024 * 1024,
        "sha256": "ab" * 32,
        "available": True,
    }
    return SharedItem(**(values | changes))  # type: ignore[arg-type]


def test_a_token_is_256_random_bits_and_only_its_hash_is_kept() -> None:
    token = share_secrets.new_token()
    assert share_secrets.looks_like_token(token)
    assert token != share_secrets.new_token()
    assert share_secrets.token_hash(token) == hashlib.sha256(token.encode()).hexdigest()
    assert not share_secrets.looks_like_token("../../etc/passwd")
    assert not share_secrets.looks_like_token(token + "x")


def test_a_pin_hash_is_salted_scrypt_and_checks_only_the_right_pin() -> None:
    first, second = share_secrets.hash_pin("1234"), share_secrets.hash_pin("1234")
    assert first.startswith("scrypt$16384$8$1$")
    assert first != second  # a salt of its own
    assert "1234" not in first.split("$", 4)[4]
    assert share_secrets.pin_matches("1234", first)
    assert not share_secrets.pin_matches("1235", first)
    assert not share_secrets.pin_matches("1234", "md5$whatever")
    assert not share_secrets.pin_matches("1234", "scrypt$x$8$1$00$00")


def test_the_pin_cookie_admits_until_it_expires_and_only_for_its_share() -> None:
    pin_hash = share_secrets.hash_pin("1234")
    expires = int(NOW.timestamp()) + 60
    cookie = share_secrets.pin_cookie(pin_hash, TOKEN_HASH, expires)
    admits = share_secrets.cookie_admits
    assert admits(cookie, pin_hash, TOKEN_HASH, NOW.timestamp())
    assert not admits(cookie, pin_hash, TOKEN_HASH, expires)  # expired
    assert not admits(cookie, pin_hash, "0" * 64, NOW.timestamp())  # another share
    assert not admits(cookie, share_secrets.hash_pin("1234"), TOKEN_HASH, NOW.timestamp())
    stretched = f"{expires + 3600}.{cookie.partition('.')[2]}"
    assert not admits(stretched, pin_hash, TOKEN_HASH, NOW.timestamp())
    assert not admits(None, pin_hash, TOKEN_HASH, NOW.timestamp())
    assert not admits("garbage", pin_hash, TOKEN_HASH, NOW.timestamp())


def test_a_share_state_follows_revocation_expiry_and_lock_in_that_order() -> None:
    later = NOW + dt.timedelta(days=2)
    assert state_of(_share(), NOW) is ShareState.ACTIVE
    assert state_of(_share(), later) is ShareState.EXPIRED
    assert state_of(_share(revoked_at=NOW), later) is ShareState.REVOKED
    locked = _share(locked_until=NOW + dt.timedelta(minutes=5))
    assert state_of(locked, NOW) is ShareState.LOCKED
    assert state_of(locked, NOW + dt.timedelta(minutes=6)) is ShareState.ACTIVE


def test_what_staff_see_of_a_share_has_no_secret() -> None:
    shown = share_out(_share(pin_hash="scrypt$1$2$3$aa$bb"), NOW)
    assert shown.has_pin is True
    assert not hasattr(shown, "token_sha256")
    assert not hasattr(shown, "pin_hash")


def test_the_page_escapes_what_devices_wrote_and_shows_nothing_internal() -> None:
    page = share_page.items_page(_share(), [_item()], "/share/abc", "en")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Court &lt;No. 2&gt; &amp; Co" in page
    assert "case 12/345" not in page
    assert "alice" not in page
    assert '<video controls preload="metadata"' in page
    assert "3.0 MiB (3145728 B)" in page
    assert "2:05" in page
    assert "ab" * 32 in page
    small = share_page.items_page(_share(), [_item(size_bytes=51_562)], "/s", "en")
    assert "50.4 KiB (51562 B)" in small


def test_a_download_share_links_files_and_a_gone_file_says_so() -> None:
    items = [_item(), _item(recording_id="rec-2", available=False)]
    page = share_page.items_page(_share(mode=ShareMode.DOWNLOAD), items, "/share/abc", "en")
    assert '<a class="button" href="/share/abc/files/rec-1?download=1"' in page
    assert "/share/abc/files/rec-2" not in page
    assert "This file is no longer available." in page
    assert "<video" not in page


def test_the_page_speaks_the_readers_language() -> None:
    assert "Только просмотр" in share_page.items_page(_share(), [_item()], "/s", "ru")
    assert "Faqat koʻrish" in share_page.items_page(_share(), [_item()], "/s", "uz-Latn")  # noqa: RUF001
    assert "Фақат кўриш" in share_page.items_page(_share(), [_item()], "/s", "uz-Cyrl")
    assert 'lang="ru"' in share_page.pin_page("/s", "ru")
    locked = share_page.problem_page("share_locked", "en", NOW)
    assert "locked until 2026-12-07 12:00 UTC" in locked
    assert "revoked" in share_page.problem_page("share_revoked", "en")


def test_the_page_words_exist_in_every_language() -> None:
    english = set(WORDS["en"])
    for language, words in WORDS.items():
        assert set(words) == english, language
