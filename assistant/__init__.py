"""The assistant room: a buyer message in, a cited answer or a handoff to a human out."""
