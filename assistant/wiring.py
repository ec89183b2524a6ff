"""The composition root: the only place implementations are chosen and built from `Settings`."""

from __future__ import annotations

from pathlib import Path

from assistant.extractive import ExtractiveComposer
from assistant.intent_model import DEFAULT_MODEL_PATH, LogRegIntentClassifier
from assistant.intents import IntentClassifier, KeywordIntentClassifier
from assistant.pipeline import Assistant
from assistant.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.chroma_index import ChromaIndex
from knowledge.embedder import Embedder, SentenceTransformerEmbedder
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
        retriever=HybridRetriever(kb),
        classifier=build_intent_classifier(settings, kb.embedder),
        composer=ExtractiveComposer(),
        top_k=settings.top_k,
        handoff_threshold=settings.handoff_threshold,
        retrieval_mode=settings.retrieval_mode,  # type: ignore[arg-type]
    )
