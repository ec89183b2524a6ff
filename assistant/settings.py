"""All of Lastmile's settings: environment variables prefixed `LASTMILE_`, a `.env` file, or arguments.

Defaults run fully offline with no keys. Nothing reads settings at import time: callers build a
`Settings` and pass it in.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LASTMILE_", env_file=".env", extra="ignore")

    home: Path = Field(
        default=Path(".lastmile"),
        description="Folder holding the Chroma directory and the SQLite files.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); unset = embedded store under home.",
    )
    collection: str = Field(
        default="lastmile_chunks", description="Chroma collection name (3-512 characters)."
    )
    embedding_model: str | None = Field(
        default=None,
        description="Local sentence-transformers model directory; unset = the bundled all-MiniLM-L6-v2.",
    )
    embedding_batch_size: int = Field(default=64, description="Texts embedded per forward pass.")
    chunk_words: int = Field(default=80, description="Maximum words per chunk.")
    chunk_overlap_words: int = Field(
        default=30, description="Words shared by consecutive chunks of a section."
    )
    max_file_mb: float = Field(default=20.0, description="Files larger than this are refused at ingest.")
    reranker_model: str | None = Field(
        default=None,
        description="Local sentence-transformers cross-encoder directory to rerank fused results; unset = no "
        "reranking (no cross-encoder ships with Lastmile).",
    )
    evidence_rerank: bool = Field(
        default=False,
        description="Rerank the fused top 30 chunks by the evidence scorer's best sentence per chunk mixed with "
        "the fused score (assistant/evidence_rerank.py); used instead of `reranker_model` when both are set. "
        "Off by default: docs/retrieval.md has the dev/test figures.",
    )
    top_k: int = Field(default=5, description="Passages retrieved per question.")
    retrieval_mode: str = Field(default="hybrid", description="hybrid, dense or lexical.")
    lexical_engine: Literal["memory", "fts5"] = Field(
        default="memory",
        description="BM25 engine of lexical retrieval: 'memory' (an in-memory index ranked as FTS5 ranks) "
        "or 'fts5' (SQLite FTS5, the store of record); docs/performance.md compares them.",
    )
    handoff_threshold: float = Field(
        default=0.5,
        description="Answers with confidence below this are handed to a human expert (calibrated with "
        "`lastmile eval --calibrate`: docs/answers.md).",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LASTMILE_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint; set (with a key) to let an LLM compose answers.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("LASTMILE_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible endpoint.",
    )
    llm_model: str = Field(
        default="gpt-4o-mini", description="Model name sent to the OpenAI-compatible endpoint."
    )
    llm_timeout_s: float = Field(default=60.0, description="Per-request timeout for the LLM endpoint.")
    llm_max_tokens: int = Field(
        default=400,
        description="Most tokens an LLM-composed answer may have (three or four cited sentences fit in 400; "
        "small local models are faster with less).",
    )
    intent_classifier: Literal["logreg", "llm", "keywords"] = Field(
        default="logreg",
        description=(
            "Buyer-intent classifier: logreg (the shipped model on the query embedding; the keyword "
            "placeholder if its file is missing), llm (few-shot through the configured LLM, falling back "
            "to logreg per message on any error; needs the LLM configured), keywords (placeholder)."
        ),
    )

    answer_first: bool = Field(
        default=True,
        description="Lead offline answers with the sentence the evidence scorer (assistant/models/evidence.json) "
        "finds most likely to answer (a sentence of the top passage unless another is clearly better), at most "
        "two supporting quotes, none repeating one already shown. On the dev questions: first sentence answers "
        "0.405 -> 0.595 (sample), 0.654 -> 0.731 (samsung-s10); docs/answers.md.",
    )
    calibrated_confidence: bool = Field(
        default=False,
        description="Score confidence with the calibrated model (assistant/models/confidence.json, fitted on "
        "the eval sets' dev splits by `lastmile eval --calibrate --confidence-out ...`) and, unless "
        "LASTMILE_HANDOFF_THRESHOLD is set, hand off below the threshold chosen with it on dev; off (or "
        "without the file) = the hand-set formula of assistant/confidence.py. Off by default: better on dev, "
        "but the sample baseline's groundedness falls 0.048 with it (the framing lines of the extra "
        "confirmation and confidence answers count as unsupported) and the test split fell (docs/answers.md).",
    )
    semantic_evidence: bool = Field(
        default=True,
        description="Rank candidate answer sentences by embedding similarity too (one ~10-sentence batch per "
        "turn); off = lexical overlap only, faster, slightly worse handoff decisions (docs/answers.md).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL for conversations, handoffs and users (e.g. postgresql+psycopg://...); "
        "unset = a SQLite file under home.",
    )
    knowledge_database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL for the knowledge registry and lexical index, shared by every app process "
        "(e.g. postgresql+psycopg://lastmile@db:5432/lastmile); unset = database_url when that is PostgreSQL, "
        "else a SQLite file under home.",
    )
    database_pool_size: int = Field(
        default=5,
        ge=1,
        description="Connections each process keeps open to a PostgreSQL database_url (SQLAlchemy pool_size); "
        "one per concurrent request or Streamlit session at work is enough, more only ties up the server.",
    )
    database_max_overflow: int = Field(
        default=10,
        ge=0,
        description="Connections a process may open above database_pool_size under a burst, closed after.",
    )

    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host[:port]) of the vendor's sites allowed to call the HTTP API from a "
        "browser, comma-separated or a JSON list; empty = none but the API's own pages (the /demo page).",
    )
    api_rate_limit_ip: str = Field(
        default="120/minute",
        description="Requests one client IP may make to /v1, in the `limits` notation (e.g. 120/minute). A "
        "widget polling every 4 s makes 15 a minute; 120 leaves room for several tabs behind one NAT.",
    )
    api_rate_limit_conversation: str = Field(
        default="12/minute",
        description="Messages and human requests one conversation may send (e.g. 12/minute): each message "
        "runs the whole pipeline, and no person types faster.",
    )
    api_rate_limit_storage: str = Field(
        default="memory://",
        description="Where the rate-limit counters live (a `limits` storage URL): memory:// for one API "
        "process, redis://host:6379 when several processes share the limits.",
    )
    api_max_body_bytes: int = Field(
        default=32_768,
        description="Largest request body the HTTP API reads, in bytes; larger bodies are refused with 413. "
        "A 4,000-character message is at most ~24 KB as JSON (\\uXXXX escapes), so 32 KiB never refuses one.",
    )

    @field_validator("api_cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip().rstrip("/") for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("api_rate_limit_ip", "api_rate_limit_conversation")
    @classmethod
    def _rate(cls, value: str, info: ValidationInfo) -> str:
        if value == cls.model_fields[info.field_name or ""].default:
            return value  # known good (tests/test_cli_startup.py parses it); `limits` costs ~0.1 s to import
        from limits import parse

        parse(value)  # raises ValueError with the reason for a malformed limit
        return value

    contact_consent_text: str = Field(
        default="I agree that the vendor may keep my name, work e-mail and company with this conversation, "
        "share them with its CRM and contact me about it. I can ask for them to be erased at any time.",
        description="What a buyer agrees to when leaving contact details; stored verbatim with the contact.",
    )
    webhook_url: str | None = Field(
        default=None,
        description="CRM webhook endpoint (POST, JSON) for handoff opened/replied/resolved and contact left; "
        "unset = no events are stored or sent.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret signing each webhook body (HMAC-SHA256, header X-Lastmile-Signature); "
        "required with webhook_url.",
    )
    webhook_retries: int = Field(
        default=5,
        ge=0,
        description="Further attempts after a failed webhook delivery (5xx, 408, 429, no answer).",
    )
    webhook_backoff_s: float = Field(
        default=2.0,
        gt=0,
        description="Wait before the first retry; doubled before each next one (2, 4, 8, ... seconds).",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="Per-attempt timeout of a webhook POST.")

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def knowledge_db_path(self) -> Path:
        return self.home / "knowledge.sqlite3"

    def embedded_under(self, home: Path) -> Settings:
        """These settings on the embedded stores under `home` (a throw-away eval or bench home): no Chroma
        server and no shared database, so nothing leaks into the deployment's stores."""
        return self.model_copy(
            update={"home": home, "chroma_url": None, "database_url": None, "knowledge_database_url": None}
        )

    @property
    def resolved_knowledge_database_url(self) -> str | None:
        """The PostgreSQL database of the knowledge registry and lexical index; None = the SQLite file."""
        if self.knowledge_database_url:
            return self.knowledge_database_url
        if self.database_url and self.database_url.startswith(("postgresql", "postgres")):
            return self.database_url
        return None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'lastmile.sqlite3').resolve()}"

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_base_url or self.openai_api_key)
