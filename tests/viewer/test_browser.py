"""End-to-end tests of the viewer's pages in a real Chromium (Debian's /usr/bin/chromium).

The real app is served on loopback by werkzeug in a thread, on a SQLite file in the
test's tmp_path, and driven with Playwright's sync API. Without Chromium or the
playwright package the tests are skipped locally and fail when ``CI=true``.

Full-page screenshots of the list and a plot page, at a laptop and a phone size, are
written to ``tests/viewer/screenshots/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from flask import Flask

import histfmt
from histfmt_viewer import create_app, storage_of
from histfmt_viewer.numbers import yield_names
from histfmt_viewer.storage import Storage

from .conftest import served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",  # the network is closed: no calls home
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000  # every wait, navigation and request; the first image draws matplotlib
ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "tests" / "resources"
EXAMPLES = ROOT / "examples"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

SCRIPT = "<script>window.__xss=1</script>"
IMG = '<img src=x onerror="window.__xss=1">'

# True once every image on the page has arrived and decoded to a picture.
IMAGES_LOADED = "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install chromium, or bash .ci/chromium.sh)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the module (Playwright's sync API, no browser download)."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Viewer:
    """The app served on loopback, its storage and a user's API token."""

    app: Flask
    url: str
    token: str

    @property
    def storage(self) -> Storage:
        return storage_of(self.app)

    def upload(self, data: bytes, query: str = "") -> str:
        """Store a document through the token API (quicker than the form); its id."""
        response = self.app.test_client().post(
            f"/api/plots{query}", data=data, headers={"Authorization": f"Token {self.token}"}
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        plot_id: str = response.json["id"]  # type: ignore[index]
        return plot_id

    def count(self) -> int:
        """Stored plots, private ones included."""
        import sqlalchemy as sa

        from histfmt_viewer.storage.tables import plots

        with self.storage.engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.count()).select_from(plots)) or 0)


@pytest.fixture
def viewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Viewer]:
    """The real app on SQLite, served by a threaded werkzeug server like ``histfmt serve``."""
    monkeypatch.setenv("HISTFMT_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'viewer.sqlite'}",
            "RENDER_CACHE": str(tmp_path / "cache"),
            "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        }
    )
    token = storage_of(app).create_token("alice")
    try:
        with served(app) as url:
            yield Viewer(app, url, token)
    finally:
        storage_of(app).close()


@dataclass
class Watch:
    """What a page did that it should not: JS errors, console errors, dialogs."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    confirm: bool = False  # accept confirm() questions (recorded in ``confirmed``)
    confirmed: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def open_page(browser: Browser, watch: Watch) -> Iterator[Callable[..., Page]]:
    """Pages in fresh contexts; at the end, no page may have shown an error or dialog."""
    contexts: list[BrowserContext] = []

    def make(viewport: str | dict[str, int] = "laptop") -> Page:
        size = VIEWPORTS[viewport] if isinstance(viewport, str) else viewport
        context = browser.new_context(viewport=size)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
        page.on("console", lambda message: _console(watch, message))
        page.on("response", lambda response: _response(watch, response))

        def dialog(d: Any) -> None:
            if watch.confirm and d.type == "confirm":
                watch.confirmed.append(d.message)
                d.accept()
                return
            watch.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)
        return page

    yield make
    for context in contexts:
        context.close()
    assert watch.dialogs == []


def _console(watch: Watch, message: Any) -> None:
    # failed loads are reported by _response, with their address
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        watch.errors.append(f"console: {message.text}")


def _response(watch: Watch, response: Any) -> None:
    # a failed image or style sheet; pages' own statuses are checked by the tests, and
    # Chromium asks for /favicon.ico by itself (the viewer has none: a 404)
    if (
        response.status >= 400
        and response.request.resource_type != "document"
        and not response.url.endswith("/favicon.ico")
    ):
        watch.errors.append(f"HTTP {response.status}: {response.url}")


def _expect_clean(watch: Watch) -> None:
    """No script error, no failed load or CSP violation on the console, no dialog."""
    assert watch.errors == []
    assert watch.dialogs == []


def _wait_images(page: Page) -> None:
    """Scroll through the page (thumbnails are lazy) and wait for every image."""
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    page.evaluate("() => window.scrollTo(0, 0)")


def _follow(page: Page, action: Callable[[], None]) -> None:
    """Do what leaves the page (a click, Enter) and wait until the next one has loaded."""
    with page.expect_event("framenavigated", timeout=TIMEOUT_MS):
        action()
    page.wait_for_load_state("load")


def _sign_in(page: Page, viewer: Viewer, token: str | None = None) -> Any:
    """Sign in through the form; the POST's response."""
    page.goto(f"{viewer.url}/login")
    page.fill("input[name=token]", token or viewer.token)
    with page.expect_response(lambda r: "/login" in r.url and r.request.method == "POST") as posted:
        _follow(page, lambda: page.click("main button[type=submit]"))
    return posted.value


