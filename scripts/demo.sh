#!/bin/sh
# The main job on the seed example, in a throwaway network namespace: nothing on this host is touched.
# Plays VPP by creating the tap it would create, then plan → apply → dump → ping → delete.
set -e
cd "$(dirname "$0")/.."
if [ -z "$LNX_DEMO_INSIDE" ]; then
  exec env LNX_DEMO_INSIDE=1 unshare --net --mount --propagation private -- sh -c \
    'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && mount -t sysfs none /sys && exec sh scripts/demo.sh'
fi
lnx() { echo; echo "\$ lnx $*"; node bin/run.js "$@" || echo "(exit $?)"; }
lnx validate -f examples/seed.yaml
lnx plan -f examples/seed.yaml
lnx apply -f examples/seed.yaml
echo; echo '$ ip tuntap add dev tap-host mode tap   # playing VPP: it creates the tap lnx adopts'
ip tuntap add dev tap-host mode tap
lnx apply -f examples/seed.yaml
lnx plan -f examples/seed.yaml --exit-code
lnx dump
echo; echo '$ ip netns exec ns1 ping -c1 192.168.22.5'
ip netns exec ns1 ping -c1 -W2 192.168.22.5 | sed -n 2p
lnx delete -f examples/seed.yaml --namespaces
