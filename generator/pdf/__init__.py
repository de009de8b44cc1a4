"""The PDF handbook: print HTML and CSS, laid out by WeasyPrint."""
