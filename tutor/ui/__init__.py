"""The Qt desktop app: a document that owns the state, and views that render it."""
