"""Reading, writing, hashing and describing raw data: pure functions, no database."""
