"""The Textual front end of the conversation: the chat app and the widgets it is made of."""
