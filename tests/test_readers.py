"""Format readers: the same real paragraphs and task table out of .txt .md .html .docx .pdf, and refused files."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from corpus.formats import READERS, SUPPORTED_SUFFIXES, read_source
from corpus.formats.source import render_row
from corpus.text import MAX_DOCUMENT_BYTES, DocumentError

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DEV = SHARED / "corpus-dev"
SEED = SHARED / "seeds" / "002_0f0a6e34dceb6f43.txt"  # 宣城 质量工作实施意见
PV_PLAN = DEV / "shanghai_2023_transport_pv_plan.md"  # its 附表1 任务分工表, one cell per line
pytestmark = pytest.mark.skipif(not DEV.is_dir() or not SEED.is_file(), reason="needs ../shared documents")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return [line for line in SEED.read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.fixture(scope="module")
def paragraphs(seed_lines) -> list[str]:
    """Three real paragraphs: the preamble, the first goal and the first task with its units."""
    return [seed_lines[1], seed_lines[3], seed_lines[6]]


@pytest.fixture(scope="module")
def task_table() -> tuple[list[str], str, list[list[str]]]:
    """The real 任务分工表 head: its labels, its group line, and rows 1-4 sharing 事项 and 责任单位 (merged cells)."""
    lines = [line.strip() for line in PV_PLAN.read_text(encoding="utf-8").split("\n") if line.strip()]
    first = lines.index("“光伏+地铁”工程")
    header = lines[first - 6 : first - 2]
    group = lines[first - 2]
    rows = [lines[first - 1 : first + 3]]
    for number, measure in zip(lines[first + 3 : first + 9 : 2], lines[first + 4 : first + 9 : 2]):
        rows.append([number, rows[0][1], measure, rows[0][3]])
    assert header == ["序号", "事项", "工作措施", "责任单位"] and group == "推进实施“光伏+”示范工程"
    return header, group, rows


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _check_table(source, header, group, rows) -> None:
    """One Table with the real header, every row carried in full, each row line where row_spans say."""
    (table,) = source.tables
    assert table.header == tuple(header)
    assert [list(row) for row in table.rows] == rows
    for row, (start, end) in zip(table.rows, table.row_spans):
        assert source.text[start:end] == render_row(table.header, row)
    assert source.text[slice(*table.row_spans[3])].startswith("序号:4 | 事项:“光伏+地铁”工程 | 工作措施:*推进上海地铁")
    assert group in _lines(source.text) and all(group not in row for row in table.rows)


# --- every format, same words ----------------------------------------------------------------------------------


def _write_docx(path: Path, paragraphs, table, title: str) -> None:
    import docx

    header, group, rows = table
    document = docx.Document()
    document.core_properties.title = title
    document.add_paragraph(paragraphs[0])
    document.add_paragraph(paragraphs[1])
    grid = document.add_table(rows=2 + len(rows), cols=len(header))
    for column, label in enumerate(header):
        grid.cell(0, column).text = label
    grid.cell(1, 0).merge(grid.cell(1, len(header) - 1)).text = group
    for r, row in enumerate(rows, start=2):
        for column, cell in enumerate(row):
            if r == 2 or column in (0, 2):
                grid.cell(r, column).text = cell
    for column in (1, 3):  # 事项 and 责任单位 merged down the four rows, as the published table has them
        grid.cell(2, column).merge(grid.cell(1 + len(rows), column))
    document.add_paragraph(paragraphs[2])
    document.save(str(path))


def _write_pdf(path: Path, lines: list[str]) -> None:
    """Pages set by reportlab (CJK line wrapping) with a running header and a page number on each page."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built in: no font file needed
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK")

    def furniture(canvas, document):
        canvas.setFont("STSong-Light", 9)
        canvas.drawString(60, 810, "宣城市人民政府文件")
        canvas.drawString(280, 30, f"— {document.page} —")

    pages = SimpleDocTemplate(str(path))
    pages.build([Paragraph(line, style) for line in lines], onFirstPage=furniture, onLaterPages=furniture)


