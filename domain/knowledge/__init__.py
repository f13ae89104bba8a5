"""The knowledge base: articles (drafted, revised, published, archived) and their votes."""
