"""trucewatch.sources"""
