"""Clustering marks on screen: marks closer than a cell are drawn as one disc with their count."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from widgets.situation.map_marks import Floats

Indices = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True, eq=False)
class Clusters:
    """`x`, `y`: the mean screen position of each cluster's members; `count`; `members[i]` the indices
    (into the marks that were clustered) of cluster i; `label` the cluster of each mark."""

    x: Floats
    y: Floats
    count: npt.NDArray[np.int64]
    label: Indices
    members: tuple[Indices, ...]

    def __len__(self) -> int:
        return len(self.count)


def cluster(x: Floats, y: Floats, cell_px: float) -> Clusters:
    """Marks that fall in the same `cell_px` square of the screen form one cluster (one pass, O(n log n))."""
    if len(x) == 0:
        empty = np.zeros(0, dtype=np.float64)
        return Clusters(empty, empty, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.intp), ())
    cells = np.stack([np.floor(x / cell_px), np.floor(y / cell_px)], axis=1).astype(np.int64)
    _, label, count = np.unique(cells, axis=0, return_inverse=True, return_counts=True)
    label = label.reshape(-1).astype(np.intp)
    cx = np.bincount(label, weights=x) / count
    cy = np.bincount(label, weights=y) / count
    order = np.argsort(label, kind="stable")
    members = tuple(np.split(order, np.cumsum(count)[:-1]))
    return Clusters(cx, cy, count.astype(np.int64), label, members)
