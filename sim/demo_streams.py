"""Demo camera server: synthetic street scenes served as HTTP MJPEG on 127.0.0.1, one encode per frame."""

from __future__ import annotations

import argparse
import logging
import random
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import cv2
import numpy as np
from numpy.typing import NDArray

from core.argtypes import picture_size
from sim.stamp import draw_stamp
from video.registry import DEMO_MOTION_ZONE, Quality

_log = logging.getLogger(__name__)
_KEY = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_BOUNDARY = "tianshuframe"
_LANES = (0.27, 0.35, 0.43)


@dataclass(frozen=True, slots=True)
class _Vehicle:
    lane_y: float
    speed: float
    length: float
    phase: float
    colour: tuple[int, int, int]


class Scene:
    """One camera's synthetic street: a background rendered once, vehicles, a passer-by and a clock.

    `texture` gives the background a camera's grain (lighting, surface texture, sensor noise): a JPEG of it
    is as large as a real camera's picture of a street (640×360 at quality 80: ~40 KB, flat: ~15 KB),
    and costs a decoder about what a camera's does. Flat scenes halve the decode work, so a wall measured
    on them overstates everything but decoding (docs/benchmarks.md).
    """

    def __init__(self, key: str, width: int, height: int, *, texture: bool = True) -> None:
        seed = zlib.crc32(key.encode())
        rng = random.Random(seed)
        self.width, self.height = width, height
        self._background = _background(key, width, height, rng)
        if texture:
            self._background = _with_grain(self._background, np.random.default_rng(seed))
        self._frame = self._background.copy()
        self._dirty: list[tuple[int, int, int, int]] = []
        self._vehicles = [
            _Vehicle(
                lane_y=rng.choice(_LANES),
                speed=rng.uniform(0.08, 0.3) * rng.choice((-1, 1)),
                length=rng.uniform(0.06, 0.14),
                phase=rng.random(),
                colour=(rng.randrange(40, 256), rng.randrange(40, 256), rng.randrange(40, 256)),
            )
            for _ in range(rng.randint(3, 6))
        ]
        self._walker_period = rng.uniform(25.0, 45.0)
        self._walker_offset = rng.uniform(0.0, self._walker_period)

    def render(self, wall: float) -> NDArray[np.uint8]:
        """The frame at epoch time `wall`; the returned buffer is reused by the next call."""
        for x0, y0, x1, y1 in self._dirty:
            self._frame[y0:y1, x0:x1] = self._background[y0:y1, x0:x1]
        self._dirty.clear()
        w, h = self.width, self.height
        for v in self._vehicles:
            span = 1.0 + v.length
            x = ((v.phase + v.speed * wall) % span - v.length) * w
            self._box(int(x), int(v.lane_y * h), int(x + v.length * w), int((v.lane_y + 0.05) * h), v.colour)
        # The passer-by walks in the demo cameras' motion region, so the demo city raises a video_ai
        # discovery now and then; no traffic lane crosses it.
        walked = (wall + self._walker_offset) % self._walker_period
        if walked < 5.0:
            (zx0, zy0), (zx1, _) = DEMO_MOTION_ZONE[0], DEMO_MOTION_ZONE[2]
            px = zx0 + (zx1 - zx0 - 0.04) * walked / 5.0
            top, bottom = int((zy0 + 0.08) * h), int((zy0 + 0.3) * h)
            self._box(int(px * w), top, int((px + 0.04) * w), bottom, (40, 40, 220))
        self._clock(wall)
        draw_stamp(self._frame, wall)
        return self._frame

    def _box(self, x0: int, y0: int, x1: int, y1: int, colour: tuple[int, int, int]) -> None:
        x0, x1 = max(0, x0), min(self.width, x1)
        if x1 <= x0:
            return
        self._frame[y0:y1, x0:x1] = colour
        self._dirty.append((x0, y0, x1, y1))

    def _clock(self, wall: float) -> None:
        text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(wall)) + f".{int(wall * 1000) % 1000:03d}"
        scale = self.height / 720.0
        y1 = self.height - int(12 * scale)
        y0 = y1 - int(34 * scale)
        self._box(0, y0, int(560 * scale), self.height, (0, 0, 0))
        cv2.putText(
            self._frame, text, (int(10 * scale), y1 - int(6 * scale)), cv2.FONT_HERSHEY_SIMPLEX,
            scale, (255, 255, 255), max(1, int(2 * scale)), cv2.LINE_AA,
        )  # fmt: skip


