"""Clustering: every mark in exactly one cluster, counts add up, members share a cell."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from widgets.situation.map_clusters import cluster

points = st.lists(st.tuples(st.floats(-500.0, 3000.0), st.floats(-500.0, 2000.0)), max_size=300)


@given(points, st.floats(8.0, 200.0))
def test_every_mark_is_in_exactly_one_cluster_of_its_cell(
    pts: list[tuple[float, float]], cell: float
) -> None:
    x = np.array([p[0] for p in pts], dtype=np.float64)
    y = np.array([p[1] for p in pts], dtype=np.float64)

    groups = cluster(x, y, cell)

    assert int(groups.count.sum()) == len(pts)
    everyone = np.sort(np.concatenate([*groups.members, np.zeros(0, dtype=np.intp)]))
    assert everyone.tolist() == list(range(len(pts)))
    cells = set()
    for i, members in enumerate(groups.members):
        assert len(members) == groups.count[i]
        assert (groups.label[members] == i).all()
        member_cells = {(int(np.floor(x[m] / cell)), int(np.floor(y[m] / cell))) for m in members}
        assert len(member_cells) == 1
        cells |= member_cells
        # The disc sits among its members.
        assert x[members].min() - 1e-6 <= groups.x[i] <= x[members].max() + 1e-6
        assert y[members].min() - 1e-6 <= groups.y[i] <= y[members].max() + 1e-6
    assert len(cells) == len(groups)


def test_far_apart_marks_stay_single_and_close_ones_merge() -> None:
    x = np.array([10.0, 12.0, 14.0, 500.0])
    y = np.array([10.0, 11.0, 9.0, 500.0])

    groups = cluster(x, y, 56.0)

    assert sorted(groups.count.tolist()) == [1, 3]
