# The fidelity lane (tests/fidelity/README.md): hmmbench against a second,
# independent timing of the same hmm_range_fault() request, in 6.12 TCG
# guests. A lane of its own, not part of `make test`: one boot takes about
# 10 minutes under TCG on 2 cores (twenty 256 MiB builds are the cost).
# The module's static checks (checkpatch, W=1 per kernel) are in
# tests/kmod/check.sh, so in `make test`.
FIDELITY_BIN := $(BUILD)/fidelity/fidelity

# The guest programs' flags (mk/guest.mk): UBSan, no ASan.
$(FIDELITY_BIN): tests/fidelity/fidelity.c tests/fidelity/kmod/hmm_fidelity.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/fidelity $(CFLAGS) -fsanitize=undefined \
		-fno-sanitize-recover=all $< -o $@ -lnuma

.PHONY: test-fidelity
test-fidelity: deps $(FIDELITY_BIN) $(BUILD)/hmmbench
	tests/fidelity/run.sh
