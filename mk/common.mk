# What both programs share (harness/common/): the result folder's contract,
# files and folders, the one definition of a percentile. Linked into
# libmeasure and libreport; the shim needs the percentile too.
COMMON_SRCS := $(wildcard harness/common/*.c)
