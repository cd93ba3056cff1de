"""Pure search rules (no Django): normalising and segmenting text, the vocabulary, query plans."""
