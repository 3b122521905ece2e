# inspraak - top-level Makefile
#
#   make run     install what is missing, build, start Redis + every service (Ctrl-C stops)
#   make test    install what is missing, build with ASan/UBSan, run every test suite
#   make start / make stop   the same as run, in the background (pid files in $INSPRAAK_VAR/run/)
#   make bench / make fuzz / make soak   the long runs (see docs/)
#
# Layout: common/ and proto/ build into one static library; every folder
# services/NAME/ with .c files builds bin/NAME; tests/unit/test_X.c builds
# a cmocka test; tests/tools/X.c builds a helper program into bin/.
# SAN=1 builds everything with AddressSanitizer/UBSan into build/asan/.

CC      ?= gcc
# make run / make test build with one compiler per core (JOBS=1: one at a time).
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PKGS    := libzmq msgpack hiredis libmicrohttpd jansson libsodium libcurl gmime-3.0 libexttextcat hunspell libidn2
SAN     ?= 0

ifeq ($(SAN),1)
  BUILD ?= build/asan
  BIN   ?= $(BUILD)/bin
  OPT   := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
  BUILD ?= build/release
  BIN   ?= bin
  OPT   := -O2
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lstemmer -lz -lpthread -lm
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -g $(OPT) -Icommon -Iproto $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(OPT)

LIB_SRC   := $(wildcard common/*.c proto/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libinspraak.a
SERVICES  := $(sort $(patsubst services/%/,%,$(dir $(wildcard services/*/*.c))))
SVC_BINS  := $(SERVICES:%=$(BIN)/%)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRC:tests/tools/%.c=$(BIN)/%)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# The classifier's learned model is built, not kept in git: data/nl/model.tsv
# is trained by bin/classify-train (deterministic: same data, same model)
# from the labelled development set and the training corpus
# data/nl/train/*.jsonl, and again whenever one of them, a lexicon the
# features use or classify-train itself changes. A dev idea counts
# DEV_WEIGHT times (the writers of the sets that judge the model label like
# the dev set; the corpus gives vocabulary): keep it equal to DEV_WEIGHT in
# tests/eval/eval_classify.py, which the cross-validation uses. The
# sanitizer build does not train (the release build does, before tests).
TRAIN_DEV    := tests/data/ideas/dev.jsonl
DEV_WEIGHT   := 3
TRAIN_CORPUS := $(sort $(wildcard data/nl/train/*.jsonl))
MODEL        := data/nl/model.tsv
MODEL_INPUTS := $(TRAIN_DEV) $(TRAIN_CORPUS) $(filter-out $(MODEL),$(wildcard data/nl/*.tsv)) \
                data/nl/pattern-nl-sentiment.xml $(wildcard data/nl/*.txt)
# The model also depends on which files it learns from: a training file
# taken out leaves every remaining date as it was, so the list of inputs
# is a prerequisite too, rewritten only when it changes.
MODEL_LIST   := $(MODEL).inputs
$(shell printf '%s\n' $(MODEL_INPUTS) | cmp -s - $(MODEL_LIST) || \
        printf '%s\n' $(MODEL_INPUTS) > $(MODEL_LIST))
ifeq ($(SAN),1)
  BUILD_MODEL :=
else
  BUILD_MODEL := $(MODEL)
endif

.PHONY: all build deps test-deps run start stop test unit bench fuzz soak clean format
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory -j$(JOBS) build

build: $(SVC_BINS) $(TOOL_BINS) $(BUILD_MODEL)

deps:
	@deploy/install-deps.sh run

test-deps:
	@deploy/install-deps.sh test

# V=1 shows the whole command lines.
ifeq ($(V),1)
  Q :=
else
  Q := @
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

# Objects of services/NAME/ (a function, because a literal % in the rule
# below would be replaced by the stem before the second expansion).
svc_objs = $(patsubst %.c,$(BUILD)/%.o,$(wildcard services/$(1)/*.c))

# Keep objects: they are intermediate files of pattern rules, which make
# would otherwise delete after every build (and so rebuild every time).
.SECONDARY:

.SECONDEXPANSION:
$(BIN)/%: $$(call svc_objs,$$*) $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(TOOL_BINS): $(BIN)/%: $(BUILD)/tests/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

unit: $(UNIT_BINS)
	@tests/unit/run.sh $(UNIT_BINS)

run: all
	@deploy/inspraak.sh run

start: all
	@deploy/inspraak.sh start

stop:
	@deploy/inspraak.sh stop

# make test: the sanitizer build of everything, unit tests, then the
# integration and fault suites against real Redis on spare ports, the short
# fuzz run, and `make bench --quick` on the release build (every row runs
# and the report is written; no timing is judged there).
test: test-deps
	@$(MAKE) --no-print-directory -j$(JOBS) build
	@$(MAKE) --no-print-directory -j$(JOBS) SAN=1 build
	@$(MAKE) --no-print-directory -j$(JOBS) SAN=1 unit
	@INSPRAAK_BIN=$(CURDIR)/build/asan/bin INSPRAAK_DATA=$(CURDIR)/data tests/run.sh
	@tests/fuzz/run.sh --short
	@tests/bench/run.sh --quick --out $(BUILD)/bench-quick.md

# make eval: k-fold cross-validation of the classifier on the labelled
# development set (every fold also trains on data/nl/train/*.jsonl), then
# the built model on each hold-out set nobody tuned on and on all of them
# pooled, then how well second readers labelled the same sets (the
# ceiling to read the classifier's figures against; docs/classifier.md).
# make model: train data/nl/model.tsv again now.
.PHONY: eval model
EVAL_CV := $(BUILD)/eval-cv.json
EVAL_HOLDOUT := python3 tests/eval/eval_holdout.py --bin $(BIN) --cv $(EVAL_CV)
HOLDOUTS     := $(sort $(wildcard tests/data/ideas/holdout*.jsonl))
eval: $(BIN)/classify $(BIN)/classify-train $(MODEL)
	@python3 tests/eval/eval_classify.py --bin $(BIN) --out $(EVAL_CV)
	@for set in $(HOLDOUTS); do \
	  echo; echo "hold-out set ($$set, never tuned on):"; \
	  $(EVAL_HOLDOUT) --data $$set || exit 1; \
	done
	@echo; $(EVAL_HOLDOUT) --pool $(HOLDOUTS)
	@echo; python3 tests/eval/label_agreement.py

$(MODEL): $(BIN)/classify-train $(MODEL_INPUTS) $(MODEL_LIST)
	@$(if $(Q),echo "  TRAIN   $@")
	$(Q)INSPRAAK_DATA=data $(BIN)/classify-train -o $@.tmp -W $(DEV_WEIGHT):$(TRAIN_DEV) $(TRAIN_CORPUS) 2>$@.log \
	  || { cat $@.log; rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@ && rm -f $@.log

model: $(BIN)/classify-train
	@rm -f $(MODEL)
	@$(MAKE) --no-print-directory $(MODEL)

bench: all
	@tests/bench/run.sh

fuzz: test-deps
	@tests/fuzz/run.sh

soak: all
	@tests/soak/run.sh

format:
	clang-format -i $(LIB_SRC) $(wildcard common/*.h proto/*.h services/*/*.[ch] tests/*/*.[ch])

clean:
	rm -rf build bin $(MODEL)

-include $(shell find build -name '*.d' 2>/dev/null)
