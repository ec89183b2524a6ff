"""The composition root: the only place implementations are chosen and built from `Settings`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.composition import Composer, FallbackComposer
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
from assistant.tuning import DEFAULT_TUNING, Tuning
from ingest.sync import Syncer
from knowledge.base import KnowledgeBase
from knowledge.chroma_index import ChromaIndex
from knowledge.embedder import Embedder, SentenceTransformerEmbedder
from knowledge.reranker import build_reranker
from knowledge.retriever import HybridRetriever
from knowledge.store_db import KnowledgeDB


def build_knowledge(settings: Settings, *, embedder: Embedder | None = None) -> KnowledgeBase:
    """The knowledge base under settings.home (or on a Chroma server); `embedder` reuses a loaded model."""
    settings.home.mkdir(parents=True, exist_ok=True)
    embedder = embedder or SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size
    )
    dense = ChromaIndex(
        path=None if settings.chroma_url else str(settings.chroma_path),
        url=settings.chroma_url,
        collection=settings.collection,
    )
    return KnowledgeBase(embedder=embedder, dense=dense, db=KnowledgeDB(settings.knowledge_db_path))


def build_chat_model(
    settings: Settings, *, max_tokens: int, max_retries: int, streaming: bool = False
) -> Any:
    """LangChain's ChatOpenAI on the configured OpenAI-compatible endpoint (the only place it is built)."""
    from langchain_openai import ChatOpenAI

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=key or "not-needed",  # local OpenAI-compatible servers accept any key
        model=settings.llm_model,
        temperature=0,
        timeout=settings.llm_timeout_s,
        max_retries=max_retries,
        max_tokens=max_tokens,
        streaming=streaming,
    )


ANSWER_RETRIES = 1  # one retry, then the extractive composer answers this turn


def build_composer(settings: Settings, *, tuning: Tuning = DEFAULT_TUNING) -> Composer:
    """The extractive composer offline; with an LLM configured, the LLM first and extractive on failure."""
    extractive = ExtractiveComposer(tuning)
    if not settings.llm_configured:
        return extractive
    chat = build_chat_model(
        settings, max_tokens=settings.llm_max_tokens, max_retries=ANSWER_RETRIES, streaming=True
    )
    return FallbackComposer(OpenAIComposer(chat, model=settings.llm_model), extractive)


def build_intent_classifier(
    settings: Settings, embedder: Embedder, *, model_path: Path = DEFAULT_MODEL_PATH
) -> IntentClassifier:
    """The trained model when its file exists, else the keyword placeholder; the LLM one when chosen."""
    if settings.intent_classifier == "keywords" or not model_path.exists():
        return KeywordIntentClassifier()
    trained = LogRegIntentClassifier.load(model_path, embedder)
    if settings.intent_classifier == "llm" and settings.llm_configured:
        from assistant.intent_llm import LLMIntentClassifier

        # A slow or failing endpoint costs one try, then the embedding model answers; a reply is a small JSON.
        chat = build_chat_model(settings, max_tokens=120, max_retries=0)
        return LLMIntentClassifier(chat, model=settings.llm_model, fallback=trained)
    return trained


def build_syncer(settings: Settings, kb: KnowledgeBase) -> Syncer:
    """The one ingest setup: chunk sizes and the file size limit from settings."""
    return Syncer(
        kb,
        max_words=settings.chunk_words,
        overlap_words=settings.chunk_overlap_words,
        max_file_bytes=int(settings.max_file_mb * 1024 * 1024),
    )


def build_retriever(settings: Settings, kb: KnowledgeBase) -> HybridRetriever:
    return HybridRetriever(kb, reranker=build_reranker(settings.reranker_model))


def build_assistant(settings: Settings, kb: KnowledgeBase | None = None) -> Assistant:
    kb = kb or build_knowledge(settings)
    return Assistant(
        retriever=build_retriever(settings, kb),
        embedder=kb.embedder,
        vocabulary=kb.lexical,
        classifier=build_intent_classifier(settings, kb.embedder),
        composer=build_composer(settings),
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
