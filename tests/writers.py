"""Documents written in the tests from a real document's lines: .docx (python-docx), .pdf (reportlab, CJK font),
an .html page with navigation and reader comments around the text, and text in other encodings."""

from __future__ import annotations

from html import escape
from pathlib import Path


def write_docx(lines: list[str], path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_pdf(lines: list[str], path: Path, running_head: str = "") -> Path:
    """Pages set by reportlab (CJK line wrapping in the built-in STSong-Light font), a page number on each."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # built in: no font file needed
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=18, wordWrap="CJK")

    def furniture(canvas, document):
        canvas.setFont("STSong-Light", 9)
        if running_head:
            canvas.drawString(60, 810, running_head)
        canvas.drawString(280, 30, f"— {document.page} —")

    pages = SimpleDocTemplate(str(path))
    pages.build([Paragraph(escape(line), style) for line in lines], onFirstPage=furniture, onLaterPages=furniture)
    return path


def write_html(lines: list[str], path: Path, site: str = "人民政府网站") -> Path:
    """A government web page: navigation, breadcrumb, the title and paragraphs, then comments and related articles."""
    title, body = lines[0], lines[1:]
    paragraphs = "\n".join(f"<p>{escape(line)}</p>" for line in body)
    path.write_text(
        f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)} - {site}</title>
<script>var tip = "请升级浏览器";</script></head>
<body><nav class="nav"><a href="/">首页</a> <a href="/zwgk">政务公开</a> <a href="/zcwj">政策文件</a></nav>
<div class="breadcrumb">首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="article"><h1>{escape(title)}</h1>
<div class="info">发布时间:2013-05-20 浏览次数:1024</div>
<div class="TRS_Editor">{paragraphs}<!-- 编辑注释：此段不应出现 --></div></div>
<div class="comments"><h3>网友评论</h3><p>市民甲:这个计划由市质监局牵头,很好!</p><p>市民乙:什么时候落实?</p></div>
<div class="related"><h3>相关文章</h3><ul><li><a href="/1">关于开展质量月活动的通知</a></li>
<li><a href="/2">市政府召开质量工作会议</a></li></ul></div>
<footer>版权所有 {site} 备案号 12345</footer></body></html>""",
        encoding="utf-8",
    )
    return path


def write_text(lines: list[str], path: Path, encoding: str) -> Path:
    """The lines as text in an encoding people send (GBK, UTF-16 with its byte-order mark)."""
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path
