# Two entry points: `make run` (the main job, writes output/) and `make test` (all tests,
# mypy, and `derive verify`).
# Both set everything up on a fresh machine: a virtual environment in .venv and, when
# pdflatex/latexmk are missing and we run as root, TeX Live from Debian's packages.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= output
TEX_PACKAGES := texlive-latex-base texlive-latex-recommended texlive-latex-extra \
                texlive-fonts-recommended lmodern latexmk poppler-utils pandoc

.PHONY: run test setup tex bench golden clean mutation

$(BIN)/derive: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

setup: $(BIN)/derive tex

tex:
	@if command -v pdflatex >/dev/null 2>&1 && command -v latexmk >/dev/null 2>&1 && command -v pandoc >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing TeX Live from Debian's packages (about a minute)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(TEX_PACKAGES) >/dev/null; \
	else \
	  echo "TeX Live is missing: install it with 'sudo apt-get install $(TEX_PACKAGES)' (the PDF is skipped until then)"; \
	fi

run: setup
	$(BIN)/derive verify --json $(OUT)/verify.json
	$(BIN)/derive sheet -o $(OUT)
	$(BIN)/derive code --widths 784,128,10 --activation tanh --loss cross-entropy -o $(OUT)/code/mlp_784_128_10.py
	$(BIN)/derive code --widths 1,3,1 --activation tanh --loss sum-of-squares -o $(OUT)/code/mlp_1_3_1.py
	$(BIN)/derive code --widths 784,256,256,10 --activation tanh --loss cross-entropy --dtype float32 -o $(OUT)/code/mlp_784_256_256_10_f32.py
	@for m in $(OUT)/code/*.py; do \
	  $(BIN)/python -c "import runpy, sys; e = runpy.run_path(sys.argv[1])['check_gradients'](); print(sys.argv[1], 'check_gradients: relative error %.1e' % e)" $$m || exit 1; \
	done

test: setup
	$(BIN)/python -m pytest
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/derive verify

golden: setup
	$(BIN)/python -m pytest tests --update-golden

bench: setup
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/backprop_scaling.py

# Mutation testing (benchmarks/mutation.md): a sample of mutants per module, `derive verify` as the killer.
mutation: $(BIN)/derive
	$(BIN)/pip install --quiet --disable-pip-version-check 'cosmic-ray>=8.3'
	$(BIN)/python benchmarks/mutation.py --sample 2

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
