"""The presentation layer shared by the site and the PDF: labels, dates, escaping, Markdown, DOT and layout."""
