"""Widgets the screens share: answer widgets, the confirmation and save dialogs, how an
interview summary reads in a list, short texts for narrow columns. Never import a screen."""
