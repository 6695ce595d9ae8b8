"""The screens: start, question, review, group confirmation, plan, a client's history.
Each posts messages to the app; none imports another or the app."""
