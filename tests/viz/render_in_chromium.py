#!/usr/bin/env python3
"""Renders Strider's pictures in headless Chromium and checks the pixels.

  svg      `strider draw` writes an animated SVG; Chromium plays it (SMIL, no script). At chosen
           moments the test pauses the document clock, takes a screenshot and checks that the
           cells the SVG shows in that frame (the window's taps, the output being written) have
           the highlight colour and the other input cells do not. The frame count is checked
           against the output positions `strider shape` reports.
  chart    tests/viz/chart_sample.cpp writes a chart as SVG and PNG with the pixel centre and
           colour of each marker and of points on its lines; the test checks that Chromium's
           rendering of the SVG and the PNG both show those colours there, and that the SVG
           declares each marker in its colour.
  explore  `strider explore` writes the HTML page; the test checks its numbers against
           `strider shape --json`, checks pixels of the picture, then drives controls (a key press
           on the stride slider, a click on an output cell) and checks that numbers and picture
           follow.

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe), so the test
needs only the Python standard library. Exit status 0: passed, 1: failed (a missing Chromium is a
failure too: scripts/install-deps.sh installs Debian's).
"""

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib

TIMEOUT_S = 60


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def decode_png(data):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width = int.from_bytes(body[0:4], "big")
            height = int.from_bytes(body[4:8], "big")
            depth, color = body[8], body[9]
            check(depth == 8 and color in (2, 6) and body[12] == 0,
                  f"unexpected PNG format: depth {depth}, colour type {color}")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def hex_color(text):
    text = text.strip()
    if text.startswith("rgb("):
        return tuple(int(v) for v in text[4:-1].split(","))
    return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))


def close(a, b, tolerance=3):
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


class Chromium:
    """One headless Chromium with one page, driven over the DevTools pipe (fds 3 and 4)."""

    def __init__(self, binary, width, height):
        self.profile = tempfile.mkdtemp(prefix="strider-chromium-")
        to_child, from_child = os.pipe(), os.pipe()
        # Numbers >= 10 so that placing them on 3 and 4 in the child cannot clobber one another.
        child_in = fcntl.fcntl(to_child[0], fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_child[1], fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child[0])
        os.close(from_child[1])

        def place_pipes():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [binary, "--headless", "--remote-debugging-pipe", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--force-color-profile=srgb", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank"]
        if os.geteuid() == 0 or os.environ.get("CI"):
            # Chromium refuses to sandbox as root, and CI containers often lack the namespaces
            # its sandbox needs; the pages opened here are files this test wrote.
            args.insert(1, "--no-sandbox")
        self.log_path = os.path.join(self.profile, "chromium.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, preexec_fn=place_pipes, close_fds=False,
                                            stdout=subprocess.DEVNULL, stderr=log)
        os.close(child_in)
        os.close(child_out)
        self.write_fd, self.read_fd = to_child[1], from_child[0]
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None
        self.size = (width, height)

    def connect(self):
        """Opens the page every test uses, at a fixed size and one pixel per CSS pixel."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.size[0], "height": self.size[1], "deviceScaleFactor": 1,
                   "mobile": False},
                  session=True)

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            check(left > 0, "Chromium did not answer in time")
            ready, _, _ = select.select([self.read_fd], [], [], left)
            if ready:
                chunk = os.read(self.read_fd, 1 << 16)
                check(chunk, "Chromium closed the DevTools pipe")
                self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=False):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self.next_id:
                check("error" not in reply, f"{method}: {reply.get('error')}")
                return reply["result"]
            self.events.append(reply)

    def wait_event(self, method):
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    del self.events[i]
                    return event
            self.events.append(self._read_message(deadline))

    def open(self, path):
        self.events.clear()
        self.call("Page.navigate", {"url": "file://" + os.path.abspath(path)}, session=True)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session=True)
        check("exceptionDetails" not in result, f"script failed: {result.get('exceptionDetails')}")
        return result["result"].get("value")

    def settle(self):
        """Waits until what the page changed has been painted."""
        self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def screenshot(self, selector):
        """The pixels of the element `selector`; coordinates stay the page's (decoding in Python
        is slow, so only that element's box is captured)."""
        box = self.evaluate(f"(() => {{ const b = document.querySelector('{selector}')"
                            f".getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }})()")
        x, y = int(box[0]), int(box[1])
        clip = {"x": x, "y": y, "width": int(box[2]) + 1, "height": int(box[3]) + 1, "scale": 1}
        data = self.call("Page.captureScreenshot", {"format": "png", "clip": clip},
                         session=True)["data"]
        return x, y, decode_png(base64.b64decode(data))

    def key(self, key, code, key_code):
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                 "windowsVirtualKeyCode": key_code}, session=True)

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1},
                      session=True)

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        self.process.kill()
        self.process.wait()
        os.close(self.write_fd)
        os.close(self.read_fd)
        shutil.rmtree(self.profile, ignore_errors=True)


def strider(cli, *args):
    run = subprocess.run([cli, *args], capture_output=True, text=True)
    check(run.returncode == 0, f"strider {' '.join(args)} failed: {run.stderr}")
    return run.stdout


