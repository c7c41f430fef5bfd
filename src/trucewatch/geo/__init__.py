"""trucewatch.geo"""
