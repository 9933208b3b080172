"""/updates in the core: see and change the consent to campaign updates; the same record the sign-up feeds."""

from __future__ import annotations

from bot.broadcast.store import BroadcastStore
from bot.core.flows.model import Button, View
from bot.core.i18n import raw, t

ON, OFF = "upd:on", "upd:off"


def consent_version() -> str:
    """The version of the /updates consent text (knowledge/texts/updates.*.yaml), kept in each record."""
    return str(raw("en", "updates.consent_version"))


def updates_view(store: BroadcastStore, user_id: int, lang: str, note: str = "", edit: bool = False) -> View:
    """Whether the user receives updates, what that means, and the button that changes it."""
    record = store.consent_of(user_id)
    if record:
        text = t(lang, "updates.on", date=record["agreed"][:10], version=record["consent_version"])
        buttons = ((Button(t(lang, "updates.buttons.off"), OFF),),)
    else:
        text = t(lang, "updates.off", version=consent_version())
        buttons = ((Button(t(lang, "updates.buttons.on"), ON),),)
    return View(text=f"{note}\n\n{text}" if note else text, buttons=buttons, edit=edit)


def change(store: BroadcastStore, user_id: int, lang: str, action: str) -> View:
    """A button press or `/updates on|off`: agree under the current text version, or withdraw."""
    if action == ON:
        store.give_consent(user_id, lang, "updates", consent_version())
        note = t(lang, "updates.agreed")
    elif action == OFF:
        note = t(lang, "updates.withdrawn" if store.withdraw_consent(user_id) else "updates.was_off")
    else:
        return View(toast=t(lang, "bot.stale_button"))
    return updates_view(store, user_id, lang, note=note, edit=True)

