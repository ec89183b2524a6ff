"""The people's room: the `lastmile` CLI, the Streamlit app and (later) the HTTP API. Thin layers only."""
