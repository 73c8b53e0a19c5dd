"""Governance charts as plain data and plotly figures (no request, no ORM)."""

import plotly.graph_objects as go

from . import scoring


def heat_matrix(pairs) -> list[list[int]]:
    """Counts of risks per (probability, impact): matrix[impact-1][probability-1]."""
    matrix = [[0] * 5 for _ in range(5)]
    for probability, impact in pairs:
        matrix[impact - 1][probability - 1] += 1
    return matrix


def heat_colour(probability: int, impact: int) -> str:
    return scoring.rating_colour(scoring.risk_score(probability, impact))


def power_interest_figure(stakeholders, labels) -> go.Figure:
    """Scatter of stakeholders on the influence/interest grid with the four quadrants named.

    `stakeholders`: iterable of (name, influence 1-5, interest 1-5); `labels`: dict of texts.
    Stakeholders on the same cell are fanned out slightly so every name stays readable.
    """
    seen: dict[tuple[int, int], int] = {}
    xs, ys, names, positions = [], [], [], []
    for name, influence, interest in stakeholders:
        k = seen.get((interest, influence), 0)
        seen[(interest, influence)] = k + 1
        # Fan out people on the same cell: alternate left/right, then rows, labels above/below.
        xs.append(interest + (0.22 if k % 2 else -0.22) * (1 if k else 0))
        ys.append(influence - 0.22 * (k // 2))
        names.append(name)
        positions.append("bottom center" if k % 2 else "top center")
    fig = go.Figure(
        go.Scatter(
            x=xs, y=ys, text=names, mode="markers+text", textposition=positions,
            marker={"size": 11, "color": "#2563eb"}, hovertemplate="%{text}<extra></extra>",
        )
    )
    # The quadrants split where scoring.engagement() does; each name sits centred over its side.
    split = scoring.ENGAGEMENT_SPLIT
    high_x, low_x = (split + 5.5) / 2, (0.5 + split) / 2
    quadrant_style = {"showarrow": False, "font": {"color": "#64748b", "size": 12}}
    fig.add_annotation(x=high_x, y=5.35, text=labels["manage"], **quadrant_style)
    fig.add_annotation(x=low_x, y=5.35, text=labels["satisfy"], **quadrant_style)
    fig.add_annotation(x=high_x, y=0.65, text=labels["inform"], **quadrant_style)
    fig.add_annotation(x=low_x, y=0.65, text=labels["monitor"], **quadrant_style)
    fig.add_shape(type="line", x0=split, x1=split, y0=0.5, y1=5.5, line={"color": "#cbd5e1", "dash": "dot"})
    fig.add_shape(type="line", x0=0.5, x1=5.5, y0=split, y1=split, line={"color": "#cbd5e1", "dash": "dot"})
    fig.update_layout(
        height=420, margin={"l": 50, "r": 20, "t": 20, "b": 45}, plot_bgcolor="#f8fafc",
        xaxis={"title": labels["interest"], "range": [0.5, 5.5], "dtick": 1},
        yaxis={"title": labels["influence"], "range": [0.5, 5.6], "dtick": 1},
        font={"family": "Noto Sans CJK SC, Noto Sans, sans-serif"},
    )
    return fig


def figure_html(fig: go.Figure) -> str:
    """The figure as a <div> for a page; plotly.js itself is loaded once from our static files."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})
