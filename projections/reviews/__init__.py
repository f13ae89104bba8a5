"""The product reviews read model: reviews with their moderation, each product's rating
figures, and which orders hold which products (the proof of purchase offered to a review)."""
