"""Constants the GUI tests share (the conftest uses them too; a test module cannot import a conftest by name
when several test folders have one)."""

TEST_PHRASE = "test test test test test test test test test test test junk"  # public (anvil's, Hardhat's)
PASSWORD = "correct horse battery"
