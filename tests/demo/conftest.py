# A small demo region: 5% of the full scale, a few dozen programs.
SMALL = 0.05