def _background(key: str, width: int, height: int, rng: random.Random) -> NDArray[np.uint8]:
    image = np.empty((height, width, 3), np.uint8)
    image[:] = (rng.randrange(90, 140), rng.randrange(110, 150), rng.randrange(90, 130))
    image[: int(0.24 * height)] = (200, 170, 120)
    for _ in range(6):
        x = rng.uniform(0.0, 0.9)
        top = rng.uniform(0.02, 0.15)
        grey = rng.randrange(60, 200)
        image[int(top * height) : int(0.24 * height), int(x * width) : int((x + 0.1) * width)] = grey
    image[int(0.25 * height) : int(0.5 * height)] = (70, 70, 70)
    for lane in _LANES[1:]:
        image[int((lane - 0.005) * height) : int(lane * height), :: max(1, width // 40)] = (230, 230, 230)
    (zx0, zy0), (zx1, zy1) = DEMO_MOTION_ZONE[0], DEMO_MOTION_ZONE[2]
    image[int(zy0 * height) : int(zy1 * height), int(zx0 * width) : int(zx1 * width)] = (150, 160, 170)
    scale = height / 720.0
    cv2.putText(
        image, key, (int(10 * scale), int(0.2 * height)), cv2.FONT_HERSHEY_SIMPLEX,
        0.8 * scale, (20, 20, 20), max(1, int(2 * scale)), cv2.LINE_AA,
    )  # fmt: skip
    return image


def _with_grain(image: NDArray[np.uint8], rng: np.random.Generator) -> NDArray[np.uint8]:
    """`image` with what a camera adds to a street: uneven light, surface texture, sensor noise."""
    height, width = image.shape[:2]
    coarse = rng.standard_normal((height // 16 + 1, width // 16 + 1)).astype(np.float32)
    grain = 8.0 * np.asarray(cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC))
    surface = np.asarray(cv2.GaussianBlur(rng.standard_normal((height, width)).astype(np.float32), (5, 5), 0))
    grain += 6.0 * surface / max(float(surface.std()), 1e-6)
    grain += 3.0 * rng.standard_normal((height, width)).astype(np.float32)
    return np.clip(image + grain[..., None], 0, 255).astype(np.uint8)


class _Broadcast:
    """One stream: renders and encodes while at least one client watches; all clients share each JPEG.

    The scene is built by the stream's thread when the first client joins (a 1280×720 scene with grain
    takes ~25 ms; a demo city of 36 cameras has 72 streams, most never watched)."""

    def __init__(
        self, scene: Callable[[], Scene], fps: float, quality: int, wall: Callable[[], float]
    ) -> None:
        self._make_scene, self._period, self._quality, self._wall = scene, 1.0 / fps, quality, wall
        self._scene: Scene | None = None
        self._cond = threading.Condition()
        self._jpeg = b""
        self._seq = 0
        self._clients = 0
        self._running = False
        self._closed = False
        self.frozen = False
        self.encoded = 0

    def join(self) -> None:
        with self._cond:
            self._clients += 1
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="demo-stream", daemon=True).start()

    @property
    def running(self) -> bool:
        with self._cond:
            return self._running

    def leave(self) -> None:
        with self._cond:
            self._clients -= 1

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def next_frame(self, after: int, timeout: float) -> tuple[bytes, int] | None:
        """The newest JPEG after seq `after` (a slow client skips the rest); None on timeout or close."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > after or self._closed, timeout)
            if self._closed or self._seq <= after:
                return None
            return self._jpeg, self._seq

    def _run(self) -> None:
        if self._scene is None:
            self._scene = self._make_scene()
        scene = self._scene
        due = time.monotonic()
        params = [cv2.IMWRITE_JPEG_QUALITY, self._quality]
        while True:
            with self._cond:
                if self._clients <= 0 or self._closed:
                    self._running = False
                    return
                if self._cond.wait_for(lambda: self._closed, max(0.0, due - time.monotonic())):
                    continue
            due = max(due + self._period, time.monotonic() - self._period)
            if self.frozen:
                continue
            ok, jpeg = cv2.imencode(".jpg", scene.render(self._wall()), params)
            if not ok:
                continue
            with self._cond:
                self._jpeg, self._seq = jpeg.tobytes(), self._seq + 1
                self.encoded += 1
                self._cond.notify_all()


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoStreamServer


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    timeout = 10.0

    def do_GET(self) -> None:
        demo = self.server.demo
        if self.path in ("/", "/index.txt"):
            body = "\n".join(demo.url(k, q) for k in demo.keys for q in Quality).encode() + b"\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        broadcast = demo.broadcast_for_path(self.path)
        if broadcast is None:
            self.send_error(404, "no such camera stream")
            return
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={_BOUNDARY}")
        self.send_header("Cache-Control", "no-cache, no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        broadcast.join()
        seq = 0
        try:
            while not demo.closed:
                got = broadcast.next_frame(seq, timeout=1.0)
                if got is None:
                    continue
                jpeg, seq = got
                head = f"--{_BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                self.wfile.write(head.encode() + jpeg + b"\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        finally:
            broadcast.leave()

    def log_message(self, format: str, *args: object) -> None:
        _log.debug("demo stream %s: " + format, self.client_address[0], *args)


class DemoStreamServer:
    """Serves `/<key>/sub.mjpg` and `/<key>/main.mjpg` per camera key; a stream renders only while watched.

    `freeze(key)` stops a camera's frames while its connections stay open (a frozen camera), `thaw` resumes.
    """

    def __init__(
        self,
        keys: Iterable[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        sub_size: tuple[int, int] = (640, 360),
        main_size: tuple[int, int] = (1280, 720),
        fps: float = 25.0,
        jpeg_quality: int = 80,
        wall: Callable[[], float] = time.time,
        texture: bool = True,
    ) -> None:
        self.keys = tuple(keys)
        bad = [k for k in self.keys if not _KEY.match(k)]
        if bad:
            raise ValueError(f"camera keys must be 1-64 of A-Z a-z 0-9 . _ -: {bad[:3]}")
        sizes = {Quality.SUB: sub_size, Quality.MAIN: main_size}
        self._streams = {
            (key, q): _Broadcast(partial(Scene, key, *sizes[q], texture=texture), fps, jpeg_quality, wall)
            for key in self.keys
            for q in Quality
        }
        self._host = host
        self._http = _HttpServer((host, port), _Handler)
        self._http.demo = self
        self._thread: threading.Thread | None = None
        self.closed = False

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def url(self, key: str, quality: Quality = Quality.SUB) -> str:
        return f"{self.base_url}/{key}/{quality.value}.mjpg"

    def start(self) -> DemoStreamServer:
        self._thread = threading.Thread(
            target=self._http.serve_forever, args=(0.05,), name="demo-streams", daemon=True
        )
        self._thread.start()
        return self

    def broadcast_for_path(self, path: str) -> _Broadcast | None:
        parts = path.split("?", 1)[0].strip("/").split("/")
        if len(parts) != 2 or not parts[1].endswith(".mjpg"):
            return None
        try:
            quality = Quality(parts[1].removesuffix(".mjpg"))
        except ValueError:
            return None
        return self._streams.get((parts[0], quality))

    def freeze(self, key: str | None = None) -> None:
        """Stop sending new frames of `key` (all cameras if None) while keeping connections open."""
        for (k, _), stream in self._streams.items():
            if key is None or k == key:
                stream.frozen = True

    def thaw(self, key: str | None = None) -> None:
        for (k, _), stream in self._streams.items():
            if key is None or k == key:
                stream.frozen = False

    def rendering(self) -> frozenset[tuple[str, Quality]]:
        """Streams whose render thread runs now (someone watches, or the last viewer just left)."""
        return frozenset(k for k, stream in self._streams.items() if stream.running)

    def encoded_frames(self, key: str, quality: Quality = Quality.SUB) -> int:
        """How many frames of this stream were rendered and encoded (once each, however many clients)."""
        return self._streams[(key, quality)].encoded

    def close(self) -> None:
        self.closed = True
        for stream in self._streams.values():
            stream.close()
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
        self._http.server_close()

    def __enter__(self) -> DemoStreamServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.demo_streams", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8554)
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--sub", type=picture_size, default=(640, 360), help="sub-stream size WxH")
    parser.add_argument("--main", type=picture_size, default=(1280, 720), help="main-stream size WxH")
    parser.add_argument(
        "--flat", action="store_true", help="flat-coloured scenes without a camera's grain (older benchmarks)"
    )
    args = parser.parse_args(argv)
    keys = [f"cam{i + 1:02d}" for i in range(args.cameras)]
    server = DemoStreamServer(
        keys,
        host=args.host,
        port=args.port,
        sub_size=args.sub,
        main_size=args.main,
        fps=args.fps,
        texture=not args.flat,
    ).start()
    print(f"serving {len(keys)} cameras; index {server.base_url}/, e.g. {server.url(keys[0])}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
