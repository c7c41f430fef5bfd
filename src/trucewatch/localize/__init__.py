"""trucewatch.localize"""
