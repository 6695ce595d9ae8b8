"""The screens of Sobesednik: start, question, review, plan."""