def pixel(shot, x, y):
    """The pixel at page coordinates (x, y) of a screenshot."""
    left, top, (_, _, rows) = shot
    return rows[int(y) - top][int(x) - left]


SVG_NS = "{http://www.w3.org/2000/svg}"


def frame_groups(root):
    """{frame: [(class, (row, col), x, y, fill)]} of the rects shown in exactly one frame."""
    groups = {}
    for g in root.iter(SVG_NS + "g"):
        frames = g.get("data-frames")
        if not frames or frames.split("-")[0] != frames.split("-")[1]:
            continue
        rects = []
        for r in g.iter(SVG_NS + "rect"):
            cls, cell = r.get("class"), r.get("data-cell")
            if cell is None:
                continue
            rects.append((cls, tuple(int(v) for v in cell.split(",")), float(r.get("x")),
                          float(r.get("y")), hex_color(r.get("fill"))))
        groups[int(frames.split("-")[0])] = rects
    return groups


def test_svg(chromium, cli, work):
    path = os.path.join(work, "conv.svg")
    args = ["--input", "7,7", "--kernel", "3", "--strides", "2", "--padding", "same"]
    strider(cli, "draw", *args, "--frame-ms", "1000", "--out", path)
    shape = json.loads(strider(cli, "shape", "--json", "--input", "1,7,7,1", "--filters", "1",
                               *args[2:]))
    root = ET.parse(path).getroot()
    frames = int(root.get("data-frames"))
    check(frames == shape["output_shape"][1] * shape["output_shape"][2],
          f"{frames} frames, but {shape['output_shape']} has a different number of positions")
    groups = frame_groups(root)
    inputs = {}
    for r in root.iter(SVG_NS + "rect"):
        if r.get("class") == "input":
            inputs[tuple(int(v) for v in r.get("data-cell").split(","))] = (
                float(r.get("x")), float(r.get("y")), hex_color(r.get("fill")))
    check(inputs, "the SVG has no input cells")
    tap_color = (0xF2, 0x8E, 0x2B)  # palette::kTap
    chromium.open(path)
    for frame in (0, 5, frames - 1):
        chromium.evaluate(f"document.documentElement.pauseAnimations();"
                          f"document.documentElement.setCurrentTime({frame + 0.5})")
        chromium.settle()
        image = chromium.screenshot("svg")
        taps = [r for r in groups[frame] if r[0] == "tap"]
        current = [r for r in groups[frame] if r[0] == "output-current"]
        check(taps and len(current) == 1, f"frame {frame}: no taps or no current output in SVG")
        tapped = set()
        for _, cell, x, y, fill in taps:
            got = pixel(image, x + 3, y + 3)
            check(fill == tap_color, f"frame {frame}: tap {cell} is declared {fill}")
            check(close(got, tap_color), f"frame {frame}: tap {cell} shows {got}")
            tapped.add(cell)
        _, _, x, y, _ = current[0]
        check(close(pixel(image, x + 3, y + 3), tap_color),
              f"frame {frame}: the output being written is not highlighted")
        for cell, (x, y, fill) in inputs.items():
            if cell not in tapped:
                got = pixel(image, x + 3, y + 3)
                check(close(got, fill), f"frame {frame}: input {cell} shows {got}, want {fill}")
    print(f"svg: {frames} frames; frames 0, 5 and {frames - 1} render their taps in Chromium")


