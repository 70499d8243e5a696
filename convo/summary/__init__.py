"""The shared summary: one document model, rendered as HTML, PDF and Word, versioned and sent."""
