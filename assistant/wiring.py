"""The composition root: the only place implementations are chosen and built from `Settings`.

Nothing is built at import time, and nothing outside this module builds a store, a syncer or a model
client. The surfaces (ui/) take their services from here: `build_services` for the whole stack (the app),
`build_desk`, `build_admin` and `build_accounts` for commands that need only part of it. Parts a command
may never use (the embedding model, a reranker, the SQL database) are built on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import Settings
from knowledge.damage import DamagedDatabase as DamagedDatabase  # re-exported: the surfaces report it

# Every implementation is imported by the builder that builds it, so a command pays only for what it opens:
# `users list` needs the SQL database alone, `kb list` no answering pipeline, numpy or model code, and
# `--help` nothing at all (issue #16: commands that need no model start in under a second).
if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from assistant.accounts import StaffAccounts
    from assistant.composition import Composer
    from assistant.confidence_model import ConfidenceModel
    from assistant.deals.desk import DealDesk
    from assistant.deals.events import EventSink
    from assistant.deals.hooks import DealHooks
    from assistant.evidence_scorer import EvidenceScorer
    from assistant.intent_llm import LLMIntentClassifier
    from assistant.intents import IntentClassifier
    from assistant.knowledge_admin import KnowledgeAdmin
    from assistant.pipeline import Assistant
    from assistant.rep_desk import RepDesk
    from assistant.service import ChatService
    from assistant.storage.database import Database
    from assistant.store_move import MoveReport
    from assistant.tuning import Tuning
    from ingest.sync import Syncer
    from knowledge import reranker as rerankers
    from knowledge.base import KnowledgeBase
    from knowledge.embedder import Embedder
    from knowledge.retriever import HybridRetriever


def build_embedder(settings: Settings) -> Embedder:
    from knowledge.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(settings.embedding_model, batch_size=settings.embedding_batch_size)


def build_knowledge(
    settings: Settings, *, load_model: bool = True, embedder: Embedder | None = None
) -> KnowledgeBase:
    """The knowledge stores under `settings.home` (or the Chroma server). `load_model=False` defers loading
    the embedding model to the first embedding: listing, showing and deleting documents never load it;
    `embedder` reuses a model already loaded (evals, benches)."""
    from knowledge.base import KnowledgeBase, open_knowledge_db
    from knowledge.chroma_index import ChromaIndex
    from knowledge.embedder import LazyEmbedder

    settings.home.mkdir(parents=True, exist_ok=True)
    if embedder is None:
        embedder = build_embedder(settings) if load_model else LazyEmbedder(lambda: build_embedder(settings))
    dense = ChromaIndex(
        path=None if settings.chroma_url else str(settings.chroma_path),
        url=settings.chroma_url,
        collection=settings.collection,
    )
    return KnowledgeBase(
        embedder=embedder,
        dense=dense,
        db=open_knowledge_db(settings.home, settings.resolved_knowledge_database_url),
    )


def build_syncer(settings: Settings, kb: KnowledgeBase) -> Syncer:
    """The one ingest setup (chunk sizes, file-size limit) for every way in: folders, uploads, saved replies."""
    from ingest.sync import MB, Syncer

    return Syncer(
        kb,
        max_words=settings.chunk_words,
        overlap_words=settings.chunk_overlap_words,
        max_file_bytes=int(settings.max_file_mb * MB),
    )


EVIDENCE_RERANK_CANDIDATES = 30


def build_reranker(settings: Settings, kb: KnowledgeBase | None = None) -> rerankers.Reranker | None:
    """The evidence reranker when `evidence_rerank` is on (and `kb` given), else the configured
    cross-encoder, or None (no reranking) when neither is set."""
    from knowledge import reranker as rerankers

    if settings.evidence_rerank and kb is not None:
        from assistant.evidence_rerank import EvidenceReranker

        scorer = build_evidence_scorer(kb.embedder)
        if scorer is not None:
            return EvidenceReranker(scorer, kb.sentences)
    return rerankers.build_reranker(settings.reranker_model)


def build_retriever(settings: Settings, kb: KnowledgeBase) -> HybridRetriever:
    from knowledge.retriever import DEFAULT_CANDIDATES, HybridRetriever

    # The evidence reranker was measured on the fused top 30 (evals/rerank_eval.py); else the default pool.
    candidates = EVIDENCE_RERANK_CANDIDATES if settings.evidence_rerank else DEFAULT_CANDIDATES
    return HybridRetriever(
        kb,
        candidates=candidates,
        reranker=build_reranker(settings, kb),
        lexical_engine=settings.lexical_engine,
    )


def build_database(settings: Settings) -> Database:
    """The SQL database of conversations, handoffs and users (migrated to the latest schema on open)."""
    from assistant.storage.database import Database

    settings.home.mkdir(parents=True, exist_ok=True)
    return Database(
        settings.resolved_database_url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
    )


def build_chat_model(
    settings: Settings, *, max_tokens: int, max_retries: int, streaming: bool = False
) -> ChatOpenAI:
    """LangChain's `ChatOpenAI` on the configured OpenAI-compatible endpoint, deterministic (temperature 0)."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key or SecretStr("not-needed"),  # local servers accept any key
        model=settings.llm_model,
        temperature=0,
        timeout=settings.llm_timeout_s,
        max_retries=max_retries,
        max_tokens=max_tokens,  # type: ignore[call-arg]  # the field max_tokens, aliased max_completion_tokens
        streaming=streaming,
    )


