"""Handoffs end to end against real SQLite, through the chat service and the rep desk: the lifecycle,
concurrent claims, buyer isolation, and a rep's reply saved to the knowledge base through the normal
ingest path, chunked as the settings say.

The SQL database is parametrised (tests/conftest.py `store_settings`): every test runs on SQLite and on
the machine's PostgreSQL, the claim race included."""

from __future__ import annotations

import threading

import pytest

from assistant.outcomes import Reason, ReasonCode
from assistant.service import ChatService
from assistant.settings import Settings
from assistant.storage.conversations import ConversationStore, UnknownConversation
from assistant.storage.database import Database
from assistant.storage.handoffs import HandoffError, HandoffState, HandoffStore
from assistant.wiring import build_assistant, build_desk, build_syncer
from tests.conftest import SAMPLES, make_kb

UNKNOWN_TOPIC = "Do you ship a native connector for Lotus Notes 6 databases?"


@pytest.fixture
def database(backend_database):
    return backend_database


@pytest.fixture
def chat(database, sample_assistant):
    return ChatService(
        assistant=sample_assistant, conversations=ConversationStore(database), handoffs=HandoffStore(database)
    )


@pytest.fixture
def desk(database, tmp_path):
    return build_desk(Settings(home=tmp_path / "home"), database=database)


def test_handoff_lifecycle_reaches_the_buyer(chat, desk):
    conversation = chat.start()
    turn = chat.ask(conversation, UNKNOWN_TOPIC)
    assert turn.answer.handoff
    assert turn.handoff_id is not None
    assert "expert" in turn.answer.text, "the buyer is told honestly that an expert will answer"

    handoff = desk.get(turn.handoff_id)
    assert handoff.state is HandoffState.OPEN
    assert handoff.question == UNKNOWN_TOPIC
    assert handoff.reasons, "the rep sees why"
    assert handoff.sources, "the rep sees what was retrieved"
    assert set(handoff.intents) >= {"clarification", "confirmation", "confidence"}

    desk.claim(handoff.id, "ann")
    with pytest.raises(HandoffError):
        desk.reply(handoff.id, "bob", "not my handoff")  # only the claiming rep replies
    desk.reply(handoff.id, "ann", "Not today: Lotus Notes is not on our connector list.")
    desk.resolve(handoff.id, "ann")
    assert desk.get(handoff.id).state is HandoffState.RESOLVED
    assert chat.handoff_state(conversation) is HandoffState.RESOLVED

    roles = [(m.role, m.author) for m in chat.transcript(conversation)]
    assert roles == [("buyer", ""), ("assistant", ""), ("rep", "ann")]


def test_answered_turn_opens_no_handoff(chat):
    conversation = chat.start()
    turn = chat.ask(conversation, "Which data residency regions can we choose?")
    assert not turn.answer.handoff
    assert turn.handoff_id is None
    assert chat.handoff_state(conversation) is None


def test_talk_to_an_expert_button_opens_one_handoff(chat, desk):
    conversation = chat.start()
    chat.ask(conversation, "Which data residency regions can we choose?")
    first = chat.request_human(conversation)
    assert chat.request_human(conversation) == first, "a second click joins the open handoff"
    assert desk.get(first).question == "Which data residency regions can we choose?"
    assert chat.handoff_state(conversation) is HandoffState.OPEN


def test_buyer_cannot_read_an_unknown_or_guessed_conversation(chat):
    real = chat.start()
    assert len(real) >= 32
    assert real != chat.start(), "conversation ids are random, not sequential"
    for guess in ("1", "admin", real[:-1], real + "x"):
        with pytest.raises(UnknownConversation):
            chat.transcript(guess)
        with pytest.raises(UnknownConversation):
            chat.ask(guess, "hello")


def _claim(database: Database, handoff_id: int, rep: str, start: threading.Barrier, results: list) -> None:
    store = HandoffStore(database)
    start.wait(timeout=60)
    try:
        store.claim(handoff_id, rep)
        results.append(rep)
    except HandoffError:
        results.append(None)


