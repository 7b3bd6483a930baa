"""Words and plain text: labels in Bahasa Indonesia and English, explanations, text tables."""
