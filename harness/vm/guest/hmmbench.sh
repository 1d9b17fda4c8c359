#!/bin/sh
# Runs inside the guest for ./run.sh --kernel (busybox sh): hmmbench with
# its arguments, results into $HMMBENCH_OUT/results, which is the host's
# folder (9p), so they survive a crash. Or, as "--resume DIR" (DIR under
# $HMMBENCH_OUT), finishes an interrupted run.
#
# Huge pages are reserved per NUMA node for what the plan needs: every
# hugetlb case of memory node M and size S needs S / 2 MiB pages on M (one
# case at a time). The plan comes from hmmbench --list with a provisional
# reservation in place; a node that cannot give what its cases need keeps
# what it could, and hmmbench skips those cases with the reason.

nodes=/sys/devices/system/node
say() { echo "guest-hmmbench.sh: $*" >&2; }

# nr_hugepages of node N, set to WANT (the kernel may give fewer).
set_node() {
	f=$nodes/node$1/hugepages/hugepages-2048kB/nr_hugepages
	[ -w "$f" ] || return 0
	echo "$2" > "$f" 2> /dev/null
	cat "$f"
}

# Provisional: up to a quarter of each node's free memory, at most 128
# pages (256 MiB, the standard profile's largest range).
provisional() {
	for d in "$nodes"/node[0-9]*; do
		n=${d##*node}
		free_kb=$(awk '/MemFree:/ { print $4 }' "$d/meminfo")
		want=$((free_kb / 4 / 2048))
		[ "$want" -le 128 ] || want=128
		set_node "$n" "$want" > /dev/null
	done
}

# The pages each memory node needs: "NODE PAGES" lines from the plan.
needs() {
	/work/build/hmmbench "$@" --list 2> /dev/null | awk '
		$1 ~ /\/hugetlb\// && $2 != "skipped:" {
			n = split($1, p, "/"); size = p[n - 1]; place = p[n]
			sub(/^c[0-9]+m/, "", place)
			v = size; u = substr(v, length(v)); v = substr(v, 1, length(v) - 1)
			pages = u == "K" ? v / 2048 : u == "M" ? v / 2 : u == "G" ? v * 512 : v * 512 * 1024
			if (pages > need[place]) need[place] = pages
		}
		END { for (m in need) printf "%d %d\n", m, need[m] }'
}

if [ "$1" = --resume ]; then
	provisional
	exec /work/build/hmmbench --resume "$HMMBENCH_OUT/$2"
fi

provisional
plan=$(needs "$@")
for d in "$nodes"/node[0-9]*; do
	n=${d##*node}
	want=$(echo "$plan" | awk -v n="$n" '$1 == n { print $2 }')
	got=$(set_node "$n" "${want:-0}")
	[ -z "$want" ] || say "node $n: $got of $want huge pages (2 MiB) reserved for the hugetlb cases"
done
exec /work/build/hmmbench "$@" --out "$HMMBENCH_OUT/results"
