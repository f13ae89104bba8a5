"""The feedback inbox: submitFeedback, feedback(filter) and its live feed."""
