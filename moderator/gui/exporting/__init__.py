"""File → Export…: the dataset as JSONL, CSV or Parquet (and its card), written off the GUI thread."""
