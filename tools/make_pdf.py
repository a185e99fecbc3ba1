"""Print the whole course to one PDF: ``_build/pdf/conv-blocks.pdf`` (``make pdf``).

Usage: ``python -m tools.make_pdf [--site DIR] [--output FILE]``

Every page of ``_toc.yml`` is printed, in order, by the headless Chromium the
browser tests use (Debian's ``/usr/bin/chromium`` driven by Playwright; its own
browser download is never used) from the built site served on 127.0.0.1, so the
site's print stylesheet decides the layout. pypdf then joins the pages behind a
printed contents page, adds bookmarks (every page, with its sections under it),
numbers the pages through the whole course in the footer, and turns links
between pages into links inside the PDF.

The site is built first (``python -m tools.build_book``) when ``--site`` has no
``index.html``; ``make pdf`` builds it anyway (from the execution cache).
"""

import argparse
import functools
import html
import http.server
import io
import sys
import threading
import time
from pathlib import Path

from tools.notebooks import toc_files

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
OUTPUT = ROOT / "_build" / "pdf" / "conv-blocks.pdf"
TITLE = "Conv Blocks"

# Debian's Chromium and its arguments; the browser tests use these too (tests/site_support.py).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# A4; the text box is the page less these margins (the footer sits in the bottom one).
PAGE_FORMAT = "A4"
MARGIN_MM = {"top": 16, "bottom": 20, "left": 16, "right": 16}
MARGIN = {side: f"{mm}mm" for side, mm in MARGIN_MM.items()}


class MakePdfError(RuntimeError):
    """Something the PDF needs is missing; the message says how to get it."""


def _require_tools():
    if not CHROMIUM.exists():
        raise MakePdfError(
            f"make pdf prints with Debian's Chromium at {CHROMIUM}: run `apt-get install chromium`"
        )
    try:
        import playwright.sync_api  # noqa: F401
        import pypdf  # noqa: F401
    except ImportError as error:
        raise MakePdfError(f"make pdf needs {error.name}: run `pip install -r requirements.txt`") from error


class StaticServer:
    """The built site on 127.0.0.1 (a free port), served from a background thread."""

    def __init__(self, folder):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = functools.partial(Quiet, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# -- printing ---------------------------------------------------------------------------

READY = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
    const images = Array.from(document.images);
    for (const img of images) { img.loading = 'eager'; }
    await Promise.all(images.map(img => img.complete ? null :
        new Promise(done => { img.onload = done; img.onerror = done; })));
    await document.fonts.ready;
}"""

# The page's own title with its chapter number ("3. Pooling"); the theme's print
# header repeats the title without it, so it gets the numbered one.
TITLE_JS = """() => {
    const h1 = Array.from(document.querySelectorAll('main h1, article h1'))
        .find(h => !h.closest('#jb-print-docs-body'));
    if (!h1) { return document.title; }
    const copy = h1.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach(a => a.remove());
    const title = copy.textContent.replace(/\\s+/g, ' ').trim();
    const header = document.querySelector('#jb-print-docs-body h1');
    if (header) { header.textContent = title; }
    return title;
}"""

HEADINGS_JS = """() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4'))
    .map(h => { const c = h.cloneNode(true);
                c.querySelectorAll('.headerlink').forEach(a => a.remove());
                return c.textContent.replace(/\\s+/g, ' ').trim(); })"""


def _pdf(tab, outline=False, footer=None):
    options = dict(format=PAGE_FORMAT, margin=MARGIN, print_background=True)
    if outline:
        options.update(outline=True, tagged=True)
    if footer:
        options.update(display_header_footer=True, header_template="<span></span>",
                       footer_template=footer, print_background=False)
    return tab.pdf(**options)


def print_pages(browser, base_url, pages, log=print):
    """Print each page; returns a list of dicts: page, title, headings, pdf (bytes)."""
    printed = []
    tab = browser.new_page()
    try:
        for number, page in enumerate(pages, 1):
            url = f"{base_url}/{page}.html"
            response = tab.goto(url, wait_until="networkidle")
            if response is None or response.status != 200:
                raise MakePdfError(f"{url} answered {response and response.status}")
            tab.evaluate(READY)
            title = tab.evaluate(TITLE_JS)
            headings = tab.evaluate(HEADINGS_JS)
            data = _pdf(tab, outline=True)
            printed.append({"page": page, "title": title, "headings": headings, "pdf": data})
            log(f"make pdf: [{number:2d}/{len(pages)}] {page}: {title}")
    finally:
        tab.close()
    return printed


def contents_html(entries):
    """The printed contents page: (title, first page number) in reading order."""
    rows = "\n".join(
        f'<li><span class="t">{html.escape(title)}</span><span class="n">{number}</span></li>'
        for title, number in entries
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE}</title><style>
body {{ font-family: sans-serif; font-size: 11pt; color: #222; margin: 0; }}
h1 {{ font-size: 28pt; font-weight: 500; margin: 30mm 0 4mm; }}
p.sub {{ color: #555; margin: 0 0 14mm; }}
h2 {{ font-size: 15pt; font-weight: 500; margin: 0 0 5mm; }}
ol {{ list-style: none; padding: 0; margin: 0; }}
li {{ display: flex; align-items: baseline; margin: 0 0 2.6mm; }}
li .n {{ margin-left: auto; padding-left: 1em; }}
</style></head><body>
<h1>{TITLE}</h1>
<p class="sub">The building blocks of convolutional networks</p>
<h2>Contents</h2>
<ol>
{rows}
</ol>
</body></html>"""


