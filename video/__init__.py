"""Tianshu video: capture workers, latest-frame mailboxes, stream health. No Qt."""

from __future__ import annotations

import os

# OpenCV's FFmpeg backend reads these per process environment. Measured with opencv 5.0 (docs/video.md):
# the capture options and the thread-safety switch are read at every VideoCapture open, the log level
# once when cv2 is imported, the thread count at OpenCV's first parallel call. Python imports this package
# before any of its modules, and nothing else in Tianshu imports cv2, so setting them here is early enough
# for all four. setdefault lets an operator override them from the shell.
#
# - low-latency demuxing over TCP: no packet buffering during stream analysis, no frame reordering delay;
# - without the thread-safety switch OpenCV holds one process-wide lock across open(), so a camera that
#   never answers stalls every other camera's open until its timeout;
# - at the default level OpenCV warns on every open that the lock is off, and on every timed-out open:
#   the stream's health already says so;
# - OpenCV splits each resize and colour conversion over a pool of one thread per core, on top of one
#   capture thread per stream: on two cores the hand-offs cost more than they save (16 streams: 7 % of a
#   core, docs/benchmarks.md), so each capture thread does its own frame's work.
os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp|fflags;nobuffer|flags;low_delay")
os.environ.setdefault("OPENCV_FFMPEG_IS_THREAD_SAFE", "1")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
os.environ.setdefault("OPENCV_FOR_THREADS_NUM", "1")