def test_two_reps_claiming_at_once_exactly_one_wins(database):
    # Threads, each with its own engine: the race is decided by the database (the conditional UPDATE),
    # exactly as between processes, without spawning interpreters (a spawned child re-imports whatever
    # `__main__` the test process last ran, an AppTest page included, and dies there).
    conversation = ConversationStore(database).start()
    handoffs = HandoffStore(database)
    for _ in range(5):  # several rounds: a race lost by chance once would hide a bug
        handoff_id = handoffs.open(
            conversation_id=conversation, question="q", reasons=[Reason(ReasonCode.NO_EVIDENCE, "r")], intents={}, sources=[],
            draft="", draft_citations=[], knowledge_gap=False, confidence=0.1,
        )  # fmt: skip
        # Each rep gets its own engine and connections, as a second app process would (opened here: Alembic's
        # upgrade on open is not thread-safe).
        engines = [Database(database.url) for _ in range(6)]
        start, results = threading.Barrier(len(engines)), []
        workers = [
            threading.Thread(target=_claim, args=(engine, handoff_id, f"rep{i}", start, results))
            for i, engine in enumerate(engines)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        for engine in engines:
            engine.dispose()
        assert len(results) == len(workers), "every rep got an answer"
        assert sum(w is not None for w in results) == 1, results
        assert handoffs.get(handoff_id).rep in results


def _replied(desk, handoffs: HandoffStore, conversation: str, question: str, reply: str) -> int:
    """A handoff on `question` that rep ann claimed and answered with `reply`."""
    handoff_id = handoffs.open(
        conversation_id=conversation, question=question, reasons=[Reason(ReasonCode.NO_EVIDENCE, "r")], intents={}, sources=[],
        draft="", draft_citations=[], knowledge_gap=True, confidence=0.1,
    )  # fmt: skip
    desk.claim(handoff_id, "ann")
    desk.reply(handoff_id, "ann", reply)
    return handoff_id


def test_approved_reply_is_saved_to_the_knowledge_base(tmp_path, embedder, database):
    settings = Settings(home=tmp_path / "home")
    kb = make_kb(settings.home, embedder)
    build_syncer(settings, kb).sync([SAMPLES / "integrations.html"])
    assistant = build_assistant(settings, kb=kb)
    chat = ChatService(
        assistant=assistant, conversations=ConversationStore(database), handoffs=HandoffStore(database)
    )
    desk = build_desk(settings, database=database, kb=kb)
    question = "Does DataPlane have a connector for Lotus Notes 6?"
    turn = chat.ask(chat.start(), question)
    assert turn.handoff_id is not None
    with pytest.raises(HandoffError, match="no reply to save"):
        desk.save_reply(turn.handoff_id, by="ann", role="rep")

    desk.claim(turn.handoff_id, "ann")
    reply = "Lotus Notes 6 is not supported; export to CSV and load it with the file connector."
    desk.reply(turn.handoff_id, "ann", reply)
    document_id = desk.save_reply(turn.handoff_id, by="ann", role="rep")
    assert document_id == f"verified-qa/handoff-{turn.handoff_id}.md"
    assert desk.get(turn.handoff_id).saved_document == document_id
    record = kb.registry.get(document_id)
    assert record is not None
    assert record.owner == "ann"
    after = assistant.ask(question)
    assert document_id in after.sources
    build_syncer(settings, kb).sync([SAMPLES / "integrations.html"], prune=True)
    assert kb.registry.get(document_id) is not None, "pruning a folder keeps saved replies"


@pytest.mark.parametrize(("chunk_words", "overlap_words"), [(80, 30), (20, 5)])
def test_saved_reply_is_chunked_as_the_settings_say(tmp_path, embedder, database, chunk_words, overlap_words):
    settings = Settings(home=tmp_path / "home", chunk_words=chunk_words, chunk_overlap_words=overlap_words)
    kb = make_kb(settings.home, embedder)
    desk = build_desk(settings, database=database, kb=kb)
    reply = " ".join(f"Step {n}: export the Lotus Notes 6 database to CSV and load it." for n in range(1, 7))
    conversation = ConversationStore(database).start()
    handoff_id = _replied(
        desk, HandoffStore(database), conversation, "How do we move Lotus Notes 6 data?", reply
    )

    document_id = desk.save_reply(handoff_id, by="ann", role="rep")
    chunks = [text for _, _, _, text in kb.registry.chunks(document_id)]
    assert len(chunks) > 1
    assert max(len(text.split()) for text in chunks) <= chunk_words, [len(t.split()) for t in chunks]