FOOTER = (
    '<div style="width:100%; font-family:sans-serif; font-size:8pt; color:#555; '
    f'padding:0 {MARGIN_MM["left"]}mm; display:flex; justify-content:space-between;">'
    f'<span>{TITLE}</span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


def number_stamps(browser, count):
    """A PDF of ``count`` empty pages whose footers number them 1..count."""
    tab = browser.new_page()
    try:
        body = '<div style="break-after: page">&nbsp;</div>' * (count - 1) + "<div>&nbsp;</div>"
        tab.set_content(f"<!DOCTYPE html><html><head><title>{TITLE}</title></head>"
                        f"<body style='margin:0'>{body}</body></html>")
        return _pdf(tab, footer=FOOTER)
    finally:
        tab.close()


def print_html(browser, text):
    tab = browser.new_page()
    try:
        tab.set_content(text, wait_until="load")
        return _pdf(tab)
    finally:
        tab.close()


# -- joining ----------------------------------------------------------------------------

def _squash(text):
    return "".join(text.split()).lower()


def _outline_items(reader):
    """(level, title, page index) of a printed page's own bookmarks, in order."""
    items = []

    def walk(nodes, level):
        for node in nodes:
            if isinstance(node, list):
                walk(node, level + 1)
            else:
                items.append((level, str(node.title), reader.get_destination_page_number(node)))

    walk(reader.outline, 0)
    return items


def _add_outline(writer, reader, entry, start, parent):
    """The page's sections under its bookmark, named as on the page (Chromium drops
    the spaces where a heading wraps), without the title and the print contents list."""
    by_squash = {_squash(h): h for h in entry["headings"]}
    skip = {_squash(entry["title"]), _squash(entry["title"].split(". ", 1)[-1]), "contents"}
    stack = [(-1, parent)]
    for level, title, index in _outline_items(reader):
        if _squash(title) in skip:
            continue
        while stack[-1][0] >= level:
            stack.pop()
        name = by_squash.get(_squash(title), title)
        item = writer.add_outline_item(title=name, page_number=start + index, parent=stack[-1][1])
        stack.append((level, item))


def _internal_links(writer, base_url, starts):
    """Links to 127.0.0.1 pages become jumps to that page's first PDF page; others
    to the local server (downloads, sources) are dropped, since they lead nowhere."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    for pdf_page in writer.pages:
        annots = pdf_page.get("/Annots")
        if not annots:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            uri = str(annot.get("/A", {}).get("/URI", "")) if "/A" in annot else ""
            if not uri.startswith(base_url):
                kept.append(ref)
                continue
            path = uri[len(base_url) + 1:].split("#")[0]
            target = starts.get(path.removesuffix(".html")) if path.endswith(".html") else None
            if target is None:
                continue
            annot[NameObject("/A")] = DictionaryObject({
                NameObject("/S"): NameObject("/GoTo"),
                NameObject("/D"): ArrayObject([writer.pages[target].indirect_reference,
                                               NameObject("/Fit")]),
            })
            kept.append(ref)
        pdf_page[NameObject("/Annots")] = kept


def join(printed, contents_pdf, stamps_pdf, base_url):
    """One document: contents, then every page; bookmarks, page numbers, inner links."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(contents_pdf)), import_outline=False)
    writer.add_outline_item(title="Contents", page_number=0)
    starts = {}
    for entry in printed:
        reader = PdfReader(io.BytesIO(entry["pdf"]))
        start = len(writer.pages)
        starts[entry["page"]] = start
        writer.append(reader, import_outline=False)
        item = writer.add_outline_item(title=entry["title"], page_number=start)
        _add_outline(writer, reader, entry, start, item)
    stamps = PdfReader(io.BytesIO(stamps_pdf))
    if len(stamps.pages) != len(writer.pages):
        raise MakePdfError(f"numbering: {len(stamps.pages)} footers for {len(writer.pages)} pages")
    for page, stamp in zip(writer.pages, stamps.pages):
        page.merge_page(stamp)
    if base_url:
        _internal_links(writer, base_url, starts)
    writer.add_metadata({"/Title": TITLE, "/Author": "The Conv Blocks authors",
                         "/Subject": "The building blocks of convolutional networks"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_pdf(site=SITE, output=OUTPUT, log=print):
    """Print the built site at ``site`` to ``output``; returns (path, page count)."""
    _require_tools()
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    site, output = Path(site), Path(output)
    pages = toc_files()
    missing = [p for p in pages if not (site / f"{p}.html").is_file()]
    if missing:
        raise MakePdfError(f"the site in {site} lacks {missing}: build it first (`make book`)")
    with StaticServer(site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            printed = print_pages(browser, server.url, pages, log)
            counts = [len(PdfReader(io.BytesIO(e["pdf"])).pages) for e in printed]

            def contents(first):
                starts = [first + sum(counts[:i]) + 1 for i in range(len(printed))]
                return print_html(browser, contents_html(
                    [(e["title"], n) for e, n in zip(printed, starts)]))

            draft = contents(1)
            length = len(PdfReader(io.BytesIO(draft)).pages)
            contents_pdf = contents(length)
            total = length + sum(counts)
            stamps = number_stamps(browser, total)
            data = join(printed, contents_pdf, stamps, server.url)
        finally:
            browser.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    return output, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE, help="the built site (default: _build/html)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the PDF to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if not (args.site / "index.html").is_file():
            from tools.build_book import build_book

            print(f"make pdf: no site in {args.site}; building it first")
            code, _, html_dir = build_book(ROOT)
            if code != 0:
                print("make pdf: the site build failed (see above)", file=sys.stderr)
                return code
            args.site = html_dir
        path, total = make_pdf(args.site, args.output)
    except MakePdfError as error:
        print(f"make pdf: {error}", file=sys.stderr)
        return 1
    print(f"make pdf: {total} pages in {time.perf_counter() - start:.1f} s")
    print(f"make pdf: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
