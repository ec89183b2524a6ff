"""The knowledge base (role admin): upload documents, list, replace and delete them, preview what a search
retrieves (with scores), and the knowledge gaps (questions handed off for lack of evidence, grouped)."""

from __future__ import annotations

import math
from pathlib import Path

import streamlit as st

from assistant.knowledge_admin import SEARCH_MODES, SUPPORTED_SUFFIXES, Upload
from ui.auth import require_role
from ui.render import escaped, staff_table
from ui.resources import get_services

UPLOADS_KEY = "kb_upload_results"
FLASH_KEY = "kb_flash"

user = require_role("admin")  # stops here for anyone else

admin = get_services().admin


def result_row(upload: Upload) -> dict:
    """One row of the upload results: added / updated / unchanged / failed, with the detail."""
    return {"file": upload.document_id, "result": upload.result, "detail": upload.detail}


def flash(message: str) -> None:
    st.session_state[FLASH_KEY] = message
    st.rerun()


def documents_tab() -> None:
    records = admin.documents()
    st.caption(f"{len(records)} documents, {sum(r.chunk_count for r in records)} chunks")
    staff_table(
        [
            {
                "title": r.title,
                "id": r.id,
                "type": r.type,
                "version": r.version,
                "owner": r.owner,
                "updated": r.updated_at[:16].replace("T", " "),
                "chunks": r.chunk_count,
                "KB": round(r.size_bytes / 1024, 1),
            }
            for r in records
        ],
        column_config={"title": st.column_config.TextColumn(width="medium")},
    )
    if not records:
        return
    st.subheader("Replace or delete a document")
    chosen = st.selectbox("Document", [r.id for r in records], key="kb_document")
    record = next(r for r in records if r.id == chosen)
    replace, delete = st.columns(2, gap="large")
    with replace:
        suffix = Path(chosen).suffix.lower()
        new_file = st.file_uploader(
            f"Replacement ({suffix} file)",
            type=[suffix.lstrip(".")],
            max_upload_size=math.ceil(admin.max_file_mb),
            key=f"kb_replace_{chosen}",
        )
        if st.button("Replace", disabled=new_file is None, icon=":material/swap_horiz:") and new_file:
            done = admin.replace(chosen, new_file.getvalue(), owner=user["name"])
            flash(f"{chosen}: {done.result} {done.detail}".strip())
    with delete:
        confirmed = st.checkbox(f"Yes, delete {chosen} and its {record.chunk_count} chunks", key="kb_confirm")
        if st.button("Delete", type="primary", disabled=not confirmed, icon=":material/delete:"):
            admin.delete(chosen)
            st.session_state.pop("kb_confirm", None)
            flash(f"Deleted {chosen}.")


def upload_tab() -> None:
    round_ = st.session_state.setdefault("kb_upload_round", 0)  # a new key empties the uploader
    files = st.file_uploader(
        "Documents (Markdown, text, HTML, PDF, Word, CSV): several at once; a file named like an existing "
        "document replaces it",
        type=[suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES],
        accept_multiple_files=True,
        max_upload_size=math.ceil(admin.max_file_mb),
        key=f"kb_uploads_{round_}",
    )
    if st.button("Add to the knowledge base", type="primary", disabled=not files, icon=":material/upload:"):
        progress = st.progress(0.0, text="Starting ...")
        rows = []
        for done, upload in enumerate(files or []):
            progress.progress(done / len(files), text=f"{upload.name} ({done + 1} of {len(files)}) ...")
            rows.append(result_row(admin.upload(upload.name, upload.getvalue(), owner=user["name"])))
        progress.progress(1.0, text="Done")
        st.session_state[UPLOADS_KEY] = rows
        st.session_state["kb_upload_round"] = round_ + 1
        st.rerun()
    if results := st.session_state.get(UPLOADS_KEY):
        failed = sum(row["result"] == "failed" for row in results)
        (st.warning if failed else st.success)(
            f"{len(results) - failed} of {len(results)} files applied"
            + (f", {failed} failed" if failed else "")
        )
        staff_table(results)


def search_tab() -> None:
    query = st.text_input(
        "Search as the assistant would", placeholder="e.g. which regions can host our data?"
    )
    columns = st.columns(2)
    mode = columns[0].radio("Retrieval", SEARCH_MODES, horizontal=True) or "hybrid"
    k = columns[1].slider("Passages", 1, 20, 10)
    if not query.strip():
        return
    hits = admin.search(query, k=k, mode=mode)
    if not hits:
        st.info("Nothing retrieved.")
        return
    staff_table(
        [
            {
                "rank": rank,
                "similarity": round(hit.similarity or 0.0, 3),
                "score": round(hit.score, 4),
                "source": hit.chunk.document_id,
                "heading": hit.chunk.heading,
                **({"page": hit.chunk.page} if any(h.chunk.page for h in hits) else {}),
                "text": hit.chunk.text,
            }
            for rank, hit in enumerate(hits, start=1)
        ],
        column_config={"text": st.column_config.TextColumn(width="large")},
    )
    st.caption(
        "similarity: cosine to the query; score: what ranked the hit (fused rank score in hybrid mode)."
    )


def gaps_tab() -> None:
    groups = admin.gaps()
    if not groups:
        st.info("No knowledge gaps: every handed-off question so far had evidence in the documents.")
        return
    asked = sum(group.count for group in groups)
    st.caption(
        f"{_plural(asked, 'question')} handed off for lack of evidence, in {_plural(len(groups), 'group')}; "
        "similar questions are grouped by meaning."
    )
    staff_table(
        [
            {
                "asked": group.count,
                "unresolved": group.unresolved,
                "question": group.example,
                "also asked as": " | ".join(group.questions[1:4]),
                "nearest document": group.nearest_source,
                "last asked": group.last_asked.strftime("%Y-%m-%d %H:%M") if group.last_asked else "",
                "handoffs": ", ".join(f"#{i}" for i in group.handoff_ids[-5:]),
            }
            for group in groups
        ],
        column_config={"question": st.column_config.TextColumn(width="medium")},
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


st.title("Knowledge base")
if message := st.session_state.pop(FLASH_KEY, None):
    st.success(escaped(message))  # it names an uploaded file and a failure detail: never Markdown
documents, upload, search, gaps = st.tabs(["Documents", "Upload", "Search preview", "Knowledge gaps"])
with documents:
    documents_tab()
with upload:
    upload_tab()
with search:
    search_tab()
with gaps:
    gaps_tab()
