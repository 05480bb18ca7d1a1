"""Server-rendered web pages: the respondent's form and the compliance dashboard."""
