"""AES-CBC, keys, pad and the ``|`` separator."""

import pytest

from device_gateway.errors import DecryptionError, InvalidKeyError, LocalProtocolError
from device_gateway.protocols.dc09.crypto import (
    AES_BLOCK_BYTES,
    decrypt_content,
    encrypt_content,
    make_pad,
    parse_key,
)
from device_gateway.protocols.dc09.frames import parse_frame
from tests.unit.test_device_gateway.dc09_support import (
    SIADC09_KEY,
    counting_random,
    load_rows,
    zero_random,
)


def test_siadc09_encrypted_null_decrypts_with_its_published_key() -> None:
    encrypted = next(row for row in load_rows() if row.get("key_hex"))
    frame = parse_frame(encrypted["raw"].encode())
    assert decrypt_content(SIADC09_KEY, frame.content) == b"[]_03:07:43,09-22-2026"


def test_lowercase_and_uppercase_ciphertext_decrypt_alike() -> None:
    content = encrypt_content(SIADC09_KEY, b"#1|NPA1]", zero_random)
    assert decrypt_content(SIADC09_KEY, content.lower()) == b"[#1|NPA1]"
    assert decrypt_content(SIADC09_KEY, content) == b"[#1|NPA1]"


@pytest.mark.parametrize("key_bytes", [16, 24, 32])
def test_all_three_key_lengths_round_trip(key_bytes: int) -> None:
    key = bytes(range(key_bytes))
    content = encrypt_content(key, b"#1234|NPA501]_12:00:00,05-01-2026", counting_random)
    assert content.startswith(b"[")
    assert (len(content) - 1) % (2 * AES_BLOCK_BYTES) == 0
    assert decrypt_content(key, content) == b"[#1234|NPA501]_12:00:00,05-01-2026"


def test_a_block_that_already_fills_whole_blocks_gets_sixteen_pad_bytes() -> None:
    body = b"]" + b"_" * 14  # 15 bytes + "|" = one whole block
    content = encrypt_content(SIADC09_KEY, body, zero_random)
    assert len(content) - 1 == 2 * 2 * AES_BLOCK_BYTES


def test_data_without_separator_splits_at_the_bracket() -> None:
    content = encrypt_content(SIADC09_KEY, b"]_03:07:43,09-22-2026", zero_random, separator=False)
    assert decrypt_content(SIADC09_KEY, content) == b"[]_03:07:43,09-22-2026"


def test_pad_never_contains_separator_or_brackets() -> None:
    pad = make_pad(6, lambda length: b"|[]|[]"[:length])
    assert not set(pad) & set(b"|[]")


def test_short_random_source_is_our_fault() -> None:
    with pytest.raises(LocalProtocolError):
        make_pad(4, lambda length: b"x")


def test_wrong_key_is_a_decryption_error() -> None:
    content = encrypt_content(SIADC09_KEY, b"#1234|NPA501]_12:00:00,05-01-2026", zero_random)
    with pytest.raises(DecryptionError):
        decrypt_content(bytes(16), content)


@pytest.mark.parametrize("content", [b"[", b"[ABC", b"[" + b"G" * 32, b"0011" * 8])
def test_ciphertext_that_is_not_whole_hex_blocks_is_rejected(content: bytes) -> None:
    with pytest.raises(DecryptionError):
        decrypt_content(SIADC09_KEY, content)


def test_plaintext_without_closing_bracket_is_a_decryption_error() -> None:
    content = encrypt_content(SIADC09_KEY, b"abc", zero_random)
    with pytest.raises(DecryptionError, match="no"):
        decrypt_content(SIADC09_KEY, content)


def test_pad_with_open_bracket_is_a_decryption_error() -> None:
    forged = encrypt_content(SIADC09_KEY, b"[x|]", zero_random, separator=False)
    with pytest.raises(DecryptionError):
        decrypt_content(SIADC09_KEY, forged)


def test_control_bytes_after_the_pad_are_a_decryption_error() -> None:
    forged = encrypt_content(SIADC09_KEY, b"\x01]", zero_random)
    with pytest.raises(DecryptionError):
        decrypt_content(SIADC09_KEY, forged)


def test_hex_and_ascii_keys_are_parsed_per_key_format() -> None:
    assert parse_key("850cba22f7dd4f033405da83e4c5bae9", "hex") == SIADC09_KEY
    assert parse_key("AAAAAAAAAAAAAAAA", "ascii") == b"A" * 16
    assert len(parse_key("0123456789abcdef0123456789abcdef", "ascii")) == 32


@pytest.mark.parametrize(
    ("key", "key_format"), [("xyz", "hex"), ("0011", "hex"), ("short", "ascii")]
)
def test_invalid_keys_are_our_fault(key: str, key_format: str) -> None:
    with pytest.raises(InvalidKeyError):
        parse_key(key, key_format)  # type: ignore[arg-type]