def test_chart(chromium, sample, work):
    run = subprocess.run([sample, work], capture_output=True, text=True)
    check(run.returncode == 0, f"chart_sample failed: {run.stderr}")
    with open(os.path.join(work, "chart.json")) as f:
        expected = json.load(f)
    markers, lines = expected["markers"], expected["lines"]
    check(len(markers) >= 5, f"the sample has {len(markers)} markers")
    check(len(lines) >= 3 and any(line["dashed"] for line in lines),
          f"the sample has {len(lines)} line points to check, none or no dashed one")
    path = os.path.join(work, "chart.svg")
    declared = {}
    for c in ET.parse(path).getroot().iter(SVG_NS + "circle"):
        if c.get("class") == "marker":
            declared[c.get("data-point")] = hex_color(c.get("fill"))
    for m in markers:
        key = f"{m['series']},{m['point']}"
        check(declared.get(key) == hex_color(m["color"]),
              f"marker {key} is declared {declared.get(key)}, want {m['color']}")
    with open(os.path.join(work, "chart.png"), "rb") as f:
        png = (0, 0, decode_png(f.read()))
    check(png[2][:2] == (expected["width"], expected["height"]),
          f"the PNG is {png[2][:2]}, the chart {expected['width']}x{expected['height']}")
    chromium.open(path)
    chromium.settle()
    shot = chromium.screenshot("svg")
    for m in markers:
        want = hex_color(m["color"])
        for name, image in (("Chromium", shot), ("the PNG", png)):
            got = pixel(image, m["x"], m["y"])
            check(close(got, want),
                  f"marker {m['series']},{m['point']} at ({m['x']:.1f}, {m['y']:.1f}) shows {got}"
                  f" in {name}, want {want}")
    # Lines are anti-aliased in Chromium: some pixel within one of the point has the colour.
    for line in lines:
        want = hex_color(line["color"])
        x, y = int(line["x"]), int(line["y"])
        check(close(pixel(png, x, y), want, 0), f"line point ({x}, {y}) in the PNG is not {want}")
        near = [pixel(shot, x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        check(any(close(got, want, 12) for got in near),
              f"line point ({x}, {y}) in Chromium shows {near[4]}, want {want}")
    print(f"chart: {len(markers)} markers and {len(lines)} line points render in Chromium and "
          f"the PNG at the same pixels")


def test_explore(chromium, cli, work):
    path = os.path.join(work, "explore.html")
    strider(cli, "explore", "--out", path)
    chromium.open(path)
    chromium.settle()

    def numbers():
        return chromium.evaluate(
            "({out: document.getElementById('out-shape').textContent,"
            " pads: document.getElementById('pads').textContent,"
            " macs: document.getElementById('macs').textContent,"
            " frame: document.getElementById('frame-text').textContent,"
            " stride: document.getElementById('s-h').value})")

    def expect_numbers(strides):
        shape = json.loads(strider(cli, "shape", "--json", "--input", "1,7,7,1", "--filters", "1",
                                   "--kernel", "3", "--strides", strides, "--padding", "same"))
        got = numbers()
        _, oh, ow, _ = shape["output_shape"]
        (top, bottom), (left, right) = shape["pads"]["height"], shape["pads"]["width"]
        check(got["out"] == f"{oh} x {ow}", f"output {got['out']!r}, strider shape says {oh}x{ow}")
        check(got["pads"] == f"top {top}, bottom {bottom}, left {left}, right {right}",
              f"pads {got['pads']!r}, strider shape says {shape['pads']}")
        check(got["macs"].split(" ")[0] == str(shape["macs"]),
              f"MACs {got['macs']!r}, strider shape says {shape['macs']}")
        return got

    def cells():
        return chromium.evaluate(
            "Array.from(document.querySelectorAll('#picture rect[data-cell]')).map(e => {"
            " const b = e.getBoundingClientRect();"
            " return [e.getAttribute('class'), e.getAttribute('data-cell'), b.x, b.y,"
            "         e.getAttribute('fill')]; })")

    def expect_pixels(rows_tapped):
        image = chromium.screenshot("#picture")
        seen = set()
        for cls, cell, x, y, fill in cells():
            got = pixel(image, x + 3, y + 3)
            check(close(got, hex_color(fill)), f"{cls} cell {cell} shows {got}, want {fill}")
            if cls in ("tap", "tap-padding"):
                seen.add(int(cell.split(",")[0]))
        check(seen == rows_tapped, f"taps on canvas rows {sorted(seen)}, want {sorted(rows_tapped)}")

    got = expect_numbers("2,2")
    check(got["stride"] == "2", "the page does not start at stride 2")
    expect_pixels({0, 1, 2})
    # A key press on the height stride slider: 2 -> 3.
    chromium.evaluate("document.getElementById('s-h').focus()")
    chromium.key("ArrowRight", "ArrowRight", 39)
    chromium.settle()
    got = expect_numbers("3,2")
    check(got["stride"] == "3", f"the stride slider reads {got['stride']} after ArrowRight")
    expect_pixels({0, 1, 2})
    # A click on output cell (1, 0) moves the window: stride 3, pad 1 -> rows 2..4 of input.
    box = chromium.evaluate(
        "(() => { const b = document.querySelector('#picture rect.output[data-cell=\"1,0\"]')"
        ".getBoundingClientRect(); return [b.x + b.width / 2, b.y + b.height / 2]; })()")
    chromium.click(*box)
    chromium.settle()
    got = numbers()
    check(got["frame"].startswith("output (1, 0) reads rows 2..4"), f"caption {got['frame']!r}")
    expect_pixels({3, 4, 5})
    print("explore: numbers match strider shape; picture pixels, a key press and a click work")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("test", choices=["svg", "explore", "chart"])
    parser.add_argument("--cli", help="the strider binary (tests svg and explore)")
    parser.add_argument("--chart-sample", help="tests/viz/chart_sample.cpp's binary (test chart)")
    parser.add_argument("--chromium", default="", help="the Chromium binary")
    args = parser.parse_args()
    program = args.chart_sample if args.test == "chart" else args.cli
    if not program:
        parser.error("chart needs --chart-sample" if args.test == "chart" else "--cli is required")
    binary = args.chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary or not os.path.exists(binary):
        print("FAILED: no Chromium (install Debian's chromium: scripts/install-deps.sh)")
        return 1
    work = tempfile.mkdtemp(prefix="strider-viz-")
    chromium = Chromium(binary, 1000, 900)
    try:
        chromium.connect()
        {"svg": test_svg, "explore": test_explore, "chart": test_chart}[args.test](
            chromium, program, work)
    except Failure as e:
        print(f"FAILED: {e}")
        print("Chromium's last messages:\n" + chromium.log_tail())
        return 1
    finally:
        chromium.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
