"""The interactive plot page in Chromium: a 10^5-bin document's chart drawn and hover
ready after navigation (target 1.5 s), hover response (median, target 50 ms), and a
40-bin plot's interactive page against its image alone (first paint).

Serves the viewer on SQLite in a temporary folder with werkzeug, drives Debian's
/usr/bin/chromium through Playwright. Writes ``results/interactive.md``.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "viewer"))

from _common import machine_info, md_table, write_report  # noqa: E402
from bench_render import histfmt_document, scaling_arrays, typical_arrays  # noqa: E402

READY = "() => document.getElementById('hf-chart')?.dataset.ready"
FIRST_PAINT = (
    "() => performance.getEntriesByType('paint')"
    ".find(e => e.name === 'first-contentful-paint')?.startTime"
)
BIN = "() => document.querySelector('.hf-bin')?.dataset.bin"


def main() -> None:
    import os

    from conftest import served  # type: ignore[import-not-found]
    from playwright.sync_api import sync_playwright

    import histfmt
    from histfmt_viewer import create_app, storage_of

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["HISTFMT_INSTANCE_PATH"] = str(Path(folder) / "instance")
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{folder}/v.sqlite",
                "RENDER_CACHE": f"{folder}/cache",
                "MAX_CONTENT_LENGTH": 256 << 20,
            }
        )
        token = storage_of(app).create_token("bench")
        client = app.test_client()

        def upload(doc: histfmt.Document) -> str:
            response = client.post(
                "/api/plots", data=histfmt.dumps(doc), headers={"Authorization": f"Token {token}"}
            )
            assert response.status_code == 201, response.get_data(as_text=True)
            return str(response.json["id"])  # type: ignore[index]

        big = upload(histfmt_document(scaling_arrays(100_000), symbol="x"))
        small = upload(histfmt_document(typical_arrays(), symbol="x", typical=True))
        size = len(client.get(f"/plots/{big}/chart.json").data)
        with served(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{url}/plots/{small}/image.png")  # the image cached, as on a used viewer
            for name, plot in (("10^5 bins", big), ("40 bins", small)):
                ready, image = [], []
                for _ in range(3):
                    start = time.perf_counter()
                    page.goto(f"{url}/plots/{plot}", wait_until="commit")
                    page.wait_for_function(READY, timeout=120_000)
                    ready.append(time.perf_counter() - start)
                    image.append(page.evaluate(FIRST_PAINT) / 1000)
                box = page.locator(".hf-main .u-over").bounding_box()
                hovers = []
                for k in range(30):
                    x = box["x"] + box["width"] * (0.05 + 0.03 * k)
                    before = page.evaluate(BIN)
                    start = time.perf_counter()
                    page.mouse.move(x, box["y"] + box["height"] / 2)
                    page.wait_for_function(f"() => ({BIN})() !== {json.dumps(before)}")
                    hovers.append(time.perf_counter() - start)
                rows.append(
                    [
                        name,
                        f"{statistics.median(ready):.2f} s",
                        f"{statistics.median(image):.2f} s",
                        f"{1000 * statistics.median(hovers):.0f} ms",
                    ]
                )
            browser.close()
        storage_of(app).close()
    table = md_table(
        [
            "plot",
            "chart drawn, hover ready (median of 3)",
            "first contentful paint",
            "hover response (median of 30)",
        ],
        rows,
    )
    info = md_table(["", ""], machine_info(["playwright"]))
    text = (
        f"# Interactive plot page\n\n{table}\n\nchart.json of the 10^5-bin document: "
        f"{size / 1e6:.1f} MB (9 samples and data)\n\n{info}\n"
    )
    print(text)
    write_report(HERE / "results" / "interactive.md", text)


if __name__ == "__main__":
    main()
