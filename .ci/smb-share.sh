#!/usr/bin/env bash
# A Samba share on loopback, mounted twice (as two desks would each mount it), for
# tests/core/watch/test_share_desks.py. Prints the two mounted folders of the share, one a
# line: export INTAKE_TEST_SHARE and INTAKE_TEST_SHARE_2 from them.
#
# The kernel's SMB and NFS clients are used where the kernel has them (`mount -t cifs`);
# in a container whose kernel has neither (no cifs/nfs in /proc/filesystems, no modules to
# load) the share is mounted through FUSE by smbnetfs, a libsmbclient client: the bytes
# still go over SMB to smbd. Needs root, samba, and cifs-utils or smbnetfs (apt-get install
# samba cifs-utils smbnetfs). `.ci/smb-share.sh stop` unmounts and stops smbd.
set -euo pipefail
BASE="${INTAKE_SHARE_BASE:-/tmp/intake-smb}"
if [ "${1:-}" = "stop" ]; then
  for m in "$BASE/mnt1" "$BASE/mnt2"; do umount "$m" 2>/dev/null || true; done
  [ -f "$BASE/run/smbd.pid" ] && kill "$(cat "$BASE/run/smbd.pid")" 2>/dev/null || true
  exit 0
fi
mkdir -p "$BASE"/{export,run,lock,state,cache,private,mnt1,mnt2}
chmod 777 "$BASE/export"
cat > "$BASE/smb.conf" <<CONF
[global]
   server role = standalone server
   map to guest = Bad User
   bind interfaces only = yes
   interfaces = lo
   pid directory = $BASE/run
   lock directory = $BASE/lock
   state directory = $BASE/state
   cache directory = $BASE/cache
   private dir = $BASE/private
   log file = $BASE/log.%m
   load printers = no
   disable spoolss = yes
[intake]
   path = $BASE/export
   read only = no
   guest ok = yes
   force user = root
CONF
if ! pgrep -F "$BASE/run/smbd.pid" >/dev/null 2>&1; then
  smbd --daemon -s "$BASE/smb.conf" >&2
  for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/445) 2>/dev/null && break; sleep 0.5; done
fi
mounted() { grep -q " $1 " /proc/mounts; }
if grep -qw cifs /proc/filesystems; then
  for m in "$BASE/mnt1" "$BASE/mnt2"; do
    mounted "$m" || mount -t cifs //127.0.0.1/intake "$m" -o guest,vers=3.0,nobrl,actimeo=1 >&2
  done
  echo "$BASE/mnt1"; echo "$BASE/mnt2"
else
  # smbnetfs shows every share below <mount>/<host>/<share>; one configuration per mount.
  for n in 1 2; do
    m="$BASE/mnt$n"
    if ! mounted "$m"; then
      mkdir -p "$BASE/home$n/.smb"
      printf 'show_$_shares "false"\nsmb_query_browsers "false"\nauth "guest" ""\nhost 127.0.0.1 visible=true\n' \
        > "$BASE/home$n/.smb/smbnetfs.conf"
      chmod 600 "$BASE/home$n/.smb/smbnetfs.conf"
      touch "$BASE/home$n/.smb/smb.conf"
      HOME="$BASE/home$n" smbnetfs "$m" >&2
    fi
  done
  for _ in $(seq 1 20); do [ -d "$BASE/mnt1/127.0.0.1/intake" ] && break; sleep 0.5; done
  echo "$BASE/mnt1/127.0.0.1/intake"; echo "$BASE/mnt2/127.0.0.1/intake"
fi
