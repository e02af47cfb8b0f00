"""`moderator report`: a data statement a reviewer of the dataset can check (Markdown with charts)."""
