"""trucewatch.report"""
