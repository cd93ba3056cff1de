"""PDF rendering (C-04): Thai text in the embedded Sarabun fonts, A4, page numbers, offline."""

from __future__ import annotations

import socket

import pytest

from onestop.documents import rendering
from onestop.documents.public import render_pdf
from tests.documents.conftest import PO_TEMPLATE, po_context, po_official
from tests.documents.pdfs import page_count, pdf_fonts, pdf_info, pdf_text


def test_a_purchase_order_renders_its_thai_text(po_pdf):
    # when
    text = pdf_text(po_pdf)

    # then
    assert po_pdf.startswith(b"%PDF-")
    for fragment in (
        "กรมบัญชีกลาง",
        "The Comptroller General's Department",
        "ใบสั่งซื้อ",
        "PO-2569/0001",
        "25 พฤศจิกายน 2569",  # the Buddhist Era date of 25 November 2026
        "บริษัท สยามเครื่องเขียน จำกัด",
        "จำนวนเงิน",
        "กระดาษถ่ายเอกสาร A4",
        "15 ธันวาคม 2569",
        "5,750.00 บาท",
        "หน้า 1/1",
    ):
        assert rendering.decompose_sara_am(fragment) in text, fragment


def test_sara_am_and_tone_marks_survive_in_the_text_layer(test_templates):
    # given
    context = {**po_context(), **po_official(), "note": "จำนวนน้ำดื่มที่กำหนด ค่ำนี้"}

    # when
    text = pdf_text(render_pdf(PO_TEMPLATE, context))

    # then: the characters HarfBuzz draws, all of them (left alone, "น้ำ" would copy as "นา")
    assert "จ\u0e4dานวนน\u0e4d\u0e49าดื่มที่ก\u0e4dาหนด ค\u0e4d\u0e48านี้" in text
    assert "จานวน" not in text


def test_the_sarabun_fonts_are_embedded(po_pdf):
    fonts = pdf_fonts(po_pdf)
    names = {name.split("+", 1)[-1] for name, _embedded in fonts}
    assert {"SarabunThai", "SarabunLatin", "SarabunThai-Bold"} <= names
    assert all(embedded for _name, embedded in fonts)
    assert all(name.split("+", 1)[-1].startswith("Sarabun") for name, _ in fonts)


def test_the_base_template_alone_makes_an_a4_page_with_its_title():
    pdf = render_pdf("documents/pdf/base.html", po_official())
    info = pdf_info(pdf)
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert info["Title"] == "ใบสั่งซื้อ"
    assert info["Author"] == "กรมบัญชีกลาง"


def test_long_documents_number_their_pages(test_templates):
    # when
    pdf = render_pdf(PO_TEMPLATE, {**po_context(lines=60), **po_official()})

    # then
    pages = page_count(pdf)
    assert pages >= 2
    text = pdf_text(pdf)
    for number in range(1, pages + 1):
        assert f"หน้า {number}/{pages}" in text
    # the table header repeats on every page
    assert text.count("ราคาต่อหน่วย") == pages


def test_the_fonts_are_found_from_the_package_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    css = rendering.font_css()
    assert "file:///" in css
    assert str(rendering.FONT_DIRECTORY) in css.replace("%20", " ")
    assert css.count("@font-face") == 6


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/fonts.css",
        "ftp://example.com/file",
        "file:///etc/passwd",
        f"file://{rendering.PACKAGE_ROOT}/config/settings.py",
        f"file://{rendering.FONT_DIRECTORY}/../../../../config/settings.py",
    ],
)
def test_the_fetcher_refuses_the_network_and_files_outside_the_package_static(url):
    with pytest.raises(ValueError):
        rendering.PackageOnlyFetcher().fetch(url)


def test_the_fetcher_serves_package_static_files_and_data_urls():
    fetcher = rendering.PackageOnlyFetcher()
    font = fetcher.fetch(rendering.font_file("thai", 700).as_uri())
    assert font.read()[:4] == b"wOF2"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_remote_resources_in_a_template_are_left_out_without_a_connection(
    monkeypatch, test_templates
):
    # given: any connection attempt fails the test
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network used during rendering")

    monkeypatch.setattr(socket.socket, "connect", refuse)

    # when
    pdf = render_pdf("tests_documents/remote.html", po_official())

    # then
    assert attempts == []
    assert "โลโก้" in pdf_text(pdf)
