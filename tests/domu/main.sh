# The domu suite's entry point, which tools/run-tests runs in the test dom0
# through tools/xlrun: suite.sh and the test files it sources add their
# tests with `run`, then run_all prints the plan and runs them, so that
# tools/domu-tap can name a test that never reported.
. ./tests/domu/lib.sh
. ./tests/domu/suite.sh
run_all
