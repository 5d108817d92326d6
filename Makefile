# fragscope build.  `make` builds ./fragscope; `make help` lists the rest.
#
# The pipeline is kernel (bpf/) -> skeleton -> user/: cli -> commands ->
# session -> source -> decode -> model -> sinks (live, format, record), over
# kernel/, state/ and util/ (docs/architecture.md; tests/check-layers.sh
# keeps includes pointing down).  tests/ holds unit tests (cmocka, on
# fixtures) and integration tests (real tracer, real kernel, as root).

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/ppc64le/powerpc/' -e 's/s390x/s390/')
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || ls /usr/sbin/bpftool 2>/dev/null)
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

BUILD := build
VMLINUX_H := vmlinux/$(ARCH)/vmlinux.h

# Debian packages that provide each build dependency, named in error messages
# and installed by `make deps`.
DEB_BUILD_DEPS := clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev libncurses-dev libmicrohttpd-dev pkg-config make gcc
DEB_TEST_DEPS := libcmocka-dev jq golang-go chromium chromium-driver bc bpftrace linux-perf tmux prometheus curl netcat-openbsd qemu-system-x86 busybox-static cpio debian-archive-keyring \
	$(DEB_BENCH_DEPS)
# The traffic benchmark's real servers and load generators (tests/bench/traffic.sh):
# what fragscope costs nginx's and redis's requests/s and latency on loopback.
DEB_BENCH_DEPS := nginx-light wrk redis-server redis-tools

CFLAGS ?= -O2 -g
WARNINGS := -Wall -Wextra -Wno-missing-field-initializers
CPPFLAGS += -Iinclude -Iuser -I$(BUILD) -DFRAGSCOPE_VERSION=\"$(VERSION)\" -D_GNU_SOURCE
LDLIBS += -lbpf -lelf -lz -lm -lncurses -lmicrohttpd -lpthread

