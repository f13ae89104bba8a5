"""The survey dashboard read model: surveys, invitations, responses, comments and their insight."""
