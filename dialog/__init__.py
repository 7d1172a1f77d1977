"""The conversation engine (this folder's modules): what a line does, what the conversation remembers,
Ms. B's replies, demos talked about, the tour, quizzes, transcripts and progress. It imports no UI library;
the front ends sit above it in tui/ (the Textual app), terminal/ (the line-based commands) and share the
figure drawing in view/."""
