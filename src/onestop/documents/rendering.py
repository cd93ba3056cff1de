"""PDF rendering: Django templates to PDF with WeasyPrint, in the Sarabun font, offline.

The Sarabun files are split into a Latin and a Thai subset. WeasyPrint mixes up `unicode-range`
between two faces of one family (Latin text comes out as garbage), so each subset is its own
family and text asks for both: `font-family: SarabunLatin, SarabunThai`.

SARA AM (ำ) is written out as NIKHAHIT + SARA AA before rendering, with NIKHAHIT ahead of any tone
mark: the glyphs HarfBuzz draws for it anyway. Left to HarfBuzz, the decomposition merges the
characters into one cluster, and WeasyPrint's text layer then loses them: "จำนวน" copies out of
the PDF as "จานวน" and "น้ำ" as "นา". Written out, it copies as "จํานวน" and "นํ้า", which look
the same and read the same (search engines fold them with NFKC and the tone mark order).

Rendering never touches the network: the URL fetcher serves `file://` URLs of static files inside
the onestop package (`<app>/static/...`) and `data:` URLs, and refuses everything else.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PACKAGE_ROOT = Path(str(resources.files("onestop"))).resolve()
FONT_DIRECTORY = Path(str(resources.files("onestop.core"))).resolve() / "static/onestop/fonts"
FONT_FAMILY = "SarabunLatin, SarabunThai"
FONT_WEIGHTS = (400, 600, 700)
SCRIPT_FAMILIES = {"latin": "SarabunLatin", "thai": "SarabunThai"}
# Official documents are written in Thai, whatever the language of whoever triggers them.
DOCUMENT_LANGUAGE = "th"
SARA_AM = re.compile("([\u0e48-\u0e4b]*)\u0e33")  # tone marks, then SARA AM


class PackageOnlyFetcher(URLFetcher):
    """Serves static files of the onestop package and data: URLs; refuses anything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise ValueError(f"Only files inside the onestop package may be used: {url[:200]}")
        path = Path(url2pathname(urlsplit(url).path)).resolve()
        if not _is_package_static_file(path):
            logger.warning("PDF rendering refused to read %s", path)
            raise ValueError(f"Not a file inside the onestop package: {path}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def _is_package_static_file(path: Path) -> bool:
    if not path.is_relative_to(PACKAGE_ROOT) or not path.is_file():
        return False
    # Static files only: the package directory may also hold data (var/) and settings.
    return "static" in path.relative_to(PACKAGE_ROOT).parts[:-1]


def font_file(script: str, weight: int) -> Path:
    return FONT_DIRECTORY / f"sarabun-{script}-{weight}-normal.woff2"


@functools.cache
def font_css() -> str:
    """@font-face rules for both Sarabun subsets and the default font of every document."""
    rules = [
        f"@font-face {{ font-family: {family}; font-style: normal; font-weight: {weight}; "
        f"src: url({font_file(script, weight).as_uri()}) format('woff2'); }}"
        for script, family in SCRIPT_FAMILIES.items()
        for weight in FONT_WEIGHTS
    ]
    rules.append(f"html {{ font-family: {FONT_FAMILY}; }}")
    return "\n".join(rules)


def decompose_sara_am(text: str) -> str:
    """'น้ำ' -> 'นํ้า': SARA AM as NIKHAHIT + SARA AA, NIKHAHIT before the tone mark."""
    return SARA_AM.sub("\u0e4d\\1\u0e32", text)


def render_html(template_name: str, context: Mapping[str, Any] | None = None) -> str:
    """The document's HTML, rendered in Thai (dates in the Buddhist Era)."""
    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(template_name, {"font_family": FONT_FAMILY, **(context or {})})
    return decompose_sara_am(html)


def render_pdf(template_name: str, context: Mapping[str, Any] | None = None) -> bytes:
    """Render a template (usually extending documents/pdf/base.html) to PDF bytes.

    Relative URLs in the template resolve inside the onestop package. Nothing is fetched from
    the network; a refused resource is logged and left out.
    """
    html = render_html(template_name, context)
    fetcher = PackageOnlyFetcher()
    font_config = FontConfiguration()
    fonts = weasyprint.CSS(string=font_css(), font_config=font_config, url_fetcher=fetcher)
    document = weasyprint.HTML(
        string=html, base_url=PACKAGE_ROOT.as_uri() + "/", url_fetcher=fetcher
    )
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)
