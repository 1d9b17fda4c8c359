# ratio.gp - prefill / default Amean time per call against range size,
# one line per page state; above 1 means default_flags is faster.
# Variables: tsv, ttl, sub, ncol, png_out, svg_out, dir.
# TSV: header row, then size_bytes size ratio-per-state (NaN where absent).
load dir.'/common.gp'
set title ttl."\n".sub
set xlabel 'range size (log2 scale)'
set ylabel 'prefill / default time per call (ratio; > 1: default faster)'
set yrange [0:*]	# a ratio of times is never negative
set logscale x 2
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
set key outside right top
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#555555'
# Twelve states and their NUMA pairs: a colour each (cycling after 12), a
# dash pattern per round of colours, a point type per column.
colours = "#1f77b4 #d62728 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf #7f7f7f #bcbd22 #000000 #aec7e8"
plot for [c=3:ncol] tsv using 1:c:xtic(2) with linespoints lw 2 pt (c-2) \
	lc rgb word(colours, (c-3) % 12 + 1) dashtype int((c-3) / 12 + 1) \
	title columnhead(c)
set terminal @svg_term
set output svg_out
replot
