"""Purchase types and mutations: recording orders and refunds."""