def _write_html(path: Path, paragraphs, table) -> None:
    header, group, rows = table
    cells = "".join(f"<td>{label}</td>" for label in header)
    body_rows = [f'<tr><td colspan="{len(header)}">{group}</td></tr>']
    for r, row in enumerate(rows):
        if r == 0:
            body_rows.append(
                f"<tr><td>{row[0]}</td><td rowspan='{len(rows)}'>{row[1]}</td><td>{row[2]}</td>"
                f"<td rowspan='{len(rows)}'>{row[3]}</td></tr>"
            )
        else:
            body_rows.append(f"<tr><td>{row[0]}</td><td>{row[2]}</td></tr>")
    path.write_text(
        f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>实施意见 - 宣城市人民政府</title>
<script>var tip = "请升级浏览器";</script><style>.x {{ color: red }}</style></head>
<body><nav><a href="/">首页</a> <a href="/zc">政策文件</a></nav>
<div class="breadcrumb">首页 &gt; 政策文件 &gt; 正文</div>
<div class="main"><div class="TRS_Editor">
<p>{paragraphs[0]}</p><!-- 编辑注释：这段不应出现 -->
<p style="display: none">隐藏的旧版本段落</p><div hidden>另一段隐藏文字</div>
<p><span>{paragraphs[1][:20]}</span><span>{paragraphs[1][20:]}</span></p>
<p>附件：任务分工表</p>
<table border="1"><tr>{cells}</tr>{"".join(body_rows)}</table>
<p>{paragraphs[2]}</p></div>
<div class="share-box">分享到：微信 微博</div></div>
<div id="sidebar"><h3>相关文件</h3><ul><li>宣城市质量强市建设方案</li></ul></div>
<footer>主办：宣城市人民政府办公室 版权所有</footer></body></html>""",
        encoding="utf-8",
    )


def _write_markdown(path: Path, paragraphs, table) -> None:
    header, _group, rows = table
    pipe_rows = "\n".join("| " + " | ".join(row) + " |" for row in rows)
    path.write_text(
        f"""---
标题: 关于推进质量工作“1256”的实施意见
文号: 宣政〔2021〕7号
发布单位: 宣城市人民政府
发布日期: 2021-06-30
官方链接: https://www.xuancheng.gov.cn/
---

> 本文由脚本提取，仅供检索查阅；以[官方链接](https://www.xuancheng.gov.cn/)发布版本为准。

# 关于推进质量工作“1256”的实施意见

{paragraphs[0]}

## 一、**总体目标**

{paragraphs[1]}

<!-- 这里是编辑注释 -->
附件：任务分工表

| {" | ".join(header)} |
|---|---|---|---|
{pipe_rows}

{paragraphs[2]}
""",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory, seed_lines, paragraphs, task_table) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    files = {suffix: folder / f"document{suffix}" for suffix in (".txt", ".md", ".html", ".docx", ".pdf")}
    files[".txt"].write_text("\n".join(paragraphs), encoding="utf-8")
    _write_markdown(files[".md"], paragraphs, task_table)
    _write_html(files[".html"], paragraphs, task_table)
    _write_docx(files[".docx"], paragraphs, task_table, title="文档1")
    _write_pdf(files[".pdf"], seed_lines)
    return files


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx", ".pdf"])
def test_the_same_paragraphs_come_out_of_every_format(written, paragraphs, suffix):
    source = read_source(written[suffix])
    lines = _lines(source.text)
    positions = [lines.index(paragraph) for paragraph in paragraphs]
    assert positions == sorted(positions)
    assert not re.search(r"<|>|\*\*|\]\(|-->", source.text)


def test_docx_keeps_document_order_and_carries_merged_cells(written, paragraphs, task_table):
    source = read_source(written[".docx"])
    _check_table(source, *task_table)
    lines = _lines(source.text)
    assert lines.index(paragraphs[1]) < lines.index("序号 | 事项 | 工作措施 | 责任单位") < lines.index(paragraphs[2])
    assert source.title == ""  # the core title "文档1" is Word's default, not this document's name


def test_docx_core_title_is_used_when_it_names_the_document(tmp_path, paragraphs, task_table):
    path = tmp_path / "titled.docx"
    _write_docx(path, [paragraphs[0][:14], *paragraphs[1:]], task_table, title=paragraphs[0][:14])
    assert read_source(path).title == paragraphs[0][:14]


def test_docx_automatic_list_numbers_are_part_of_the_text(tmp_path, seed_lines):
    """Headings numbered by Word (一、 / (一)) read as the published text writes them."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{level}"><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="{text}"/></w:lvl>'
        for level, text in enumerate(["%1、", "(%2)"])
    )
    numbering.insert(0, parse_xml(f'<w:abstractNum {w} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    expected = seed_lines[2:6]  # 一、总体目标 / paragraph / 二、主要任务 / (一)实施质量强市战略
    for line, level in zip(expected, [0, None, 0, 1]):
        paragraph = document.add_paragraph(re.sub(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))", "", line))
        if level is not None:
            paragraph._p.get_or_add_pPr().append(
                parse_xml(f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
            )
    document.save(str(tmp_path / "numbered.docx"))
    assert _lines(read_source(tmp_path / "numbered.docx").text) == expected


def test_html_drops_chrome_hidden_blocks_and_comments_and_expands_rowspans(written, task_table):
    source = read_source(written[".html"])
    _check_table(source, *task_table)
    assert source.tables[0].caption == "任务分工表"
    for chrome in ("请升级浏览器", "首页", "隐藏的", "隐藏文字", "编辑注释", "分享到", "相关文件", "版权所有", "color"):
        assert chrome not in source.text
    assert source.title == "实施意见"  # no info table or <h1>: the page title, without the site name


def test_markdown_front_matter_is_metadata_and_pipe_tables_are_tables(written, paragraphs, task_table):
    source = read_source(written[".md"])
    assert (source.title, source.doc_number, source.issuer, source.date) == (
        "关于推进质量工作“1256”的实施意见",
        "宣政〔2021〕7号",
        "宣城市人民政府",
        "2021-06-30",
    )
    header, _group, rows = task_table
    (table,) = source.tables
    assert table.header == tuple(header) and [list(row) for row in table.rows] == rows
    assert table.caption == "任务分工表"
    lines = _lines(source.text)
    assert lines[0] == paragraphs[0] and "一、总体目标" in lines
    for gone in ("官方链接", "https://", "本文由脚本提取", "编辑注释", "---"):
        assert gone not in source.text


def test_pdf_text_comes_back_without_headers_page_numbers_or_page_width_breaks(written, seed_lines):
    source = read_source(written[".pdf"])
    assert _lines(source.text) == seed_lines  # the whole document, line for line, over several pages
    assert "宣城市人民政府文件" not in source.text and "— 2 —" not in source.text


# --- real published documents ----------------------------------------------------------------------------------


def test_gov_cn_info_table_is_metadata_not_body():
    source = read_source(DEV / "national_2018_agri_mechanization.html")
    assert source.title == "国务院关于加快推进农业机械化和农机装备产业转型升级的指导意见"
    assert (source.doc_number, source.date, source.issuer) == ("国发〔2018〕42号", "2018年12月21日", "国务院")
    for field in ("索引号", "索 引 号", "000014349/2018-00223", "主题分类", "成文日期", "发布日期"):
        assert field not in source.text
    assert "农业机械化和农机装备是转变农业发展方式、提高农村生产力的重要基础" in source.text
    assert "扫一扫" not in source.text and "打印" not in source.text and source.tables == ()


def test_innovation_annex_table_rows_carry_their_guiding_departments():
    source = read_source(DEV / "national_2018_innovation_reforms_table.html")
    (table,) = source.tables
    assert table.header == ("序号", "改革举措", "主要内容", "指导部门", "推广范围")
    assert table.caption == "第二批支持创新相关改革举措推广清单"
    assert [row[0] for row in table.rows] == [str(n) for n in [*range(1, 15), 21, 22, 23]]
    assert table.rows[0][3] == "最高人民法院、最高人民检察院、国家知识产权局"
    assert table.rows[6][1:4] == ("技术经理人全程参与的科技成果转化服务模式", table.rows[6][2], "科技部")
    assert all(len(row) == 5 and row[3] and row[4] for row in table.rows)
    first = source.text[slice(*table.row_spans[0])]
    assert first.startswith("序号:1 | 改革举措:知识产权民事、刑事、行政案件“三合一”审判 | 主要内容:整合分散的审判资源")
    assert "一、知识产权保护方面（共5项）" in _lines(source.text)


def test_law_header_block_gives_title_and_date_not_body():
    source = read_source(DEV / "beijing_2016_agri_mechanization_promotion_regulation.md")
    assert (source.title, source.date) == ("北京市农业机械化促进条例", "2016年11月25日")
    assert _lines(source.text)[0] == "第一章　总　　则" and "INFO END" not in source.text
    assert "2010年12月23日 北京市第十三届人民代表大会常务委员会第二十二次会议通过" not in source.text


def test_front_matter_document_keeps_its_title_line_out_of_the_body():
    source = read_source(DEV / "chongming_2017_highrise_fire_safety_plan.md")
    assert source.doc_number == "沪崇府办发〔2017〕39号" and source.issuer == "上海市崇明区人民政府办公室"
    assert source.title not in _lines(source.text) and "官方链接" not in source.text
    assert _lines(source.text)[0] == "各乡、镇人民政府，区政府各委、办、局，区各直属单位，在崇市属有关部门："


# --- encodings -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_encodings(tmp_path, paragraphs, encoding):
    text = "\r\n".join(paragraphs)
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode(encoding))
    assert read_source(path).text == "\n".join(paragraphs)


@pytest.mark.parametrize("encoding", ["gbk", "big5"])
def test_short_texts_are_not_misread(tmp_path, encoding):
    text = {"gbk": "附件：任务分工表", "big5": "市質量獎評審工作由市市場監管局會同市財政局組織實施。"}[encoding]
    path = tmp_path / "short.txt"
    path.write_bytes(text.encode(encoding))
    source = read_source(path)
    assert (source.original or source.text) == text  # Big5 text is traditional: kept as written, read simplified
    assert source.original == ("" if encoding == "gbk" else text)


def test_markdown_and_html_in_gbk(tmp_path, paragraphs):
    markdown, page = tmp_path / "plan.md", tmp_path / "plan.htm"
    markdown.write_bytes(f"# 实施意见\n\n{paragraphs[0]}\n".encode("gbk"))
    page.write_bytes(f'<html><meta charset="gbk"><body><p>{paragraphs[0]}</p></body></html>'.encode("gbk"))
    assert read_source(markdown).title == "实施意见" and read_source(markdown).text == paragraphs[0]
    assert read_source(page).text == paragraphs[0]


# --- refusals --------------------------------------------------------------------------------------------------


def _encrypted_pdf(path: Path, plain: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    with path.open("wb") as file:
        writer.write(file)


def _image_only_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for row in range(30):  # a "scan": marks on the page, no text layer
        pdf.rect(60, 780 - 20 * row, 400 - 7 * row, 8, fill=1)
    pdf.showPage()
    pdf.save()


def _refused(path: Path) -> str:
    with pytest.raises(DocumentError) as raised:
        read_source(path)
    message = str(raised.value)
    assert CHINESE.search(message), message
    return message


def test_refusals_say_why_in_chinese(tmp_path, written):
    rng = random.Random(1)
    files = {
        "empty.txt": b"",
        "binary.txt": bytes(rng.randrange(256) for _ in range(4000)),
        "english.md": b"# Release notes\n\nNothing in Chinese here.\n",
        "corrupt.docx": written[".docx"].read_bytes()[:900],
        "notzip.docx": "第一条 这不是Word文件。".encode(),
        "corrupt.pdf": b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(3000)),
        "plan.doc": "第一条".encode(),
        # An encrypted .docx is an OLE compound file holding an "EncryptionInfo" stream; an old .doc is one too.
        "locked.docx": OLE + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(2000),
        "old.docx": OLE + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(2000),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    _encrypted_pdf(tmp_path / "locked.pdf", written[".pdf"])
    _image_only_pdf(tmp_path / "scan.pdf")
    assert "空" in _refused(tmp_path / "empty.txt")
    assert "二进制" in _refused(tmp_path / "binary.txt")
    assert "中文" in _refused(tmp_path / "english.md")
    assert "docx" in _refused(tmp_path / "corrupt.docx") and "docx" in _refused(tmp_path / "notzip.docx")
    assert "PDF" in _refused(tmp_path / "corrupt.pdf")
    assert "加密" in _refused(tmp_path / "locked.pdf")
    assert "OCR" in _refused(tmp_path / "scan.pdf")
    assert "加密" in _refused(tmp_path / "locked.docx") and "旧版Word" in _refused(tmp_path / "old.docx")
    assert "不支持" in _refused(tmp_path / "plan.doc")


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as file:
        file.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: no time or disk spent
    assert "过大" in _refused(path)


def test_no_other_exception_escapes_for_any_bytes(tmp_path, written):
    rng = random.Random(7)
    samples = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))) for _ in range(6)]
    for suffix in (".docx", ".pdf", ".html", ".md"):
        whole = written[suffix].read_bytes()
        samples += [whole[: len(whole) // 2], whole[: len(whole) // 3] + samples[0]]
    samples += [b"<html><table><tr><td rowspan='x' colspan='99999'>\xe4\xb8\xad</td></tr></table>", b"\xff\xfe\x00"]
    for index, data in enumerate(samples):
        for suffix in sorted(SUPPORTED_SUFFIXES):
            path = tmp_path / f"sample{index}{suffix}"
            path.write_bytes(data)
            try:
                read_source(path)
            except DocumentError as error:
                assert CHINESE.search(str(error))


def test_readers_cover_the_supported_suffixes():
    assert SUPPORTED_SUFFIXES == set(READERS) >= {".txt", ".md", ".html", ".htm", ".shtml", ".docx", ".pdf"}
