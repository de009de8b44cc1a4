"""The website: Markdown pages, navigation, the MkDocs plugin, templates, theme and CSS."""