ANSWER_RETRIES = 1  # one retry, then the extractive composer answers this turn


def build_composer(settings: Settings, *, tuning: Tuning | None = None) -> Composer:
    """The extractive composer offline; with an LLM configured, the LLM first and extractive on failure.
    `tuning` defaults to the shipped one (assistant/tuning.py)."""
    from assistant.composition import FallbackComposer
    from assistant.extractive import ExtractiveComposer
    from assistant.llm_composer import OpenAIComposer
    from assistant.tuning import DEFAULT_TUNING

    extractive = ExtractiveComposer(
        tuning or DEFAULT_TUNING, collapse_repeats=settings.answer_first, lead_with_best=settings.answer_first
    )
    if not settings.llm_configured:
        return extractive
    chat = build_chat_model(
        settings, max_tokens=settings.llm_max_tokens, max_retries=ANSWER_RETRIES, streaming=True
    )
    return FallbackComposer(OpenAIComposer(chat, model=settings.llm_model), extractive)


def build_llm_intent_classifier(settings: Settings, *, fallback: IntentClassifier) -> LLMIntentClassifier:
    """Few-shot intents through the configured LLM; `fallback` answers whenever the LLM fails."""
    from assistant.intent_llm import MAX_RETRIES, MAX_TOKENS, LLMIntentClassifier

    chat = build_chat_model(settings, max_tokens=MAX_TOKENS, max_retries=MAX_RETRIES)
    return LLMIntentClassifier(chat, model=settings.llm_model, fallback=fallback)


def build_intent_classifier(
    settings: Settings, embedder: Embedder, *, model_path: Path | None = None
) -> IntentClassifier:
    """The trained model when its file exists (`model_path`, by default the shipped
    assistant/models/intents.json), else the keyword placeholder; the LLM one when chosen."""
    from assistant.intent_model import DEFAULT_MODEL_PATH, LogRegIntentClassifier
    from assistant.intents import KeywordIntentClassifier

    model_path = model_path or DEFAULT_MODEL_PATH
    if settings.intent_classifier == "keywords" or not model_path.exists():
        return KeywordIntentClassifier()
    trained = LogRegIntentClassifier.load(model_path, embedder)
    if settings.intent_classifier == "llm" and settings.llm_configured:
        return build_llm_intent_classifier(settings, fallback=trained)
    return trained


def build_evidence_scorer(embedder: Embedder) -> EvidenceScorer | None:
    """The shipped sentence-level evidence scorer (assistant/models/evidence.json); None when absent."""
    from assistant.evidence_scorer import DEFAULT_MODEL_PATH as EVIDENCE_MODEL
    from assistant.evidence_scorer import LogRegEvidenceScorer

    return LogRegEvidenceScorer.load(EVIDENCE_MODEL, embedder) if EVIDENCE_MODEL.exists() else None


def build_confidence_model(settings: Settings) -> ConfidenceModel | None:
    """The calibrated confidence model (assistant/models/confidence.json) unless the setting turns it off
    or the file is absent; None leaves the hand-set formula."""
    from assistant.confidence_model import DEFAULT_CONFIDENCE_MODEL, ConfidenceModel

    if not settings.calibrated_confidence or not DEFAULT_CONFIDENCE_MODEL.exists():
        return None
    return ConfidenceModel.load(DEFAULT_CONFIDENCE_MODEL)


def handoff_threshold(settings: Settings, model: ConfidenceModel | None) -> float:
    """The threshold set explicitly (environment, .env, argument); else the one chosen on dev with the
    calibrated model when it scores confidence; else the setting's default."""
    if model is None or "handoff_threshold" in settings.model_fields_set:
        return settings.handoff_threshold
    return model.threshold


def build_assistant(settings: Settings, kb: KnowledgeBase | None = None) -> Assistant:
    from assistant.pipeline import Assistant

    kb = kb or build_knowledge(settings)
    retriever = build_retriever(settings, kb)
    confidence_model = build_confidence_model(settings)
    return Assistant(
        retriever=retriever,
        embedder=kb.embedder,
        vocabulary=retriever.lexical,
        classifier=build_intent_classifier(settings, kb.embedder),
        composer=build_composer(settings),
        scorer=build_evidence_scorer(kb.embedder),  # confidence reads its scores even when not answer_first
        confidence_model=confidence_model,
        sentence_vectors=kb.sentences,
        top_k=settings.top_k,
        handoff_threshold=handoff_threshold(settings, confidence_model),
        retrieval_mode=settings.retrieval_mode,  # type: ignore[arg-type]
        semantic_evidence=settings.semantic_evidence,
    )


