# The short soak in make check (tests/domu/soak.sh; make soak runs 10^4).
# Sourced by tests/domu/suite.sh after lib.sh.
. ./tests/domu/soak.sh

soak_short() { soak 300 7; }

run_both soak_short soak_short
