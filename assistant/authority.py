"""Which documents may state a sensitive fact (price, discount, contract, roadmap) to a buyer.

Every document answers questions; only an authoritative one may pass on a sensitive statement. A saved rep
reply (`verified-qa/...`) never is one: it was written for one buyer's case, and a concession made there is
not an offer to the next buyer. Where the retriever marks each hit's chunk with its document's registry
mark (`Chunk.authoritative`, set by an admin), that mark counts too.
"""

from __future__ import annotations

from ingest.verified_qa import VERIFIED_PREFIX
from knowledge.types import Chunk


def authoritative(chunk: Chunk) -> bool:
    if chunk.document_id.startswith(VERIFIED_PREFIX):
        return False
    return bool(getattr(chunk, "authoritative", True))  # the registry's mark, where the retriever sets it
