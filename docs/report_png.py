"""Make docs/report.png, README's picture of `funnelctl report`: the sample pipeline's
page as a desk and a phone show it, side by side, taken by the system's headless
Chromium (the one the tests drive).

    python docs/report_png.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
DESK, PHONE, HEIGHT = 1000, 390, 820

FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body{{margin:0;background:#dfe3e8;display:flex;gap:28px;padding:24px;align-items:flex-start}}
iframe{{border:0;background:#fff;box-shadow:0 4px 18px rgba(0,0,0,.18)}}
.desk{{width:{desk}px;height:{height}px;border-radius:8px}}
.phone{{width:{phone}px;height:{height}px;border-radius:28px;border:10px solid #23272b}}
</style></head><body>
<iframe class="desk" src="{page}"></iframe><iframe class="phone" src="{page}"></iframe>
</body></html>"""


def main() -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample"
        sample.mkdir()
        shutil.copy2(REPO / "stages.yaml", sample / "stages.yaml")
        shutil.copytree(REPO / "deals", sample / "deals", ignore=shutil.ignore_patterns(".*"))
        page = Path(tmp) / "review.html"
        env = {**os.environ, "FUNNELCTL_TODAY": "2026-11-24",
               "GIT_CEILING_DIRECTORIES": tmp}
        subprocess.run([sys.executable, "-m", "funnelctl", "--dir", str(sample), "report",
                        "--html", str(page)], check=True, env=env)
        frame = Path(tmp) / "frame.html"
        frame.write_text(FRAME.format(desk=DESK, phone=PHONE, height=HEIGHT,
                                      page=page.as_uri()), encoding="utf-8")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        width = 24 + DESK + 28 + PHONE + 20 + 24
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--allow-file-access-from-files", f"--window-size={width},{HEIGHT + 48}"):
            options.add_argument(arg)
        os.environ["SE_OFFLINE"] = "true"
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")),
                                  options=options)
        try:
            driver.get(frame.as_uri())
            driver.save_screenshot(str(DOCS / "report.png"))
        finally:
            driver.quit()
    print(DOCS / "report.png")


if __name__ == "__main__":
    main()