def build_deal_hooks(settings: Settings, database: Database) -> DealHooks:
    """Deal intelligence as the services feed it: briefs, contacts with the configured consent text, and
    the signed webhook when one is configured."""
    from assistant.deals.hooks import DealHooks

    return DealHooks(
        database, sink=build_webhook(settings, database), consent_text=settings.contact_consent_text
    )


def build_desk(
    settings: Settings,
    *,
    database: Database | None = None,
    kb: KnowledgeBase | None = None,
    deals: DealHooks | None = None,
) -> RepDesk:
    """The rep desk. Without `kb`, the knowledge base (and its model) is opened only to save a reply."""
    from assistant.rep_desk import RepDesk
    from assistant.storage.conversations import ConversationStore
    from assistant.storage.handoffs import HandoffStore

    database = database or build_database(settings)

    @cache
    def syncer() -> Syncer:
        return build_syncer(settings, kb or build_knowledge(settings))

    return RepDesk(
        conversations=ConversationStore(database),
        handoffs=HandoffStore(database),
        syncer=syncer,
        deals=deals or build_deal_hooks(settings, database),
    )


def build_admin(
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    retriever: HybridRetriever | None = None,
    database: Database | None = None,
) -> KnowledgeAdmin:
    """The knowledge admin. What is not given is built on first use: without `kb` the embedding model
    loads only to embed, the retriever (and a configured reranker) only to search, the SQL database only
    for the knowledge gaps and answered turns."""
    from assistant.knowledge_admin import KnowledgeAdmin

    kb = kb or build_knowledge(settings, load_model=False)

    @cache
    def search_with() -> HybridRetriever:
        return retriever or build_retriever(settings, kb)

    @cache
    def handoff_db() -> Database:
        return database or build_database(settings)

    return KnowledgeAdmin(
        kb=kb, syncer=build_syncer(settings, kb), retriever=search_with, database=handoff_db
    )


def build_accounts(settings: Settings) -> StaffAccounts:
    """Staff accounts alone: signing in and `lastmile users` load no model and no knowledge base."""
    from assistant.accounts import StaffAccounts

    return StaffAccounts(build_database(settings))


@dataclass(frozen=True)
class Services:
    """Everything the surfaces use, built once per process: one service per kind of user."""

    settings: Settings
    assistant: Assistant
    chat: ChatService  # buyers
    desk: RepDesk  # reps
    admin: KnowledgeAdmin  # product teams and admins
    deals: DealDesk  # reps and product teams: deal briefs, committees, segment insights


def build_services(settings: Settings) -> Services:
    from assistant.deals.desk import DealDesk
    from assistant.service import ChatService
    from assistant.storage.conversations import ConversationStore
    from assistant.storage.handoffs import HandoffStore

    kb = build_knowledge(settings)
    assistant = build_assistant(settings, kb=kb)
    database = build_database(settings)
    deals = build_deal_hooks(settings, database)  # one webhook sink (one delivery thread) per process
    return Services(
        settings=settings,
        assistant=assistant,
        chat=ChatService(
            assistant=assistant,
            conversations=ConversationStore(database),
            handoffs=HandoffStore(database),
            deals=deals,
        ),
        desk=build_desk(settings, database=database, kb=kb, deals=deals),
        admin=build_admin(settings, kb=kb, retriever=assistant.retriever, database=database),
        deals=DealDesk(database),
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


def build_store_move(
    settings: Settings, *, to_database: str, to_chroma: str, to_collection: str | None = None
) -> Callable[[], MoveReport]:
    """`lastmile migrate`: copies the stores `settings` name (the embedded home by default) to a PostgreSQL
    database and a Chroma server (the same collection name unless given). Nothing is embedded."""
    from assistant.store_move import move_stores

    target = settings.model_copy(
        update={
            "chroma_url": to_chroma,
            "database_url": to_database,
            "knowledge_database_url": None,
            "collection": to_collection or settings.collection,
        }
    )

    def run() -> MoveReport:
        source_kb = build_knowledge(settings, load_model=False)
        target_kb = build_knowledge(target, load_model=False)
        source_db, target_db = build_database(settings), build_database(target)
        try:
            return move_stores(
                source_kb=source_kb, target_kb=target_kb, source_db=source_db, target_db=target_db
            )
        finally:
            for kb in (source_kb, target_kb):
                kb.close()
            for db in (source_db, target_db):
                db.dispose()

    return run
