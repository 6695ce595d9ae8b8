"""The interview core: no Textual imports allowed below this package."""
