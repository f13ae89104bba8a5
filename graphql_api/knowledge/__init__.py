"""The knowledge base: articles, search, votes, suggestions while a ticket is typed."""
