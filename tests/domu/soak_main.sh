# make soak's script in the test dom0 (tools/soak passes it with soak.conf,
# which sets SOAK_CHANGES and SOAK_SEED): the soak of tests/domu/soak.sh.
. ./tests/domu/lib.sh
. ./tests/domu/soak.sh
. ./soak.conf
soak "$SOAK_CHANGES" "$SOAK_SEED"
