# dreamvideo — the two commands a person needs are `make demo` and `make test`.
# Both install what is missing (Debian packages, the model weights) before they build.

SWIFT      ?= swift
CONFIG     ?= release
BIN        := .build/$(CONFIG)/dreamvideo
CACHE      := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/dreamvideo
TESTDATA   := $(or $(DREAMVIDEO_TESTDATA),$(CACHE)/testdata)
DEMO_OUT   ?= demo-out

# Debian packages the build, the setup and the tests need.
DEB_PACKAGES := pkg-config libavcodec-dev libavformat-dev libswscale-dev libavutil-dev \
                libpng-dev libturbojpeg0-dev libdnnl-dev ffmpeg python3 python3-pip ca-certificates

# As the command sets them for itself (Sources/dreamvideo/OpenMPEnvironment.swift), for the tests too.
export OMP_WAIT_POLICY ?= passive
export GOMP_SPINCOUNT ?= 1000

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps models testdata build demo test bench memory fuzz clean

all: build

deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: swift is not on PATH; install Swift 6 from swift.org first" >&2; exit 1; }
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

models: deps
	@bash tools/fetch_models.sh

testdata: deps
	@bash tools/fetch_testdata.sh "$(TESTDATA)"

build: deps
	$(SWIFT) build -c $(CONFIG)

demo: models build
	@mkdir -p $(DEMO_OUT)
	$(BIN) examples/logo.png --schedule presets/demo.json -o $(DEMO_OUT)/demo.mp4 \
	  --frames-dir $(DEMO_OUT)/frames --overwrite
	@echo "demo written to $(DEMO_OUT)/demo.mp4 (frames in $(DEMO_OUT)/frames)"

test: models testdata
	$(SWIFT) build -c $(CONFIG)
	$(SWIFT) test -c $(CONFIG) --disable-swift-testing

# Our dream-step and video timings beside the PyTorch peer's, with the ratios (tools/bench.sh).
bench: models build
	@BIN=$(BIN) bash tools/bench.sh

# Resident memory: a 300-frame 640x360 render (peak and growth), then 1920x1080 (dreamed in tiles at the frame's own size, --dream-scale 0).
memory: models build
	@BIN=$(BIN) SIZE=640x360 FRAMES=300 OCTAVES=1 STEPS=1 LAYER=mixed_3 LIMIT_MB=1536 MAX_GROWTH=5 bash tools/memory.sh
	@BIN=$(BIN) SIZE=1920x1080 FRAMES=3 OCTAVES=3 STEPS=1 LAYER=mixed_9 LIMIT_MB=4096 EXTRA="--dream-scale 0" bash tools/memory.sh

# libFuzzer with AddressSanitizer on every input parser (Fuzz/run.sh lists the targets), FUZZ_SECONDS per
# target (CI runs 30 s each).
FUZZ_SECONDS ?= 600
fuzz: deps
	bash Fuzz/run.sh all $(FUZZ_SECONDS)

clean:
	rm -rf .build $(DEMO_OUT)
