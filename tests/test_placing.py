"""compgraph.placing: where wires run and where their numbers go, clear of the rest."""

from __future__ import annotations

import math

import pytest

from compgraph.placing import BEND, RADIUS, X_STEP, Room, place, point, route


def test_a_wire_runs_from_circle_edge_to_circle_edge_through_its_places() -> None:
    stretches = route(point((0, 0.0)), True, [point((1, 1.0))], point((2, 0.0)), 0.0)
    (last_start, last_end, bend), (first_start, first_end, _) = stretches
    assert first_start == (RADIUS, 0.0) and first_end == last_start == (X_STEP, 1.3)
    assert math.dist(last_end, point((2, 0.0))) == pytest.approx(RADIUS)
    assert bend == 0.0


def test_the_output_s_wire_runs_straight_on_and_a_repeat_bends() -> None:
    [(start, end, bend)] = route((1.0, 2.0), False, [], None, 0.5)
    assert start == (1.0, 2.0) and end == (1.0 + X_STEP * 0.75, 2.0)
    assert bend == BEND * 0.5


def test_numbers_go_at_the_middle_when_it_is_clear() -> None:
    room = Room((-5.0, -5.0, 5.0, 5.0))
    stretches = route((0.0, 0.0), False, [], (X_STEP, 0.0), 0.0)
    above, below = place(
        room, 0, stretches, [(1, (-0.1, -0.05, 0.1, 0.05)), (-1, (-0.1, -0.05, 0.1, 0.05))]
    )
    middle = (X_STEP - RADIUS) / 2
    assert above[0][0] == pytest.approx(middle) and above[0][1] > 0 > below[0][1]
    assert not room.free(above[1]) and not room.free(below[1])  # taken now


def test_numbers_slide_along_their_wire_away_from_what_is_there() -> None:
    room = Room((-5.0, -5.0, 5.0, 5.0))
    middle = (X_STEP - RADIUS) / 2
    room.take((middle - 0.3, -0.3, middle + 0.3, 0.3))  # a label at the middle
    stretches = route((0.0, 0.0), False, [], (X_STEP, 0.0), 0.0)
    [(anchor, box)] = place(room, 0, stretches, [(1, (-0.1, -0.05, 0.1, 0.05))])
    assert abs(anchor[0] - middle) > 0.3 and 0 < anchor[0] < X_STEP - RADIUS
    assert box[1] > 0  # still above its wire


def test_a_spot_no_other_wire_crosses_comes_first() -> None:
    room = Room((-5.0, -5.0, 5.0, 5.0))
    mine = route((0.0, 0.0), False, [], (X_STEP, 0.0), 0.0)
    middle = (X_STEP - RADIUS) / 2
    room.take_wire(0, mine)
    room.take_wire(1, [((middle, -2.0), (middle, 2.0), 0.0)])  # crosses mine at its middle
    [(anchor, box)] = place(room, 0, mine, [(1, (-0.1, -0.05, 0.1, 0.05))])
    assert not room.crossed(box, 0) and anchor[0] != pytest.approx(middle)


def test_a_label_stays_inside_the_drawing_and_off_circles() -> None:
    room = Room((0.0, 0.0, 1.0, 1.0))
    room.take_circle((0.5, 0.5))
    assert not room.free((0.5, 0.5, 0.6, 0.6))
    assert not room.free((0.9, 0.9, 1.1, 1.0))
    assert room.free((0.0, 0.0, 0.1, 0.1))
