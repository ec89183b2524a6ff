"""The composition root: the only place implementations are chosen and built from `Settings`."""

from __future__ import annotations

from assistant.extractive import ExtractiveComposer
from assistant.intents import KeywordIntentClassifier
from assistant.pipeline import Assistant
from assistant.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.chroma_index import ChromaIndex
from knowledge.embedder import SentenceTransformerEmbedder
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


def build_assistant(settings: Settings, kb: KnowledgeBase | None = None) -> Assistant:
    kb = kb or build_knowledge(settings)
    return Assistant(
        retriever=HybridRetriever(kb),
        classifier=KeywordIntentClassifier(),
        composer=ExtractiveComposer(),
        top_k=settings.top_k,
        handoff_threshold=settings.handoff_threshold,
        retrieval_mode=settings.retrieval_mode,  # type: ignore[arg-type]
    )
