"""CSV files as spreadsheets save them: UTF-8 with or without a byte-order mark, UTF-16
("Unicode text"), Windows-1252 (plain "CSV" on Windows), commas or semicolons, CRLF or LF."""

from __future__ import annotations

import codecs

import pytest

from core.problems import Problems
from supplychain import formats
from supplychain.formats import ENCODING_SNIFF_BYTES, NODE_REQUIRED

TEXT = "id;kind;name;country\r\nS1;supplier;Café Ngọc;TH\r\nS2;supplier;Dũng & Sons;VN\r\n"


def _names(data: bytes) -> list[str]:
    table = formats.read_csv(data, "nodes.csv", NODE_REQUIRED, Problems())
    return table.columns()["name"]  # type: ignore[return-value]


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with its byte-order mark, as Excel writes it
        codecs.BOM_UTF16_BE + TEXT.replace("\r\n", "\n").encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 LE", "utf-16 BE, LF"],
)
def test_unicode_files_read_the_same(data: bytes) -> None:
    assert _names(data) == ["Café Ngọc", "Dũng & Sons"]


def test_windows_1252_is_read_when_the_file_is_not_utf_8() -> None:
    text = "id,kind,name,country\r\nS1,supplier,Café € Co,TH\r\n"
    assert _names(text.encode("cp1252")) == ["Café € Co"]


def test_a_character_cut_by_the_sniffed_head_is_still_utf_8() -> None:
    header = b"id,kind,name,country\n"
    filler = b"S0,supplier,x,TH\n" * ((ENCODING_SNIFF_BYTES - len(header)) // 17)
    prefix = header + filler + b"S1,supplier,"
    pad = ENCODING_SNIFF_BYTES - len(prefix) - 1  # "é" (2 bytes) straddles the boundary
    data = prefix + b"a" * pad + "é,TH\n".encode()
    assert len(prefix) + pad + 1 == ENCODING_SNIFF_BYTES
    assert _names(data)[-1] == "a" * pad + "é"
