"""Insights (role rep or admin): the intent mix over time, answered vs handed-off turns, the confidence
histogram and the top knowledge gaps, from the stored answers and handoffs; then, per segment (landing
page, referrer, UTM, company size, industry) and per landing page, the answered, handed-off, contact-left
and rep-resolved rates with their counts and 95% intervals, and the claims most often left undocumented.
Segment values and claims are visitor input: they are shown in tables, never as Markdown."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from assistant.deals.desk import DIMENSIONS, Rate, SegmentRow
from assistant.knowledge_admin import AnsweredTurn
from ui.auth import require_role
from ui.resources import get_services

PERIODS = {"last 7 days": 7, "last 30 days": 30, "last 90 days": 90, "all time": None}
NO_INTENT = "(none)"
GAP_LABEL_CHARS = 60

require_role("rep", "admin")  # stops here for anyone else
services = get_services()


def turns_frame(turns: list[AnsweredTurn]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "time": [t.created_at for t in turns],
            "confidence": [t.confidence for t in turns],
            "outcome": ["handed off" if t.handoff else "answered" for t in turns],
            "intents": [list(t.intents) or [NO_INTENT] for t in turns],
        }
    )
    span = frame["time"].max() - frame["time"].min()
    hourly = span <= timedelta(days=2)
    # Buckets as ordered labels: one bar per hour (short periods) or per day, however few there are.
    frame["bucket"] = (
        frame["time"].dt.floor("h" if hourly else "D").dt.strftime("%Y-%m-%d %H:00" if hourly else "%Y-%m-%d")
    )
    return frame


def intent_mix(frame: pd.DataFrame) -> None:
    st.subheader("Intent mix over time")
    intents = (
        frame.explode("intents").groupby(["bucket", "intents"]).size().rename("turns").reset_index()
    )  # a turn may carry several
    chart = (
        alt.Chart(intents)
        .mark_bar()
        .encode(
            x=alt.X("bucket:O", title=None, sort=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("turns:Q", title="intent tags", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("intents:N", title="intent"),
            tooltip=["bucket:O", "intents:N", "turns:Q"],
        )
    )
    st.altair_chart(chart)


def outcomes(frame: pd.DataFrame) -> None:
    st.subheader("Answered vs handed off")
    counts = frame.groupby(["bucket", "outcome"]).size().rename("turns").reset_index()
    chart = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("bucket:O", title=None, sort=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("turns:Q", stack="normalize", title="share of turns", axis=alt.Axis(format="%")),
            color=alt.Color(
                "outcome:N", scale=alt.Scale(domain=["answered", "handed off"], range=["#4c9f70", "#e08a3c"])
            ),
            tooltip=["bucket:O", "outcome:N", "turns:Q"],
        )
    )
    st.altair_chart(chart)


def confidence_histogram(frame: pd.DataFrame) -> None:
    st.subheader("Confidence")
    threshold = services.settings.handoff_threshold
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("confidence:Q", bin=alt.Bin(extent=[0, 1], step=0.05), title="confidence"),
            y=alt.Y("count():Q", title="turns", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "outcome:N", scale=alt.Scale(domain=["answered", "handed off"], range=["#4c9f70", "#e08a3c"])
            ),
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [threshold]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(x="threshold:Q")
    )
    st.altair_chart(bars + rule)
    st.caption(f"Dashed line: the handoff threshold ({threshold:.2f}).")


def top_gaps(days: int | None) -> None:
    st.subheader("Top knowledge gaps")
    groups = services.admin.gaps(days=days)[:10]
    if not groups:
        st.info("No question was handed off for lack of evidence in this period.")
        return
    data = pd.DataFrame(
        {
            "question": [_short(g.example) for g in groups],
            "asked": [g.count for g in groups],
            "nearest document": [g.nearest_source for g in groups],
        }
    )
    chart = (
        alt.Chart(data)
        .mark_bar(color="#e08a3c")
        .encode(
            x=alt.X("asked:Q", title="times asked", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("question:N", sort="-x", title=None, axis=alt.Axis(labelLimit=420)),
            tooltip=["question:N", "asked:Q", "nearest document:N"],
        )
    )
    st.altair_chart(chart)


SEGMENT_LABELS = {
    "landing_page": "landing page", "referrer": "referrer", "utm_source": "UTM source",
    "utm_medium": "UTM medium", "utm_campaign": "UTM campaign", "utm_term": "UTM term",
    "utm_content": "UTM content", "company_size": "company size", "industry": "industry",
}  # fmt: skip


def rate_cell(rate: Rate) -> str:
    """A rate with what it counts and its 95% Wilson interval: "50% (3/6; 19% to 81%)"."""
    if not rate.trials:
        return "- (0/0)"
    return f"{rate.value:.0%} ({rate.successes}/{rate.trials}; {rate.low:.0%} to {rate.high:.0%})"


def segment_table(rows: list[SegmentRow], label: str) -> None:
    st.dataframe(
        [
            {
                label: row.segment,
                "conversations": row.conversations,
                "answered": rate_cell(row.answered),
                "handed off": rate_cell(row.handed_off),
                "contact left": rate_cell(row.contact_left),
                "rep resolved": rate_cell(row.rep_resolved),
            }
            for row in rows
        ],
        hide_index=True,
    )
    claims = [
        {label: row.segment, "undocumented claim": claim.text, "conversations": claim.count}
        for row in rows
        for claim in row.top_undocumented
    ]
    if claims:
        st.caption("Claims the documents left undocumented, most asked first")
        st.dataframe(
            claims,
            hide_index=True,
            column_config={"undocumented claim": st.column_config.TextColumn(width="large")},
        )


def segments(days: int | None) -> None:
    st.subheader("Segments")
    st.caption(
        "Answered: answers given without handing off, of all answers. Handed off, contact left: of all "
        "conversations. Rep resolved: of all handoffs. Each with its counts and 95% interval."
    )
    by = st.selectbox(
        "Segment by", DIMENSIONS, index=DIMENSIONS.index("utm_source"), format_func=SEGMENT_LABELS.get
    )
    segment_table(services.deals.segments(by=by, days=days), SEGMENT_LABELS[by])
    st.subheader("Landing pages")
    segment_table(services.deals.pages(days=days), "landing page")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= GAP_LABEL_CHARS else text[: GAP_LABEL_CHARS - 1] + "…"


st.title("Insights")
period = st.segmented_control("Period", list(PERIODS), default="last 30 days")
days = PERIODS[period or "all time"]
turns = services.admin.turns(days=days)
if not turns:
    st.info("No buyer questions in this period yet.")
    st.stop()

frame = turns_frame(turns)
handed_off = int((frame["outcome"] == "handed off").sum())
metrics = st.columns(4)
metrics[0].metric("Buyer questions", len(frame))
metrics[1].metric("Answered by the assistant", f"{(len(frame) - handed_off) / len(frame):.0%}")
metrics[2].metric("Handed off to an expert", f"{handed_off / len(frame):.0%}", help=f"{handed_off} turns")
metrics[3].metric("Median confidence", f"{frame['confidence'].median():.2f}")
left, right = st.columns(2, gap="large")
with left:
    intent_mix(frame)
    confidence_histogram(frame)
with right:
    outcomes(frame)
    top_gaps(days)
segments(days)
