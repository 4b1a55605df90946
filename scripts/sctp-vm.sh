#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Run a command as root inside a small qemu VM whose kernel has SCTP, for hosts
# whose own kernel lacks it (the test machines: CONFIG_IP_SCTP is not set and
# modules cannot be loaded). Production hosts never need this.
#
# The VM boots Debian's own kernel (the linux-image-*-amd64 package, fetched
# once with `apt-get download` into a cache) with a busybox initramfs that
# loads the virtio, 9p and sctp modules, mounts the host's root file system
# read-only over 9p and one writable directory (the out dir) at the same path,
# and runs the command there. Only loopback networking.
set -euo pipefail

prog=sctp-vm.sh

usage() {
	cat <<'EOF'
usage: scripts/sctp-vm.sh [-o OUT_DIR] COMMAND [ARGS...]
       scripts/sctp-vm.sh --prepare
       scripts/sctp-vm.sh --help

Runs COMMAND [ARGS...] as root inside a qemu VM (TCG) whose kernel has SCTP.
Inside the VM the host's root file system is visible read-only at the same
paths; writable are OUT_DIR (shared with the host, same path), and tmpfs on
/tmp, /run (so /var/run/dpdk) and /dev/shm. Only the loopback interface exists
(all of 127.0.0.0/8). COMMAND runs with the caller's environment and working
directory (or OUT_DIR if that one is not visible inside), stdin from /dev/null,
and JITSIM_SCTP_OUT=OUT_DIR, JITSIM_SCTP_VM=inside. Its stdout and stderr are
streamed to this script's stdout and stderr; the exit code is COMMAND's.
Keep the build and the source tree outside /tmp, /run and /dev/shm: those are
fresh tmpfs inside the VM.

  -o OUT_DIR   writable directory (default: $JITSIM_SCTP_OUT; one is required;
               created if missing; no white space in the path)
  --prepare    only fetch the kernel and build the initramfs into the cache
  --help       this text

Exit codes besides COMMAND's: 124 the VM did not finish in time,
125 the VM could not be prepared or started, or ended without running COMMAND
to its end (the tail of the VM console is printed).

Environment:
  JITSIM_SCTP_VM_CACHE    cache directory (default /var/cache/jitsim-sctp-vm)
  JITSIM_SCTP_VM_KERNEL   kernel package to use (default: the newest already
                          cached, else the one linux-image-amd64 depends on)
  JITSIM_SCTP_VM_TIMEOUT  seconds before the VM is killed (default 900)
  JITSIM_SCTP_VM_MEM      guest memory in MiB (default 3072)
  JITSIM_SCTP_VM_CPUS     guest CPUs (default 2)
  JITSIM_SCTP_VM_ACCEL    qemu accelerator (default tcg: KVM hangs on the test
                          machines)
  JITSIM_SCTP_VM_VERBOSE  1: print boot and run times on stderr

Needs the Debian packages qemu-system-x86 (--no-install-recommends),
busybox-static and cpio (scripts/deps.sh installs them), and the Debian
package registry the first time (kernel download).
EOF
}

