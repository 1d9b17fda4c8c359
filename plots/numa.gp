# numa.gp - cpu node x memory node matrix: Amean ns per page of the
# default style, and the share of sampled pages found on the memory node
# that was asked for (placement achieved).
# Variables: tsv, ttl, sub, maxc, maxm, png_out, svg_out, dir.
# TSV: cpu_node mem_node ns_per_page_amean pct_on_mem_node.
load dir.'/common.gp'
set title ttl."\n".sub
set xlabel 'CPU node of the calling thread'
set ylabel 'memory node of the range'
set xrange [-0.5:maxc+0.5]
set yrange [-0.5:maxm+0.5]
set xtics 1
set ytics 1
unset grid
set cblabel 'time per page (ns)'
set palette defined (0 '#f7fbff', 1 '#9ecae1', 2 '#4292c6')
set key off
# Boxes, not 'with image': that needs two columns and two rows at least.
plot tsv using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette, \
     '' using 1:2:(sprintf("%.1f ns/page\n%.0f%% of pages on that node", $3, $4)) \
	with labels font ',13' tc rgb 'black'
set terminal @svg_term
set output svg_out
replot
