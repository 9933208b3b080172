"""One user's walkthroughs: the engine plus storage and side effects, in the same words for every adapter."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from bot.broadcast.store import BroadcastStore
from bot.core.flows import docs as flow_docs
from bot.core.flows.engine import advance, effective, start
from bot.core.flows.model import Button, Flow, State, View, load_flows, parse_token, text_of
from bot.core.flows.render import match_text, render
from bot.core.i18n import raw, t
from bot.settings import Settings
from bot.storage import Storage

SWITCH, FORGET, GO = "fs:", "fg:", "go:"  # token prefixes besides the engine's own "fl:"


def _plain(value: Any) -> str:
    """A stored value as text (structures as JSON)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


class FlowSession:
    """What a user can do with walkthroughs; each method returns the Views to show, in order."""

    def __init__(self, storage: Storage, settings: Settings, user_id: int, lang: str) -> None:
        self.storage, self.settings, self.user_id, self.lang = storage, settings, user_id, lang
        self.flows: dict[str, Flow] = load_flows(settings.knowledge_dir / "flows")

    def _t(self, key: str, **values: Any) -> str:
        """A conversation text in the user's language."""
        return t(self.lang, key, **values)

    def state(self) -> State | None:
        """The walkthrough in progress, if its flow and step still exist (the NGO may have edited the file)."""
        row = self.storage.load_flow(self.user_id)
        if row is None or row["flow"] not in self.flows or row["step"] not in self.flows[row["flow"]].steps:
            return None
        return State(row["flow"], row["step"], row["answers"], tuple(row["history"]))

    def _busy(self, state: State | None) -> bool:
        """True while a walkthrough expects answers (a halt step, such as 'not eligible', does not)."""
        return state is not None and not self.flows[state.flow].steps[state.step].get("halt")

    def _show(self, state: State, note: str = "", page: int | None = None, edit: bool = False,
              extra: dict[str, Any] | None = None) -> View:
        """Render a state with the facts and documents its answers call for."""
        flow = self.flows[state.flow]
        values = flow_docs.values(flow, effective(flow, state.answers), self.lang, self.settings, extra)
        return render(flow, state, self.lang, values, note, page, edit)

    def _title(self, flow_id: str) -> str:
        """A flow's name in a sentence ('the objection walkthrough')."""
        return text_of(self.flows[flow_id].data["title"], self.lang)

    # --- starting, answering, leaving
    def start(self, flow_id: str) -> list[View]:
        """/object or /signup: a fresh start, a resume, or the question whether to switch."""
        if flow_id not in self.flows:
            return [View(text=self._t("bot.flow_coming"))]
        record = self.storage.signup_of(self.user_id) if flow_id == "signup" else None
        if record:
            link = flow_docs.signup_link(self.settings.signup_url, record["ref"])
            return [View(text=self._t("flows.already_signed", ref=record["ref"], link=link))]
        current = self.state()
        if self._busy(current) and current is not None:
            if current.flow == flow_id:
                return [self._show(current, note=self._t("flows.resume", command=f"/{flow_id}"))]
            buttons = ((Button(self._t("flows.switch_yes"), f"{SWITCH}{flow_id}"),),
                       (Button(self._t("flows.switch_no"), f"{SWITCH}stay"),))
            text = self._t("flows.switch", current=self._title(current.flow), wanted=self._title(flow_id))
            return [View(text=text, buttons=buttons)]
        state = start(self.flows[flow_id])
        self._save(state)
        return [self._show(state)]

    def press(self, data: str) -> list[View]:
        """A button: a flow step, a progress mark, a switch or forget confirmation, or another flow."""
        if data.startswith(GO):
            return self.start(data[len(GO):])
        if data.startswith(SWITCH):
            return self._switch(data[len(SWITCH):])
        if data.startswith(FORGET):
            return self._forget(data[len(FORGET):] == "yes")
        parsed = parse_token(data)
        if parsed and parsed[2].startswith("mark:"):
            return [self._mark(parsed[0], parsed[2][len("mark:"):], data)]
        current = self.state()
        if parsed is None or current is None:
            return [View(toast=self._t("flows.ended"), edit=True)]
        if parsed[0] != current.flow:
            return [self._show(current, note=self._t("flows.stale"), edit=True)]
        state, outcome = advance(self.flows[current.flow], current, data)
        if outcome == "repeat":
            return [View(toast=self._t("flows.repeat"))]
        if outcome == "cancel":
            return [replace(self.cancel(), edit=True)]
        if outcome in ("stale", "invalid"):
            return [self._show(state, note=self._t(f"flows.{outcome}"), edit=True)]
        if outcome == "page":
            return [self._show(state, page=int(parsed[2].split(":")[1]), edit=True)]
        return [self._arrive(state, edit=True)]

    def text(self, text: str) -> list[View] | None:
        """Typed text during a walkthrough: a typed answer, else the step again; None when no flow waits."""
        current = self.state()
        if current is None or not self._busy(current):
            return None
        data = match_text(self.flows[current.flow], current, text)
        if data:
            state, _ = advance(self.flows[current.flow], current, data)
            return [self._arrive(state, edit=False)]
        return [self._show(current, note=self._t("flows.reask"))]

    def cancel(self) -> View:
        """/cancel: leave the walkthrough and drop its answers."""
        current = self.state()
        if current is None:
            return View(text=self._t("flows.nothing_to_cancel"))
        self.storage.clear_flow(self.user_id)
        return View(text=self._t("flows.cancelled", command=f"/{current.flow}"))

    def _save(self, state: State) -> None:
        """Persist the state so a restart or a long pause loses nothing."""
        self.storage.save_flow(self.user_id, state.flow, state.step, state.answers, list(state.history))

    def _arrive(self, state: State, edit: bool) -> View:
        """After a move: save, or at an end run its effect and clear the state."""
        flow = self.flows[state.flow]
        step = flow.steps[state.step]
        if not step.get("end"):
            self._save(state)
            return self._show(state, edit=edit)
        extra = self._signup(flow, state) if step.get("effect") == "signup" else {}
        self.storage.clear_flow(self.user_id)
        self.storage.count("flow_done", flow.id)
        return self._show(state, edit=edit, extra=extra)

    def _signup(self, flow: Flow, state: State) -> dict[str, Any]:
        """Store the sign-up record once (a second confirmation changes nothing); its ref and link."""
        existing = self.storage.signup_of(self.user_id)
        ref = existing["ref"] if existing else ""
        while not ref:
            candidate = flow_docs.new_ref()
            record = flow_docs.signup_record(flow, effective(flow, state.answers), self.user_id, candidate)
            if self.storage.add_signup(record):
                ref = candidate
                if record["contact_ok"]:  # "May the association contact you here?" is the /updates consent
                    BroadcastStore(self.storage.db).give_consent(self.user_id, self.lang, "signup",
                                                                 record["consent_version"])
            elif (existing := self.storage.signup_of(self.user_id)) is not None:
                ref = existing["ref"]  # a concurrent confirmation won the race
        return {"ref": ref, "signup_link": flow_docs.signup_link(self.settings.signup_url, ref)}

    def _mark(self, flow_id: str, item: str, data: str) -> View:
        """A "Done" button: record progress (works long after the walkthrough ended)."""
        flow = self.flows.get(flow_id)
        if flow is None or item not in flow.data.get("marks", []):
            return View(toast=self._t("flows.ended"))
        self.storage.mark_done(self.user_id, f"{flow_id}:{item}")
        name = text_of(flow_docs.platforms(flow.root)["platforms"][item]["name"], self.lang)
        button = Button(self._t("flows.marked_button", name=name), data)
        return View(toast=self._t("flows.marked", name=name), buttons=((button,),), edit=True)

    def _switch(self, target: str) -> list[View]:
        """The answer to 'switch walkthroughs?'."""
        current = self.state()
        if target == "stay" or target not in self.flows:
            if current is None:
                return [View(toast=self._t("flows.ended"), edit=True)]
            return [self._show(current, note=self._t("flows.kept"), edit=True)]
        self.storage.clear_flow(self.user_id)
        views = self.start(target)
        return [replace(views[0], edit=True), *views[1:]]

    # --- the user's data
    def status(self) -> View:
        """/status: objection progress per platform, the sign-up, a walkthrough in progress."""
        done = self.storage.progress(self.user_id)
        lines = [self._t("flows.status.title")]
        flow = self.flows.get("object")
        for item in flow.data.get("marks", []) if flow else []:
            name = text_of(flow_docs.platforms(flow.root)["platforms"][item]["name"], self.lang)
            when = done.get(f"object:{item}")
            lines.append(self._t("flows.status.done", name=name, date=when[:10]) if when
                         else self._t("flows.status.open", name=name))
        record = self.storage.signup_of(self.user_id)
        lines.append(self._t("flows.status.signed", ref=record["ref"], date=record["created"][:10]) if record
                     else self._t("flows.status.not_signed"))
        current = self.state()
        if self._busy(current) and current is not None:
            lines.append(self._t("flows.status.in_progress", title=self._title(current.flow),
                                 command=f"/{current.flow}"))
        return View(text="\n".join(lines))

    def mydata(self) -> View:
        """/mydata: every row stored about the user, table by table."""
        names = raw(self.lang, "flows.mydata.tables")
        blocks = []
        for table, rows in self.storage.mydata(self.user_id).items():
            for row in rows:
                fields = [f"  {key}: {_plain(value)}" for key, value in row.items()]
                blocks.append("\n".join([names.get(table, table), *fields]))
        if not blocks:
            return View(text=self._t("flows.mydata.empty"))
        return View(text="\n\n".join([self._t("flows.mydata.title"), *blocks, self._t("flows.mydata.footer")]))

    def forget_question(self) -> View:
        """/forget: ask before erasing anything."""
        buttons = ((Button(self._t("flows.forget.yes"), f"{FORGET}yes"),),
                   (Button(self._t("flows.forget.no"), f"{FORGET}no"),))
        return View(text=self._t("flows.forget.ask"), buttons=buttons)

    def _forget(self, confirmed: bool) -> list[View]:
        """Erase every row about the user, or keep everything and go on where they were."""
        if confirmed:
            self.storage.forget(self.user_id)
            return [View(text=self._t("flows.forget.done"), edit=True)]
        views = [View(text=self._t("flows.forget.kept"), edit=True)]
        current = self.state()
        if self._busy(current) and current is not None:
            views.append(self._show(current))
        return views
