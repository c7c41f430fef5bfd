"""trucewatch.assess"""
