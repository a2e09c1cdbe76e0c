"""LegoFactory's trainer: SFT and verifier training on `lego export` data (see ../README.md)."""
