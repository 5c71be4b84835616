# Compiles acme.c into $(OUT). Driven by build.sh, which sets CC, AR, CFLAGS, LDFLAGS, LIBS and
# writes $(OUT)/autoconf.h first. Every .c file under core/, platform/, bearssl/ (and mbedtls/
# when MBEDTLS=y) goes into $(OUT)/libacme.a; acme.c holds main().
OUT ?= build/host
CC ?= cc
AR ?= ar
STRIP ?= strip
CFLAGS ?= -O2
# PROG_CFLAGS: for the objects of libacme.a and acme.o and the program link only, not for the
# tests, tools and fuzzers compiled against libacme.a (e.g. -mgeneral-regs-only on x86_64).
PROG_CFLAGS ?=
LDFLAGS ?=
BIN_LDFLAGS ?=
# SSTRIP: a command run on the linked program (cross targets: ci/sstrip.py drops the section
# headers, as OpenWrt's sstrip does)
SSTRIP ?=
LIBS ?=
MBEDTLS ?= n
TEST_LIBS ?= -lcmocka
FUZZ_LDFLAGS ?= -fsanitize=fuzzer

LIB_SRCS := $(wildcard core/*.c platform/*.c bearssl/*.c) \
            $(if $(filter y,$(MBEDTLS)),$(wildcard mbedtls/*.c))
GEN_SRCS := $(wildcard $(OUT)/gen/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(OUT)/obj/%.o) $(GEN_SRCS:$(OUT)/gen/%.c=$(OUT)/obj/gen/%.o)
TEST_SUPPORT := $(wildcard tests/unit/support/*.c)
TESTS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(wildcard tests/unit/test_*.c))
TOOLS := $(patsubst tests/tools/%.c,$(OUT)/tools/%,$(wildcard tests/tools/*.c))
FUZZERS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
ALL_CFLAGS = $(CFLAGS) -I$(OUT) -Icore
PROG_ALL_CFLAGS = $(ALL_CFLAGS) $(PROG_CFLAGS)

.PHONY: all bin tests tools fuzzers
all: bin
bin: $(OUT)/acme

# build.sh rewrites $(OUT)/build-flags when the compiler or the flags change.
FLAGS_DEP := $(wildcard $(OUT)/build-flags)

$(OUT)/obj/gen/%.o: $(OUT)/gen/%.c $(OUT)/autoconf.h $(FLAGS_DEP)
	@mkdir -p $(@D)
	$(CC) $(PROG_ALL_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/obj/%.o: %.c $(OUT)/autoconf.h $(FLAGS_DEP)
	@mkdir -p $(@D)
	$(CC) $(PROG_ALL_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/libacme.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(OUT)/acme: $(OUT)/obj/acme.o $(OUT)/libacme.a $(FLAGS_DEP)
	$(CC) $(CFLAGS) $(PROG_CFLAGS) $(LDFLAGS) $(BIN_LDFLAGS) -o $@ $(filter-out $(FLAGS_DEP),$^) $(LIBS)
	$(if $(SSTRIP),$(SSTRIP) $@)

tests: $(TESTS)
$(OUT)/tests/%: tests/unit/%.c $(TEST_SUPPORT) $(OUT)/libacme.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit $< $(TEST_SUPPORT) $(TEST_EXTRA_SRCS) \
		$(OUT)/libacme.a $(LDFLAGS) $(LIBS) $(TEST_LIBS) -o $@

# Small programs the shell test suites drive (e.g. an openssl oracle comparison). Linked like
# the program (BIN_LDFLAGS: cross builds link them with LTO too).
tools: $(TOOLS)
$(OUT)/tools/%: tests/tools/%.c $(OUT)/libacme.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/tools $< $(OUT)/libacme.a $(LDFLAGS) $(BIN_LDFLAGS) $(LIBS) -o $@

fuzzers: $(FUZZERS)
$(OUT)/fuzz/%: tests/fuzz/%.c $(OUT)/libacme.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(FUZZ_LDFLAGS) -Itests/fuzz $< $(OUT)/libacme.a $(LDFLAGS) $(LIBS) -o $@

-include $(LIB_OBJS:.o=.d) $(OUT)/obj/acme.d
