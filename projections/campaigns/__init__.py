"""The campaigns read model: campaigns, their recipients and their figures."""
