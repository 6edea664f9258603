"""The workshop lab: steps (docs/lab/steps), a lab daemon holding emulator + data plane, checks, diagram."""
