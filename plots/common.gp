# common.gp - terminals and look shared by the hmmbench charts.
# Loaded by the other scripts; hmmbench-report sets png_out and svg_out.
png_term = "pngcairo size 1100,680 noenhanced font 'DejaVu Sans,11' linewidth 1.5"
svg_term = "svg size 1100,680 dynamic noenhanced font 'DejaVu Sans,12' linewidth 1.5 background rgb 'white'"
set terminal @png_term
set output png_out
set datafile separator "\t"
set datafile missing "NaN"
set grid xtics ytics mytics lc rgb '#dddddd'
set key top right opaque box
set border lw 1
set style line 1 lc rgb '#c0392b' pt 7 ps 1.2 lw 2
set style line 2 lc rgb '#2471a3' pt 5 ps 1.2 lw 2
set style line 3 lc rgb '#7d7d7d' pt 9 ps 1.0 lw 1 dt 2
set style line 4 lc rgb '#229954' pt 11 ps 1.0 lw 1 dt 2
