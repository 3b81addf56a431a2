"""Decoding bodies: header, document declaration, detection; declarations the bytes contradict are skipped."""

from __future__ import annotations

import pytest

from storywatch.extractors.charset import decode_body

RUSSIAN = (
    "Посол России в США Анатолий Антонов отозван в Москву для консультаций. "
    "Министерство иностранных дел сообщило об этом во вторник вечером, "
    "не уточнив, как долго продлятся консультации и когда посол вернётся в Вашингтон."
)
FRENCH = "Le café de la gare a rouvert ses portes : « Déjà complet », dit la gérante, très émue."


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


def test_windows_1251_declared_in_header() -> None:
    text, encoding = decode_body(page(RUSSIAN).encode("cp1251"), "text/html; charset=windows-1251")
    assert RUSSIAN in text
    assert encoding == "cp1251"


def test_windows_1251_declared_in_meta() -> None:
    body = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    text, encoding = decode_body(body, "text/html")
    assert RUSSIAN in text
    assert encoding == "cp1251"


def test_windows_1251_declared_by_http_equiv() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    text, _ = decode_body(page(RUSSIAN, head).encode("cp1251"), None)
    assert RUSSIAN in text


def test_lying_utf8_header_falls_through_to_meta() -> None:
    body = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    text, encoding = decode_body(body, "text/html; charset=utf-8")
    assert RUSSIAN in text
    assert encoding == "cp1251"


def test_lying_utf8_header_without_meta_falls_through_to_detection() -> None:
    text, encoding = decode_body(page(RUSSIAN * 3).encode("cp1251"), "text/html; charset=UTF-8")
    assert RUSSIAN in text
    assert encoding != "utf-8"


@pytest.mark.parametrize(
    ("content_type", "head"),
    [("text/html; charset=ISO-8859-1", ""), ("text/html", '<meta charset="iso-8859-1">')],
)
def test_iso_8859_1_in_header_or_meta(content_type: str, head: str) -> None:
    text, _ = decode_body(page(FRENCH, head).encode("latin-1"), content_type)
    assert FRENCH in text


def test_latin1_label_is_read_as_windows_1252_like_browsers() -> None:
    body = page("l\u2019été \u2014 “quoted”").encode("cp1252")
    text, encoding = decode_body(body, "text/html; charset=iso-8859-1")
    assert "l\u2019été \u2014 “quoted”" in text
    assert encoding == "cp1252"


def test_xml_declaration_names_the_encoding() -> None:
    body = f'<?xml version="1.0" encoding="windows-1251"?><rss><title>{RUSSIAN}</title></rss>'.encode("cp1251")
    text, encoding = decode_body(body, "application/rss+xml")
    assert RUSSIAN in text
    assert encoding == "cp1251"


def test_byte_order_mark_wins_over_a_wrong_header() -> None:
    body = "\ufeff".encode("utf-8") + page(FRENCH).encode("utf-8")
    text, encoding = decode_body(body, "text/html; charset=windows-1251")
    assert FRENCH in text
    assert encoding == "utf-8-sig"


def test_unknown_label_is_ignored() -> None:
    text, encoding = decode_body(page(FRENCH).encode("utf-8"), "text/html; charset=x-no-such-charset")
    assert FRENCH in text
    assert encoding == "utf-8"
