"""report.html: self-contained, complete, escaped; and checked in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import urllib.parse
import zlib
from html.parser import HTMLParser

import numpy as np
import pytest
from helpers.reports import PAY, SCRIPT_TEXT, make_result

from audit_rules.reports.common import Tally
from audit_rules.reports.html_report import bar_chart_svg, render_html, write_html

CHROMIUM = shutil.which("chromium") or shutil.which("/usr/bin/chromium")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="未安装 /usr/bin/chromium（Debian 包 chromium），跳过浏览器测试")


class Rows(HTMLParser):
    """Collects the finding rows (<tr class="finding ...">) with their attributes and text."""

    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.current: dict | None = None
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "tr" and "finding" in (attrs.get("class") or "").split():
            self.current = {"attrs": attrs, "text": ""}
            self.rows.append(self.current)

    def handle_endtag(self, tag):
        if tag == "tr":
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data


def parse(html: str) -> Rows:
    parser = Rows()
    parser.feed(html)
    return parser


@pytest.fixture
def page(tmp_path):
    result = make_result(ledger_dir=tmp_path / "ledgers", crafted=True, baseline=True)
    path = write_html(result, tmp_path / "out" / "report.html")
    return result, path, path.read_text(encoding="utf-8")


def test_self_contained_no_network_references(page):
    _, _, html = page
    parsed = parse(html)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "xmlns", "action", "poster", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
    assert not any(tag in ("link", "iframe", "img", "object") for tag, _ in parsed.tags)
    assert not [attrs for tag, attrs in parsed.tags if tag == "script" and attrs.get("src")]
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import|@font-face", html, re.I)


def test_detector_catches_an_external_reference():
    """The checks above can fail: a CDN script is found by the same parser."""
    tags = parse('<script src="https://cdn.example.com/x.js"></script>').tags
    assert [a["src"] for t, a in tags if t == "script"] == ["https://cdn.example.com/x.js"]


def test_every_finding_is_a_row_with_filter_attributes(page):
    result, _, html = page
    rows = parse(html).rows
    assert sorted(r["attrs"]["data-id"] for r in rows) == sorted(f.id for f in result.findings)
    dup = next(r for r in rows if "duplicate-payment" in r["text"])
    assert dup["attrs"]["data-category"] == "重复支付"
    assert dup["attrs"]["data-unit"] == "市卫健委"
    assert dup["attrs"]["data-severity"] == "高"
    assert "¥36,500.00" in dup["text"] and "会计基础工作规范第四十八条" in dup["text"]
    # every location is listed
    assert "市卫健委/付款明细.xlsx / 7月 / 第15行" in dup["text"] and f"{PAY} / 6月 / 第9行" in dup["text"]


def test_ledger_script_text_is_escaped(page):
    _, _, html = page
    assert SCRIPT_TEXT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;会议费" in html
    assert html.count("<script") == 1  # only the page's own script


def test_unverified_mark_only_on_findings_resting_on_unverified_parameters(page):
    result, _, html = page
    rows = {r["attrs"]["data-id"]: r["text"] for r in parse(html).rows}
    for finding in result.findings:
        assert ("参数待核定" in rows[finding.id]) == bool(finding.unverified), finding.rule_id
    assert "meal_per_head_limit" in rows[result.findings[0].id]


def test_sections_skipped_quality_errors_resolved_run_info(page):
    result, _, html = page
    assert "未找到会议记录表（meetings），无法检查" in html
    assert "规则执行出错：人员名册缺少“人员状态”列" in html
    assert "第11行：2019年13月1日" in html and "应可识别（日期、金额、人数、是/否）" in html
    assert "文件已损坏或不是有效的 Excel 文件，无法打开" in html
    assert 'id="resolved"' in html and result.resolved[0].message in html
    assert "a" * 64 in html and result.command_line in html
    for item in result.inputs:
        assert item.sha256 in html


def test_status_shown_with_baseline_only(tmp_path):
    with_base = render_html(make_result(baseline=True), tmp_path / "r.html")
    without = render_html(make_result(), tmp_path / "r.html")
    status_header = 'data-type="text">状态</th>'
    assert 'id="resolved"' in with_base and "未整改" in with_base and status_header in with_base
    assert 'id="resolved"' not in without and status_header not in without


def test_source_links_are_relative_file_links(page):
    _, _, html = page
    hrefs = [a["href"] for t, a in parse(html).tags if t == "a"]
    assert hrefs and all(h.startswith("../ledgers/") for h in hrefs)
    assert urllib.parse.quote(f"../ledgers/{PAY}") in hrefs


def test_three_charts_and_summary_cards(page):
    result, _, html = page
    assert html.count("<svg") == 3
    for title in ("各类别疑点数", "各单位疑点数", "各严重程度疑点数"):
        assert title in html
    assert re.search(r'<div class="v">9</div><div class="t">疑点数</div>', html)
    assert '<div class="v">¥64,243.50</div>' in html
    assert "新增" in html and "已整改（销号）" in html


def test_month_chart_counts_findings_by_the_month_of_their_primary_row(tmp_path):
    result = make_result()
    for finding, day in zip(result.findings, ["2019-03-02", "2019-03-30", "2019-11-05"]):
        finding.date = day
    html = render_html(result, tmp_path / "r.html")
    assert html.count("<svg") == 4
    month_chart = html[html.index("各月份疑点数"):]
    month_chart = month_chart[: month_chart.index("</svg>")]
    assert "2019年03月：2 条" in month_chart and "2019年11月：1 条" in month_chart
    assert "2019年04月" not in month_chart


def test_empty_run_has_no_charts_and_says_so(tmp_path):
    html = render_html(make_result(findings=[]), tmp_path / "r.html")
    assert "<svg" not in html and "本次检查未发现疑点" in html
    assert 'id="findings-table"' not in html


def test_bar_lengths_proportional_and_labels_escaped():
    svg = str(bar_chart_svg({"<b>甲</b>": Tally(4, 100.0), "乙": Tally(2, 0.0), "丙": Tally(0, 0.0)}, "t", width=460))
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths == [160.0, 80.0, 0.0]
    assert "<b>" not in svg and "&lt;b&gt;甲&lt;/b&gt;" in svg


def test_print_stylesheet_hides_controls_and_shows_all_rows(page):
    _, _, html = page
    media = html[html.index("@media print"):]
    assert ".controls" in media and "display: none" in media
    assert "tr.hidden { display: table-row !important; }" in media


# ---- headless Chromium ------------------------------------------------------------------------


def chromium(tmp_path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}", "--enable-logging=stderr", "--v=0", *args, url,
        ],
        capture_output=True, text=True, timeout=90, cwd=tmp_path,
    )


def png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) to an array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, width * bpp + 1)
    out = np.zeros((height, width * bpp), dtype=np.uint8)
    prev = np.zeros(width * bpp, dtype=np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: a running sum per channel
            cur = np.cumsum(line.reshape(width, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:  # Up
            cur = (line + prev) % 256
        else:  # Average / Paeth depend on the byte just decoded: one pass per byte
            cur = np.zeros_like(line)
            for x in range(width * bpp):
                a = int(cur[x - bpp]) if x >= bpp else 0
                b = int(prev[x])
                if kind == 3:
                    pred = (a + b) // 2
                else:
                    c = int(prev[x - bpp]) if x >= bpp else 0
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (int(line[x]) + pred) % 256
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)


def distinct_colours(png: bytes) -> int:
    pixels = png_pixels(png)[:, :, :3].reshape(-1, 3)
    return len(np.unique(pixels, axis=0))


@pytest.mark.browser
@needs_browser
def test_screenshot_is_not_blank(page, tmp_path):
    _, path, _ = page
    shot = tmp_path / "shot.png"
    chromium(tmp_path, path.as_uri(), f"--screenshot={shot}", "--window-size=900,700", "--hide-scrollbars")
    assert distinct_colours(shot.read_bytes()) > 50
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body style='background:#fff'></body></html>", encoding="utf-8")
    blank_shot = tmp_path / "blank.png"
    chromium(tmp_path, blank.as_uri(), f"--screenshot={blank_shot}", "--window-size=900,700", "--hide-scrollbars")
    assert distinct_colours(blank_shot.read_bytes()) <= 2  # the measure can fail


def rows_in_dom(dom: str) -> list[dict]:
    return [r["attrs"] for r in parse(dom).rows]


@pytest.mark.browser
@needs_browser
def test_dom_after_scripts_shows_every_finding(page, tmp_path):
    result, path, _ = page
    dom = chromium(tmp_path, path.as_uri(), "--dump-dom").stdout
    assert 'data-ready="1"' in dom  # the page script ran to the end
    rows = rows_in_dom(dom)
    assert sorted(r["data-id"] for r in rows) == sorted(f.id for f in result.findings)
    assert not [r for r in rows if "hidden" in r["class"].split()]
    assert f"显示 {len(rows)} / {len(rows)} 条" in dom


@pytest.mark.browser
@needs_browser
def test_filter_and_sort_in_browser(page, tmp_path):
    result, path, _ = page
    url = path.as_uri() + "#" + urllib.parse.urlencode({"unit": "市教育局", "sort": "4", "desc": "1"})
    dom = chromium(tmp_path, url, "--dump-dom").stdout
    rows = rows_in_dom(dom)
    visible = [r for r in rows if "hidden" not in r["class"].split()]
    expected = [f for f in result.findings if f.unit == "市教育局"]
    assert sorted(r["data-id"] for r in visible) == sorted(f.id for f in expected)
    amounts = {f.id: (f.amount if f.amount is not None else float("-inf")) for f in result.findings}
    visible_amounts = [amounts[r["data-id"]] for r in visible]
    assert visible_amounts == sorted(visible_amounts, reverse=True)
    assert f"显示 {len(expected)} / {len(result.findings)} 条" in dom
    searched = chromium(tmp_path, path.as_uri() + "#q=" + urllib.parse.quote("00571234"), "--dump-dom").stdout
    assert [r["data-id"] for r in rows_in_dom(searched) if "hidden" not in r["class"].split()] == [result.findings[1].id]


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


@pytest.mark.browser
@needs_browser
def test_no_console_errors(page, tmp_path):
    _, path, _ = page
    stderr = chromium(tmp_path, path.as_uri(), "--dump-dom").stderr
    assert console_lines(stderr) == []
    broken = tmp_path / "broken.html"
    broken.write_text("<script>console.error('x'); notDefined();</script>", encoding="utf-8")
    caught = console_lines(chromium(tmp_path, broken.as_uri(), "--dump-dom").stderr)
    assert any("Uncaught ReferenceError" in line for line in caught)  # the check can fail
