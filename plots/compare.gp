# compare.gp - time per page against range size for one access and page
# state, every run on the same axes: prefill dashed, default solid, one
# colour per run, min..max bars.
# Variables: tsv, ttl, sub, nruns, png_out, svg_out, dir.
# TSV: header row, then size_bytes size and per run amean min max of
# prefill, then of default (ns per page).
load dir.'/common.gp'
set title ttl."\n".sub
set xlabel 'range size (log2 scale)'
set ylabel 'time per page (ns, log scale)'
set logscale x 2
set logscale y 10
set format y '%g'
set offsets graph 0.03, graph 0.03, 0, 0
set key top right
plot for [r=0:nruns-1] tsv \
	using 1:(column(3+6*r)):(column(4+6*r)):(column(5+6*r)):xtic(2) \
	with yerrorlines lw 2 lc r+1 pt 7 dt 2 title columnheader(3+6*r), \
     for [r=0:nruns-1] tsv \
	using 1:(column(6+6*r)):(column(7+6*r)):(column(8+6*r)) \
	with yerrorlines lw 2 lc r+1 pt 5 dt 1 title columnheader(6+6*r)
set terminal @svg_term
set output svg_out
replot
