#!/usr/bin/env python3
"""Renders DiDLab HTML reports in headless Chromium and fails on what a reader would see broken.

Usage: scripts/check-report.sh [--shots DIR] DIR-or-HTML-or-SVG...

For each report (DIR/report.html, or an .html file) at a desktop (1280 px) and a phone (390 px)
width it fails when
  - the page logs a console error or warning, throws, or a resource fails to load;
  - the page requests anything but its own file (a report is self-contained);
  - the DOM has no table, a table without header cells, a figure without an SVG, or no text;
  - the page itself scrolls sideways (tables must scroll inside their wrapper);
  - the full-page screenshot is blank (every pixel one colour).
A figure on its own (an .svg file: `estimate --plot`, `run --plot`) fails on console problems, a
root that is not a drawn <svg> at least 200 px wide, fewer than 3 texts or 5 marks, or a blank
screenshot.
Screenshots go to SHOTS (default: beside each report) as NAME-1280.png and NAME-390.png (NAME: the
file's name, or its directory's for report.html).

Only the Python standard library: Chromium is driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-terminated JSON on file descriptors 3 and 4), one browser for all
pages. Runs as root (--no-sandbox). Needs Debian's `chromium` (scripts/ensure-deps.sh --report).
"""
import base64
import json
import os
import pathlib
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

WIDTHS = [(1280, 900, False), (390, 844, True)]
TIMEOUT = 30.0


