"""The buyer HTTP API (FastAPI, versioned under /v1), the embeddable widget it serves at /widget.js, and the
/demo page: a surface over `ChatService`, like the Streamlit pages and the CLI. `create_app` builds it."""
