"""One module per API the server speaks; each defines ``router``."""
