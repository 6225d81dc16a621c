"""The terminal UI (Textual): the app, its theme, screens and widgets. Thin: the layers below decide."""
