# The two commands of the README. Everything else is in scripts/ and .ci/.
.PHONY: run test lint

run:
	@scripts/bootstrap
	.venv/bin/visavis serve

test: lint
	scripts/test

lint:
	@scripts/system-packages
	@scripts/bootstrap test
	.venv/bin/ruff check src tests