BPF_SRCS := $(wildcard bpf/*.bpf.c)
# maps.bpf.o defines the shared maps: link it first so their definitions lead.
BPF_OBJS := $(BUILD)/bpf/maps.bpf.o $(filter-out $(BUILD)/bpf/maps.bpf.o,$(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS)))
BPF_CFLAGS := -g -O2 -target bpf -Wall -D__TARGET_ARCH_$(ARCH) -Ivmlinux/$(ARCH) -Iinclude

USER_SRCS := $(shell find user -name '*.c' | sort)
USER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(USER_SRCS))
# Everything but main(): what unit tests and fuzzers link against.
LIB_OBJS := $(filter-out $(BUILD)/user/cli/main.o,$(USER_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))

.PHONY: test-vm all deps check-deps check-layers vmlinux install uninstall clean test unit integration tools help bench sanitize sanitize-run sanitized-fragscope

all: check-deps fragscope

help:
	@echo "make              build ./fragscope"
	@echo "make deps         install the Debian packages to build and test (as root)"
	@echo "make test         unit tests, then integration tests (root for the BPF ones)"
	@echo "make unit         unit tests only (no root, no BPF), after make check-layers"
	@echo "make check-layers includes in user/ point down its rooms; files within 600 lines"
	@echo "make test-vm      the same binary on Debian's 5.10, 6.1, 6.12 and 7.x kernels under qemu (KERNELS=...)"
	@echo "make fuzz         run each libFuzzer target for SECONDS (default 30; clang)"
	@echo "make sanitize     ASan+UBSan build in build-asan/; unit and integration tests on it"
	@echo "make test-vm-fraglab  the fragmentation lab in a 1 GiB qemu guest: docs/fragmentation-lab.md"
	@echo "make test-vm-numa     cpuset_or_mempolicy provoked in a two-node qemu guest: docs/requests.md"
	@echo "make bench        overhead benchmarks (root, ~25 min): tests/bench/run.sh and traffic.sh, see tests/bench/README"
	@echo "make vmlinux      regenerate $(VMLINUX_H) from this kernel's BTF"
	@echo "make install      install to \$$DESTDIR\$$PREFIX/sbin (PREFIX=$(PREFIX))"

deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (it calls apt-get install)" >&2; exit 1; fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_BUILD_DEPS) $(DEB_TEST_DEPS)
	@# traffic.sh starts its own servers on loopback: the packages' services (nginx on port 80) stay off.
	-systemctl disable --now nginx redis-server >/dev/null 2>&1

# Fail early, naming the Debian packages, instead of with a compiler error.
check-deps:
	@missing=""; \
	command -v $(CLANG) >/dev/null 2>&1 || missing="$$missing clang llvm"; \
	[ -n "$(BPFTOOL)" ] || missing="$$missing bpftool"; \
	[ -f /usr/include/bpf/libbpf.h ] || missing="$$missing libbpf-dev"; \
	[ -f /usr/include/libelf.h ] || [ -f /usr/include/elfutils/libelf.h ] || missing="$$missing libelf-dev"; \
	[ -f /usr/include/zlib.h ] || missing="$$missing zlib1g-dev"; \
	[ -f /usr/include/microhttpd.h ] || missing="$$missing libmicrohttpd-dev"; \
	if [ -n "$$missing" ]; then \
		echo "fragscope: missing build dependencies. Install them with:" >&2; \
		echo "    sudo apt-get install$$missing" >&2; \
		echo "(or run 'sudo make deps' to install everything needed to build and test)" >&2; \
		exit 1; \
	fi

vmlinux:
	@mkdir -p vmlinux/$(ARCH)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX_H).tmp
	mv $(VMLINUX_H).tmp $(VMLINUX_H)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c bpf/fragscope.bpf.h bpf/compat.bpf.h include/fragscope.h $(VMLINUX_H)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One object from every concern's file, so one skeleton loads them all.
$(BUILD)/fragscope.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/fragscope.skel.h: $(BUILD)/fragscope.bpf.o
	$(BPFTOOL) gen skeleton $< name fragscope_bpf > $@.tmp
	mv $@.tmp $@

# System call names from the C library's <asm/unistd.h>: the build architecture's numbering.
$(BUILD)/syscall_names.inc:
	@mkdir -p $(@D)
	echo '#include <asm/unistd.h>' | $(CC) -E -dM - | \
		sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9][0-9]*\)$$/[\2] = "\1",/p' > $@.tmp
	mv $@.tmp $@

$(BUILD)/user/kernel/syscall_names.o: $(BUILD)/syscall_names.inc

$(BUILD)/user/%.o: user/%.c $(BUILD)/fragscope.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -MMD -MP -c $< -o $@

fragscope: $(USER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $< $(LIB_OBJS) $(LDLIBS) -lcmocka -o $@

$(BUILD)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) $< $(LDLIBS) -lpthread -o $@

tools: $(TOOL_BINS)

# Includes in user/ point down the rooms, files stay short: docs/architecture.md.
check-layers:
	@tests/check-layers.sh

unit: check-layers $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

# Each tests/fuzz/fuzz_*.c target, built by run.sh itself with clang's sanitizers.
SECONDS ?= 30
.PHONY: fuzz
fuzz:
	tests/fuzz/run.sh $(SECONDS)

integration: fragscope tools
	@tests/run-integration.sh

# The kernel matrix (docs/kernels.md): KERNELS="5.10 6.1 6.12 7" (the default) or any subset.
KERNELS ?= 5.10 6.1 6.12 7
test-vm: fragscope tools
	@FRAGSCOPE_VM_KERNELS="$(KERNELS)" tests/run-integration.sh tests/integration/test_vm_kernels.sh

# The fragmentation lab in a 1 GiB qemu guest, on each of KERNELS (about a minute each): docs/fragmentation-lab.md.
.PHONY: test-vm-fraglab
test-vm-fraglab: fragscope tools
	@FRAGSCOPE_VM_KERNELS="$(KERNELS)" tests/run-integration.sh tests/integration/test_vm_fraglab.sh

# cpuset_or_mempolicy provoked for real in a two-node qemu guest, on each of KERNELS: docs/requests.md.
.PHONY: test-vm-numa
test-vm-numa: fragscope tools
	@FRAGSCOPE_VM_KERNELS="$(KERNELS)" tests/run-integration.sh tests/integration/test_vm_numa.sh

# The suite includes test_harden_sanitize, which runs the ASan+UBSan build.
test: check-layers all tools $(UNIT_BINS) sanitized-fragscope
	@tests/run-tests.sh $(UNIT_BINS)

# AddressSanitizer + UBSan build of fragscope and the unit tests in
# build-asan/ (the normal build is left alone), then the unit tests and every
# integration test against it; the workload tools and ./fragscope
# (for valgrind) are the normal build's.  See docs/hardening.md.
SAN_BUILD := build-asan
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

sanitized-fragscope:
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS="$(SAN_CFLAGS)" $(SAN_BUILD)/fragscope

sanitize:
	$(MAKE) fragscope tools
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS="$(SAN_CFLAGS)" sanitize-run

sanitize-run: $(BUILD)/fragscope $(UNIT_BINS)
	$(SAN_ENV) tests/run-unit.sh $(UNIT_BINS)
	@mkdir -p build/artifacts
	FRAGSCOPE=$(CURDIR)/$(BUILD)/fragscope $(SAN_ENV) tests/run-integration.sh

$(BUILD)/fragscope: $(USER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The overhead benchmarks (root; tests/bench/README says how long): docs/performance.md.
bench: fragscope
	@$(MAKE) -C tests/bench
	@tests/bench/run.sh
	@tests/bench/traffic.sh

install: fragscope
	install -D -m 0755 fragscope $(DESTDIR)$(PREFIX)/sbin/fragscope

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/fragscope

clean:
	rm -rf $(BUILD) fragscope

-include $(USER_OBJS:.o=.d)