die() {
	echo "$prog: $*" >&2
	exit 125
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

cache=${JITSIM_SCTP_VM_CACHE:-/var/cache/jitsim-sctp-vm}

# Modules the guest needs, by name; their dependencies come from the kernel's
# own modules.dep. crc32c_generic is no symbol dependency of sctp but libcrc32c
# asks the crypto API for "crc32c" at load time, so it must be there first.
WANT_MODULES="crc32c_generic virtio_pci 9pnet_virtio 9p sctp"

# The initramfs /init (busybox sh). Kept constant per kernel: everything that
# changes per run is in the control directory the host writes (guest.sh), so
# the initramfs is cached (its file name carries the checksum of this text).
read -r -d '' INIT_SCRIPT <<'EOF' || true
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do
	insmod /mods/$m.ko || echo "sctp-vm: insmod $m failed"
done
ctl=; out=
for a in $(cat /proc/cmdline); do
	case $a in
	jitsim.ctl=*) ctl=${a#jitsim.ctl=} ;;
	jitsim.out=*) out=${a#jitsim.out=} ;;
	esac
done
r=/newroot
if mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot $r; then
	mount -t proc proc $r/proc
	mount -t sysfs sys $r/sys
	mount -t devtmpfs dev $r/dev
	mkdir -p $r/dev/pts $r/dev/shm
	mount -t devpts devpts $r/dev/pts
	mount -t tmpfs shm $r/dev/shm
	mount -t tmpfs tmp $r/tmp
	mount -t tmpfs run $r/run
	chmod 1777 $r/tmp $r/dev/shm
	mkdir -p $r$out
	if mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out $r$out; then
		chroot $r /bin/bash $ctl/guest.sh
	else
		echo "sctp-vm: cannot mount the out dir $out"
	fi
else
	echo "sctp-vm: cannot mount the host root file system"
fi
sync
poweroff -f
EOF

# Prints the kernel package name to use.
kernel_pkg() {
	if [ -n "${JITSIM_SCTP_VM_KERNEL:-}" ]; then
		echo "$JITSIM_SCTP_VM_KERNEL"
		return
	fi
	# The newest kernel already cached wins: no registry access after the
	# first run, and a kernel update in the archive does not force a
	# download in the middle of a test run.
	local d
	d=$(find "$cache" -maxdepth 1 -name 'kernel-*' -type d 2>/dev/null |
		sort -V | tail -n 1)
	if [ -n "$d" ] && [ -f "$d/ok" ]; then
		basename "$d" | sed 's/^kernel-//'
		return
	fi
	command -v apt-cache >/dev/null || die "no apt-cache: set JITSIM_SCTP_VM_KERNEL"
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# Copies the modules of WANT_MODULES and their dependencies from the unpacked
# kernel tree $1 (version $2) into $3, uncompressed (busybox insmod takes
# plain .ko only), and writes their load order (dependencies first) to
# $3/order. The package ships no modules.dep (depmod makes it at install
# time, and kmod may be absent here): the dependencies are read from each
# module's own .modinfo "depends=" entry.
copy_modules() {
	local root=$1 kver=$2 dst=$3
	local mdir=$root/lib/modules/$kver
	command -v readelf >/dev/null || die "no readelf (Debian package binutils)"
	declare -A path seen
	local file name
	while IFS= read -r file; do
		name=$(basename "$file")
		name=${name%%.ko*}
		path[${name//-/_}]=$file
	done < <(find "$mdir/kernel" -name '*.ko*')
	local order=()
	visit() {
		local n=$1 file=${path[$1]} dep
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		case $file in
		*.ko.xz) xz -dc "$file" >"$dst/$n.ko" ;;
		*.ko.zst) zstd -qdc "$file" >"$dst/$n.ko" ;;
		*.ko.gz) gzip -dc "$file" >"$dst/$n.ko" ;;
		*) cp "$file" "$dst/$n.ko" ;;
		esac
		for dep in $(readelf -p .modinfo "$dst/$n.ko" |
			sed -n 's/.*\]  *depends=//p' | tr ',' ' '); do
			dep=${dep//-/_}
			[ -n "${path[$dep]:-}" ] || die "module $n depends on $dep, not in the package"
			visit "$dep"
		done
		order+=("$n")
	}
	for name in $WANT_MODULES; do
		if [ -z "${path[$name]:-}" ]; then
			if grep -qE "/${name//_/[_-]}\.ko" "$mdir/modules.builtin" 2>/dev/null; then
				continue
			fi
			die "kernel $kver has no module $name"
		fi
		visit "$name"
	done
	printf '%s\n' "${order[@]}" >"$dst/order"
}

# Fills $cache/kernel-PKG (vmlinuz, mods/, ok) once. Built in a temporary
# directory beside it and renamed into place: two first runs at the same time
# both build, one rename wins, the other finds the directory there and drops
# its own copy; a reader never sees a half-built kernel.
prepare_kernel() {
	local pkg=$1 kdir=$cache/kernel-$1 tmp kver
	[ -f "$kdir/ok" ] && return 0
	command -v apt-get >/dev/null || die "no apt-get: cannot fetch kernel $pkg"
	tmp=$(mktemp -d "$cache/.tmp-kernel.XXXXXX") ||
		die "cannot write to the cache $cache (set JITSIM_SCTP_VM_CACHE)"
	echo "$prog: fetching kernel $pkg into $cache (once)" >&2
	# apt-get download drops its privileges to _apt when run as root: let
	# it write into the temporary directory.
	chmod 755 "$tmp"
	mkdir "$tmp/deb" && chmod 777 "$tmp/deb"
	if ! (cd "$tmp/deb" && apt-get download "$pkg") >"$tmp/apt.log" 2>&1; then
		sed 's/^/  /' "$tmp/apt.log" >&2
		rm -rf "$tmp"
		die "kernel download failed: 'apt-get download $pkg' (needs the Debian package registry; or set JITSIM_SCTP_VM_KERNEL)"
	fi
	if ! dpkg-deb -x "$tmp"/deb/*.deb "$tmp/root"; then
		rm -rf "$tmp"
		die "cannot unpack $pkg"
	fi
	kver=$(ls "$tmp/root/lib/modules" | head -n 1)
	if [ -z "$kver" ] || [ ! -f "$tmp/root/boot/vmlinuz-$kver" ]; then
		rm -rf "$tmp"
		die "package $pkg has no kernel image"
	fi
	mkdir "$tmp/mods"
	(copy_modules "$tmp/root" "$kver" "$tmp/mods") || {
		rm -rf "$tmp"
		exit 125
	}
	cp "$tmp/root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
	echo "$kver" >"$tmp/kver"
	rm -rf "$tmp/deb" "$tmp/root" "$tmp/apt.log"
	touch "$tmp/ok"
	if ! mv -T "$tmp" "$kdir" 2>/dev/null; then
		rm -rf "$tmp"
		[ -f "$kdir/ok" ] || die "cannot rename the kernel into $kdir"
	fi
}

# Prints the path of the initramfs for kernel directory $1, building it
# (atomically, same scheme as the kernel) when missing.
prepare_initrd() {
	local kdir=$1 sum img tmp
	command -v cpio >/dev/null || die "no cpio (Debian package cpio; scripts/deps.sh)"
	[ -x /bin/busybox ] || die "no /bin/busybox (Debian package busybox-static)"
	# A dynamically linked busybox cannot run in the initramfs.
	if ldd /bin/busybox >/dev/null 2>&1; then
		die "/bin/busybox is dynamically linked: install busybox-static"
	fi
	sum=$( (printf '%s' "$INIT_SCRIPT"; cat /bin/busybox "$kdir/mods/order") |
		sha256sum | cut -c1-16)
	img=$kdir/initrd-$sum.gz
	if [ ! -f "$img" ]; then
		tmp=$(mktemp -d "$cache/.tmp-initrd.XXXXXX") || die "cannot write to the cache $cache"
		mkdir -p "$tmp/r"/{bin,mods,newroot,proc,sys,dev}
		cp /bin/busybox "$tmp/r/bin/busybox"
		cp "$kdir"/mods/* "$tmp/r/mods/"
		printf '%s\n' "$INIT_SCRIPT" >"$tmp/r/init"
		chmod 755 "$tmp/r/init"
		(cd "$tmp/r" && find . | cpio -o -H newc --quiet | gzip -1) >"$tmp/initrd.gz" ||
			{ rm -rf "$tmp"; die "cannot build the initramfs"; }
		mv -f "$tmp/initrd.gz" "$img"
		rm -rf "$tmp"
		# Initramfs of older versions of this script: gone after an hour
		# (a run of the old version may still be booting one).
		find "$kdir" -maxdepth 1 -name 'initrd-*.gz' ! -name "initrd-$sum.gz" -mmin +60 \
			-delete 2>/dev/null || true
	fi
	echo "$img"
}

prepare() {
	local pkg
	command -v qemu-system-x86_64 >/dev/null ||
		die "no qemu-system-x86_64: install qemu-system-x86 (apt-get install --no-install-recommends qemu-system-x86, or scripts/deps.sh)"
	mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] ||
		die "cache $cache is not writable (set JITSIM_SCTP_VM_CACHE)"
	pkg=$(kernel_pkg)
	[ -n "$pkg" ] || die "cannot tell which kernel package to use (apt-cache depends linux-image-amd64 says nothing; set JITSIM_SCTP_VM_KERNEL)"
	prepare_kernel "$pkg"
	KDIR=$cache/kernel-$pkg
	INITRD=$(prepare_initrd "$KDIR")
}

out=${JITSIM_SCTP_OUT:-}
case ${1:-} in
--help | -h)
	usage
	exit 0
	;;
--prepare)
	prepare
	echo "$prog: kernel $(cat "$KDIR/kver") in $KDIR, initramfs $INITRD"
	exit 0
	;;
-o)
	[ $# -ge 2 ] || die "-o needs a directory"
	out=$2
	shift 2
	;;
esac
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
	usage >&2
	exit 125
fi
[ -n "$out" ] || die "no out dir: pass -o OUT_DIR or set JITSIM_SCTP_OUT"
mkdir -p "$out" || die "cannot create the out dir $out"
out=$(realpath "$out")
case $out in
*[[:space:]]* | *,*) die "the out dir path must not contain white space or commas: $out" ;;
esac

t_start=$(now)
prepare

ctl=$(mktemp -d "$out/.sctp-vm.XXXXXX") || die "cannot write to the out dir $out"
qpid=
cleanup() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# guest.sh: runs in the chroot on the host's file system, as root. The
# caller's environment goes along, without what names this host session.
{
	echo '#!/bin/bash'
	printf 'ctl=%q\n' "$ctl"
	echo 'date +%s.%N >"$ctl/started"'
	echo 'ip link set lo up'
	for v in $(compgen -e); do
		case $v in
		PWD | OLDPWD | SHLVL | _ | BASH_* | XDG_RUNTIME_DIR | DISPLAY | \
			WAYLAND_DISPLAY | DBUS_SESSION_BUS_ADDRESS | SSH_* | TMUX*) continue ;;
		esac
		printf 'export %s=%q\n' "$v" "${!v}"
	done
	printf 'export JITSIM_SCTP_OUT=%q JITSIM_SCTP_VM=inside\n' "$out"
	printf 'cd %q 2>/dev/null || cd %q\n' "$PWD" "$out"
	printf '%q ' "$@"
	echo '>"$ctl/stdout" 2>"$ctl/stderr" </dev/null'
	echo 'echo $? >"$ctl/rc.tmp" && mv "$ctl/rc.tmp" "$ctl/rc"'
} >"$ctl/guest.sh"
: >"$ctl/stdout"
: >"$ctl/stderr"

timeout_s=${JITSIM_SCTP_VM_TIMEOUT:-900}
qemu-system-x86_64 -nodefaults -no-user-config \
	-machine "accel=${JITSIM_SCTP_VM_ACCEL:-tcg}" -cpu "${JITSIM_SCTP_VM_CPU:-max}" \
	-m "${JITSIM_SCTP_VM_MEM:-3072}" -smp "${JITSIM_SCTP_VM_CPUS:-2}" \
	-display none -monitor none -serial "file:$ctl/console.log" \
	-no-reboot -net none \
	-kernel "$KDIR/vmlinuz" -initrd "$INITRD" \
	-append "console=ttyS0 quiet panic=-1 jitsim.ctl=$ctl jitsim.out=$out" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$out,mount_tag=out,security_model=none" \
	</dev/null >"$ctl/qemu.log" 2>&1 &
qpid=$!
tail -q -n +1 -F --pid="$qpid" "$ctl/stdout" 2>/dev/null &
tpid1=$!
tail -q -n +1 -F --pid="$qpid" "$ctl/stderr" >&2 2>/dev/null &
tpid2=$!

t_boot=
timed_out=
deadline=$(($(date +%s) + timeout_s))
while kill -0 "$qpid" 2>/dev/null; do
	if [ -z "$t_boot" ] && [ -f "$ctl/started" ]; then
		t_boot=$(now)
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		timed_out=1
		kill "$qpid" 2>/dev/null || true
		break
	fi
	sleep 0.2
done
qrc=0
wait "$qpid" || qrc=$?
qpid=
# tail --pid reads the files once more after qemu is gone.
wait "$tpid1" "$tpid2" 2>/dev/null || true
t_end=$(now)

if [ -n "$timed_out" ]; then
	echo "$prog: timeout: the VM was killed after ${timeout_s} s (JITSIM_SCTP_VM_TIMEOUT)" >&2
	exit 124
fi
if [ ! -f "$ctl/rc" ]; then
	echo "$prog: the VM ended without the command's exit code (qemu exit $qrc); console tail:" >&2
	tail -n 30 "$ctl/qemu.log" "$ctl/console.log" 2>/dev/null | sed 's/\r$//' >&2 || true
	exit 125
fi
rc=$(cat "$ctl/rc")
if [ "${JITSIM_SCTP_VM_VERBOSE:-0}" = 1 ]; then
	echo "$prog: boot $(elapsed "$t_start" "${t_boot:-$t_end}") s, command $(elapsed "${t_boot:-$t_end}" "$t_end") s, total $(elapsed "$t_start" "$t_end") s, exit $rc" >&2
fi
exit "$rc"
