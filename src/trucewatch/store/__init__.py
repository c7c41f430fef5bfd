"""trucewatch.store"""
