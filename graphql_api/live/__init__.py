"""Live updates: GraphQL subscriptions over WebSocket, fed by PostgreSQL notifications."""
