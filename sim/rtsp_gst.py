"""GStreamer RTSP server of synthetic, time-stamped camera streams; runs under the system python3-gi.

Not imported by Tianshu: `sim.rtsp_server.RtspTestServer` starts it as
`/usr/bin/python3 -m sim.rtsp_gst --port 0 --streams N`, and it prints `READY <port>` once listening.
Frames are drawn in plain Python (the system interpreter has no numpy): a static I420 background, one
moving block, and the capture-time stamp of sim.stamp_code, so a reader can measure glass-to-glass time.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import gi  # type: ignore[import-not-found]

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]  # noqa: E402

from sim.stamp_code import COLS, ROWS, cell_edge, stamp_bits  # noqa: E402

_ENCODERS = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} bitrate=1000"
    " ! rtph264pay name=pay0 pt=96 config-interval=1",
    "jpeg": "jpegenc quality=80 ! rtpjpegpay name=pay0 pt=26",
}


class _Feeder:
    """Pushes frames into one media's appsrc on a GLib timer until the media goes away."""

    def __init__(self, appsrc: Any, width: int, height: int, fps: int, index: int) -> None:
        self._appsrc, self._width, self._height, self._fps = appsrc, width, height, fps
        luma = bytes(40 + (x * 160 // width + index * 23) % 160 for x in range(width))
        self._base = bytearray(luma * height + bytes([128]) * (width * height // 2))
        self._block = bytes([235]) * (width // 10)
        self._count = 0
        GLib.timeout_add(max(1, round(1000 / fps)), self._push)

    def _push(self) -> bool:
        width, height = self._width, self._height
        frame = bytearray(self._base)
        x0 = (self._count * width // (3 * self._fps)) % (width - len(self._block))
        for y in range(height // 2, height // 2 + height // 8):
            frame[y * width + x0 : y * width + x0 + len(self._block)] = self._block
        bits = stamp_bits(round(time.time() * 1000))
        for row in range(ROWS):
            cells = bits[row * COLS : (row + 1) * COLS]
            line = b"".join(
                bytes([235 if bit else 16]) * (cell_edge(col + 1, height) - cell_edge(col, height))
                for col, bit in enumerate(cells)
            )
            for y in range(cell_edge(row, height), cell_edge(row + 1, height)):
                frame[y * width : y * width + len(line)] = line
        self._count += 1
        result = self._appsrc.emit("push-buffer", Gst.Buffer.new_wrapped(bytes(frame)))
        return bool(result == Gst.FlowReturn.OK)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m sim.rtsp_gst")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--streams", type=int, default=1)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--codec", choices=sorted(_ENCODERS), default="h264")
    args = parser.parse_args(argv)
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    caps = f"video/x-raw,format=I420,width={args.width},height={args.height},framerate={args.fps}/1"
    encoder = _ENCODERS[args.codec].format(fps=args.fps)
    for index in range(args.streams):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            f"( appsrc name=src is-live=true format=time do-timestamp=true caps={caps}"
            f" ! queue leaky=downstream max-size-buffers=2 ! {encoder} )"
        )
        factory.set_shared(True)

        def configure(_factory: Any, media: Any, index: int = index) -> None:
            # The GLib timer holds the feeder until a push fails because the media was torn down.
            _Feeder(media.get_element().get_child_by_name("src"), args.width, args.height, args.fps, index)

        factory.connect("media-configure", configure)
        server.get_mount_points().add_factory(f"/cam{index}", factory)
    if server.attach(None) == 0:
        print("FAILED could not listen", flush=True)
        return 1
    print(f"READY {server.get_bound_port()}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
