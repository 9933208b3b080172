"""Build and run the python-telegram-bot Application over the core."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.core.assistant import Assistant
from bot.core.i18n import raw
from bot.core.types import LANGS
from bot.errors import LegalbotError
from bot.settings import Settings
from bot.storage import Storage, open_storage
from bot.telegram.logsafety import secure_logging
from bot.telegram.services import Services

log = logging.getLogger(__name__)
MENU = ("start", "help", "object", "signup", "status", "lang", "privacy", "mydata", "forget", "human", "feedback",
        "updates")


async def _set_menus(app: Application) -> None:
    """The command menu in each language (Telegram shows the one matching the user's app language)."""
    for lang in LANGS:
        names = raw(lang, "commands")
        commands = [BotCommand(name, names[name]) for name in MENU]
        await app.bot.set_my_commands(commands, language_code=lang)
    await app.bot.set_my_commands([BotCommand(name, raw("en", "commands")[name]) for name in MENU])


def load_assistant(settings: Settings) -> Assistant | None:
    """The assistant, or None when there is no index yet (users are told it is being prepared)."""
    assistant = Assistant.from_settings(settings)
    if assistant.index.empty:
        log.warning("No knowledge index yet: users will be told it is being prepared. Run `legalbot ingest`.")
        return None
    return assistant


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    assistant: Assistant | None = None,
    storage: Storage | None = None,
) -> Application:
    """The Application with every handler; tests pass their own request, assistant and storage."""
    if settings.telegram_token is None:
        raise LegalbotError("LEGALBOT_TELEGRAM_TOKEN is not set.")
    secure_logging()
    from bot.scale.wiring import limits_for

    limits = limits_for(settings)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(f"{settings.telegram_api_url.rstrip('/')}/bot")
        .base_file_url(f"{settings.telegram_api_url.rstrip('/')}/file/bot")
        .rate_limiter(limits.rate_limiter)
        .concurrent_updates(8)
        .post_init(_set_menus)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif limits.request is not None:
        builder = builder.request(limits.request)  # the bot's calls only: getUpdates takes no claims
    app = builder.build()
    app.bot_data["services"] = Services(
        settings=settings,
        assistant=assistant,
        storage=storage or open_storage(settings.storage_target),
        flood=limits.flood,
        topics=limits.topics,
    )
    app.bot_data["text_hooks"] = []
    app.bot_data["redis"] = limits.redis
    if limits.forget_hook is not None:  # the user's limits and last topic, in memory or in Redis
        app.bot_data.setdefault("forget_hooks", []).append(limits.forget_hook)
    _register_handlers(app)
    return app


def _register_handlers(app: Application) -> None:
    """Each flow's handlers, then the catch-alls.

    Text hooks run in registration order: support's come before the walkthrough's, so a user with an open ticket
    talks to the team rather than to a waiting step.
    """
    from bot.telegram.broadcasting import start_broadcaster
    from bot.telegram.handlers import broadcast_staff, common, flows, questions, support, updates

    for module in (common, support, broadcast_staff, updates, flows, questions):
        module.register(app)
    common.register_fallbacks(app)
    start_broadcaster(app)


def run_bot(settings: Settings, webhook: str | None = None, listen: str = "0.0.0.0", port: int = 8443) -> int:
    """Run until interrupted: long polling, or a webhook when a public URL is given (a worker of many on PostgreSQL)."""
    from bot.scale.serve import run_worker, scaled

    if webhook and scaled(settings):
        return run_worker(settings, webhook, listen, port)
    app = build_application(settings, assistant=load_assistant(settings))
    log.info("Starting the bot (%s).", "webhook" if webhook else "long polling")
    if webhook:
        if settings.webhook_secret is None:
            raise LegalbotError("Webhook mode needs LEGALBOT_WEBHOOK_SECRET (Telegram sends it with every call).")
        app.run_webhook(
            listen=listen,
            port=port,
            webhook_url=webhook,
            allowed_updates=Update.ALL_TYPES,
            secret_token=settings.webhook_secret.get_secret_value(),
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
