"""What a PDF may load while WeasyPrint lays it out: static files (the council's logo), nothing else — not a
file elsewhere on the server, not anything on the network."""

import http.server
import shutil
import threading

import pytest
from pypdf import PdfReader

from commissioning.pdf import html_to_pdf

PAGE = '<!DOCTYPE html><html lang="en-GB"><head><title>Cover</title></head><body><p>Cover</p>{}</body></html>'


def _images(content: bytes) -> int:
    import io

    count = 0
    for page in PdfReader(io.BytesIO(content)).pages:
        resources = page.get("/Resources") or {}
        objects = resources.get("/XObject") or {}
        count += sum(1 for ref in objects.values() if ref.get_object().get("/Subtype") == "/Image")
    return count


def test_an_image_among_the_static_files_is_printed():
    rendered = html_to_pdf(PAGE.format('<img src="img/council-logo.png" alt="The council">'))
    assert _images(rendered.content) == 1


def test_a_file_elsewhere_on_the_server_is_not_read(tmp_path, settings):
    outside = tmp_path / "private.png"
    shutil.copy(settings.BASE_DIR / "static" / "img" / "council-logo.png", outside)

    rendered = html_to_pdf(PAGE.format(f'<img src="file://{outside}" alt="Not for printing">'))

    assert _images(rendered.content) == 0
    assert rendered.page_count == 1


@pytest.fixture
def web_server():
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_nothing_is_fetched_from_the_network(web_server):
    base, requests = web_server

    rendered = html_to_pdf(
        PAGE.format(f'<img src="{base}/logo.png" alt="Remote"><link rel="stylesheet" href="{base}/style.css">')
    )

    assert requests == []
    assert _images(rendered.content) == 0
