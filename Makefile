# The two commands a new developer needs: `make run` and `make test`. Both are idempotent.
CONFIGURATION ?= Debug
export MESH_CONFIGURATION := $(CONFIGURATION)
DOTNET_FLAGS := -c $(CONFIGURATION) --nologo -v quiet

.PHONY: run stop test build deps bench clean

run: deps build
	@scripts/run.sh

stop:
	@scripts/stop.sh

test: deps build
	@scripts/test.sh

bench: deps
	@scripts/bench.sh

build:
	@dotnet build Mesh.sln $(DOTNET_FLAGS)

deps:
	@scripts/install-deps.sh

clean:
	@dotnet clean Mesh.sln $(DOTNET_FLAGS)
