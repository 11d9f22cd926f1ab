"""socialnb.plots.layout_problems finds text over text and a legend over data (issue 14)."""

from __future__ import annotations

from matplotlib.figure import Figure

from socialnb import plots


def _figure(width: float = 4, height: float = 2.5):
    fig = Figure(figsize=(width, height), dpi=100)
    return fig, fig.subplots()


def test_crowded_tick_labels_are_found():
    fig, ax = _figure(width=2)
    names = [f"a long category name {i}" for i in range(8)]
    ax.bar(names, range(8))
    problems = plots.layout_problems(fig)
    assert any("overlaps text 'a long category name" in p for p in problems), problems


def test_the_same_labels_with_room_are_fine():
    fig, ax = _figure(height=4)
    names = [f"a long category name {i}" for i in range(8)]
    ax.barh(names, range(8))
    fig.tight_layout()
    assert plots.layout_problems(fig) == []


def test_a_legend_over_the_points_of_a_line_is_found_and_one_outside_is_not():
    fig, ax = _figure()
    ax.plot(range(10), [5] * 10, marker="o", label="followers")
    ax.legend(loc="center")
    assert plots.layout_problems(fig) == ["legend covers line followers of the axes ''"]
    ax.get_legend().remove()
    fig.legend(loc="outside lower center")
    fig.set_layout_engine("constrained")
    assert plots.layout_problems(fig) == []


def test_a_legend_over_bars_is_found():
    fig, ax = _figure()
    ax.bar(["a", "b", "c"], [3, 3, 3], label="posts")
    ax.set_title("Posts")
    ax.legend(loc="center")
    assert plots.layout_problems(fig) == ["legend covers bar of the axes 'Posts'"]


def test_reference_lines_and_hidden_texts_are_not_data_or_text():
    fig, ax = _figure()
    ax.plot([0, 1], [0, 1], label="rate")
    ax.axvline(0.9, ls="--")  # a reference line drawn across the axes, not data
    ax.legend(loc="upper center")
    ax.text(0.5, 0.5, "hidden", visible=False)
    ax.text(0.5, 0.5, "hidden too")
    assert plots.layout_problems(fig) == []


def test_ticks_outside_the_view_are_not_counted():
    fig, ax = _figure()
    ax.plot([0, 10], [0, 1])
    ax.set_xticks(range(-50, 60, 5))  # most of them fall outside the view
    ax.set_xlim(0, 10)
    assert plots.layout_problems(fig) == []


def test_turned_labels_are_compared_by_their_own_outline():
    fig, ax = _figure(width=6, height=3)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    ax.plot(months, range(12))
    ax.tick_params(axis="x", rotation=45)  # upright boxes would touch; the turned texts do not
    fig.tight_layout()
    assert plots.layout_problems(fig) == []
    ax.tick_params(axis="x", rotation=10, labelsize=14)  # nearly flat and large: they clash
    assert any("overlaps text '2026-" in p for p in plots.layout_problems(fig))
