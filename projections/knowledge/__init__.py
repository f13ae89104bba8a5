"""The knowledge base read model: articles as readers see them, searchable, with votes."""
