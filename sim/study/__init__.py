"""Studies a user asks for: run a scenario or a sweep with the coal model and write its folder."""
