#!/usr/bin/env bash
# test_print.sh's arm64 half (4 dumps against sid's drgn), a test of its own so that CTest
# runs it beside the x86_64 half.
exec bash "$(dirname "$0")/test_print.sh" "$1" arm64
