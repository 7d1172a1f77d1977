"""The conversation: intents, state, persona, replies, transcripts. No UI imports."""