class Browser:
    """One headless Chromium, spoken to over the DevTools pipe."""

    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not exe:
            sys.exit("check-report: chromium not found; install it with scripts/ensure-deps.sh --report")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="didlab-check-report-")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--mute-audio", "--user-data-dir=" + self.profile, "about:blank"]

        def child_fds():
            # The pipe ends as fds 3 and 4, inheritable (copied high first: an end may already be 3 or 4).
            reads, writes = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        # Every other descriptor Python opened is close-on-exec (PEP 446), so close_fds=False leaks none.
        self.process = subprocess.Popen([exe] + flags, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=child_fds, close_fds=False)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Page", "Runtime", "Log", "Network"]:
            self.call(domain + ".enable", session=True)

    def send(self, method, params, session):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self.from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False):
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self.receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event, deadline):
        while True:
            for k, message in enumerate(self.events):
                if message.get("method") == event:
                    del self.events[k]
                    return
            self.events.append(self.receive(deadline))

    def close(self):
        try:
            self.send("Browser.close", {}, False)
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - closing is best effort; kill below
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_is_blank(data):
    """True when every pixel of an 8-bit, non-interlaced PNG has the colour of the first pixel.

    Decodes the first scanline, then checks that every filtered scanline is what a row of that
    colour above a row of that colour filters to (for each of the five PNG filters): no full decode.
    """
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat = 8, b""
    width = height = depth = colour = interlace = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(f"unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    bpp, stride = channels, width * channels
    raw = zlib.decompress(idat)
    if len(raw) != height * (stride + 1):
        raise ValueError("truncated PNG")
    # The first row, unfiltered (no row above it).
    kind, line = raw[0], bytearray(raw[1:stride + 1])
    for i in range(stride):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1 or kind == 4:   # Sub; Paeth with no row above predicts the left byte
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:              # Average with no row above
            line[i] = (line[i] + (left >> 1)) & 0xFF
        elif kind not in (0, 2):
            raise ValueError("bad PNG filter")
    pixel = bytes(line[:bpp])
    if bytes(line) != pixel * width:
        return False
    uniform = pixel * width
    # Filtered forms of a uniform row under a uniform row.
    expected = {0: uniform, 2: bytes(stride)}
    expected[1] = pixel + bytes(stride - bpp)
    average = bytearray(stride)
    for i in range(stride):
        left = uniform[i - bpp] if i >= bpp else 0
        average[i] = (uniform[i] - ((left + uniform[i]) >> 1)) & 0xFF
    expected[3] = bytes(average)
    paeth = bytearray(stride)
    for i in range(stride):
        a = uniform[i - bpp] if i >= bpp else 0
        b = uniform[i]
        c = uniform[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        paeth[i] = (uniform[i] - predictor) & 0xFF
    expected[4] = bytes(paeth)
    for row in range(1, height):
        start = row * (stride + 1)
        if raw[start + 1:start + 1 + stride] != expected.get(raw[start], b""):
            return False
    return True


DOM_FACTS = """(() => {
  const tables = [...document.querySelectorAll('table')];
  const figures = [...document.querySelectorAll('figure')];
  return JSON.stringify({
    lang: document.documentElement.lang,
    title: document.title,
    tables: tables.length,
    tablesWithoutHeaders: tables.filter(t => !t.querySelector('th[scope]')).length,
    tablesWithoutCaption: tables.filter(t => !t.querySelector('caption')).length,
    rows: document.querySelectorAll('tbody tr').length,
    figures: figures.length,
    figuresWithoutSvg: figures.filter(f => { const s = f.querySelector('svg'); return !s || s.getBoundingClientRect().width < 50; }).length,
    text: (document.querySelector('main') || document.body).innerText.trim().length,
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    height: Math.ceil(document.documentElement.scrollHeight),
  });
})()"""


SVG_FACTS = """(() => {
  const root = document.documentElement;
  const box = root.getBoundingClientRect();
  return JSON.stringify({
    root: root.tagName,
    svgWidth: Math.round(box.width),
    texts: document.querySelectorAll('text').length,
    marks: document.querySelectorAll('circle, line, polyline, path, rect').length,
    height: Math.ceil(box.height),
  });
})()"""


def problems_in(events, url):
    """Console errors and warnings, exceptions, failed loads and foreign requests among the events."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            found.append(f"console {params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            found.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            found.append(f"log {entry['level']}: {entry.get('text', '')} {entry.get('url', '')}".strip())
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            found.append("failed load: " + params.get("errorText", ""))
        elif method == "Network.requestWillBeSent":
            request_url = params.get("request", {}).get("url", "")
            if request_url != url and not request_url.startswith("data:"):
                found.append("requests a resource outside the page: " + request_url)
    return found


def check(browser, html, shots):
    url = html.resolve().as_uri()
    failures = []
    for width, height, mobile in WIDTHS:
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, session=True)
        browser.events.clear()
        browser.call("Page.navigate", {"url": url}, session=True)
        browser.wait_for("Page.loadEventFired", time.monotonic() + TIMEOUT)
        is_svg = html.suffix == ".svg"
        facts = json.loads(browser.call("Runtime.evaluate", {"expression": SVG_FACTS if is_svg else DOM_FACTS,
                                                             "returnByValue": True}, session=True)["result"]["value"])
        failures += [f"{width}px: {p}" for p in problems_in(browser.events, url)]
        if is_svg:  # a figure on its own (didlab estimate --plot, run --plot): drawn, labelled, not blank
            if facts["root"] != "svg" or facts["svgWidth"] < 200:
                failures.append(f"{width}px: not a drawn SVG figure (root <{facts['root']}>, {facts['svgWidth']} px wide)")
            if facts["texts"] < 3 or facts["marks"] < 5:
                failures.append(f"{width}px: an empty figure ({facts['texts']} texts, {facts['marks']} marks)")
            failures += shoot(browser, html, shots, width, min(facts["height"], 16000))
            print(f"  {width}px: figure with {facts['texts']} texts and {facts['marks']} marks")
            continue
        if not facts["lang"]:
            failures.append(f"{width}px: <html> has no lang attribute")
        if facts["tables"] == 0 or facts["rows"] == 0:
            failures.append(f"{width}px: the page has no table rows (an empty report)")
        if facts["tablesWithoutHeaders"] or facts["tablesWithoutCaption"]:
            failures.append(f"{width}px: {facts['tablesWithoutHeaders']} tables without <th scope>, "
                            f"{facts['tablesWithoutCaption']} without <caption>")
        if facts["figuresWithoutSvg"]:
            failures.append(f"{width}px: {facts['figuresWithoutSvg']} figures without a visible SVG")
        if facts["text"] < 200:
            failures.append(f"{width}px: the page has almost no text ({facts['text']} characters)")
        if facts["scrollWidth"] > facts["width"] + 1:
            failures.append(f"{width}px: the page scrolls sideways ({facts['scrollWidth']} px wide); "
                            "wide content must scroll inside its own wrapper")
        failures += shoot(browser, html, shots, width, min(facts["height"], 16000))
        print(f"  {width}px: {facts['tables']} tables, {facts['rows']} rows, {facts['figures']} figures, "
              f"{facts['height']} px tall")
    return failures


def shoot(browser, html, shots, width, height):
    """Saves the page's screenshot at `width` (DIR/report.html as DIR-1280.png, x.svg as x-1280.png);
    a failure when it is blank."""
    shot = browser.call("Page.captureScreenshot",
                        {"format": "png", "captureBeyondViewport": True,
                         "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}, session=True)
    png = base64.b64decode(shot["data"])
    name = html.parent.resolve().name if html.stem == "report" else html.stem
    target = shots / f"{name}-{width}.png"
    target.write_bytes(png)
    print(f"  screenshot -> {target}")
    return [f"{width}px: the screenshot is blank ({target})"] if png_is_blank(png) else []


def main(argv):
    shots_dir = None
    if argv[:1] == ["--shots"]:
        if len(argv) < 2:
            sys.exit("check-report: --shots needs a directory")
        shots_dir, argv = pathlib.Path(argv[1]), argv[2:]
    if not argv:
        sys.exit(__doc__.split("\n\n")[1])
    pages = []
    for arg in argv:
        path = pathlib.Path(arg)
        html = path / "report.html" if path.is_dir() else path
        if not html.is_file():
            sys.exit(f"check-report: {html}: no such file"
                     + (f"; write it with didlab report {arg}" if path.is_dir() else ""))
        pages.append(html)
    if shots_dir:
        shots_dir.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    failed = 0
    try:
        for html in pages:
            start = time.monotonic()
            print(f"{html}:")
            failures = check(browser, html, shots_dir or html.parent)
            for failure in failures:
                print(f"  FAIL {failure}")
            failed += bool(failures)
            print(f"  {'FAIL' if failures else 'ok'} ({time.monotonic() - start:.1f} s)")
    finally:
        browser.close()
    if failed:
        print(f"check-report: {failed} of {len(pages)} reports failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
