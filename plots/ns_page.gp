# ns_page.gp - time per page against range size for one access and page
# state: prefill (every pfn entry written, pre-5.2 style) against default
# (default_flags only), with min..max bars over the repetitions, plus the
# userspace baselines when the run has them.
# Variables: tsv, ttl, sub, png_out, svg_out, dir.
# TSV columns: size_bytes size, then amean min max of prefill, default,
# touch, populate (ns per page; NaN where absent), then restarts per call
# of prefill and default (not drawn).
load dir.'/common.gp'
set title ttl."\n".sub
set xlabel 'range size (log2 scale)'
set ylabel 'time per page (ns, log scale)'
set logscale x 2
set logscale y 10
set format y '%g'
set offsets graph 0.03, graph 0.03, 0, 0
set key top right
# has_touch / has_populate (set by hmmbench-report): draw the userspace
# baselines only when the run has them, so the key lists only real series.
if (!exists("has_touch")) has_touch = 0
if (!exists("has_populate")) has_populate = 0
cmd = "plot tsv using 1:3:4:5:xtic(2) with yerrorlines ls 1" . \
      " title 'prefill: every pfn entry written (pre-5.2 drivers)'," . \
      " '' using 1:6:7:8 with yerrorlines ls 2" . \
      " title 'default: default_flags only (5.2+)'"
if (has_touch) cmd = cmd . ", '' using 1:9:10:11 with yerrorlines ls 3 title 'userspace: CPU touches each page'"
if (has_populate) cmd = cmd . ", '' using 1:12:13:14 with yerrorlines ls 4 title 'userspace: MADV_POPULATE_READ/WRITE'"
eval cmd
set terminal @svg_term
set output svg_out
replot
