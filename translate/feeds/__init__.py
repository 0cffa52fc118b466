"""The feed jobs: gather → work → write; see run.py."""
