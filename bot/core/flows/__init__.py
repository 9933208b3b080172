"""Guided walkthroughs (/object, /signup): the public names adapters and tests use.

model holds the data types and the flow-file loader, engine the transitions, render the views,
docs the facts and documents (authorities, forms, objection and complaint texts), session storage and
side effects.
"""

from bot.core.flows.engine import advance, next_step, path, start
from bot.core.flows.model import Button, Flow, Part, State, View, check, load_flow, load_flows, parse_token, token
from bot.core.flows.render import match_text, render
from bot.core.flows.session import FlowSession


def apply(flow: Flow, state: State, data: str, lang: str = "en", values: dict | None = None) -> tuple[State, View]:
    """One button press on a state: the new state and what to show (engine only: no storage, no effects)."""
    new, outcome = advance(flow, state, data)
    page = int(data.rsplit(":", 1)[1]) if outcome == "page" else None
    return new, render(flow, new, lang, values, page=page, edit=outcome in ("same", "page"))


__all__ = ["Button", "Flow", "FlowSession", "Part", "State", "View", "advance", "apply", "check", "load_flow",
           "load_flows", "match_text", "next_step", "parse_token", "path", "render", "start", "token"]
