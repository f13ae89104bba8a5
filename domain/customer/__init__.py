"""The Customer aggregate: a person the company serves, and the claim on their email."""
