"""The composition root: the only place implementations are chosen and built from `Settings`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.deals.events import EventSink
from assistant.extractive import ExtractiveComposer
from assistant.intent_model import DEFAULT_MODEL_PATH, LogRegIntentClassifier
from assistant.intents import IntentClassifier, KeywordIntentClassifier
from assistant.llm_composer import OpenAIComposer
from assistant.pipeline import Assistant
from assistant.rep_desk import RepDesk
from assistant.service import ChatService
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore
from assistant.storage.database import Database
from assistant.storage.handoffs import HandoffStore
from knowledge.base import KnowledgeBase
from knowledge.chroma_index import ChromaIndex
from knowledge.embedder import Embedder, SentenceTransformerEmbedder
from knowledge.reranker import build_reranker
from knowledge.retriever import HybridRetriever
from knowledge.store_db import KnowledgeDB


def build_knowledge(settings: Settings) -> KnowledgeBase:
    settings.home.mkdir(parents=True, exist_ok=True)
    embedder = SentenceTransformerEmbedder(settings.embedding_model, batch_size=settings.embedding_batch_size)
    dense = ChromaIndex(
        path=None if settings.chroma_url else str(settings.chroma_path),
        url=settings.chroma_url,
        collection=settings.collection,
    )
    return KnowledgeBase(embedder=embedder, dense=dense, db=KnowledgeDB(settings.knowledge_db_path))


def build_llm_composer(settings: Settings) -> OpenAIComposer | None:
    if not settings.llm_configured:
        return None  # offline default: the extractive composer answers
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAIComposer(
        base_url=settings.openai_base_url,
        api_key=key,
        model=settings.llm_model,
        timeout_s=settings.llm_timeout_s,
    )


def build_intent_classifier(
    settings: Settings, embedder: Embedder, *, model_path: Path = DEFAULT_MODEL_PATH
) -> IntentClassifier:
    """The trained model when its file exists, else the keyword placeholder; the LLM one when chosen."""
    if settings.intent_classifier == "keywords" or not model_path.exists():
        return KeywordIntentClassifier()
    trained = LogRegIntentClassifier.load(model_path, embedder)
    if settings.intent_classifier == "llm" and settings.llm_configured:
        from assistant.intent_llm import LLMIntentClassifier

        return LLMIntentClassifier.from_settings(settings, fallback=trained)
    return trained


def build_assistant(settings: Settings, kb: KnowledgeBase | None = None) -> Assistant:
    kb = kb or build_knowledge(settings)
    return Assistant(
        retriever=HybridRetriever(kb, reranker=build_reranker(settings.reranker_model)),
        classifier=build_intent_classifier(settings, kb.embedder),
        composer=ExtractiveComposer(),
        llm_composer=build_llm_composer(settings),
        top_k=settings.top_k,
        handoff_threshold=settings.handoff_threshold,
        retrieval_mode=settings.retrieval_mode,  # type: ignore[arg-type]
        semantic_evidence=settings.semantic_evidence,
    )


@dataclass(frozen=True)
class Services:
    """Everything the UI layers use, built once per process."""

    settings: Settings
    kb: KnowledgeBase
    assistant: Assistant
    chat: ChatService
    desk: RepDesk
    handoffs: HandoffStore
    database: Database


def build_services(settings: Settings) -> Services:
    kb = build_knowledge(settings)
    assistant = build_assistant(settings, kb=kb)
    database = Database(settings.resolved_database_url)
    handoffs = HandoffStore(database)
    conversations = ConversationStore(database)
    return Services(
        settings=settings,
        kb=kb,
        assistant=assistant,
        chat=ChatService(assistant=assistant, conversations=conversations, handoffs=handoffs),
        desk=RepDesk(conversations=conversations, handoffs=handoffs),
        handoffs=handoffs,
        database=database,
    )


def build_webhook(settings: Settings, database: Database) -> EventSink:
    """The signed CRM webhook when a URL is set, else `NoEvents` (nothing stored, nothing sent)."""
    from assistant.deals.events import NoEvents
    from assistant.deals.webhooks import WebhookDispatcher, WebhookOutbox, WebhookSender

    if not settings.webhook_url:
        return NoEvents()
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        raise ValueError(
            "LASTMILE_WEBHOOK_URL is set but LASTMILE_WEBHOOK_SECRET is not: deliveries must be signed"
        )
    return WebhookDispatcher(
        outbox=WebhookOutbox(database),
        sender=WebhookSender(
            url=settings.webhook_url,
            secret=settings.webhook_secret.get_secret_value(),
            timeout_s=settings.webhook_timeout_s,
        ),
        retries=settings.webhook_retries,
        backoff_s=settings.webhook_backoff_s,
    )