def _submit_upload(page: Page) -> Any:
    """Send the upload form as filled in; the POST's response."""
    with page.expect_response(
        lambda r: r.url.endswith("/upload") and r.request.method == "POST"
    ) as posted:
        _follow(page, lambda: page.click("main button[type=submit]"))
    return posted.value


def _upload_form(page: Page, viewer: Viewer, path: Path) -> Any:
    """Fill the upload form (signed in) with the file picker and submit; the POST's response."""
    page.goto(f"{viewer.url}/upload")
    page.set_input_files("input[name=file]", str(path))
    return _submit_upload(page)


def _doc(document: histfmt.Document, title: str, tags: tuple[str, ...] = ()) -> bytes:
    document.metadata.title = title
    document.metadata.tags = list(tags)
    return histfmt.dumps(document)


def test_upload_a_good_file_and_see_it_listed(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    page = open_page()
    page.goto(f"{viewer.url}/upload")  # signed out: the sign-in form, then back
    assert page.url == f"{viewer.url}/login?next=/upload"
    page.fill("input[name=token]", viewer.token)
    _follow(page, lambda: page.click("main button[type=submit]"))
    assert page.url == f"{viewer.url}/upload"
    assert page.inner_text("header .user") == "alice"
    response = _upload_form(page, viewer, EXAMPLES / "mll_data_vs_mc.json")
    assert response.status == 303
    assert re.fullmatch(rf"{re.escape(viewer.url)}/plots/[0-9a-f-]{{36}}", page.url)
    title = json.loads((EXAMPLES / "mll_data_vs_mc.json").read_text())["metadata"]["title"]
    assert page.inner_text("h1") == title
    assert viewer.count() == 1

    _follow(page, lambda: page.click("header >> text=Plots"))
    assert page.inner_text("p.count") == "1 plot"
    items = page.locator("ul.plots li")
    assert items.count() == 1
    assert items.first.locator(".title").inner_text() == title
    _wait_images(page)
    _expect_clean(watch)


def test_upload_a_bad_file_shows_every_error_and_stores_nothing(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    page = open_page()
    # a wrong token is refused at sign-in
    response = _sign_in(page, viewer, token="not-a-token")
    assert response.status == 401
    assert "Unknown token" in page.inner_text("main .error")
    assert page.locator("header .user").count() == 0

    _sign_in(page, viewer)
    bad = RESOURCES / "invalid" / "several_errors.json"
    response = _upload_form(page, viewer, bad)
    assert response.status == 400
    assert "nothing was stored" in page.inner_text("div.errors")
    expected = [
        line.split(": ", 1)[1]  # drop the file name: "path: message"
        for line in (bad.with_suffix(".error.txt")).read_text().splitlines()
        if line.strip()
    ]
    shown = page.locator("div.errors li").all_inner_texts()
    assert sorted(shown) == sorted(expected)
    paths = page.locator("div.errors li code").all_inner_texts()
    assert sorted(paths) == ["stacks[1].error", "x.unit", "yields.mc.stat"]
    assert viewer.count() == 0

    page.goto(viewer.url)  # the empty site says how to start
    assert page.inner_text("h1") == "No plots here yet"
    assert "histfmt token create" in page.inner_text("section.welcome")
    _expect_clean(watch)


def test_browse_search_and_paginate(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, document: histfmt.Document
) -> None:
    titles = ["Alpha spectrum", "Beta spectrum", "Gamma mass", "Delta mass", "Epsilon mass"]
    for i, title in enumerate(titles):
        viewer.upload(_doc(document, title, ("odd",) if i % 2 else ("even",)))
    page = open_page()
    # per_page is not in the search form: it comes from the address
    page.goto(f"{viewer.url}/?per_page=2&sort=title")
    assert page.input_value("select[name=sort]") == "title"

    def shown() -> list[str]:
        return page.locator("ul.plots .title").all_inner_texts()

    assert page.inner_text("p.count") == "5 plots"
    assert shown() == ["Alpha spectrum", "Beta spectrum"]
    assert page.inner_text(".pagination span") == "Page 1 of 3"
    assert page.locator(".pagination a[rel=prev]").count() == 0
    _follow(page, lambda: page.click(".pagination a[rel=next]"))
    assert shown() == ["Delta mass", "Epsilon mass"]
    assert page.inner_text(".pagination span") == "Page 2 of 3"
    _follow(page, lambda: page.click(".pagination a[rel=next]"))
    assert shown() == ["Gamma mass"]
    assert page.locator(".pagination a[rel=next]").count() == 0
    _follow(page, lambda: page.click(".pagination a[rel=prev]"))
    assert page.inner_text(".pagination span") == "Page 2 of 3"
    _wait_images(page)

    # the search box, kept filled in on the results page, and the sort menu
    page.select_option("select[name=sort]", "oldest")
    page.fill("input[name=q]", "mass")
    _follow(page, lambda: page.press("input[name=q]", "Enter"))
    assert page.input_value("input[name=q]") == "mass"
    assert page.inner_text("p.count") == "3 plots"
    assert shown() == ["Gamma mass", "Delta mass", "Epsilon mass"]
    assert page.input_value("select[name=sort]") == "oldest"
    page.goto(f"{viewer.url}/?q=spectrum&sort=title")
    assert shown() == ["Alpha spectrum", "Beta spectrum"]
    page.fill("input[name=q]", "no such plot")
    _follow(page, lambda: page.press("input[name=q]", "Enter"))
    assert page.inner_text("p.count") == "0 plots"

    # a tag link filters
    page.goto(f"{viewer.url}/?sort=title")
    tag = page.locator("ul.plots li", has_text="Beta spectrum").locator("a.tag")
    _follow(page, tag.click)
    assert page.url.endswith("/?tag=odd")
    assert sorted(shown()) == ["Beta spectrum", "Delta mass"]
    _expect_clean(watch)


def test_plot_page_image_table_and_view_controls(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    data = (EXAMPLES / "mll_data_vs_mc.json").read_bytes()
    doc = histfmt.loads(data)
    plot_id = viewer.upload(data)
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    figure = page.locator("figure img")
    page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    assert figure.evaluate("img => img.naturalWidth") > 0

    # the numbers table: one row per bin with the flow bins, one column per yield (its label)
    headers = page.locator("table.numbers thead th").all_inner_texts()
    assert headers[1:] == list(yield_names(doc).values())
    rows = page.locator("table.numbers tbody tr")
    assert rows.count() == len(doc.x.edges) + 1  # bins plus underflow and overflow
    bins = rows.locator("th").all_inner_texts()
    assert "underflow" in bins
    assert "overflow" in bins
    assert "[50, 55)" in bins

    # log y and rebin through the form under the plot
    plain = figure.get_attribute("src")
    page.select_option("select[name=logy]", "1")
    page.fill("input[name=rebin]", "50,100,150,200,250")
    _follow(page, lambda: page.click("form.view button[type=submit]"))
    assert "logy=1" in page.url
    assert re.search(r"rebin=50(,|%2C)100", page.url)
    src = page.locator("figure img").get_attribute("src") or ""
    assert src != plain
    assert "logy=1" in src
    page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    assert page.input_value("input[name=rebin]") == "50,100,150,200,250"
    assert page.input_value("select[name=logy]") == "1"
    changed = page.request.get(f"{viewer.url}{src}" if src.startswith("/") else src)
    original = page.request.get(f"{viewer.url}{plain}")
    assert changed.ok
    assert original.ok
    assert changed.body() != original.body()
    _expect_clean(watch)


def test_downloads(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, document: histfmt.Document
) -> None:
    plot_id = viewer.upload(_doc(document, "Dilepton mass (ee + μμ)"))
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    links = page.locator("p.downloads a")
    assert links.all_inner_texts() == ["PNG", "SVG", "PDF", "JSON", "YAML"]

    expected = {
        "JSON": ("Dilepton_mass_ee.json", "application/json"),
        "PNG": ("Dilepton_mass_ee.png", "image/png"),
    }
    for text, (name, mimetype) in expected.items():
        link = page.locator("p.downloads a", has_text=text)
        with page.expect_download(timeout=TIMEOUT_MS) as started:
            link.click()
        download = started.value
        assert download.suggested_filename == name
        body = Path(download.path()).read_bytes()
        response = page.request.get(f"{viewer.url}{link.get_attribute('href')}")
        assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
        assert response.headers["content-type"].startswith(mimetype)
        assert response.body() == body
        if text == "JSON":
            assert histfmt.loads(body) == histfmt.loads(histfmt.dumps(document))
        else:
            from PIL import Image

            with Image.open(io.BytesIO(body)) as image:
                assert image.format == "PNG"
                assert image.width > 100
                assert image.height > 100
    _expect_clean(watch)


def test_hostile_labels_are_shown_as_text(
    viewer: Viewer,
    open_page: Callable[..., Page],
    watch: Watch,
    document: histfmt.Document,
    tmp_path: Path,
) -> None:
    document.metadata.title = f"Title {SCRIPT} {IMG}"
    document.metadata.author = f"Author {IMG}"
    document.metadata.description = f"Description {SCRIPT}"
    document.metadata.tags = [SCRIPT, IMG]
    document.yields["mc"].label = f"MC {SCRIPT}"
    document.yields["data"].label = f"data {IMG}"
    for stack in document.stacks:
        for item in stack.content:
            item.label = f"legend {IMG} {SCRIPT}"
    path = tmp_path / "hostile.json"
    path.write_bytes(histfmt.dumps(document))

    page = open_page()
    _sign_in(page, viewer)
    response = _upload_form(page, viewer, path)
    assert response.status == 303, page.inner_text("main")
    plot_url = page.url
    for url in (viewer.url, plot_url, f"{viewer.url}/?q=script"):
        page.goto(url)
        page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
        assert page.evaluate("() => typeof window.__xss") == "undefined"
        # escaped, not merely blocked by the CSP: no element came from the payloads
        assert page.locator("body script:not([src^='/static/'])").count() == 0
        assert page.locator("img[src=x], img[onerror]").count() == 0
        assert SCRIPT in page.inner_text("main")
        assert IMG in page.inner_text("main")
    page.goto(plot_url)
    assert page.inner_text("h1") == document.metadata.title
    assert page.title().startswith(f"Title {SCRIPT}")
    tags = page.locator("dl.metadata a.tag").all_inner_texts()
    assert sorted(tags) == sorted([SCRIPT, IMG])
    assert watch.dialogs == []
    _expect_clean(watch)


def test_security_headers_on_pages(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, document: histfmt.Document
) -> None:
    plot_id = viewer.upload(_doc(document, "Headers"))
    page = open_page()
    for path in ("/", "/upload", f"/plots/{plot_id}", "/plots/nope"):
        response = page.goto(f"{viewer.url}{path}")
        assert response is not None
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy, path
        assert "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy, path
        assert response.headers.get("x-content-type-options") == "nosniff"
    assert response.status == 404
    assert page.inner_text("h1").startswith("404")
    _expect_clean(watch)


def _upload_examples(viewer: Viewer, query: str = "") -> dict[str, str]:
    paths = sorted(EXAMPLES.glob("*.json"))
    return {path.stem: viewer.upload(path.read_bytes(), query) for path in paths}


def test_list_thumbnails_all_load(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    """The list page asks for its thumbnails at once; the threaded server draws them
    side by side, and every one must arrive (matplotlib's mathtext parser is shared)."""
    _upload_examples(viewer)
    page = open_page()
    page.goto(viewer.url)
    assert page.locator("ul.plots img").count() == 5
    page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=TIMEOUT_MS)
    broken = page.evaluate(
        "() => [...document.images].filter(i => i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    _expect_clean(watch)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_screenshots(
    viewer: Viewer, open_page: Callable[..., Page], viewport: str, tmp_path: Path
) -> None:
    """Full-page pictures of the pages, for a person to look at (whatever they show)."""
    made = viewer.app.test_client().post(
        "/api/collections",
        json={"title": "histfmt examples", "description": "The documents of examples/."},
        headers={"Authorization": f"Token {viewer.token}"},
    )
    collection_id = made.json["id"]  # type: ignore[index]
    ids = _upload_examples(viewer, f"?collection={collection_id}")
    SCREENSHOTS.mkdir(exist_ok=True)
    page = open_page(viewport)
    _sign_in(page, viewer)
    shots = {
        "list": viewer.url,
        "plot": f"{viewer.url}/plots/{ids['mll_data_vs_mc']}",
        "plot-view": f"{viewer.url}/plots/{ids['mll_data_vs_mc']}?logy=1&hide=ttbar&style=CMS",
        "upload": f"{viewer.url}/upload",
        "collections": f"{viewer.url}/collections/",
        "collection": f"{viewer.url}/collections/{collection_id}",
    }
    for name, url in shots.items():
        page.goto(url)
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images
        page.wait_for_function(
            "() => [...document.images].every(i => i.complete)", timeout=TIMEOUT_MS
        )
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)
    _upload_form(page, viewer, RESOURCES / "invalid" / "several_errors.json")
    page.screenshot(path=str(SCREENSHOTS / f"refused-{viewport}.png"), full_page=True)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_pages_fit_the_screen_width(
    viewer: Viewer, open_page: Callable[..., Page], viewport: str
) -> None:
    """Nothing makes a page scroll sideways: wide content scrolls in its own box."""
    plot_id = viewer.upload((EXAMPLES / "mll_data_vs_mc.json").read_bytes())
    page = open_page(viewport)
    _sign_in(page, viewer)
    too_wide: dict[str, int] = {}
    for path in ("/", f"/plots/{plot_id}", "/upload", "/collections/", "/collections/new"):
        page.goto(f"{viewer.url}{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > VIEWPORTS[viewport]["width"]:
            too_wide[path] = width
    assert too_wide == {}


def test_drag_and_drop_upload(viewer: Viewer, open_page: Callable[..., Page], watch: Watch) -> None:
    """A file dropped on the drop zone fills the form; the upload then goes as usual."""
    page = open_page()
    _sign_in(page, viewer)
    page.goto(f"{viewer.url}/upload")
    text = (EXAMPLES / "pt_logy.json").read_text()
    dropped = page.evaluate_handle(
        """text => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "dropped.json", {type: "application/json"}));
            return transfer;
        }""",
        text,
    )
    page.dispatch_event("#dropzone", "dragenter", {"dataTransfer": dropped})
    assert "over" in (page.get_attribute("#dropzone", "class") or "")
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
    assert page.inner_text("#drop-name") == "dropped.json"
    assert "chosen" in (page.get_attribute("#dropzone", "class") or "")
    assert page.evaluate("() => document.getElementById('file').files[0].name") == "dropped.json"
    response = _submit_upload(page)
    assert response.status == 303
    assert page.inner_text("h1") == json.loads(text)["metadata"]["title"]
    assert viewer.count() == 1
    _expect_clean(watch)


def test_view_controls_apply_at_once_and_make_a_permalink(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    plot_id = viewer.upload((EXAMPLES / "mll_data_vs_mc.json").read_bytes())
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    plain = page.locator("figure img").get_attribute("src")
    _follow(page, lambda: page.check("input[name=hide][value=ttbar]"))  # no button press
    assert "hide=ttbar" in page.url
    _follow(page, lambda: page.select_option("select[name=ratio]", "0"))
    _follow(page, lambda: page.select_option("select[name=style]", "CMS"))
    src = page.locator("figure img").get_attribute("src") or ""
    for part in ("hide=ttbar", "ratio=0", "style=CMS"):
        assert part in page.url
        assert part in src
    page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    viewed = page.request.get(f"{viewer.url}{src}").body()
    assert viewed != page.request.get(f"{viewer.url}{plain}").body()
    permalink = page.url
    fresh = open_page()
    fresh.goto(permalink)
    assert fresh.is_checked("input[name=hide][value=ttbar]")
    assert fresh.input_value("select[name=style]") == "CMS"
    fresh.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    _follow(fresh, lambda: fresh.click("form.view >> text=Reset"))
    assert fresh.url == f"{viewer.url}/plots/{plot_id}"
    assert fresh.locator("figure img").get_attribute("src") == plain
    fresh.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    _expect_clean(watch)


def test_private_plots_collections_versions_and_delete(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, document: histfmt.Document
) -> None:
    page = open_page()
    _sign_in(page, viewer)
    page.goto(f"{viewer.url}/collections/new")
    page.fill("input[name=title]", "Run 3 dileptons")
    page.fill("textarea[name=description]", "Control regions of the 2024 analysis")
    _follow(page, lambda: page.click("main button[type=submit]"))
    assert page.inner_text("h1") == "Run 3 dileptons"
    _follow(page, lambda: page.click("text=Upload into it"))
    page.set_input_files("input[name=file]", str(EXAMPLES / "mll_data_vs_mc.json"))
    page.select_option("select[name=visibility]", "private")
    assert _submit_upload(page).status == 303
    plot_url = page.url
    assert page.locator("h1 + .badge").inner_text() == "private"
    assert "Run 3 dileptons" in page.inner_text("p.meta")
    assert viewer.count() == 1

    # the owner sees the private plot in the list and the collection; a visitor does not
    page.goto(viewer.url)
    assert page.inner_text("p.count") == "1 plot"
    stranger = open_page()
    stranger.goto(viewer.url)
    assert stranger.inner_text("h1") == "No plots here yet"
    response = stranger.goto(plot_url)
    assert response is not None
    assert response.status == 404

    # a new version; the first stays reachable
    page.goto(plot_url)
    path = EXAMPLES / "pt_logy.json"
    page.set_input_files(".manage input[name=file]", str(path))
    _follow(page, lambda: page.click(".manage button >> text=Upload version 2"))
    assert page.url.endswith("?version=2")
    assert "version 2 of 2" in page.inner_text("p.meta")
    _follow(page, lambda: page.click("ol.versions >> text=v1"))
    assert "version 1 of 2" in page.inner_text("p.meta")

    # delete, after a confirmation
    watch.confirm = True
    _follow(page, lambda: page.click("text=Delete plot"))
    assert watch.confirmed == ["Delete this plot and all its versions?"]
    assert viewer.count() == 0
    assert page.inner_text("h1") == "No plots here yet"
    _expect_clean(watch)


def _book_file(tmp_path: Path) -> tuple[Path, list[str]]:
    """A histfmt book of the examples (their titles, in order) and those titles."""
    paths = sorted(EXAMPLES.glob("*.json"))
    book = histfmt.Book.new({f"examples/{p.stem}": histfmt.load(p) for p in paths})
    book.metadata.title = "Example book"
    target = tmp_path / "examples_book.json"
    histfmt.dump(book, target)
    return target, [str(doc.metadata.title) for doc in book.plots.values()]


def test_upload_a_book_by_the_form(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, tmp_path: Path
) -> None:
    """A book uploaded through the form becomes a collection of its plots, in order."""
    path, titles = _book_file(tmp_path)
    page = open_page()
    _sign_in(page, viewer)
    response = _upload_form(page, viewer, path)
    assert response.status == 303
    assert re.fullmatch(rf"{re.escape(viewer.url)}/collections/\d+", page.url)
    assert page.inner_text("h1") == "Example book"
    assert page.locator("ul.plots .title").all_inner_texts() == titles
    assert viewer.count() == len(titles)
    _wait_images(page)  # every thumbnail draws
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "book-collection-laptop.png"), full_page=True)
    _expect_clean(watch)


def _two_d_document() -> histfmt.Document:
    """A 14 x 12 map with flow bins on both axes: wider than a phone."""
    rng = np.random.default_rng(3)
    y = histfmt.Axis.new(np.linspace(-3.0, 3.0, 13), underflow=True, overflow=True, name="eta")
    doc = histfmt.Document.new(
        np.linspace(0.0, 700.0, 15), underflow=True, overflow=True, name="pt", y=y
    )
    values = rng.poisson(40.0, size=doc.shape).astype(float) * 12.5
    doc.add_yield("mc", values, stat=np.sqrt(values), label="Simulation")
    doc.add_stack([("mc", "Simulation")], type="map")  # type: ignore[list-item]
    doc.metadata.title = "Jet pT by eta"
    return doc


@pytest.mark.parametrize(
    "size", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}], ids=["1280", "390"]
)
def test_a_2d_plot_page(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, size: dict[str, int]
) -> None:
    """A 2-D page: the grid scrolls in its box, never the page; screenshots of the map
    and of a projection for a person to look at."""
    plot_id = viewer.upload(histfmt.dumps(_two_d_document()))
    page = open_page(size)
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, query in (("map", ""), ("projection", "?project=y:2:5&logz=1")):
        page.goto(f"{viewer.url}/plots/{plot_id}{query}")
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        drawn = page.locator("figure img").count() == 1
        assert drawn or "cannot be drawn yet" in page.inner_text("figure")
        grid = page.locator(".table-scroll.grid")
        assert grid.count() == 1
        assert page.locator(".table-scroll.grid tbody tr").count() == 16  # 14 bins + flow
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        box = grid.evaluate("e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]")
        if size["width"] < 600:
            assert box[0] > box[1]  # the grid scrolls sideways in its box
        # the row heads stay in view while the grid scrolls sideways
        head = page.locator(".table-scroll.grid tbody th").first
        left = head.bounding_box()
        grid.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        assert head.bounding_box() == left
        page.screenshot(path=str(SCREENSHOTS / f"two-d-{name}-{size['width']}.png"), full_page=True)
    assert page.input_value("select[name=project]") == "y"
    assert page.input_value("input[name=slice]") == "2:5"
    assert page.input_value("select[name=logz]") == "1"
    if drawn:
        page.wait_for_function(IMAGES_LOADED)
    _expect_clean(watch)
