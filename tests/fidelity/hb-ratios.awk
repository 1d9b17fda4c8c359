# hmmbench's side of the fidelity check: from hmmbench.json, the
# repetitions of PRE and DEF (case names without /manual_time), and the
# same ratios the fidelity driver prints, as "KEY VALUE" words on one line:
# ratio_min ratio_median ratio_mean nofill_ratio_min nofill_ratio_median.
# Usage: awk -v pre=CASE -v def=CASE -f hb-ratios.awk hmmbench.json
# Google Benchmark's JSON has one field per line; a repetition is an
# object whose run_type is "iteration" (failed ones are left out).
function num(s) { sub(/,$/, "", s); return s + 0 }
function median(v, n,   i, j, t) {
	for (i = 2; i <= n; i++)	# insertion sort: 9 to 30 values
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function min(v, n,   i, m) {
	m = v[1]
	for (i = 2; i <= n; i++)
		if (v[i] < m) m = v[i]
	return m
}
function sum(v, n,   i, s) {
	for (i = 1; i <= n; i++) s += v[i]
	return s
}
$1 == "{" { name = ""; iter = 0; err = 0; rt = ""; fill = 0 }
$1 == "\"name\":" { name = $2; gsub(/[",]/, "", name); sub(/\/manual_time$/, "", name) }
$1 == "\"run_type\":" { iter = $2 == "\"iteration\"," }
$1 == "\"error_occurred\":" { err = $2 ~ /true/ }
$1 == "\"real_time\":" { rt = num($2) }
$1 == "\"fill_ns\":" { fill = num($2) }
$1 ~ /^}/ && iter && !err && rt != "" {
	if (name == pre) { p[++np] = rt; pn[np] = rt - fill }
	else if (name == def) d[++nd] = rt
}
END {
	if (!np || !nd) exit 1
	printf "ratio_min %.3f ratio_mean %.3f nofill_ratio_min %.3f ",
		min(p, np) / min(d, nd), sum(p, np) / np / (sum(d, nd) / nd),
		min(pn, np) / min(d, nd)
	printf "ratio_median %.3f nofill_ratio_median %.3f reps %d\n",
		median(p, np) / median(d, nd), median(pn, np) / median(d, nd), np
}
