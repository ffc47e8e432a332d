"""Save a camera's latest frame to a file, with the metadata a case needs to keep it as evidence."""

from __future__ import annotations

import enum
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from video.frames import Frame
from video.registry import Quality
from video.streams import StreamManager


class ImageFormat(enum.StrEnum):
    JPEG = "jpg"
    PNG = "png"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A written snapshot. `frame_time` is when the frame was decoded (epoch s), `sha256` of the file."""

    path: Path
    camera_id: str
    quality: Quality
    seq: int
    width: int
    height: int
    frame_time: float
    sha256: str


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def full_picture(frame: Frame) -> NDArray[np.uint8]:
    """The frame at stream resolution: decoded again from the camera's JPEG if the wall decoded it smaller."""
    if frame.encoded is not None:
        picture = cv2.imdecode(frame.encoded, cv2.IMREAD_COLOR)
        if picture is not None:
            return np.asarray(picture, dtype=np.uint8)
    return frame.source


def save_snapshot(
    frame: Frame, directory: Path, *, fmt: ImageFormat = ImageFormat.JPEG, jpeg_quality: int = 92
) -> Snapshot:
    """Write `frame` at stream resolution (not the tile's scaled copy) into `directory`.

    The file appears complete or not at all (written aside, then renamed), so a case never links a
    half-written image; the name carries camera, UTC frame time and sequence number.
    """
    params = [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality] if fmt is ImageFormat.JPEG else []
    picture = full_picture(frame)
    ok, encoded = cv2.imencode(f".{fmt.value}", picture, params)
    if not ok:
        raise ValueError(f"could not encode the frame of camera {frame.camera_id} as {fmt.value}")
    data = encoded.tobytes()
    stamp = (
        time.strftime("%Y%m%dT%H%M%S", time.gmtime(frame.wall_time))
        + f"{int(frame.wall_time * 1000) % 1000:03d}Z"
    )
    name = f"{_UNSAFE.sub('_', frame.camera_id)}_{stamp}_{frame.seq}.{fmt.value}"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    partial = directory / f".{name}.part"
    with open(partial, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)
    height, width = picture.shape[0], picture.shape[1]
    return Snapshot(
        path=path,
        camera_id=frame.camera_id,
        quality=frame.quality,
        seq=frame.seq,
        width=int(width),
        height=int(height),
        frame_time=frame.wall_time,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def snapshot_camera(
    manager: StreamManager, camera_id: str, directory: Path, *, fmt: ImageFormat = ImageFormat.JPEG
) -> Snapshot | None:
    """Save the camera's newest frame, from the main stream if it is open, else the sub-stream.

    None if no stream of the camera is open or none has delivered a frame yet.
    """
    frames = [manager.latest(camera_id, q) for q in (Quality.MAIN, Quality.SUB)]
    frame = next((f for f in frames if f is not None), None)
    return None if frame is None else save_snapshot(frame, directory, fmt=fmt)
